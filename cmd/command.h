// Command: the interface every `efs` subcommand implements, and the factories kCommands uses.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "base/status.h"

namespace efs::cli {

class Context;

// One subcommand. Setup() binds options to fields of the command object; Run() is called
// once, after a successful parse, and returns a Status that main maps to an exit code.
struct Command {
  virtual ~Command() = default;
  virtual void Setup(CLI::App& app) = 0;
  virtual Status Run(Context& ctx) = 0;
};

using CommandFactory = std::unique_ptr<Command> (*)();

// One factory per file cmd/<name>.cc; each returns a fresh, unbound command.
std::unique_ptr<Command> NewCreateFs();
std::unique_ptr<Command> NewDescribeFs();
std::unique_ptr<Command> NewUpdateFs();
std::unique_ptr<Command> NewDeleteFs();
std::unique_ptr<Command> NewCreateMountTarget();
std::unique_ptr<Command> NewDescribeMountTargets();
std::unique_ptr<Command> NewDeleteMountTarget();
std::unique_ptr<Command> NewDescribeMountTargetSecurityGroups();
std::unique_ptr<Command> NewModifyMountTargetSecurityGroups();
std::unique_ptr<Command> NewSetLifecycle();
std::unique_ptr<Command> NewDescribeLifecycle();
std::unique_ptr<Command> NewDescribeStorage();
std::unique_ptr<Command> NewDescribeBackupPolicy();
std::unique_ptr<Command> NewPutBackupPolicy();
std::unique_ptr<Command> NewUpdateFsProtection();
std::unique_ptr<Command> NewDescribeAccountPreferences();
std::unique_ptr<Command> NewPutAccountPreferences();
std::unique_ptr<Command> NewFsck();
std::unique_ptr<Command> NewTag();
std::unique_ptr<Command> NewUntag();
std::unique_ptr<Command> NewListTags();
std::unique_ptr<Command> NewDescribeVpcs();
std::unique_ptr<Command> NewDescribeSubnets();
std::unique_ptr<Command> NewCreateSubnet();
std::unique_ptr<Command> NewDeleteSubnet();
std::unique_ptr<Command> NewCreateSecurityGroup();
std::unique_ptr<Command> NewDescribeSecurityGroups();
std::unique_ptr<Command> NewDeleteSecurityGroup();
std::unique_ptr<Command> NewAuthorizeSecurityGroupIngress();
std::unique_ptr<Command> NewRevokeSecurityGroupIngress();
std::unique_ptr<Command> NewCreateVpc();
std::unique_ptr<Command> NewDeleteVpc();
std::unique_ptr<Command> NewCreateNetworkInterface();
std::unique_ptr<Command> NewDescribeNetworkInterfaces();
std::unique_ptr<Command> NewAttachNetworkInterface();
std::unique_ptr<Command> NewDetachNetworkInterface();
std::unique_ptr<Command> NewDeleteNetworkInterface();
std::unique_ptr<Command> NewCreateVpcPeeringConnection();
std::unique_ptr<Command> NewAcceptVpcPeeringConnection();
std::unique_ptr<Command> NewRejectVpcPeeringConnection();
std::unique_ptr<Command> NewDeleteVpcPeeringConnection();
std::unique_ptr<Command> NewDescribeVpcPeeringConnections();
std::unique_ptr<Command> NewCreateRoute();
std::unique_ptr<Command> NewDeleteRoute();
std::unique_ptr<Command> NewDescribeRouteTables();
std::unique_ptr<Command> NewCreateVpnGateway();
std::unique_ptr<Command> NewAttachVpnGateway();
std::unique_ptr<Command> NewDetachVpnGateway();
std::unique_ptr<Command> NewDeleteVpnGateway();
std::unique_ptr<Command> NewDescribeVpnGateways();
std::unique_ptr<Command> NewCreateAccessKey();
std::unique_ptr<Command> NewListAccessKeys();
std::unique_ptr<Command> NewDeleteAccessKey();
std::unique_ptr<Command> NewMount();
std::unique_ptr<Command> NewUmount();
std::unique_ptr<Command> NewMounts();
std::unique_ptr<Command> NewBench();
std::unique_ptr<Command> NewExec();
std::unique_ptr<Command> NewStatus();
std::unique_ptr<Command> NewMetrics();
std::unique_ptr<Command> NewTop();
std::unique_ptr<Command> NewDebug();
std::unique_ptr<Command> NewHelp();
std::unique_ptr<Command> NewComplete();

}  // namespace efs::cli

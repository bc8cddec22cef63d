// kCommands and the helpers that walk it: lookup, "did you mean", the command list, the tree.
#include "cmd/commands.h"

#include <algorithm>
#include <iomanip>

namespace efs::cli {
namespace {

const CommandSpec kCommands[] = {
    // File systems.
    {"create-fs", "create a new, empty file system", &NewCreateFs, kNoFlags},
    {"describe-fs", "describe file systems", &NewDescribeFs, kNoFlags},
    {"update-fs", "change a file system's throughput mode", &NewUpdateFs, kNoFlags},
    {"delete-fs", "delete a file system", &NewDeleteFs, kNoFlags},
    // Mount targets.
    {"create-mount-target", "give a file system an address in a subnet", &NewCreateMountTarget,
     kNoFlags},
    {"describe-mount-targets", "describe a file system's mount targets", &NewDescribeMountTargets,
     kNoFlags},
    {"delete-mount-target", "delete a mount target", &NewDeleteMountTarget, kNoFlags},
    {"describe-mount-target-security-groups", "list a mount target's security groups",
     &NewDescribeMountTargetSecurityGroups, kNoFlags},
    {"modify-mount-target-security-groups", "replace a mount target's security groups",
     &NewModifyMountTargetSecurityGroups, kNoFlags},
    // Lifecycle.
    {"set-lifecycle", "set a file system's lifecycle policy", &NewSetLifecycle, kNoFlags},
    {"describe-lifecycle", "show a file system's lifecycle policy", &NewDescribeLifecycle,
     kNoFlags},
    {"describe-storage", "show which storage class holds each file", &NewDescribeStorage, kNoFlags},
    {"fsck", "check a file system's consistency, and repair it", &NewFsck, kNoFlags},
    // Backup, protection and account settings.
    {"describe-backup-policy", "show a file system's backup policy", &NewDescribeBackupPolicy,
     kNoFlags},
    {"put-backup-policy", "turn a file system's automatic backups on or off", &NewPutBackupPolicy,
     kNoFlags},
    {"update-fs-protection", "set a file system's replication overwrite protection",
     &NewUpdateFsProtection, kNoFlags},
    {"describe-account-preferences", "show the length of new resource ids",
     &NewDescribeAccountPreferences, kNoFlags},
    {"put-account-preferences", "choose the length of new resource ids",
     &NewPutAccountPreferences, kNoFlags},
    // Tags.
    {"tag", "add or overwrite tags on a resource", &NewTag, kNoFlags},
    {"untag", "remove tags from a resource", &NewUntag, kNoFlags},
    {"list-tags", "list a resource's tags", &NewListTags, kNoFlags},
    // Mounting on this machine.
    {"mount", "mount a file system on a directory", &NewMount, kNoFlags},
    {"umount", "unmount a file system", &NewUmount, kNoFlags},
    {"mounts", "list the file systems mounted on this machine", &NewMounts, kNoFlags},
    {"bench", "measure what an NFSv4.1 server delivers", &NewBench, kNoFlags},
    {"exec", "run a command as a client of a subnet", &NewExec, kNoFlags},
    // Network.
    {"describe-vpcs", "describe the VPCs", &NewDescribeVpcs, kNoFlags},
    {"describe-subnets", "describe subnets", &NewDescribeSubnets, kNoFlags},
    {"create-subnet", "create a subnet in a VPC", &NewCreateSubnet, kNoFlags},
    {"delete-subnet", "delete a subnet", &NewDeleteSubnet, kNoFlags},
    {"create-security-group", "create a security group", &NewCreateSecurityGroup, kNoFlags},
    {"describe-security-groups", "describe security groups", &NewDescribeSecurityGroups, kNoFlags},
    {"delete-security-group", "delete a security group", &NewDeleteSecurityGroup, kNoFlags},
    {"authorize-security-group-ingress", "add inbound rules to a security group",
     &NewAuthorizeSecurityGroupIngress, kNoFlags},
    {"revoke-security-group-ingress", "remove inbound rules from a security group",
     &NewRevokeSecurityGroupIngress, kNoFlags},
    // VPCs and what joins them: network interfaces, peering, routes and VPN gateways.
    {"create-vpc", "create a VPC", &NewCreateVpc, kNoFlags},
    {"delete-vpc", "delete a VPC", &NewDeleteVpc, kNoFlags},
    {"create-network-interface", "create a network interface in a subnet",
     &NewCreateNetworkInterface, kNoFlags},
    {"describe-network-interfaces", "describe network interfaces", &NewDescribeNetworkInterfaces,
     kNoFlags},
    {"attach-network-interface", "connect a network interface to a namespace or a host device",
     &NewAttachNetworkInterface, kNoFlags},
    {"detach-network-interface", "disconnect a network interface", &NewDetachNetworkInterface,
     kNoFlags},
    {"delete-network-interface", "delete a network interface", &NewDeleteNetworkInterface,
     kNoFlags},
    {"create-vpc-peering-connection", "request a peering connection between two VPCs",
     &NewCreateVpcPeeringConnection, kNoFlags},
    {"accept-vpc-peering-connection", "accept a VPC peering connection",
     &NewAcceptVpcPeeringConnection, kNoFlags},
    {"reject-vpc-peering-connection", "reject a VPC peering connection",
     &NewRejectVpcPeeringConnection, kNoFlags},
    {"delete-vpc-peering-connection", "delete a VPC peering connection",
     &NewDeleteVpcPeeringConnection, kNoFlags},
    {"describe-vpc-peering-connections", "describe VPC peering connections",
     &NewDescribeVpcPeeringConnections, kNoFlags},
    {"create-route", "route a range through a VPN gateway or a peering connection", &NewCreateRoute,
     kNoFlags},
    {"delete-route", "delete a route from a route table", &NewDeleteRoute, kNoFlags},
    {"describe-route-tables", "describe route tables", &NewDescribeRouteTables, kNoFlags},
    {"create-vpn-gateway", "create a VPN gateway on a host device", &NewCreateVpnGateway, kNoFlags},
    {"attach-vpn-gateway", "attach a VPN gateway to a VPC", &NewAttachVpnGateway, kNoFlags},
    {"detach-vpn-gateway", "detach a VPN gateway from a VPC", &NewDetachVpnGateway, kNoFlags},
    {"delete-vpn-gateway", "delete a VPN gateway", &NewDeleteVpnGateway, kNoFlags},
    {"describe-vpn-gateways", "describe VPN gateways", &NewDescribeVpnGateways, kNoFlags},
    // Access keys of the HTTP endpoint.
    {"create-access-key", "make a key that signs HTTP API requests", &NewCreateAccessKey,
     kNoFlags},
    {"list-access-keys", "list the HTTP API's access keys", &NewListAccessKeys, kNoFlags},
    {"delete-access-key", "delete an access key", &NewDeleteAccessKey, kNoFlags},
    // The daemon and the CLI itself.
    {"status", "show the daemon's status", &NewStatus, kNoFlags},
    {"metrics", "show each file system's live metrics", &NewMetrics, kNoFlags},
    {"top", "watch file systems' throughput and requests live", &NewTop, kNoFlags},
    {"debug", "efsd's own actions for tests and demonstrations", &NewDebug, kNoFlags},
    {"help", "show help for efs or one of its commands", &NewHelp, kNoFlags},
    {"__complete", nullptr, &NewComplete, kHidden | kRawArgs},
};

}  // namespace

std::span<const CommandSpec> Commands() { return kCommands; }

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& spec : kCommands) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string SuggestCommand(std::string_view name) {
  // A typo changes a few characters; allow more for longer names, as git does.
  const size_t max_distance = std::max<size_t>(3, name.size() / 3);
  std::string best;
  size_t best_distance = max_distance + 1;
  for (const CommandSpec& spec : kCommands) {
    if (spec.flags & kHidden) continue;
    size_t distance = EditDistance(name, spec.name);
    if (distance < best_distance) {
      best = spec.name;
      best_distance = distance;
    }
  }
  return best;
}

void WriteCommandList(std::ostream& out) {
  out << "usage: efs [--socket PATH] [--output json|text|table] [--debug] <command> [<options>]\n"
         "\n"
         "commands:\n";
  size_t width = 0;
  for (const CommandSpec& spec : kCommands) {
    if (!(spec.flags & kHidden)) width = std::max(width, std::string_view(spec.name).size());
  }
  for (const CommandSpec& spec : kCommands) {
    if (spec.flags & kHidden) continue;
    out << "  " << std::left << std::setw(static_cast<int>(width)) << spec.name << "  "
        << spec.summary << "\n";
  }
  out << "\nSee 'efs help <command>' for a command's options and examples.\n";
}

std::vector<BoundCommand> BuildCommandTree(CLI::App& app) {
  std::vector<BoundCommand> bound;
  for (const CommandSpec& spec : kCommands) {
    const bool hidden = spec.flags & kHidden;
    CLI::App* sub = app.add_subcommand(spec.name, hidden ? "" : spec.summary);
    if (hidden) sub->group("");
    std::unique_ptr<Command> command = spec.factory();
    command->Setup(*sub);
    bound.push_back({&spec, sub, std::move(command)});
  }
  return bound;
}

}  // namespace efs::cli

// efs describe-network-interfaces: DescribeNetworkInterfaces, all or by id, subnet or VPC.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct DescribeNetworkInterfaces final : Command {
  api::DescribeNetworkInterfacesRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--network-interface-ids", request.network_interface_ids,
                   "describe only these network interfaces")
        ->type_name("ID");
    AddOptional(app, "--subnet-id", &request.subnet_id, "describe only this subnet's")
        ->type_name("ID");
    AddOptional(app, "--vpc-id", &request.vpc_id, "describe only this VPC's")->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeNetworkInterfaces", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeNetworkInterfaces() {
  return std::make_unique<DescribeNetworkInterfaces>();
}

}  // namespace efs::cli

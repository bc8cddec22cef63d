// efs describe-vpc-peering-connections: DescribeVpcPeeringConnections, all or by id.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DescribeVpcPeeringConnections final : Command {
  api::DescribeVpcPeeringConnectionsRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--vpc-peering-connection-ids", request.vpc_peering_connection_ids,
                   "describe only these peering connections")
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeVpcPeeringConnections", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeVpcPeeringConnections() {
  return std::make_unique<DescribeVpcPeeringConnections>();
}

}  // namespace efs::cli

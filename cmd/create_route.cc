// efs create-route: CreateRoute, a destination range sent through a VPN gateway or a peering
// connection.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct CreateRoute final : Command {
  api::CreateRouteRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--route-table-id", request.route_table_id, "the route table (rtb-...)")
        ->required()
        ->type_name("ID");
    app.add_option("--destination-cidr-block", request.destination_cidr_block,
                   "the range the route sends on")
        ->required()
        ->type_name("CIDR");
    AddOptional(app, "--gateway-id", &request.gateway_id, "through this VPN gateway (vgw-...)")
        ->type_name("ID");
    AddOptional(app, "--vpc-peering-connection-id", &request.vpc_peering_connection_id,
                "through this peering connection (pcx-...)")
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    if (request.gateway_id.has_value() == request.vpc_peering_connection_id.has_value()) {
      return UsageError("give exactly one of --gateway-id and --vpc-peering-connection-id");
    }
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("CreateRoute", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateRoute() { return std::make_unique<CreateRoute>(); }

}  // namespace efs::cli

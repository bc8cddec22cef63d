// efs delete-route: DeleteRoute.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DeleteRoute final : Command {
  api::DeleteRouteRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--route-table-id", request.route_table_id, "the route table (rtb-...)")
        ->required()
        ->type_name("ID");
    app.add_option("--destination-cidr-block", request.destination_cidr_block,
                   "the route's destination range")
        ->required()
        ->type_name("CIDR");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteRoute", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDeleteRoute() { return std::make_unique<DeleteRoute>(); }

}  // namespace efs::cli

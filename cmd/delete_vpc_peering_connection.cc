// efs delete-vpc-peering-connection: DeleteVpcPeeringConnection.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DeleteVpcPeeringConnection final : Command {
  api::VpcPeeringConnectionIdRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--vpc-peering-connection-id", request.vpc_peering_connection_id,
                   "the peering connection to delete")
        ->required()
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteVpcPeeringConnection", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDeleteVpcPeeringConnection() {
  return std::make_unique<DeleteVpcPeeringConnection>();
}

}  // namespace efs::cli

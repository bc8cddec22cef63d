// efs create-vpc-peering-connection: CreateVpcPeeringConnection, a request to peer two VPCs that
// the peer accepts with accept-vpc-peering-connection.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct CreateVpcPeeringConnection final : Command {
  api::CreateVpcPeeringConnectionRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--vpc-id", request.vpc_id, "the requester VPC")->required()->type_name("ID");
    app.add_option("--peer-vpc-id", request.peer_vpc_id, "the accepter VPC")
        ->required()
        ->type_name("ID");
    AddOptional(app, "--peer-owner-id", &request.peer_owner_id,
                "the peer VPC's account (only this one)")
        ->type_name("ID");
    AddOptional(app, "--peer-region", &request.peer_region, "the peer VPC's region (only local-1)")
        ->type_name("REGION");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("CreateVpcPeeringConnection", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateVpcPeeringConnection() {
  return std::make_unique<CreateVpcPeeringConnection>();
}

}  // namespace efs::cli

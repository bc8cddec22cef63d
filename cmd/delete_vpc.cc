// efs delete-vpc: DeleteVpc.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DeleteVpc final : Command {
  api::DeleteVpcRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--vpc-id", request.vpc_id, "the VPC to delete")->required()->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteVpc", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDeleteVpc() { return std::make_unique<DeleteVpc>(); }

}  // namespace efs::cli

// efs delete-subnet: DeleteSubnet.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DeleteSubnet final : Command {
  api::DeleteSubnetRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--subnet-id", request.subnet_id, "the subnet to delete")
        ->required()
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteSubnet", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDeleteSubnet() { return std::make_unique<DeleteSubnet>(); }

}  // namespace efs::cli

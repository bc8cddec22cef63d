// efs delete-security-group: DeleteSecurityGroup.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DeleteSecurityGroup final : Command {
  api::DeleteSecurityGroupRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--group-id", request.group_id, "the group to delete")
        ->required()
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteSecurityGroup", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDeleteSecurityGroup() {
  return std::make_unique<DeleteSecurityGroup>();
}

}  // namespace efs::cli

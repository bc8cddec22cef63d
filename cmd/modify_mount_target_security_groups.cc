// efs modify-mount-target-security-groups: ModifyMountTargetSecurityGroups (replaces the set).
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct ModifyMountTargetSecurityGroups final : Command {
  api::ModifyMountTargetSecurityGroupsRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--mount-target-id", request.mount_target_id, "the mount target")
        ->required()
        ->type_name("ID");
    app.add_option("--security-groups", request.security_groups,
                   "the new set of security groups, 1 to 5")
        ->required()
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("ModifyMountTargetSecurityGroups", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewModifyMountTargetSecurityGroups() {
  return std::make_unique<ModifyMountTargetSecurityGroups>();
}

}  // namespace efs::cli

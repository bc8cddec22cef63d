// efs delete-mount-target: DeleteMountTarget, optionally waiting until it is gone.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/wait.h"

namespace efs::cli {
namespace {

struct DeleteMountTarget final : Command {
  api::DeleteMountTargetRequest request;
  WaitOptions wait;

  void Setup(CLI::App& app) override {
    app.add_option("--mount-target-id", request.mount_target_id, "the mount target to delete")
        ->required()
        ->type_name("ID");
    AddWaitOptions(app, &wait, "the mount target no longer exists");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteMountTarget", request));
    if (wait.wait) {
      EFS_ASSIGN_OR_RETURN(result, WaitForState(ctx, wait, Resource::kMountTarget,
                                                request.mount_target_id, ""));
    }
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDeleteMountTarget() { return std::make_unique<DeleteMountTarget>(); }

}  // namespace efs::cli

// efs delete-fs: DeleteFileSystem, optionally waiting until it is gone.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/wait.h"

namespace efs::cli {
namespace {

struct DeleteFs final : Command {
  api::DeleteFileSystemRequest request;
  WaitOptions wait;

  void Setup(CLI::App& app) override {
    app.add_option("--file-system-id", request.file_system_id, "the file system to delete")
        ->required()
        ->type_name("ID");
    AddWaitOptions(app, &wait, "the file system no longer exists");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteFileSystem", request));
    if (wait.wait) {
      EFS_ASSIGN_OR_RETURN(result, WaitForState(ctx, wait, Resource::kFileSystem,
                                                request.file_system_id, ""));
    }
    ctx.Print(result);  // {}: prints nothing, as the AWS CLI
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDeleteFs() { return std::make_unique<DeleteFs>(); }

}  // namespace efs::cli

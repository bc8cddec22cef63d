// efs describe-mount-targets: DescribeMountTargets of a file system, or one by id.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct DescribeMountTargets final : Command {
  api::DescribeMountTargetsRequest request;

  void Setup(CLI::App& app) override {
    CLI::Option* fs = AddOptional(app, "--file-system-id", &request.file_system_id,
                                  "describe this file system's mount targets")
                          ->type_name("ID");
    AddOptional(app, "--mount-target-id", &request.mount_target_id,
                "describe only this mount target")
        ->type_name("ID")
        ->excludes(fs);
    AddOptional(app, "--max-items", &request.max_items, "at most this many per page")
        ->check(CLI::PositiveNumber)
        ->type_name("N");
    AddOptional(app, "--marker", &request.marker, "continue from a previous NextMarker")
        ->type_name("MARKER");
  }

  Status Run(Context& ctx) override {
    if (!request.file_system_id && !request.mount_target_id) {
      return UsageError("give --file-system-id or --mount-target-id");
    }
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeMountTargets", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeMountTargets() {
  return std::make_unique<DescribeMountTargets>();
}

}  // namespace efs::cli

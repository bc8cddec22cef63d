// efs describe-mount-target-security-groups: DescribeMountTargetSecurityGroups.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DescribeMountTargetSecurityGroups final : Command {
  api::DescribeMountTargetSecurityGroupsRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--mount-target-id", request.mount_target_id, "the mount target")
        ->required()
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeMountTargetSecurityGroups", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeMountTargetSecurityGroups() {
  return std::make_unique<DescribeMountTargetSecurityGroups>();
}

}  // namespace efs::cli

// efs create-mount-target: CreateMountTarget, optionally waiting until it is available.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"
#include "cmd/wait.h"

namespace efs::cli {
namespace {

struct CreateMountTarget final : Command {
  api::CreateMountTargetRequest request;
  WaitOptions wait;

  void Setup(CLI::App& app) override {
    app.add_option("--file-system-id", request.file_system_id, "the file system to serve")
        ->required()
        ->type_name("ID");
    app.add_option("--subnet-id", request.subnet_id, "the subnet to take an address from")
        ->required()
        ->type_name("ID");
    AddOptional(app, "--ip-address", &request.ip_address,
                "use this address (default: a free one in the subnet)")
        ->type_name("IP");
    AddOptional(app, "--security-groups", &request.security_groups,
                "up to 5 security groups (default: the VPC's default group)")
        ->type_name("ID");
    AddWaitOptions(app, &wait, "the mount target is available");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json description, ctx.Send("CreateMountTarget", request));
    if (wait.wait) {
      EFS_ASSIGN_OR_RETURN(description,
                           WaitForState(ctx, wait, Resource::kMountTarget,
                                        StringField(description, "MountTargetId"), "available"));
    }
    ctx.Print(description);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateMountTarget() { return std::make_unique<CreateMountTarget>(); }

}  // namespace efs::cli

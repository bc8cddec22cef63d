// efs attach-network-interface: AttachNetworkInterface to a namespace, a process's namespace,
// a host device or a namespace efsd makes; optionally waiting until the interface is in-use.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"
#include "cmd/interfaces.h"
#include "cmd/options.h"
#include "cmd/wait.h"

namespace efs::cli {
namespace {

struct AttachNetworkInterface final : Command {
  api::AttachNetworkInterfaceRequest request;
  WaitOptions wait;

  void Setup(CLI::App& app) override {
    app.add_option("--network-interface-id", request.network_interface_id,
                   "the network interface to attach")
        ->required()
        ->type_name("ID");
    AddOptional(app, "--netns", &request.netns, "a network namespace's path")->type_name("PATH");
    AddOptional(app, "--pid", &request.pid, "the network namespace of this process")
        ->check(CLI::PositiveNumber)
        ->type_name("PID");
    AddOptional(app, "--device", &request.device, "a host interface to move into the VPC")
        ->type_name("NAME");
    app.add_flag_callback(
        "--create-netns", [this] { request.create_netns = true; },
        "a network namespace efsd makes, /run/netns/efs-<eni-id>");
    AddOptional(app, "--interface-name", &request.interface_name,
                "the interface's name in the namespace (default: efs0, or eth0 with "
                "--create-netns)")
        ->type_name("NAME");
    AddWaitOptions(app, &wait, "the interface is in-use");
  }

  Status Run(Context& ctx) override {
    const int targets = request.netns.has_value() + request.pid.has_value() +
                        request.device.has_value() + request.create_netns.has_value();
    if (targets != 1) {
      return UsageError("give exactly one of --netns, --pid, --device and --create-netns");
    }
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("AttachNetworkInterface", request));
    if (wait.wait) {
      EFS_ASSIGN_OR_RETURN(result, WaitForInterface(ctx, request.network_interface_id, "in-use",
                                                    wait.timeout_seconds));
    }
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewAttachNetworkInterface() {
  return std::make_unique<AttachNetworkInterface>();
}

}  // namespace efs::cli

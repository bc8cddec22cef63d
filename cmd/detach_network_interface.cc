// efs detach-network-interface: DetachNetworkInterface, optionally waiting until the interface
// is available again (found first by its attachment, which detaching clears).
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/interfaces.h"
#include "cmd/wait.h"

namespace efs::cli {
namespace {

struct DetachNetworkInterface final : Command {
  api::DetachNetworkInterfaceRequest request;
  WaitOptions wait;

  void Setup(CLI::App& app) override {
    app.add_option("--attachment-id", request.attachment_id, "the attachment to end")
        ->required()
        ->type_name("ID");
    AddWaitOptions(app, &wait, "the interface is available");
  }

  Status Run(Context& ctx) override {
    std::string eni_id;
    if (wait.wait) {
      EFS_ASSIGN_OR_RETURN(eni_id, InterfaceOf(ctx, request.attachment_id));
    }
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DetachNetworkInterface", request));
    if (wait.wait) {
      EFS_ASSIGN_OR_RETURN(result,
                           WaitForInterface(ctx, eni_id, "available", wait.timeout_seconds));
    }
    ctx.Print(result);
    return Status::Ok();
  }

  // The network interface that holds `attachment_id`, as efsd describes it now.
  static Result<std::string> InterfaceOf(Context& ctx, const std::string& attachment_id) {
    EFS_ASSIGN_OR_RETURN(Json described, ctx.Send("DescribeNetworkInterfaces",
                                                  api::DescribeNetworkInterfacesRequest{}));
    auto list = described.find("NetworkInterfaces");
    if (list != described.end() && list->is_array()) {
      for (const Json& eni : *list) {
        auto attachment = eni.find("Attachment");
        if (attachment != eni.end() && StringField(*attachment, "AttachmentId") == attachment_id) {
          return StringField(eni, "NetworkInterfaceId");
        }
      }
    }
    return Error(Code::kNotFound, "InvalidAttachmentID.NotFound",
                 "attachment '" + attachment_id + "' does not exist");
  }
};

}  // namespace

std::unique_ptr<Command> NewDetachNetworkInterface() {
  return std::make_unique<DetachNetworkInterface>();
}

}  // namespace efs::cli

// efs delete-network-interface: DeleteNetworkInterface.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DeleteNetworkInterface final : Command {
  api::DeleteNetworkInterfaceRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--network-interface-id", request.network_interface_id,
                   "the network interface to delete")
        ->required()
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteNetworkInterface", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDeleteNetworkInterface() {
  return std::make_unique<DeleteNetworkInterface>();
}

}  // namespace efs::cli

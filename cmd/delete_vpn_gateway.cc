// efs delete-vpn-gateway: DeleteVpnGateway.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DeleteVpnGateway final : Command {
  api::DeleteVpnGatewayRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--vpn-gateway-id", request.vpn_gateway_id, "the VPN gateway to delete")
        ->required()
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteVpnGateway", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDeleteVpnGateway() { return std::make_unique<DeleteVpnGateway>(); }

}  // namespace efs::cli

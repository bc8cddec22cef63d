// efs attach-vpn-gateway: AttachVpnGateway, which moves the gateway's device into the VPC.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct AttachVpnGateway final : Command {
  api::VpnGatewayAttachmentRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--vpc-id", request.vpc_id, "the VPC")->required()->type_name("ID");
    app.add_option("--vpn-gateway-id", request.vpn_gateway_id, "the VPN gateway")
        ->required()
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("AttachVpnGateway", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewAttachVpnGateway() { return std::make_unique<AttachVpnGateway>(); }

}  // namespace efs::cli

// efs describe-vpn-gateways: DescribeVpnGateways, all or by id.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DescribeVpnGateways final : Command {
  api::DescribeVpnGatewaysRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--vpn-gateway-ids", request.vpn_gateway_ids, "describe only these VPN gateways")
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeVpnGateways", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeVpnGateways() {
  return std::make_unique<DescribeVpnGateways>();
}

}  // namespace efs::cli

// efs create-vpn-gateway: CreateVpnGateway on a host device (an uplink or the tunnel device of
// the operator's VPN software), for attach-vpn-gateway and create-route --gateway-id.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

const std::vector<std::string> kVpnGatewayTypes = {"ipsec.1"};

struct CreateVpnGateway final : Command {
  api::CreateVpnGatewayRequest request;

  void Setup(CLI::App& app) override {
    request.type = kVpnGatewayTypes[0];
    AddEnum(app, "--type", &request.type, kVpnGatewayTypes, "the gateway's type")
        ->capture_default_str()
        ->type_name("TYPE");
    AddOptional(app, "--amazon-side-asn", &request.amazon_side_asn,
                "the BGP ASN of the VPC's side (default 64512)")
        ->type_name("ASN");
    app.add_option("--device", request.device,
                   "the host interface or tunnel device (e.g. wg0) the traffic uses")
        ->required()
        ->type_name("NAME");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("CreateVpnGateway", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateVpnGateway() { return std::make_unique<CreateVpnGateway>(); }

}  // namespace efs::cli

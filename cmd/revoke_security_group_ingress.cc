// efs revoke-security-group-ingress: RevokeSecurityGroupIngress (removes inbound rules).
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/ip_permissions.h"

namespace efs::cli {
namespace {

struct RevokeSecurityGroupIngress final : Command {
  IngressOptions options;

  void Setup(CLI::App& app) override { AddIngressOptions(app, &options); }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(api::SecurityGroupIngressRequest request, BuildIngressRequest(options));
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("RevokeSecurityGroupIngress", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewRevokeSecurityGroupIngress() {
  return std::make_unique<RevokeSecurityGroupIngress>();
}

}  // namespace efs::cli

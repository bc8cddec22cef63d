// efs authorize-security-group-ingress: AuthorizeSecurityGroupIngress (adds inbound rules).
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/ip_permissions.h"

namespace efs::cli {
namespace {

struct AuthorizeSecurityGroupIngress final : Command {
  IngressOptions options;

  void Setup(CLI::App& app) override { AddIngressOptions(app, &options); }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(api::SecurityGroupIngressRequest request, BuildIngressRequest(options));
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("AuthorizeSecurityGroupIngress", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewAuthorizeSecurityGroupIngress() {
  return std::make_unique<AuthorizeSecurityGroupIngress>();
}

}  // namespace efs::cli

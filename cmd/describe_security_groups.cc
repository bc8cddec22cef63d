// efs describe-security-groups: DescribeSecurityGroups, all or by id.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DescribeSecurityGroups final : Command {
  api::DescribeSecurityGroupsRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--group-ids", request.group_ids, "describe only these groups")
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeSecurityGroups", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeSecurityGroups() {
  return std::make_unique<DescribeSecurityGroups>();
}

}  // namespace efs::cli

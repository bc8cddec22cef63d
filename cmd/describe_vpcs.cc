// efs describe-vpcs: DescribeVpcs, all or by id.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DescribeVpcs final : Command {
  api::DescribeVpcsRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--vpc-ids", request.vpc_ids, "describe only these VPCs")->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeVpcs", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeVpcs() { return std::make_unique<DescribeVpcs>(); }

}  // namespace efs::cli

// efs describe-subnets: DescribeSubnets, all or by id or VPC.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct DescribeSubnets final : Command {
  api::DescribeSubnetsRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--subnet-ids", request.subnet_ids, "describe only these subnets")
        ->type_name("ID");
    AddOptional(app, "--vpc-id", &request.vpc_id, "describe only this VPC's subnets")
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeSubnets", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeSubnets() { return std::make_unique<DescribeSubnets>(); }

}  // namespace efs::cli

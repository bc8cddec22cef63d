// efs describe-route-tables: DescribeRouteTables, all or by id or VPC.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct DescribeRouteTables final : Command {
  api::DescribeRouteTablesRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--route-table-ids", request.route_table_ids, "describe only these route tables")
        ->type_name("ID");
    AddOptional(app, "--vpc-id", &request.vpc_id, "describe only this VPC's route table")
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeRouteTables", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeRouteTables() {
  return std::make_unique<DescribeRouteTables>();
}

}  // namespace efs::cli

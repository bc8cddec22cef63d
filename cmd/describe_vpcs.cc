// efs describe-vpcs: DescribeVpcs.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DescribeVpcs final : Command {
  void Setup(CLI::App&) override {}

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Call("DescribeVpcs", Json::object()));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeVpcs() { return std::make_unique<DescribeVpcs>(); }

}  // namespace efs::cli

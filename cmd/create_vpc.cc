// efs create-vpc: CreateVpc, a VPC with its main route table and default security group.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct CreateVpc final : Command {
  api::CreateVpcRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--cidr-block", request.cidr_block, "the VPC's range, /16 to /28")
        ->required()
        ->type_name("CIDR");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("CreateVpc", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateVpc() { return std::make_unique<CreateVpc>(); }

}  // namespace efs::cli

// efs create-security-group: CreateSecurityGroup.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct CreateSecurityGroup final : Command {
  api::CreateSecurityGroupRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--group-name", request.group_name, "the group's name, unique in its VPC")
        ->required()
        ->type_name("NAME");
    app.add_option("--description", request.description, "what the group is for")
        ->required()
        ->type_name("TEXT");
    AddOptional(app, "--vpc-id", &request.vpc_id, "the VPC (default: the default VPC)")
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("CreateSecurityGroup", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateSecurityGroup() {
  return std::make_unique<CreateSecurityGroup>();
}

}  // namespace efs::cli

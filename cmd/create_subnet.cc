// efs create-subnet: CreateSubnet in an availability zone of a VPC.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct CreateSubnet final : Command {
  api::CreateSubnetRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--cidr-block", request.cidr_block, "the subnet's range, /16 to /28")
        ->required()
        ->type_name("CIDR");
    CLI::Option* name = AddOptional(app, "--availability-zone", &request.availability_zone,
                                    "the zone by name, e.g. local-1a")
                            ->type_name("AZ");
    AddOptional(app, "--availability-zone-id", &request.availability_zone_id,
                "the zone by id")
        ->type_name("AZ_ID")
        ->excludes(name);
    AddOptional(app, "--vpc-id", &request.vpc_id, "the VPC (default: the default VPC)")
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    if (!request.availability_zone && !request.availability_zone_id) {
      return UsageError("give --availability-zone or --availability-zone-id");
    }
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("CreateSubnet", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateSubnet() { return std::make_unique<CreateSubnet>(); }

}  // namespace efs::cli

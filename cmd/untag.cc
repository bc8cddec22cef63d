// efs untag: UntagResource.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct Untag final : Command {
  api::UntagResourceRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--resource-id", request.resource_id, "a file system id or ARN")
        ->required()
        ->type_name("ID");
    app.add_option("--tag-keys", request.tag_keys, "the keys to remove (1 to 50)")
        ->required()
        ->type_name("KEY");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("UntagResource", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewUntag() { return std::make_unique<Untag>(); }

}  // namespace efs::cli

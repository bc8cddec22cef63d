// efs tag: TagResource (adds tags, overwriting values of existing keys).
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct Tag final : Command {
  api::TagResourceRequest request;
  std::vector<std::string> tags;

  void Setup(CLI::App& app) override {
    app.add_option("--resource-id", request.resource_id, "a file system id or ARN")
        ->required()
        ->type_name("ID");
    app.add_option("--tags", tags, "tags as Key=K,Value=V (several allowed)")
        ->required()
        ->type_name("TAG");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(request.tags, ParseTags(tags));
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("TagResource", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewTag() { return std::make_unique<Tag>(); }

}  // namespace efs::cli

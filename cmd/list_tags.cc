// efs list-tags: ListTagsForResource.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct ListTags final : Command {
  api::ListTagsForResourceRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--resource-id", request.resource_id, "a file system id or ARN")
        ->required()
        ->type_name("ID");
    AddOptional(app, "--max-results", &request.max_results, "at most this many per page")
        ->check(CLI::PositiveNumber)
        ->type_name("N");
    AddOptional(app, "--next-token", &request.next_token, "continue from a previous NextToken")
        ->type_name("TOKEN");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("ListTagsForResource", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewListTags() { return std::make_unique<ListTags>(); }

}  // namespace efs::cli

// efs describe-fs: DescribeFileSystems, all of them or one by id or creation token.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct DescribeFs final : Command {
  api::DescribeFileSystemsRequest request;

  void Setup(CLI::App& app) override {
    CLI::Option* id = AddOptional(app, "--file-system-id", &request.file_system_id,
                                  "describe only this file system")
                          ->type_name("ID");
    AddOptional(app, "--creation-token", &request.creation_token,
                "describe only the file system created with this token")
        ->type_name("TOKEN")
        ->excludes(id);
    AddOptional(app, "--max-items", &request.max_items, "at most this many per page (1-1000)")
        ->check(CLI::Range(1, 1000))
        ->type_name("N");
    AddOptional(app, "--marker", &request.marker, "continue from a previous NextMarker")
        ->type_name("MARKER");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeFileSystems", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeFs() { return std::make_unique<DescribeFs>(); }

}  // namespace efs::cli

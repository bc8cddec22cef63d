// efs describe-lifecycle: DescribeLifecycleConfiguration.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct DescribeLifecycle final : Command {
  api::DescribeLifecycleConfigurationRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--file-system-id", request.file_system_id, "the file system")
        ->required()
        ->type_name("ID");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeLifecycleConfiguration", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeLifecycle() { return std::make_unique<DescribeLifecycle>(); }

}  // namespace efs::cli

// efs update-fs: UpdateFileSystem (throughput mode and provisioned throughput).
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct UpdateFs final : Command {
  api::UpdateFileSystemRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--file-system-id", request.file_system_id, "the file system to change")
        ->required()
        ->type_name("ID");
    AddEnum(app, "--throughput-mode", &request.throughput_mode, kThroughputModes,
            "bursting, provisioned or elastic");
    AddOptional(app, "--provisioned-throughput-in-mibps", &request.provisioned_throughput_in_mibps,
                "MiB/s for the provisioned throughput mode")
        ->type_name("MIBPS");
  }

  Status Run(Context& ctx) override {
    if (!request.throughput_mode && !request.provisioned_throughput_in_mibps) {
      return UsageError(
          "nothing to update: give --throughput-mode or --provisioned-throughput-in-mibps");
    }
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("UpdateFileSystem", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewUpdateFs() { return std::make_unique<UpdateFs>(); }

}  // namespace efs::cli

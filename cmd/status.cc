// efs status: GetDaemonStatus (version, pid, state directory, socket, NFS port, counts).
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct StatusCommand final : Command {
  void Setup(CLI::App&) override {}

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Call("GetDaemonStatus", Json::object()));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewStatus() { return std::make_unique<StatusCommand>(); }

}  // namespace efs::cli

// efs status: GetDaemonStatus (version, pid, state directory, socket, network backend, NFS
// port, counts), with a note on stderr when the network backend isolates nothing.
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
    if (StringField(result, "NetworkIsolation") == "none") {
      ctx.err() << "efs: note: the " << StringField(result, "NetworkBackend")
                << " network backend isolates nothing: any process on this host reaches every "
                   "mount target (efsd --network-backend netns, as root, makes VPCs private)\n";
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewStatus() { return std::make_unique<StatusCommand>(); }

}  // namespace efs::cli

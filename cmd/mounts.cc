// efs mounts: the efs file systems mounted on this machine, and through which mount target.
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/mounting.h"

namespace efs::cli {
namespace {

struct MountsCommand final : Command {
  void Setup(CLI::App&) override {}

  Status Run(Context& ctx) override {
    Json mounts = Json::array();
    for (const MountInfo& m : ListMounts()) {
      Json j = {{"MountPoint", m.mount_point}, {"FileSystemId", m.fs_id},
                {"Path", m.path},              {"MountTargetId", m.mount_target_id},
                {"IpAddress", m.ip},           {"Client", m.client},
                {"ReadOnly", m.read_only}};
      if (m.pid > 0) j["Pid"] = m.pid;
      mounts.push_back(std::move(j));
    }
    ctx.Print(Json{{"Mounts", mounts}});
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewMounts() { return std::make_unique<MountsCommand>(); }

}  // namespace efs::cli

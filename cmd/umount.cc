// efs umount DIR: unmounts an efs mount; a FUSE mount's process finishes its writes first.
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/mounting.h"

namespace efs::cli {
namespace {

struct UmountCommand final : Command {
  std::string mount_point;

  void Setup(CLI::App& app) override {
    app.add_option("mount-point", mount_point, "where the file system is mounted")
        ->required()
        ->type_name("DIR");
  }

  Status Run(Context&) override { return Unmount(mount_point); }
};

}  // namespace

std::unique_ptr<Command> NewUmount() { return std::make_unique<UmountCommand>(); }

}  // namespace efs::cli

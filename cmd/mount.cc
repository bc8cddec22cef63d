// efs mount FS[:/PATH] DIR: mounts a file system through one of its mount targets (mounting.h).
#include "base/ids.h"
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"
#include "cmd/interfaces.h"
#include "cmd/mounting.h"

namespace efs::cli {
namespace {

struct MountCommand final : Command {
  std::string source, mount_point, options, client = "auto";
  MountRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("source", source, "the file system, FS-ID or FS-ID:/PATH")
        ->required()
        ->type_name("FS[:/PATH]");
    app.add_option("mount-point", mount_point, "an existing directory")
        ->required()
        ->type_name("DIR");
    app.add_option("--availability-zone-name", request.availability_zone,
                   "prefer the mount target in this availability zone")
        ->type_name("ZONE");
    app.add_option("--mount-target-ip", request.mount_target_ip,
                   "use the mount target with this address")
        ->type_name("IP");
    app.add_option("-o,--options", options,
                   "comma-separated options: ro, rw, actimeo=SECONDS, noac, and NFS options for "
                   "the kernel client")
        ->type_name("OPTIONS");
    app.add_option("--client", client, "kernel, fuse or auto (the kernel's when it has one)")
        ->check(CLI::IsMember({"auto", "kernel", "fuse"}))
        ->capture_default_str();
    app.add_flag("--foreground", request.foreground, "FUSE: serve in this process until unmounted");
  }

  Status Run(Context& ctx) override {
    size_t colon = source.find(':');
    request.fs_id = source.substr(0, colon);
    request.path = colon == std::string::npos ? "/" : source.substr(colon + 1);
    if (!IsValidId(request.fs_id, "fs")) {
      return UsageError("'" + request.fs_id + "' is not a file system id (fs-...)");
    }
    if (request.path.empty() || request.path[0] != '/') {
      return UsageError("the path after ':' must start with '/', not '" + request.path + "'");
    }
    request.mount_point = mount_point;
    request.client = client == "kernel" ? MountClient::kKernel
                     : client == "fuse" ? MountClient::kFuse
                                        : MountClient::kAuto;
    if (Status s = ApplyMountOptions(SplitMountOptions(options), &request); !s.ok()) {
      return UsageError(s.message());
    }
    api::DescribeMountTargetsRequest describe;
    describe.file_system_id = request.fs_id;
    EFS_ASSIGN_OR_RETURN(Json described, ctx.Send("DescribeMountTargets", describe));
    EFS_ASSIGN_OR_RETURN(MountTarget target, PickMountTarget(described, request));
    EFS_ASSIGN_OR_RETURN(target.netns,
                         NetnsToReach([&](const std::string& action,
                                          const Json& params) { return ctx.Call(action, params); },
                                      target.ip, target.subnet_id));
    EFS_ASSIGN_OR_RETURN(MountInfo m, Mount(request, target));
    if (request.foreground) return Status::Ok();
    ctx.Print(Json{{"MountPoint", m.mount_point},
                   {"FileSystemId", m.fs_id},
                   {"Path", m.path},
                   {"MountTargetId", m.mount_target_id},
                   {"IpAddress", m.ip},
                   {"Client", m.client}});
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewMount() { return std::make_unique<MountCommand>(); }

}  // namespace efs::cli

// Mounting through the kernel or FUSE, the mount registry, and /proc/self/mountinfo (see
// mounting.h).
#include "cmd/mounting.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "base/heap.h"
#include "base/macros.h"
#include "base/process.h"
#include "fusefs/fuse_fs.h"
#include "nfs4client/client.h"

namespace efs::cli {
namespace {

Status MountError(const char* reason, std::string message) {
  return Status(Code::kFailedPrecondition, reason, std::move(message));
}

std::string Hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// The absolute path of an existing `path`, without symlinks ("" if it cannot be resolved).
std::string RealPath(const std::string& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return "";
  std::string out = resolved;
  std::free(resolved);
  return out;
}

// --- the registry

std::string RegistryFile(const std::string& mount_point) {
  std::string name;
  for (char c : mount_point) {
    if (c == '/' || c == '%') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      name += hex;
    } else {
      name += c;
    }
  }
  return MountRegistryDir() + "/" + name + ".json";
}

Status Record(const MountInfo& m) {
  std::error_code ec;
  std::filesystem::create_directories(MountRegistryDir(), ec);
  if (ec) return IOError("cannot create '" + MountRegistryDir() + "': " + ec.message());
  api::Json j = {{"MountPoint", m.mount_point},
                 {"FileSystemId", m.fs_id},
                 {"Path", m.path},
                 {"MountTargetId", m.mount_target_id},
                 {"IpAddress", m.ip},
                 {"Port", m.port},
                 {"Client", m.client},
                 {"Pid", m.pid},
                 {"ReadOnly", m.read_only}};
  std::string file = RegistryFile(m.mount_point), tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump() << "\n";
    if (!out) return IOError("cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    return IOError("cannot write '" + file + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

std::optional<MountInfo> Recorded(const std::string& mount_point) {
  std::ifstream in(RegistryFile(mount_point));
  if (!in) return std::nullopt;
  api::Json j = api::Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  MountInfo m;
  m.mount_point = j.value("MountPoint", "");
  m.fs_id = j.value("FileSystemId", "");
  m.path = j.value("Path", "/");
  m.mount_target_id = j.value("MountTargetId", "");
  m.ip = j.value("IpAddress", "");
  m.port = j.value("Port", 0);
  m.client = j.value("Client", "");
  m.pid = j.value("Pid", 0);
  m.read_only = j.value("ReadOnly", false);
  return m;
}

void Forget(const std::string& mount_point) { std::remove(RegistryFile(mount_point).c_str()); }

// --- /proc/self/mountinfo

struct MountLine {
  std::string mount_point, fstype, source, options;
};

// Undoes mountinfo's octal escapes (\040 for a space, ...).
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>(std::strtol(s.substr(i + 1, 3).c_str(), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<MountLine> MountLines() {
  std::vector<MountLine> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 6 || dash == f.end() || dash + 2 >= f.end()) continue;
    out.push_back(MountLine{Unescape(f[4]), *(dash + 1), Unescape(*(dash + 2)), f[5]});
  }
  return out;
}

bool IsMountPoint(const std::string& path) {
  for (const MountLine& m : MountLines()) {
    if (m.mount_point == path) return true;
  }
  return false;
}

// --- mounting

Status CheckMountPoint(const std::string& mount_point, std::string* real) {
  struct stat st;
  if (::stat(mount_point.c_str(), &st) != 0) {
    return MountError(kNoMountPoint, "mount point '" + mount_point + "' does not exist");
  }
  if (!S_ISDIR(st.st_mode)) {
    return MountError(kNoMountPoint, "mount point '" + mount_point + "' is not a directory");
  }
  *real = RealPath(mount_point);
  if (IsMountPoint(*real)) {
    return MountError(kMountPointBusy, "'" + *real + "' is already a mount point");
  }
  return Status::Ok();
}

MountInfo InfoOf(const MountRequest& request, const MountTarget& target,
                 const std::string& mount_point, const char* client, int pid) {
  return MountInfo{mount_point, request.fs_id, request.path, target.id,  target.ip,
                   client,      target.port,   pid,          request.read_only};
}

Result<MountInfo> MountKernel(const MountRequest& request, const MountTarget& target,
                              const std::string& mount_point) {
  std::vector<std::string> args = {"mount"};
  args.insert(args.end(), request.mount_flags.begin(), request.mount_flags.end());
  for (const char* a : {"-t", "nfs4", "-o"}) args.push_back(a);
  args.insert(args.end(),
              {KernelNfsOptions(request, target), target.ip + ":" + request.path, mount_point});
  pid_t pid = ::fork();
  if (pid < 0) return IOError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The kernel's NFS client connects from the namespace of the process that mounts.
    if (!target.netns.empty() && !EnterNetns(target.netns).ok()) _exit(126);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("mount", argv.data());
    _exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status(Code::kIOError, kMountTargetUnreachable,
                  "mount -t nfs4 " + target.ip + ":" + request.path + " failed");
  }
  MountInfo info = InfoOf(request, target, mount_point, "kernel", 0);
  EFS_RETURN_IF_ERROR(Record(info));
  return info;
}

// The FUSE mount in this process: connect, find the directory, mount, report through
// `ready` (a pipe to the parent, or -1), serve until unmounted.
Status ServeFuse(const MountRequest& request, const MountTarget& target,
                 const std::string& mount_point, int ready) {
  KeepLargeBuffersInTheHeap();  // every FUSE write and read is a buffer of up to 1 MiB
  // The connection (and every reconnection, from threads started later) is made in the VPC;
  // the mount itself stays in this host's mount namespace.
  if (!target.netns.empty()) EFS_RETURN_IF_ERROR(EnterNetns(target.netns));
  nfs4client::Client::Options options;
  options.host = target.ip;
  options.port = target.port;
  options.owner = Hostname() + "/efs-mount/" + std::to_string(::getpid()) + mount_point;
  Result<std::unique_ptr<nfs4client::Client>> client = nfs4client::Client::Connect(options);
  if (!client.ok()) {
    return Status(Code::kUnavailable, kMountTargetUnreachable,
                  "mount target " + target.id + " (" + target.ip + ":" +
                      std::to_string(target.port) +
                      ") did not answer: " + client.status().message());
  }
  nfs4client::Identity root_identity;
  Result<nfs4client::Node> dir = (*client)->LookupPath(root_identity, request.path);
  if (!dir.ok()) {
    return Status(dir.status().code(), kPathNotFound,
                  "'" + request.path + "' in " + request.fs_id + ": " + dir.status().message());
  }
  if (dir->attrs.type != nfs4client::FileType::kDirectory) {
    return Status(Code::kNotDir, kPathNotFound,
                  "'" + request.path + "' in " + request.fs_id + " is not a directory");
  }
  fusefs::Options fuse_options;
  fuse_options.fs_name = request.fs_id + ":" + request.path;
  fuse_options.read_only = request.read_only;
  fuse_options.attr_timeout = std::chrono::duration<double>(request.attr_cache_seconds);
  fuse_options.entry_timeout = std::chrono::duration<double>(request.attr_cache_seconds);
  fusefs::FuseFs fs(client->get(), *dir, fuse_options);
  Status mounted = fs.Mount(mount_point);
  if (!mounted.ok()) {
    // FuseFs::Mount says kUnavailable when FUSE cannot be used here.
    if (mounted.code() == Code::kUnavailable) return MountError(kNoFuse, mounted.message());
    return mounted;
  }
  EFS_RETURN_IF_ERROR(Record(InfoOf(request, target, mount_point, "fuse", ::getpid())));
  if (ready >= 0) {
    (void)!::write(ready, "", 1);  // one zero byte: mounted
    ::close(ready);
  }
  Status served = fs.Run();
  Forget(mount_point);
  return served;
}

Result<MountInfo> MountFuse(const MountRequest& request, const MountTarget& target,
                            const std::string& mount_point) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) {
    return MountError(kNoFuse,
                      "this machine has neither the kernel's NFS client nor FUSE (/dev/fuse)");
  }
  if (request.foreground) {
    EFS_RETURN_IF_ERROR(ServeFuse(request, target, mount_point, -1));
    return InfoOf(request, target, mount_point, "fuse", ::getpid());
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return IOError(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) return IOError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The mount's own process: a session of its own, no terminal, stdio to /dev/null.
    ::close(fds[0]);
    ::setsid();
    if (int null = ::open("/dev/null", O_RDWR); null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      if (null > 2) ::close(null);
    }
    if (::chdir("/") != 0) _exit(1);
    Status s = ServeFuse(request, target, mount_point, fds[1]);
    if (!s.ok()) {
      std::string report = s.reason() + "\t" + s.message();
      (void)!::write(fds[1], report.data(), report.size());
    }
    _exit(s.ok() ? 0 : 1);
  }
  ::close(fds[1]);
  // The child writes one zero byte once mounted, or the error and exits.
  std::string report;
  char buf[512];
  while (true) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buf, static_cast<size_t>(n));
    if (report == std::string(1, '\0')) break;
  }
  ::close(fds[0]);
  if (report == std::string(1, '\0')) return InfoOf(request, target, mount_point, "fuse", pid);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  size_t tab = report.find('\t');
  if (tab == std::string::npos) {
    return IOError("the mount process for '" + mount_point + "' ended without mounting");
  }
  std::string reason = report.substr(0, tab), message = report.substr(tab + 1);
  Code code = reason == kMountTargetUnreachable ? Code::kUnavailable : Code::kFailedPrecondition;
  return Status(code, reason, message);
}

}  // namespace

std::string MountRegistryDir() {
  if (::geteuid() == 0) return "/run/efs/mounts";
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  std::string base = runtime && *runtime ? runtime : "/run/user/" + std::to_string(::geteuid());
  return base + "/efs/mounts";
}

Result<MountTarget> PickMountTarget(const api::Json& described, const MountRequest& request) {
  const api::Json* first = nullptr;
  const api::Json* in_zone = nullptr;
  if (described.contains("MountTargets") && described["MountTargets"].is_array()) {
    for (const api::Json& mt : described["MountTargets"]) {
      if (mt.value("LifeCycleState", "") != "available") continue;
      if (!request.mount_target_ip.empty() &&
          mt.value("IpAddress", "") != request.mount_target_ip) {
        continue;
      }
      if (first == nullptr) first = &mt;
      if (!request.availability_zone.empty() &&
          mt.value("AvailabilityZoneName", "") == request.availability_zone && in_zone == nullptr) {
        in_zone = &mt;
      }
    }
  }
  const api::Json* pick = request.availability_zone.empty() ? first : in_zone;
  if (pick == nullptr) {
    std::string where =
        !request.mount_target_ip.empty()
                            ? " at " + request.mount_target_ip
            : (!request.availability_zone.empty() ? " in " + request.availability_zone : "");
    return Status(Code::kNotFound, kNoMountTarget,
                  "file system " + request.fs_id + " has no available mount target" + where);
  }
  MountTarget t;
  t.id = pick->value("MountTargetId", "");
  t.ip = pick->value("IpAddress", "");
  t.availability_zone = pick->value("AvailabilityZoneName", "");
  t.subnet_id = pick->value("SubnetId", "");
  t.port = pick->value("Port", 2049);
  return t;
}

bool KernelHasNfs4() {
  std::ifstream in("/proc/filesystems");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() >= 4 && line.substr(line.size() - 4) == "nfs4" &&
        (line.size() == 4 || std::isspace(static_cast<unsigned char>(line[line.size() - 5])))) {
      return true;
    }
  }
  return false;
}

Result<MountInfo> Mount(const MountRequest& request, const MountTarget& target) {
  std::string mount_point;
  EFS_RETURN_IF_ERROR(CheckMountPoint(request.mount_point, &mount_point));
  if (request.client == MountClient::kKernel && !KernelHasNfs4()) {
    return MountError(kNoKernelClient,
                      "this kernel has no NFS client (nfs4 is not in /proc/filesystems); "
                      "mount with --client fuse or auto");
  }
  bool kernel = request.client == MountClient::kKernel ||
                (request.client == MountClient::kAuto && KernelHasNfs4());
  if (kernel) return MountKernel(request, target, mount_point);
  return MountFuse(request, target, mount_point);
}

Status Unmount(const std::string& mount_point) {
  std::string real = RealPath(mount_point);
  if (real.empty()) {
    return MountError(kNoMountPoint, "mount point '" + mount_point + "' does not exist");
  }
  std::optional<MountInfo> mount;
  for (const MountInfo& m : ListMounts()) {
    if (m.mount_point == real) mount = m;
  }
  if (!mount) return MountError(kNotMounted, "'" + real + "' is not an efs mount");
  int rc = 0;
  if (::geteuid() == 0) {
    rc = ::umount2(real.c_str(), 0) == 0 ? 0 : errno;
  } else {
    // An unprivileged FUSE mount is undone by the setuid helper.
    pid_t pid = ::fork();
    if (pid == 0) {
      int null = ::open("/dev/null", O_WRONLY);
      if (null >= 0) ::dup2(null, 2);
      ::execlp("fusermount3", "fusermount3", "-u", real.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    rc = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : EBUSY;
  }
  if (rc == EBUSY) {
    return MountError(kMountPointBusy, "'" + real + "' is busy: a process uses a file in it");
  }
  if (rc != 0) return IOError("cannot unmount '" + real + "': " + std::strerror(rc));
  // A FUSE mount's process commits, closes its session and exits once the kernel lets go.
  if (mount->client == "fuse" && mount->pid > 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (::kill(mount->pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  Forget(real);
  return Status::Ok();
}

std::vector<MountInfo> ListMounts() {
  std::vector<MountInfo> out;
  for (const MountLine& line : MountLines()) {
    bool fuse = line.fstype == "fuse.efs";
    if (!fuse && line.fstype != "nfs4") continue;
    std::optional<MountInfo> recorded = Recorded(line.mount_point);
    if (!fuse && !recorded) continue;  // an nfs4 mount efs did not make
    MountInfo m = recorded.value_or(MountInfo{});
    m.mount_point = line.mount_point;
    m.client = fuse ? "fuse" : "kernel";
    if (fuse && m.fs_id.empty()) {  // the source is "fs-...:/path"
      size_t colon = line.source.find(':');
      m.fs_id = line.source.substr(0, colon);
      m.path = colon == std::string::npos ? "/" : line.source.substr(colon + 1);
    }
    m.read_only = line.options.rfind("ro", 0) == 0;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace efs::cli

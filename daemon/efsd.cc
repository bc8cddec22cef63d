// Daemon wiring: lock, catalog, listeners, API socket.
#include "daemon/efsd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/interprocess/sync/file_lock.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "api/server.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/macros.h"
#include "base/unique_fd.h"
#include "control/actions.h"
#include "control/control_plane.h"
#include "net/listeners.h"

namespace efs::daemon {
namespace {

namespace bip = boost::interprocess;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// The control plane's listener interface, served by the loopback backend.
class NetEndpoints final : public control::Endpoints {
 public:
  explicit NetEndpoints(net::Listeners* listeners) : listeners_(listeners) {}
  Status Open(const std::string& id, const std::string& ip, int port) override {
    return listeners_->Open(id, ip, port);
  }
  void Close(const std::string& id) override { listeners_->Close(id); }

 private:
  net::Listeners* listeners_;
};

Status MakeDirs(const std::string& path, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return IOError("cannot create directory '" + path + "': " + ec.message());
  if (mode) ::chmod(path.c_str(), mode);
  return Status::Ok();
}

}  // namespace

std::string DefaultStateDir() {
  if (::geteuid() == 0) return "/var/lib/efsd";
  std::string home = EnvOr("HOME", "/tmp");
  return EnvOr("XDG_DATA_HOME", home + "/.local/share") + "/efsd";
}

std::string DefaultSocketPath() {
  if (::geteuid() == 0) return "/run/efsd/efsd.sock";
  return EnvOr("XDG_RUNTIME_DIR", "/run/user/" + std::to_string(::geteuid())) + "/efsd/efsd.sock";
}

struct Daemon::Impl {
  Config config;
  UniqueFd lock_fd;  // kept open while the lock is held: closing any fd of it drops the lock
  std::unique_ptr<bip::file_lock> lock;
  SystemClock clock;
  std::unique_ptr<net::Listeners> listeners;
  std::unique_ptr<NetEndpoints> endpoints;
  std::unique_ptr<control::ControlPlane> control;
  std::unique_ptr<api::Server> server;

  Status Lock();
  int ChooseNfsPort() const;
};

// One daemon per state directory: an fcntl lock on STATE_DIR/efsd.lock, which also holds the
// owner's pid for the message a second daemon prints.
Status Daemon::Impl::Lock() {
  std::string path = config.state_dir + "/efsd.lock";
  lock_fd.Reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!lock_fd.valid()) return IOError("cannot open '" + path + "': " + std::strerror(errno));
  try {
    lock = std::make_unique<bip::file_lock>(path.c_str());
    if (!lock->try_lock()) {
      char buf[32] = {};
      [[maybe_unused]] ssize_t n = ::pread(lock_fd.get(), buf, sizeof buf - 1, 0);
      std::string owner(buf, std::strcspn(buf, "\n"));
      return Error(Code::kFailedPrecondition, "",
                   "another efsd (pid " + (owner.empty() ? "?" : owner) +
                       ") is running with state directory '" + config.state_dir + "'");
    }
  } catch (const bip::interprocess_exception& e) {
    return IOError("cannot lock '" + path + "': " + e.what());
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd.get(), 0) != 0 ||
      ::pwrite(lock_fd.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return IOError("cannot write '" + path + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

int Daemon::Impl::ChooseNfsPort() const {
  if (config.nfs_port) return config.nfs_port;
  return net::CanBind("127.0.0.1", 2049) ? 2049 : 12049;
}

Daemon::Daemon(Config config) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
}

Daemon::~Daemon() { Stop(); }

Status Daemon::Start() {
  Impl& d = *impl_;
  EFS_RETURN_IF_ERROR(MakeDirs(d.config.state_dir, 0755));
  EFS_RETURN_IF_ERROR(MakeDirs(d.config.state_dir + "/fs", 0755));
  EFS_RETURN_IF_ERROR(d.Lock());

  control::Options options;
  options.state_dir = d.config.state_dir;
  options.catalog_path = d.config.state_dir + "/catalog.db";
  options.nfs_port = d.ChooseNfsPort();
  options.admin_uid = ::geteuid();
  options.version = EFS_VERSION;
  options.socket_path = d.config.socket_path;
  options.start_time = d.clock.Now();

  d.listeners = std::make_unique<net::Listeners>();
  d.endpoints = std::make_unique<NetEndpoints>(d.listeners.get());
  EFS_ASSIGN_OR_RETURN(d.control, control::ControlPlane::Open(options, &d.clock, d.endpoints.get()));
  d.control->Reconcile();  // finish what a crash interrupted, reopen every listener
  d.control->StartReconciler();

  api::Server::Options server_options;
  server_options.socket_path = d.config.socket_path;
  server_options.server_version = EFS_VERSION;
  server_options.idle_timeout_ms = d.config.idle_timeout_seconds * 1000;
  control::ControlPlane* control = d.control.get();
  d.server = std::make_unique<api::Server>(
      server_options, [control](const api::Caller& caller, const std::string& action,
                                const api::Json& params) {
        return control::Dispatch(*control, caller, action, params);
      });
  EFS_RETURN_IF_ERROR(d.server->Start());
  EFS_LOG(kInfo) << "efsd " << EFS_VERSION << " ready: state dir " << d.config.state_dir
                 << ", socket " << d.config.socket_path << ", nfs port " << options.nfs_port;
  return Status::Ok();
}

void Daemon::Stop() {
  Impl& d = *impl_;
  if (d.server) d.server->Stop();
  if (d.control) d.control->StopReconciler();
  if (d.listeners) d.listeners->CloseAll();
  d.server.reset();
  d.control.reset();
  d.endpoints.reset();
  d.listeners.reset();
}

}  // namespace efs::daemon

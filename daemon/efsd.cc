// Daemon wiring: lock, catalog, listeners, the NFS server behind them, API socket.
#include "daemon/efsd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/interprocess/sync/file_lock.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/server.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/server.h"
#include "base/macros.h"
#include "base/unique_fd.h"
#include "aws/endpoint.h"
#include "control/actions.h"
#include "control/admission.h"
#include "control/control_plane.h"
#include "daemon/client_records.h"
#include "daemon/exports.h"
#include "daemon/lifecycle_worker.h"
#include "daemon/metering.h"
#include "daemon/resolvers.h"
#include "daemon/state_file.h"
#include "daemon/throttles.h"
#include "metrics/counters.h"
#include "net/listeners.h"
#include "net/netns.h"
#include "nfs4/nfs4_server.h"
#include "rpc/program_table.h"
#include "rpc/server.h"

namespace efs::daemon {
namespace {

namespace bip = boost::interprocess;

// How often SizeInBytes catches up with the stored data.
constexpr std::chrono::milliseconds kMeteringInterval{1000};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Raises the soft limit on open files to the hard one (systemd and most shells start services
// at 1024) and returns how many NFS connections fit, leaving room for the store's files.
size_t NfsConnectionBudget() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 512;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  size_t files = static_cast<size_t>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
  return files > 2048 ? files - 1024 : files / 2;
}

// mkdir -p; new directories get 0700 from efsd's umask.
Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return IOError("cannot create directory '" + path + "': " + ec.message());
  return Status::Ok();
}

// The control plane's options that say where the state lives: the state directory, and the
// catalog in it or in PostgreSQL.
control::Options StateOptions(const Config& config) {
  control::Options options;
  options.state_dir = config.state_dir;
  options.catalog_path = config.state_dir + "/catalog.db";
  options.postgres = config.postgres;
  return options;
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

struct Daemon::Impl : public control::Endpoints {
  Config config;
  UniqueFd lock_fd;  // kept open while the lock is held: closing any fd of it drops the lock
  std::unique_ptr<bip::file_lock> lock;
  SystemClock system_clock;  // NFS leases
  TestClock test_clock;      // with --test-clock
  // Everything else's time: the file systems, the control plane, metering.
  const Clock* clock() const {
    return config.test_clock ? static_cast<const Clock*>(&test_clock) : &system_clock;
  }
  int nfs_port = 0;
  std::unique_ptr<net::Listeners> listeners;
  std::unique_ptr<control::ControlPlane> control;
  std::unique_ptr<Throttles> throttles;
  std::unique_ptr<Exports> exports;
  std::unique_ptr<SqliteClientRecords> client_records;
  std::unique_ptr<nfs4::Nfs4Server> nfs;
  rpc::ProgramTable programs;
  std::unique_ptr<rpc::Server> rpc;
  std::unique_ptr<Metering> metering;
  std::unique_ptr<LifecycleWorker> lifecycle;
  std::unique_ptr<Resolvers> resolvers;
  std::unique_ptr<api::Server> server;
  std::unique_ptr<aws::Endpoint> endpoint;      // with --http-listen
  std::unique_ptr<http::HttpServer> http_server;
  std::unique_ptr<http::HttpServer> metrics_server;  // with --metrics-listen

  Status Lock();
  // Brings the state directory, and each file system's directory under the --tier-dir roots,
  // to private modes (MakePrivate), once at start.
  Status MakeStatePrivate();
  // The test clock's offset lives in STATE_DIR/test-clock, so that a restart keeps the time
  // the file systems have seen (it never goes back).
  std::string ClockPath() const { return config.state_dir + "/test-clock"; }
  Status RestoreTestClock();
  Status SaveTestClock();
  int ChooseNfsPort() const;
  Status StartNfs();
  void Accept(const std::string& mount_target_id, UniqueFd conn, const sockaddr_in& peer);

  // control::Endpoints: the listeners, and the netns backend through lib/net.
  Status Open(const std::string& id, const std::string& netns, const std::string& ip,
              int port) override {
    return listeners->Open(id, netns, ip, port);
  }
  Status ApplyVpc(const net::VpcSpec& spec, std::map<std::string, Status>* failures) override {
    EFS_RETURN_IF_ERROR(net::ApplyVpc(spec, failures));
    // Without its resolver a VPC still serves by address; Resolvers logs why.
    (void)resolvers->Update(spec);
    return Status::Ok();
  }
  Status RemoveVpc(const net::VpcSpec& spec) override {
    resolvers->Remove(spec.vpc_id);
    return net::RemoveVpc(spec);
  }
  Status ReturnDevice(const std::string& netns, const std::string& device) override {
    return net::ReturnDevice(netns, device);
  }
  Status RemoveClientNetns(const std::string& eni_id) override {
    return net::RemoveClientNetns(eni_id);
  }
  bool HostDeviceExists(const std::string& device) override {
    return ::if_nametoindex(device.c_str()) != 0;
  }
  // A deleted mount target stops listening, breaks its mounts and stops serving its file system.
  Result<api::ClockReading> AdvanceClock(double seconds) override {
    if (!config.test_clock) return Endpoints::AdvanceClock(seconds);
    double now = test_clock.Advance(seconds);
    EFS_LOG(kInfo) << "test clock: moved " << seconds << " s ahead, now " << test_clock.offset()
                   << " s ahead of the system's time";
    EFS_RETURN_IF_ERROR(SaveTestClock());
    if (lifecycle) lifecycle->Wake();  // files may be idle long enough now
    return api::ClockReading{now, test_clock.offset()};
  }
  Result<std::shared_ptr<fs::FileSystem>> Store(const std::string& id) override {
    if (!exports) return Endpoints::Store(id);
    return exports->Acquire(id);
  }
  void LifecycleChanged(const std::string& id) override {
    if (exports) exports->ApplyLifecycle(id);
    if (lifecycle) lifecycle->Wake();
  }
  void ThroughputChanged(const std::string& id) override {
    if (throttles) throttles->Refresh(id);
  }
  Result<api::BurstCreditBalance> SetBurstCredits(const std::string& id, double bytes) override {
    if (!throttles) return Endpoints::SetBurstCredits(id, bytes);
    return throttles->SetCredits(id, bytes);
  }
  void Close(const std::string& id) override {
    listeners->Close(id);
    rpc->CloseConnectionsTo(id);
    if (std::optional<uint64_t> export_id = exports->Forget(id)) nfs->DropExport(*export_id);
  }
};

// One daemon per state directory: an fcntl lock on STATE_DIR/efsd.lock, which also holds the
// owner's pid for the message a second daemon prints.
Status Daemon::Impl::Lock() {
  std::string path = config.state_dir + "/efsd.lock";
  lock_fd.Reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
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

Status Daemon::Impl::MakeStatePrivate() {
  std::vector<std::string> dirs = {config.state_dir};
  for (const std::string* root : {&config.standard_dir, &config.ia_dir, &config.archive_dir}) {
    std::error_code ec;
    if (root->empty()) continue;
    for (const auto& entry : std::filesystem::directory_iterator(*root, ec)) {
      if (entry.is_directory() && !entry.is_symlink()) dirs.push_back(entry.path().string());
    }
  }
  int changed = 0;
  for (const std::string& dir : dirs) {
    EFS_ASSIGN_OR_RETURN(int n, MakePrivate(dir));
    changed += n;
  }
  if (changed > 0) EFS_LOG(kInfo) << "state files: made " << changed << " modes private";
  return Status::Ok();
}

Status Daemon::Impl::RestoreTestClock() {
  std::ifstream in(ClockPath());
  double offset = 0;
  if (!in) return Status::Ok();  // never moved
  if (!(in >> offset) || offset < 0) {
    return IOError("'" + ClockPath() + "' does not hold a test clock offset");
  }
  test_clock.Advance(offset);
  EFS_LOG(kInfo) << "test clock: " << offset << " s ahead of the system's time, as it was";
  return Status::Ok();
}

Status Daemon::Impl::SaveTestClock() {
  std::ostringstream text;
  text.precision(17);
  text << test_clock.offset() << "\n";
  return ReplaceFile(ClockPath(), text.str());
}

int Daemon::Impl::ChooseNfsPort() const {
  if (config.nfs_port) return config.nfs_port;
  return net::CanBind("127.0.0.1", 2049) ? 2049 : 12049;
}

// The NFS stack: mount target -> file system (exports), NFSv4.1 as RPC program 100003, and the
// RPC server that the listeners hand their connections to.
Status Daemon::Impl::StartNfs() {
  // The region lives beside the API socket, whose directory may not be there yet; like the
  // socket, it is for every local user.
  const std::string region_path = metrics::RegionPathFor(config.socket_path);
  EFS_RETURN_IF_ERROR(api::MakeSocketDirectory(config.socket_path));
  Result<std::unique_ptr<metrics::Region>> region = metrics::Region::Create(region_path);
  if (!region.ok()) {
    EFS_LOG(kWarn) << "no live metrics: " << region.status().ToString();
  }
  throttles = std::make_unique<Throttles>(control.get(), config.state_dir,
                                          region.ok() ? std::move(*region) : nullptr);
  exports = std::make_unique<Exports>(
      control.get(), config.state_dir,
      Exports::TierRoots{config.standard_dir, config.ia_dir, config.archive_dir}, clock(),
      throttles.get());
  Exports* resolver = exports.get();
  EFS_ASSIGN_OR_RETURN(client_records,
                       SqliteClientRecords::Open(config.state_dir + "/nfs4-clients.db"));
  nfs = std::make_unique<nfs4::Nfs4Server>(
      [resolver](const std::string& mount_target_id) { return resolver->Resolve(mount_target_id); },
      &system_clock, static_cast<uint32_t>(config.lease_seconds), client_records.get());
  nfs->Register(&programs);
  rpc::ServerOptions options;
  options.max_connections =
      std::min(NfsConnectionBudget(), static_cast<size_t>(config.nfs_max_connections));
  options.max_connections_per_mount_target =
      static_cast<size_t>(config.nfs_max_connections_per_mount_target);
  options.idle_timeout = std::chrono::seconds(config.nfs_idle_timeout_seconds);
  options.max_receive_memory = static_cast<size_t>(config.nfs_max_receive_memory_mib) << 20;
  rpc = std::make_unique<rpc::Server>(&programs, options);
  EFS_RETURN_IF_ERROR(rpc->Start());
  Throttles::Sources sources;
  sources.sizes = [this] { return exports->MeteredSizes(); };
  sources.connections = [this] { return exports->ByFileSystem(rpc->ConnectionsByMountTarget()); };
  throttles->Start(std::move(sources));
  metering = std::make_unique<Metering>(exports.get(), control.get(), clock(), kMeteringInterval);
  lifecycle = std::make_unique<LifecycleWorker>(
      exports.get(), control.get(), std::chrono::seconds(config.lifecycle_interval_seconds));
  return Status::Ok();
}

// A connection to a mount target: let in iff its security groups admit the peer on the NFS
// port. Rules speak of NFS's port 2049, as they do on AWS, whatever port efsd listens on (12049
// without privilege, or --nfs-port), so that rules written for EFS work unchanged.
void Daemon::Impl::Accept(const std::string& mount_target_id, UniqueFd conn,
                          const sockaddr_in& peer) {
  constexpr int kNfsServicePort = 2049;
  Result<bool> admitted = control::AdmitsConnection(*control, mount_target_id,
                                                    ntohl(peer.sin_addr.s_addr), kNfsServicePort);
  if (!admitted.ok() || !*admitted) {
    char ip[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    EFS_LOG(kInfo) << "mount target " << mount_target_id << ": refused connection from " << ip
                   << (admitted.ok() ? " (no security group rule admits it)"
                                     : ": " + admitted.status().ToString());
    return;  // closing `conn` refuses it
  }
  rpc->Serve(std::move(conn), rpc::ConnectionInfo{mount_target_id, peer});
}

Daemon::Daemon(Config config) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
}

Daemon::~Daemon() { Stop(); }

Status Daemon::Start() {
  Impl& d = *impl_;
  EFS_RETURN_IF_ERROR(MakeDirs(d.config.state_dir + "/fs"));
  EFS_RETURN_IF_ERROR(d.Lock());
  EFS_RETURN_IF_ERROR(d.MakeStatePrivate());
  if (d.config.test_clock) EFS_RETURN_IF_ERROR(d.RestoreTestClock());

  d.nfs_port = d.ChooseNfsPort();
  control::Options options = StateOptions(d.config);
  options.network_backend = d.config.network_backend.empty()
                                ? (::geteuid() == 0 ? "netns" : "loopback")
                                : d.config.network_backend;
  options.network_backend_explicit = !d.config.network_backend.empty();
  options.nfs_port = d.nfs_port;
  options.admin_uid = ::geteuid();
  options.version = EFS_VERSION;
  options.socket_path = d.config.socket_path;
  if (!d.config.http_listen.empty()) options.http_endpoint = "http://" + d.config.http_listen;
  options.start_time = d.clock()->Now();
  for (const std::string* root :
       {&d.config.standard_dir, &d.config.ia_dir, &d.config.archive_dir}) {
    if (!root->empty()) options.tier_roots.push_back(*root);
  }

  d.listeners = std::make_unique<net::Listeners>(
      [&d](const std::string& id, UniqueFd conn, const sockaddr_in& peer) {
        d.Accept(id, std::move(conn), peer);
      });
  d.resolvers =
      std::make_unique<Resolvers>(d.config.state_dir, "efs." + options.region + ".amazonaws.com");
  EFS_ASSIGN_OR_RETURN(d.control, control::ControlPlane::Open(options, d.clock(), &d));
  if (d.control->netns() && ::geteuid() != 0) {
    return Error(Code::kPermissionDenied, "",
                 "the netns network backend makes network namespaces and needs root "
                 "(CAP_NET_ADMIN and CAP_SYS_ADMIN); run efsd as root, or with "
                 "--network-backend loopback, which isolates nothing");
  }
  EFS_RETURN_IF_ERROR(d.StartNfs());
  d.control->Reconcile();  // finish what a crash interrupted, reopen every listener
  d.control->StartReconciler();

  api::Server::Options server_options;
  server_options.socket_path = d.config.socket_path;
  server_options.server_version = EFS_VERSION;
  server_options.idle_timeout_ms = d.config.idle_timeout_seconds * 1000;
  control::ControlPlane* control = d.control.get();
  d.server = std::make_unique<api::Server>(
      server_options,
      [control](const api::Caller& caller, const std::string& action, const api::Json& params) {
        return control::Dispatch(*control, caller, action, params);
      });
  EFS_RETURN_IF_ERROR(d.server->Start());
  const std::string region_path = metrics::RegionPathFor(d.config.socket_path);
  const aws::Endpoint::MetricsSource metrics_source =
      [region_path]() -> Result<std::vector<metrics::Snapshot>> {
    EFS_ASSIGN_OR_RETURN(metrics::Reading reading, metrics::ReadRegion(region_path));
    return std::move(reading.file_systems);
  };
  if (!d.config.http_listen.empty()) {
    d.endpoint = std::make_unique<aws::Endpoint>(control, std::chrono::system_clock::now,
                                                 metrics_source);
    aws::Endpoint* endpoint = d.endpoint.get();
    EFS_ASSIGN_OR_RETURN(d.http_server,
                         http::HttpServer::Start(d.config.http_listen, {},
                                                 [endpoint](const http::Request& request) {
                                                   return endpoint->Handle(request);
                                                 }));
    EFS_LOG(kInfo) << "http: the AWS API (EFS 2015-02-01, SigV4) and the web console at http://"
                   << d.http_server->address();
  }
  if (!d.config.metrics_listen.empty()) {
    EFS_ASSIGN_OR_RETURN(d.metrics_server,
                         http::HttpServer::Start(d.config.metrics_listen, {},
                                                 [metrics_source](const http::Request& request) {
                                                   return aws::ServeMetricsOnly(metrics_source,
                                                                                request);
                                                 }));
    EFS_LOG(kInfo) << "http: Prometheus metrics at http://" << d.metrics_server->address()
                   << "/metrics";
  }
  EFS_LOG(kInfo) << "efsd " << EFS_VERSION << " ready: state dir " << d.config.state_dir
                 << ", socket " << d.config.socket_path << ", network backend "
                 << d.control->network_backend() << ", nfs port " << d.control->ListenPort();
  return Status::Ok();
}

Status Daemon::RemoveNetwork() {
  Impl& d = *impl_;
  control::Options options = StateOptions(d.config);
  options.network_backend = "netns";
  if (options.postgres.empty() && !std::filesystem::exists(options.catalog_path)) {
    return Status::Ok();  // nothing made
  }
  EFS_RETURN_IF_ERROR(d.Lock());
  d.resolvers = std::make_unique<Resolvers>(d.config.state_dir, "");
  EFS_ASSIGN_OR_RETURN(d.control, control::ControlPlane::Open(options, d.clock(), &d));
  EFS_ASSIGN_OR_RETURN(std::vector<net::VpcSpec> specs, d.control->NetworkSpecs());
  Status first;
  for (const net::VpcSpec& spec : specs) {
    Status removed = d.RemoveVpc(spec);
    if (!removed.ok() && first.ok()) first = removed;
    EFS_LOG(kInfo) << "removed the network of " << spec.vpc_id
                   << (removed.ok() ? "" : ": " + removed.message());
  }
  d.control.reset();
  d.resolvers.reset();
  return first;
}

void Daemon::Stop() {
  Impl& d = *impl_;
  if (d.http_server) d.http_server->Stop();
  if (d.metrics_server) d.metrics_server->Stop();
  if (d.server) d.server->Stop();
  if (d.control) d.control->StopReconciler();
  if (d.listeners) d.listeners->CloseAll();
  if (d.rpc) d.rpc->Stop();
  d.lifecycle.reset();                   // stops a pass between two files
  d.metering.reset();                    // records the final sizes
  if (d.throttles) d.throttles->Stop();  // saves the credit balances
  d.http_server.reset();
  d.metrics_server.reset();
  d.endpoint.reset();
  d.server.reset();
  d.listeners.reset();
  d.rpc.reset();
  d.nfs.reset();
  d.exports.reset();
  d.throttles.reset();  // after every COMPOUND that could hold its limits
  d.control.reset();
  d.resolvers.reset();  // the VPCs' namespaces stay for the next start; their resolvers go
}

}  // namespace efs::daemon

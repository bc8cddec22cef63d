// Server: efsd's Unix-socket listener. One thread accepts; each connection gets its own thread
// (control-plane traffic is light) that frames lines, runs the Hello handshake and calls the
// Handler. Every wait polls an eventfd as well, so Stop() is prompt.
#include "api/server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <map>
#include <thread>

#include "api/framing.h"
#include "base/log.h"
#include "base/macros.h"
#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "base/unique_fd.h"

namespace efs::api {
namespace {

constexpr int kAcceptPollMs = 1000;     // the accept loop reaps finished connections this often
constexpr int kMaxWriteStallMs = 5000;  // a peer that takes no reply bytes this long is dropped
constexpr int kProbeTimeoutMs = 1000;   // connecting to an existing socket file in Start()
constexpr size_t kKeepLineBytes = 64 * 1024;  // a connection's line buffer, kept between lines

Status SystemError(const std::string& what, int err) {
  return Status(Code::kIOError, "", what + ": " + std::strerror(err));
}

// Removes a stale socket file at `path`; fails if a server answers there or it is no socket.
Status ClearSocketPath(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : SystemError("cannot stat '" + path + "'", errno);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Status(Code::kAlreadyExists, "", "'" + path + "' exists and is not a socket");
  }
  UniqueFd probe;
  int err = ConnectUnix(path, kProbeTimeoutMs, &probe);
  if (err == 0) {
    return Status(Code::kAlreadyExists, "", "efsd is already listening on '" + path + "'");
  }
  if (err != ECONNREFUSED) return SystemError("cannot check socket '" + path + "'", err);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return SystemError("cannot remove stale socket '" + path + "'", errno);
  }
  return Status::Ok();
}

// Binds and listens at `path` with mode 0666; *identity receives the socket file's inode.
Result<UniqueFd> Listen(const std::string& path, struct stat* identity) {
  sockaddr_un address;
  socklen_t length = 0;
  if (!MakeUnixAddress(path, &address, &length)) {
    return Status(Code::kInvalidArgument, "", "socket path '" + path + "' is empty or too long");
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return SystemError("cannot create socket", errno);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    return SystemError("cannot bind '" + path + "'", errno);
  }
  if (::chmod(path.c_str(), 0666) != 0 || ::listen(fd.get(), SOMAXCONN) != 0 ||
      ::stat(path.c_str(), identity) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return SystemError("cannot listen on '" + path + "'", err);
  }
  return fd;
}

// The peer's supplementary groups (SO_PEERGROUPS); empty if the kernel cannot say.
std::vector<gid_t> PeerGroups(int fd) {
  std::vector<gid_t> groups(32);
  for (int attempt = 0; attempt < 2; ++attempt) {
    socklen_t length = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &length) == 0) {
      groups.resize(length / sizeof(gid_t));
      return groups;
    }
    if (errno != ERANGE) break;
    groups.resize(length / sizeof(gid_t));  // the size the kernel asked for
  }
  return {};
}

bool PeerCaller(int fd, Caller* caller) {
  ucred cred{};
  socklen_t length = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) return false;
  *caller = Caller{cred.pid, cred.uid, cred.gid, PeerGroups(fd)};
  return true;
}

// Until the caller says Hello, the earlier of `hello` and the idle deadline; then the idle one.
Deadline ReadDeadline(bool greeted, const Deadline& hello, int idle_ms) {
  if (greeted) return Deadline::In(idle_ms);
  const int hello_ms = hello.RemainingMs();
  return Deadline::In(idle_ms >= 0 && (hello_ms < 0 || idle_ms < hello_ms) ? idle_ms : hello_ms);
}

Status TooManyConnections(const std::string& why) {
  return Error(Code::kUnavailable, "ServiceUnavailable", "too many connections: " + why);
}

bool IsBlank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

void SendErrorLine(int fd, const Json& id, const Status& status) {
  // Best effort: the connection is closed right after.
  (void)WriteAll(fd, DumpJsonLine(ErrorReplyToJson(id, ToApiError(status))), 0);
}

}  // namespace

struct Server::Impl {
  struct Connection {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  Impl(Options o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  Status Start() EXCLUDES(lifecycle_mu);
  void Stop() EXCLUDES(lifecycle_mu);
  void AcceptLoop();
  void AcceptPending();
  void Admit(UniqueFd fd) EXCLUDES(connections_mu);
  // Counts one more connection of `uid` if the limits allow it (Options), else says which not.
  Status TakeSlot(uid_t uid) EXCLUDES(connections_mu);
  void ReleaseSlot(uid_t uid) EXCLUDES(connections_mu);
  bool Privileged(uid_t uid) const { return uid == 0 || uid == own_uid; }
  // Logs a refused connection, at most one a second: a flood must not flood the log too.
  void LogRefusal(uid_t uid, const Status& why);
  void Serve(int fd, const Caller& caller);
  std::optional<Json> Answer(const std::string& line, const Caller& caller, bool* greeted);
  Reply Hello(const Json& params, bool* greeted) const;
  void ReapFinished() EXCLUDES(connections_mu);
  void JoinConnections() EXCLUDES(connections_mu);
  int WriteStallMs() const;

  const Options options;
  const Handler handler;
  const uid_t own_uid = ::geteuid();

  Mutex lifecycle_mu;  // serialises Start() and Stop()
  bool running GUARDED_BY(lifecycle_mu) = false;
  // Set by Start() before the threads start and reset by Stop() after they are joined.
  UniqueFd listen_fd;
  UniqueFd wake_fd;  // an eventfd that Stop() makes readable for good
  struct stat socket_identity {};
  std::thread accept_thread;

  Mutex connections_mu;
  std::list<std::unique_ptr<Connection>> connections GUARDED_BY(connections_mu);
  std::chrono::steady_clock::time_point last_refusal_logged;  // the accept thread only
  int open_total GUARDED_BY(connections_mu) = 0;
  int open_unprivileged GUARDED_BY(connections_mu) = 0;
  std::map<uid_t, int> open_by_uid GUARDED_BY(connections_mu);  // unprivileged uids only
};

Status Server::Impl::Start() {
  MutexLock lock(&lifecycle_mu);
  if (running) return Status(Code::kFailedPrecondition, "", "server is already running");
  const std::string& path = options.socket_path;
  EFS_RETURN_IF_ERROR(MakeSocketDirectory(path));
  EFS_RETURN_IF_ERROR(ClearSocketPath(path));
  EFS_ASSIGN_OR_RETURN(listen_fd, Listen(path, &socket_identity));
  wake_fd.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_fd.valid()) {
    int err = errno;
    listen_fd.Reset();
    ::unlink(path.c_str());
    return SystemError("cannot create eventfd", err);
  }
  running = true;
  accept_thread = std::thread([this] { AcceptLoop(); });
  EFS_LOG(kInfo) << "listening on " << path;
  return Status::Ok();
}

void Server::Impl::Stop() {
  MutexLock lock(&lifecycle_mu);
  if (!running) return;
  uint64_t one = 1;
  if (::write(wake_fd.get(), &one, sizeof(one)) != sizeof(one)) {
    EFS_LOG(kError) << "cannot wake server threads: " << std::strerror(errno);
  }
  accept_thread.join();
  listen_fd.Reset();
  // Remove the socket file only if it is still ours, not a successor's.
  struct stat st;
  if (::lstat(options.socket_path.c_str(), &st) == 0 && st.st_dev == socket_identity.st_dev &&
      st.st_ino == socket_identity.st_ino) {
    ::unlink(options.socket_path.c_str());
  }
  JoinConnections();
  wake_fd.Reset();
  running = false;
}

void Server::Impl::AcceptLoop() {
  for (;;) {
    IoResult ready = WaitReadable(listen_fd.get(), wake_fd.get(), Deadline::In(kAcceptPollMs));
    if (ready == IoResult::kWoken) return;
    ReapFinished();
    if (ready == IoResult::kOk) AcceptPending();
  }
}

void Server::Impl::AcceptPending() {
  for (;;) {
    UniqueFd fd(::accept4(listen_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (fd.valid()) {
      Admit(std::move(fd));
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE) {
      EFS_LOG(kWarn) << "accept: " << std::strerror(errno);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // do not spin
    }
    return;  // EAGAIN: nothing more pending
  }
}

void Server::Impl::Admit(UniqueFd fd) {
  Caller caller;
  if (!PeerCaller(fd.get(), &caller)) {
    EFS_LOG(kWarn) << "SO_PEERCRED: " << std::strerror(errno);
    return;
  }
  Status slot = TakeSlot(caller.uid);
  if (!slot.ok()) {
    LogRefusal(caller.uid, slot);
    SendErrorLine(fd.get(), Json(nullptr), slot);
    return;
  }
  auto connection = std::make_unique<Connection>();
  Connection* raw = connection.get();
  MutexLock lock(&connections_mu);
  connections.push_back(std::move(connection));
  raw->thread = std::thread([this, raw, caller, owned = std::move(fd)]() mutable {
    Serve(owned.get(), caller);
    owned.Reset();
    ReleaseSlot(caller.uid);
    raw->done.store(true);
  });
}

void Server::Impl::LogRefusal(uid_t uid, const Status& why) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_logged < std::chrono::seconds(1)) return;
  last_refusal_logged = now;
  EFS_LOG(kWarn) << "api: refused a connection of uid " << uid << ": " << why.message();
}

Status Server::Impl::TakeSlot(uid_t uid) {
  MutexLock lock(&connections_mu);
  if (open_total >= options.max_connections) {
    return TooManyConnections(std::to_string(open_total) + " are open");
  }
  if (!Privileged(uid)) {
    if (open_unprivileged >= options.max_connections - options.reserved_connections) {
      return TooManyConnections("the remaining ones are kept for root and uid " +
                                std::to_string(own_uid));
    }
    int& mine = open_by_uid[uid];
    if (mine >= options.max_connections_per_uid) {
      return TooManyConnections("uid " + std::to_string(uid) + " has " + std::to_string(mine) +
                                " open, the most one user may");
    }
    ++mine;
    ++open_unprivileged;
  }
  ++open_total;
  return Status::Ok();
}

void Server::Impl::ReleaseSlot(uid_t uid) {
  MutexLock lock(&connections_mu);
  --open_total;
  if (Privileged(uid)) return;
  --open_unprivileged;
  auto mine = open_by_uid.find(uid);
  if (mine != open_by_uid.end() && --mine->second == 0) open_by_uid.erase(mine);
}

int Server::Impl::WriteStallMs() const {
  int idle = options.idle_timeout_ms;
  return idle > 0 && idle < kMaxWriteStallMs ? idle : kMaxWriteStallMs;
}

void Server::Impl::Serve(int fd, const Caller& caller) {
  LineReader reader(options.max_line_bytes);
  bool greeted = false;
  std::string line;
  const int idle_ms = options.idle_timeout_ms > 0 ? options.idle_timeout_ms : -1;
  const Deadline hello_deadline = Deadline::In(options.hello_timeout_ms);
  for (;;) {
    IoResult got =
        reader.Next(fd, ReadDeadline(greeted, hello_deadline, idle_ms), wake_fd.get(), &line);
    if (got == IoResult::kTimeout && !greeted) {
      SendErrorLine(fd, Json(nullptr),
                    Error(Code::kFailedPrecondition, "HandshakeRequired", "no Hello in time"));
      return;
    }
    if (got == IoResult::kTooLong) {
      SendErrorLine(fd, Json(nullptr),
                    InvalidArgument("request line exceeds " +
                                    std::to_string(options.max_line_bytes) + " bytes"));
      return;
    }
    if (got != IoResult::kOk) return;  // closed, idle, stopping or broken
    std::optional<Json> reply = Answer(line, caller, &greeted);
    if (line.capacity() > kKeepLineBytes) std::string().swap(line);
    if (reply && WriteAll(fd, DumpJsonLine(*reply), WriteStallMs()) != IoResult::kOk) return;
  }
}

std::optional<Json> Server::Impl::Answer(const std::string& line, const Caller& caller,
                                         bool* greeted) {
  if (IsBlank(line)) return std::nullopt;
  Result<Json> json = ParseJsonLine(line, options.json_limits);
  if (!json.ok()) return ErrorReplyToJson(Json(nullptr), ToApiError(json.status()));
  RequestEnvelope request;
  Status shape = ParseRequestEnvelope(*json, &request);
  if (!shape.ok()) return ErrorReplyToJson(request.id, ToApiError(shape));
  Reply reply;
  if (request.action == "Hello") {
    reply = Hello(request.params, greeted);
  } else if (!*greeted) {
    reply = Reply::Fail(Error(Code::kFailedPrecondition, "HandshakeRequired",
                              "the first request must be Hello, not '" + request.action + "'"));
  } else {
    reply = handler(caller, request.action, request.params);
  }
  if (reply.error) return ErrorReplyToJson(request.id, *reply.error);
  return ResultReplyToJson(request.id, std::move(reply.result));
}

Reply Server::Impl::Hello(const Json& params, bool* greeted) const {
  HelloRequest hello;
  Status parsed = FromJson(params, &hello);
  if (!parsed.ok()) return Reply::Fail(parsed);
  if (hello.api_version != kApiVersion) {
    return Reply::Fail(Error(Code::kFailedPrecondition, "UnsupportedApiVersion",
                             "api version " + std::to_string(hello.api_version) +
                                 " is not supported; efsd " + options.server_version +
                                 " speaks api version " + std::to_string(kApiVersion)));
  }
  *greeted = true;
  return Reply::Ok(ToJson(HelloResponse{kApiVersion, options.server_version}));
}

void Server::Impl::ReapFinished() {
  MutexLock lock(&connections_mu);
  for (auto it = connections.begin(); it != connections.end();) {
    if ((*it)->done.load()) {
      (*it)->thread.join();
      it = connections.erase(it);
    } else {
      ++it;
    }
  }
}

void Server::Impl::JoinConnections() {
  std::list<std::unique_ptr<Connection>> all;
  {
    MutexLock lock(&connections_mu);
    all.swap(connections);
  }
  for (auto& connection : all) connection->thread.join();
}

Status MakeSocketDirectory(const std::string& socket_path) {
  for (size_t slash = socket_path.find('/', 1); slash != std::string::npos;
       slash = socket_path.find('/', slash + 1)) {
    const std::string dir = socket_path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0755) == 0) {
      // mkdir's mode passes through the umask (efsd's is 077).
      if (::chmod(dir.c_str(), 0755) != 0) {
        return SystemError("cannot chmod directory '" + dir + "'", errno);
      }
    } else if (errno != EEXIST) {
      return SystemError("cannot create directory '" + dir + "'", errno);
    }
  }
  return Status::Ok();
}

Server::Server(Options options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { Stop(); }

Status Server::Start() { return impl_->Start(); }

void Server::Stop() { impl_->Stop(); }

int Server::connection_count() const {
  MutexLock lock(&impl_->connections_mu);
  return impl_->open_total;
}

}  // namespace efs::api

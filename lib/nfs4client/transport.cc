// Transport (see transport.h).
#include "nfs4client/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/macros.h"
#include "rpc/record_marking.h"

namespace efs::nfs4client {
namespace {

Status Unavailable(const char* reason, std::string message) {
  return Error(Code::kUnavailable, reason, std::move(message));
}

// Writes all of `bytes` to the blocking socket `fd`; false if the connection fails.
bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

int MillisUntil(Transport::Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Transport::Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60 * 1000));
}

}  // namespace

Transport::Transport(std::string host, int port, size_t max_record)
    : host_(std::move(host)), port_(port), max_record_(max_record) {}

Transport::~Transport() { Close(); }

Result<UniqueFd> Transport::Dial(Clock::time_point deadline) const {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  if (inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("'" + host_ + "' is not an IPv4 address");
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return Unavailable("ConnectFailed", std::string("socket: ") + strerror(errno));
  // Non-blocking connect bounded by the deadline, then back to blocking for the reader.
  int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd.get(), POLLOUT, 0};
    rc = ::poll(&p, 1, MillisUntil(deadline)) == 1 ? 0 : -1;
    int err = rc == 0 ? 0 : ETIMEDOUT;
    socklen_t len = sizeof err;
    if (rc == 0) ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    errno = err;
    rc = err == 0 ? 0 : -1;
  }
  if (rc != 0) {
    return Unavailable("ConnectFailed", "cannot connect to " + host_ + ":" + std::to_string(port_) +
                                            ": " + strerror(errno));
  }
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  int one = 1;  // a call leaves at once, not when the previous reply is acknowledged
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

Status Transport::Connect(Clock::time_point deadline) {
  MutexLock c(&connect_mu_);
  return ConnectLocked(deadline);
}

Status Transport::ConnectLocked(Clock::time_point deadline) {
  CloseLocked();
  EFS_ASSIGN_OR_RETURN(UniqueFd fd, Dial(deadline));
  auto conn = std::make_shared<Conn>();
  conn->fd = std::move(fd);
  {
    MutexLock l(&mu_);
    conn->generation = ++generation_;
    conn_ = conn;
    broken_ = false;
  }
  conn->reader = std::thread([this, raw = conn.get()] { ReadLoop(raw); });
  return Status::Ok();
}

Status Transport::Reconnect(uint64_t generation, Clock::time_point deadline) {
  auto backoff = std::chrono::milliseconds(20);
  Status last;
  for (;;) {
    {
      MutexLock c(&connect_mu_);
      {
        MutexLock l(&mu_);
        if (shutdown_) return Unavailable("ConnectionLost", "the client is closing");
        if (generation_ != generation && !broken_) return Status::Ok();  // done by another
      }
      last = ConnectLocked(deadline);
    }
    if (last.ok()) return last;
    if (Clock::now() + backoff >= deadline) return last;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

Result<std::string> Transport::Call(const rpc::OpaqueAuth& cred, uint32_t prog, uint32_t vers,
                                    uint32_t proc, std::string_view args,
                                    Clock::time_point deadline, uint64_t* generation) {
  Waiter w;
  std::shared_ptr<Conn> conn;
  uint32_t xid = 0;
  {
    MutexLock l(&mu_);
    if (broken_ || conn_ == nullptr) return Unavailable("ConnectionLost", "not connected");
    conn = conn_;
    xid = next_xid_++;
    w.generation = conn->generation;
    waiters_[xid] = &w;
  }
  *generation = conn->generation;
  std::string record(4, '\0');
  rpc::AppendCallHeader(xid, prog, vers, proc, cred, &record);
  record.append(args);
  rpc::FinishRecord(&record);
  bool sent = false;
  {
    MutexLock wl(&conn->write_mu);
    sent = SendAll(conn->fd.get(), record);
  }
  // A failed send breaks the connection: the reader sees it and fails every waiter.
  if (!sent) ::shutdown(conn->fd.get(), SHUT_RDWR);
  MutexLock l(&mu_);
  while (!w.done && !w.failed) {
    if (!w.cv.WaitUntil(&mu_, deadline)) break;
  }
  waiters_.erase(xid);
  if (w.failed) return Unavailable("ConnectionLost", "connection to the server lost");
  if (!w.done) return Unavailable("Timeout", "no reply from the server in time");
  EFS_ASSIGN_OR_RETURN(std::string_view results, rpc::SuccessResults(w.reply));
  w.reply.erase(0, w.reply.size() - results.size());
  return std::move(w.reply);
}

void Transport::ReadLoop(Conn* conn) {
  rpc::RecordReader reader(max_record_);
  std::vector<char> buf(256 * 1024);
  std::vector<std::string> records;
  for (;;) {
    ssize_t n = ::recv(conn->fd.get(), buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    records.clear();
    if (!reader.Feed(std::string_view(buf.data(), static_cast<size_t>(n)), &records).ok()) break;
    for (std::string& r : records) Deliver(*conn, std::move(r));
  }
  // Wake everyone waiting on this connection; the session layer reconnects.
  ::shutdown(conn->fd.get(), SHUT_RDWR);
  MutexLock l(&mu_);
  if (conn_.get() == conn) broken_ = true;
  for (auto& [xid, w] : waiters_) {
    if (w->generation != conn->generation || w->done) continue;
    w->failed = true;
    w->cv.Signal();
  }
}

void Transport::Deliver(const Conn& conn, std::string record) {
  uint32_t xid = 0;
  if (!rpc::ReplyXid(record, &xid)) return;
  MutexLock l(&mu_);
  auto it = waiters_.find(xid);
  if (it == waiters_.end() || it->second->generation != conn.generation) return;
  it->second->reply = std::move(record);
  it->second->done = true;
  it->second->cv.Signal();
}

void Transport::CloseLocked() {
  std::shared_ptr<Conn> conn;
  {
    MutexLock l(&mu_);
    conn = std::move(conn_);
    broken_ = true;
  }
  if (conn == nullptr) return;
  ::shutdown(conn->fd.get(), SHUT_RDWR);
  if (conn->reader.joinable()) conn->reader.join();
}

void Transport::Close() {
  MutexLock c(&connect_mu_);
  CloseLocked();
}

void Transport::Shutdown() {
  {
    MutexLock l(&mu_);
    shutdown_ = true;
  }
  Close();
}

}  // namespace efs::nfs4client

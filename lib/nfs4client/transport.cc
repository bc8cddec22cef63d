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
#include <thread>
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
  auto conn = std::make_shared<Conn>(max_record_);
  conn->fd = std::move(fd);
  MutexLock l(&mu_);
  conn->generation = ++generation_;
  conn_ = conn;
  broken_ = false;
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

Result<Transport::Reply> Transport::Call(const rpc::OpaqueAuth& cred, uint32_t prog, uint32_t vers,
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
  // A failed send breaks the connection: its reader sees that and fails every waiter.
  if (!sent) ::shutdown(conn->fd.get(), SHUT_RDWR);
  MutexLock l(&mu_);
  while (!w.done && !w.failed && Clock::now() < deadline) {
    if (!conn->reading && !conn->dead) {
      conn->reading = true;
      ReadFor(*conn, w, deadline);
      conn->reading = false;
      continue;
    }
    if (conn->dead) {
      w.failed = !w.done;
      break;
    }
    w.cv.WaitUntil(&mu_, deadline);
  }
  waiters_.erase(xid);
  if (!conn->reading) PassReading(*conn);
  if (w.failed) return Unavailable("ConnectionLost", "connection to the server lost");
  if (!w.done) return Unavailable("Timeout", "no reply from the server in time");
  EFS_ASSIGN_OR_RETURN(std::string_view results, rpc::SuccessResults(w.reply.view()));
  Reply reply;
  reply.results = w.reply.size() - results.size();
  reply.message = std::move(w.reply);
  return reply;
}

void Transport::ReadFor(Conn& conn, Waiter& self, Clock::time_point deadline) {
  std::vector<rpc::Record> records;
  while (!self.done && !conn.dead && Clock::now() < deadline) {
    mu_.Unlock();
    records.clear();
    bool alive = ReadSome(conn, &records, deadline);
    mu_.Lock();
    for (rpc::Record& r : records) Deliver(conn, std::move(r));
    if (!alive) Ended(conn);
  }
}

bool Transport::ReadSome(Conn& conn, std::vector<rpc::Record>* records,
                         Clock::time_point deadline) {
  const int fd = conn.fd.get();
  for (;;) {
    // The rest of a large reply (a READ's data) goes straight into its record.
    auto [room, room_size] = conn.records.Room();
    const bool direct = room_size >= kReadBuffer / 4;
    char* into = direct ? room : conn.buf.data();
    size_t want = direct ? room_size : conn.buf.size();
    ssize_t n = ::recv(fd, into, want, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, MillisUntil(deadline));
      if (ready < 0 && errno != EINTR) return false;
      if (ready == 0) return true;  // the deadline: nothing read
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (direct) {
      conn.records.Took(static_cast<size_t>(n), records);
      return true;
    }
    return conn.records.Feed(std::string_view(into, static_cast<size_t>(n)), records).ok();
  }
}

void Transport::Deliver(const Conn& conn, rpc::Record record) {
  uint32_t xid = 0;
  if (!rpc::ReplyXid(record.view(), &xid)) return;
  auto it = waiters_.find(xid);
  if (it == waiters_.end() || it->second->generation != conn.generation) return;
  it->second->reply = std::move(record);
  it->second->done = true;
  it->second->cv.Signal();
}

void Transport::Ended(Conn& conn) {
  // Wake everyone waiting on this connection; the session layer reconnects.
  ::shutdown(conn.fd.get(), SHUT_RDWR);
  conn.dead = true;
  if (conn_.get() == &conn) broken_ = true;
  for (auto& [xid, w] : waiters_) {
    if (w->generation != conn.generation || w->done) continue;
    w->failed = true;
    w->cv.Signal();
  }
}

void Transport::PassReading(const Conn& conn) {
  if (conn.dead) return;
  for (auto& [xid, w] : waiters_) {
    if (w->generation == conn.generation && !w->done && !w->failed) {
      w->cv.Signal();
      return;
    }
  }
}

void Transport::CloseLocked() {
  std::shared_ptr<Conn> conn;
  {
    MutexLock l(&mu_);
    conn = std::move(conn_);
    broken_ = true;
  }
  if (conn == nullptr) return;
  // A caller reading it sees the end and fails the calls on it; the descriptor closes with the
  // last reference.
  ::shutdown(conn->fd.get(), SHUT_RDWR);
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

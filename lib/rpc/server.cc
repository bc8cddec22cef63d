// Server: the poll thread and the worker pool (see server.h).
#include "rpc/server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "base/log.h"

namespace efs::rpc {
namespace {

constexpr int kMaxEvents = 256;

}  // namespace

Server::Server(const ProgramTable* table, ServerOptions options)
    : table_(table), options_(options), budget_(options.max_receive_memory) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  MutexLock lock(&mu_);
  EFS_CHECK(!running_ && !stopping_);
  epoll_fd_.Reset(::epoll_create1(EPOLL_CLOEXEC));
  wake_fd_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!epoll_fd_.valid() || !wake_fd_.valid()) {
    return IOError(std::string("rpc: epoll: ") + std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &ev) != 0) {
    return IOError(std::string("rpc: epoll_ctl: ") + std::strerror(errno));
  }
  running_ = true;
  next_sweep_ = std::chrono::steady_clock::now();
  // The pool's idle threads take turns polling the connections (worker_pool.h).
  pool_ = std::make_unique<WorkerPool>(
      options_.workers, options_.threads,
      [this](std::vector<std::function<void()>>* tasks) { Poll(tasks); });
  return Status::Ok();
}

void Server::Serve(UniqueFd fd, ConnectionInfo info) {
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) != 0) return;
  int one = 1;
  (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  MutexLock lock(&mu_);
  if (!running_ || stopping_) return;  // fd closes here
  if (!MakeRoom(info.mount_target_id)) {
    EFS_LOG(kWarn) << "rpc: " << connections_.size()
                   << " connections, all busy: refusing a connection to " << info.mount_target_id;
    return;
  }
  uint64_t id = next_id_++;
  auto conn = std::make_shared<Connection>(std::move(fd), std::move(info), id, epoll_fd_.get(),
                                           options_.limits, &budget_);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = id;
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, conn->fd(), &ev) != 0) {
    EFS_LOG(kWarn) << "rpc: epoll_ctl add: " << std::strerror(errno);
    return;
  }
  connections_[id] = std::move(conn);
}

void Server::Stop() {
  {
    MutexLock lock(&mu_);
    if (!running_ || stopping_.exchange(true)) return;
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_.get(), &one, sizeof(one));  // the poller returns, and stays out
  pool_->Stop();
  // Late replies come from whichever thread completes a disk sync; a sync takes milliseconds,
  // so this is bounded well within the minute.
  for (int i = 0; i < 60000 && late_.load(std::memory_order_acquire) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (late_.load() > 0) EFS_LOG(kError) << "rpc: stopping with " << late_.load() << " late replies";
  std::map<uint64_t, std::shared_ptr<Connection>> conns;
  {
    MutexLock lock(&mu_);
    conns.swap(connections_);
  }
  for (auto& [id, conn] : conns) conn->Shutdown();
}

void Server::CloseConnectionsTo(const std::string& mount_target_id) {
  std::vector<std::shared_ptr<Connection>> doomed;
  {
    MutexLock lock(&mu_);
    for (const auto& [id, conn] : connections_) {
      if (conn->info().mount_target_id == mount_target_id) doomed.push_back(conn);
    }
  }
  for (const auto& conn : doomed) Close(conn);
}

size_t Server::connection_count() const {
  MutexLock lock(&mu_);
  return connections_.size();
}

std::map<std::string, size_t> Server::ConnectionsByMountTarget() const {
  MutexLock lock(&mu_);
  std::map<std::string, size_t> counts;
  for (const auto& [id, conn] : connections_) ++counts[conn->info().mount_target_id];
  return counts;
}

bool Server::MakeRoom(const std::string& mount_target_id) {
  const size_t total_cap = std::max<size_t>(1, options_.max_connections);
  const size_t target_cap = std::max<size_t>(1, options_.max_connections_per_mount_target);
  size_t here = 0;
  if (connections_.size() >= target_cap) {
    for (const auto& [id, conn] : connections_)
      here += conn->info().mount_target_id == mount_target_id;
  }
  const bool target_full = here >= target_cap;
  if (connections_.size() < total_cap && !target_full) return true;
  // The victim: the connection idle longest, of this mount target if that is what is full.
  std::shared_ptr<Connection> idlest;
  std::chrono::steady_clock::time_point since;
  for (const auto& [id, conn] : connections_) {
    if (target_full && conn->info().mount_target_id != mount_target_id) continue;
    std::optional<std::chrono::steady_clock::time_point> idle = conn->IdleSince();
    if (idle && (idlest == nullptr || *idle < since)) {
      idlest = conn;
      since = *idle;
    }
  }
  if (idlest == nullptr) return false;
  EFS_LOG(kInfo) << "rpc: " << (target_full ? here : connections_.size()) << " connections"
                 << (target_full ? " to " + mount_target_id : std::string())
                 << ": closing the one idle longest to admit another";
  idlest->Shutdown();
  connections_.erase(idlest->id());
  return true;
}

std::vector<std::shared_ptr<Connection>> Server::Before(
    std::optional<std::chrono::steady_clock::time_point> (Connection::*when)() const,
    std::chrono::steady_clock::time_point cutoff) const {
  std::vector<std::shared_ptr<Connection>> found;
  MutexLock lock(&mu_);
  for (const auto& [id, conn] : connections_) {
    std::optional<std::chrono::steady_clock::time_point> since = (*conn.*when)();
    if (since && *since < cutoff) found.push_back(conn);
  }
  return found;
}

void Server::CloseIdle() {
  for (const auto& conn :
       Before(&Connection::IdleSince, std::chrono::steady_clock::now() - options_.idle_timeout)) {
    Close(conn);
  }
}

void Server::CloseStalled() {
  if (!budget_.exhausted()) return;
  std::vector<std::shared_ptr<Connection>> stalled =
      Before(&Connection::RecordStarted,
             std::chrono::steady_clock::now() - options_.stalled_record_timeout);
  if (stalled.empty()) return;
  EFS_LOG(kWarn) << "rpc: " << budget_.used() << " bytes of records held, the limit; closing "
                 << stalled.size() << " connections whose record has been arriving for over "
                 << options_.stalled_record_timeout.count() << " ms";
  for (const auto& conn : stalled) Close(conn);
}

void Server::WakeMemoryWaiters() {
  if (memory_waiting_.load() == 0 || budget_.exhausted()) return;
  std::vector<std::shared_ptr<Connection>> woken;
  {
    MutexLock lock(&mu_);
    for (uint64_t id : memory_waiters_) {
      if (auto it = connections_.find(id); it != connections_.end()) woken.push_back(it->second);
    }
    memory_waiters_.clear();
    memory_waiting_.store(0);
  }
  for (const auto& conn : woken) conn->ResumeReading();
}

void Server::Poll(std::vector<std::function<void()>>* tasks) {
  epoll_event events[kMaxEvents];
  const bool expire = options_.idle_timeout.count() > 0;
  // Idle connections are looked for about four times per timeout, at most once a second; while
  // connections wait for memory, stalled records are looked for once a second.
  const auto sweep_every =
      expire ? std::min<std::chrono::milliseconds>(
                   std::chrono::seconds(1),
                   std::max<std::chrono::milliseconds>(std::chrono::milliseconds(10),
                                                       options_.idle_timeout / 4))
             : std::chrono::milliseconds(std::chrono::seconds(1));
  while (!stopping_ && tasks->empty()) {
    const auto now = std::chrono::steady_clock::now();
    const bool waiting = memory_waiting_.load() > 0;
    if ((expire || waiting) && now >= next_sweep_) {
      if (expire) CloseIdle();
      if (waiting) {
        CloseStalled();
        WakeMemoryWaiters();
      }
      next_sweep_ = now + sweep_every;
    }
    int timeout_ms = expire || waiting ? static_cast<int>(sweep_every.count()) : -1;
    int n = ::epoll_wait(epoll_fd_.get(), events, kMaxEvents, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      EFS_LOG(kError) << "rpc: epoll_wait: " << std::strerror(errno);
      return;
    }
    for (int i = 0; i < n && !stopping_; ++i) {
      if (events[i].data.u64 != 0) HandleEvent(events[i].data.u64, events[i].events, tasks);
    }
  }
}

void Server::HandleEvent(uint64_t id, uint32_t events, std::vector<std::function<void()>>* tasks) {
  std::shared_ptr<Connection> conn = Find(id);
  if (conn == nullptr) return;
  if ((events & EPOLLOUT) && conn->OnWritable() == Connection::Next::kClose) {
    Close(conn);
    return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    std::vector<Record> records;
    Connection::Next next = conn->OnReadable(&records);
    for (Record& record : records) {
      tasks->push_back([this, conn, record = std::move(record)] { Execute(conn, record); });
    }
    if (next == Connection::Next::kClose) {
      Close(conn);
    } else if (conn->waiting_for_memory()) {
      if (events & (EPOLLHUP | EPOLLERR)) {  // gone: its record will never end
        Close(conn);
        return;
      }
      {
        MutexLock lock(&mu_);
        memory_waiters_.push_back(id);
        memory_waiting_.store(memory_waiters_.size());
      }
      WakeMemoryWaiters();  // memory given back before the line above woke no one
    }
  }
}

std::shared_ptr<Connection> Server::Find(uint64_t id) const {
  MutexLock lock(&mu_);
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second;
}

void Server::Close(const std::shared_ptr<Connection>& conn) {
  conn->Shutdown();
  MutexLock lock(&mu_);
  connections_.erase(conn->id());
}

void Server::Execute(const std::shared_ptr<Connection>& conn, const Record& record) {
  const size_t bytes = record.size();
  // Small enough for std::function to keep in place: nothing is allocated per call.
  SendLater send_later = [this, &conn, bytes]() -> SendRecord {
    late_.fetch_add(1, std::memory_order_relaxed);
    return [this, conn, bytes](std::string reply) {
      Finish(conn, CallOutcome{CallOutcome::kReply, std::move(reply)}, bytes);
      late_.fetch_sub(1, std::memory_order_release);
    };
  };
  CallOutcome out = table_->Execute(record.view(), conn->info(), conn.get(), send_later);
  if (out.kind != CallOutcome::kLater) Finish(conn, std::move(out), bytes);
}

void Server::Finish(const std::shared_ptr<Connection>& conn, CallOutcome out, size_t record_bytes) {
  bool close = out.kind == CallOutcome::kClose;
  if (out.kind == CallOutcome::kReply && !conn->Send(std::move(out.reply)).ok()) close = true;
  if (conn->CallDone(record_bytes) == Connection::Next::kClose) close = true;
  if (close) Close(conn);
  WakeMemoryWaiters();
}

}  // namespace efs::rpc

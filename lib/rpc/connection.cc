// Connection: reading records, queueing replies, flow control (see connection.h).
#include "rpc/connection.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>

namespace efs::rpc {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr int kReadsPerEvent = 8;             // fairness: at most 2 MiB per connection per wakeup
constexpr size_t kDirectReadMin = 16 * 1024;  // fragment bytes worth a read of their own
constexpr int kMaxIov = 64;

size_t RecordBytes(const std::vector<Record>& records) {
  size_t bytes = 0;
  for (const Record& r : records) bytes += r.size();
  return bytes;
}

}  // namespace

Connection::Connection(UniqueFd fd, ConnectionInfo info, uint64_t id, int epoll_fd,
                       ConnectionLimits limits, ReceiveBudget* budget)
    : fd_(std::move(fd)),
      info_(std::move(info)),
      id_(id),
      epoll_fd_(epoll_fd),
      limits_(limits),
      budget_(budget),
      reader_(limits.max_record_size, budget) {
  MutexLock lock(&mu_);
  events_ = EPOLLIN;  // what the server registers
}

Connection::~Connection() {
  if (budget_ != nullptr) budget_->Give(reader_.held());
}

Status Connection::SendRecord(std::string_view body) {
  std::string record;
  AppendRecord(body, &record);
  return Send(std::move(record));
}

Status Connection::Send(std::string record) {
  MutexLock lock(&mu_);
  if (closed_) return Status(Code::kUnavailable, "ConnectionClosed", "rpc: connection closed");
  out_bytes_ += record.size();
  out_.push_back(std::move(record));
  if (out_.size() == 1 && !FlushLocked()) {
    // The poll thread sees the error too (EPOLLERR/EPOLLHUP) and closes.
    out_.clear();
    out_bytes_ = 0;
  }
  UpdateEventsLocked();
  return Status::Ok();
}

bool Connection::FlushLocked() {
  while (!out_.empty()) {
    iovec iov[kMaxIov];
    int n = 0;
    size_t offset = out_offset_;
    for (auto it = out_.begin(); it != out_.end() && n < kMaxIov; ++it, offset = 0) {
      iov[n].iov_base = it->data() + offset;
      iov[n].iov_len = it->size() - offset;
      ++n;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    ssize_t w = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    size_t left = static_cast<size_t>(w);
    out_bytes_ -= left;
    while (left > 0) {
      size_t rest = out_.front().size() - out_offset_;
      size_t take = std::min(rest, left);
      out_offset_ += take;
      left -= take;
      if (out_offset_ == out_.front().size()) {
        out_.pop_front();
        out_offset_ = 0;
      }
    }
  }
  return true;
}

void Connection::UpdateEventsLocked() {
  if (closed_) return;
  bool paused = eof_ || memory_wait_ || in_flight_ >= limits_.max_in_flight ||
                in_flight_bytes_ >= limits_.max_in_flight_bytes ||
                out_bytes_ >= limits_.max_queued_bytes;
  uint32_t want = (paused ? 0u : uint32_t{EPOLLIN}) | (out_.empty() ? 0u : uint32_t{EPOLLOUT});
  if (want == events_) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = id_;
  // ENOENT when the server already removed us: nothing to do.
  (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd_.get(), &ev);
  events_ = want;
}

bool Connection::DrainedLocked() const { return eof_ && in_flight_ == 0 && out_.empty(); }

Connection::Next Connection::OnReadable(std::vector<Record>* records) {
  char buf[kReadChunk];
  bool wait_for_memory = false;
  for (int i = 0; i < kReadsPerEvent; ++i) {
    // The rest of a large fragment (a WRITE's data) goes straight into its record.
    auto [room, room_size] = reader_.Room();
    // With the budget spent, the fragment being received (counted already) is finished, read
    // straight into its record so that no new header is read with it; then reading waits.
    const bool tight = budget_ != nullptr && budget_->exhausted();
    if (tight && room_size == 0) {
      wait_for_memory = true;
      break;
    }
    const bool direct = room_size >= kDirectReadMin || tight;
    ssize_t r = direct ? ::recv(fd_.get(), room, std::min(room_size, kReadChunk * 4), MSG_DONTWAIT)
                       : ::recv(fd_.get(), buf, sizeof(buf), MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return Next::kClose;
    }
    if (r == 0) {
      if (!reader_.Finish().ok()) return Next::kClose;  // truncated record
      MutexLock lock(&mu_);
      eof_ = true;
      CountInFlightLocked(*records);
      UpdateEventsLocked();
      return DrainedLocked() ? Next::kClose : Next::kContinue;
    }
    if (direct) {
      reader_.Took(static_cast<size_t>(r), records);
    } else if (!reader_.Feed(std::string_view(buf, static_cast<size_t>(r)), records).ok()) {
      return Next::kClose;
    }
    if (records->size() >= static_cast<size_t>(limits_.max_in_flight) ||
        RecordBytes(*records) >= limits_.max_in_flight_bytes) {
      break;  // let the workers catch up before reading more
    }
  }
  MutexLock lock(&mu_);
  CountInFlightLocked(*records);
  last_active_ = std::chrono::steady_clock::now();
  if (!reader_.mid_record()) {
    record_started_.reset();
  } else if (!record_started_) {
    record_started_ = last_active_;
  }
  memory_wait_ = wait_for_memory;
  UpdateEventsLocked();
  return Next::kContinue;
}

bool Connection::waiting_for_memory() const {
  MutexLock lock(&mu_);
  return memory_wait_;
}

void Connection::ResumeReading() {
  MutexLock lock(&mu_);
  memory_wait_ = false;
  UpdateEventsLocked();
}

std::optional<std::chrono::steady_clock::time_point> Connection::RecordStarted() const {
  MutexLock lock(&mu_);
  return record_started_;
}

Connection::Next Connection::OnWritable() {
  MutexLock lock(&mu_);
  if (closed_) return Next::kClose;
  if (!FlushLocked()) return Next::kClose;
  UpdateEventsLocked();
  return DrainedLocked() ? Next::kClose : Next::kContinue;
}

void Connection::CountInFlightLocked(const std::vector<Record>& records) {
  in_flight_ += static_cast<int>(records.size());
  in_flight_bytes_ += RecordBytes(records);
}

Connection::Next Connection::CallDone(size_t record_bytes) {
  if (budget_ != nullptr) budget_->Give(record_bytes);
  MutexLock lock(&mu_);
  --in_flight_;
  in_flight_bytes_ -= std::min(in_flight_bytes_, record_bytes);
  last_active_ = std::chrono::steady_clock::now();
  UpdateEventsLocked();
  return DrainedLocked() ? Next::kClose : Next::kContinue;
}

void Connection::Shutdown() {
  MutexLock lock(&mu_);
  if (closed_) return;
  closed_ = true;
  (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd_.get(), nullptr);
  ::shutdown(fd_.get(), SHUT_RDWR);
  out_.clear();
  out_bytes_ = 0;
}

bool Connection::closed() const {
  MutexLock lock(&mu_);
  return closed_;
}

std::optional<std::chrono::steady_clock::time_point> Connection::IdleSince() const {
  MutexLock lock(&mu_);
  if (in_flight_ > 0 || !out_.empty()) return std::nullopt;
  return last_active_;
}

}  // namespace efs::rpc

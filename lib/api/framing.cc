// NDJSON framing on Unix stream sockets: buffered line reads and full writes with poll() deadlines.
#include "api/framing.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

namespace efs::api {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

// poll() that restarts on EINTR with the time that is left; returns poll's result.
int PollUntil(pollfd* fds, nfds_t count, Deadline deadline) {
  for (;;) {
    int ready = ::poll(fds, count, deadline.RemainingMs());
    if (ready >= 0 || errno != EINTR) return ready;
  }
}

}  // namespace

Deadline Deadline::In(int timeout_ms) {
  Deadline deadline;
  if (timeout_ms >= 0) {
    deadline.infinite_ = false;
    deadline.at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return deadline;
}

int Deadline::RemainingMs() const {
  if (infinite_) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(at_ - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

IoResult WaitReadable(int fd, int wake_fd, Deadline deadline) {
  pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
  int ready = PollUntil(fds, wake_fd >= 0 ? 2 : 1, deadline);
  if (ready < 0) return IoResult::kError;
  if (ready == 0) return IoResult::kTimeout;
  if (wake_fd >= 0 && (fds[1].revents & POLLIN)) return IoResult::kWoken;
  return IoResult::kOk;
}

IoResult LineReader::TakeBufferedLine(std::string* line) {
  size_t newline = buffer_.find('\n', scanned_);
  if (newline == std::string::npos) {
    scanned_ = buffer_.size();
    return buffer_.size() - begin_ >= max_line_bytes_ ? IoResult::kTooLong : IoResult::kTimeout;
  }
  size_t length = newline - begin_;
  if (length + 1 > max_line_bytes_) return IoResult::kTooLong;
  line->assign(buffer_, begin_, length);
  begin_ = scanned_ = newline + 1;
  if (begin_ == buffer_.size() && buffer_.capacity() > 2 * kReadChunk) {
    std::string().swap(buffer_);  // a long line is done: give its memory back
    begin_ = scanned_ = 0;
  }
  return IoResult::kOk;
}

IoResult LineReader::Fill(int fd) {
  if (begin_ > 0) {  // drop consumed lines before growing the buffer
    buffer_.erase(0, begin_);
    scanned_ -= begin_;
    begin_ = 0;
  }
  char chunk[kReadChunk];
  ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
  if (n > 0) {
    buffer_.append(chunk, static_cast<size_t>(n));
    return IoResult::kOk;
  }
  if (n == 0) return IoResult::kEof;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return IoResult::kOk;
  return errno == ECONNRESET ? IoResult::kEof : IoResult::kError;
}

IoResult LineReader::Next(int fd, Deadline deadline, int wake_fd, std::string* line) {
  for (;;) {
    IoResult taken = TakeBufferedLine(line);
    if (taken != IoResult::kTimeout) return taken;
    IoResult waited = WaitReadable(fd, wake_fd, deadline);
    if (waited != IoResult::kOk) return waited;
    IoResult filled = Fill(fd);
    if (filled != IoResult::kOk) return filled;
  }
}

IoResult WriteAll(int fd, std::string_view data, int stall_timeout_ms) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EPIPE || errno == ECONNRESET) return IoResult::kEof;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return IoResult::kError;
    pollfd pfd = {fd, POLLOUT, 0};
    int ready = PollUntil(&pfd, 1, Deadline::In(stall_timeout_ms));
    if (ready < 0) return IoResult::kError;
    if (ready == 0) return IoResult::kTimeout;
  }
  return IoResult::kOk;
}

bool MakeUnixAddress(const std::string& path, sockaddr_un* address, socklen_t* length) {
  std::memset(address, 0, sizeof(*address));
  address->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address->sun_path)) return false;
  std::memcpy(address->sun_path, path.data(), path.size());
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return true;
}

bool SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

int ConnectUnix(const std::string& path, int timeout_ms, UniqueFd* out) {
  sockaddr_un address;
  socklen_t length = 0;
  if (path.empty()) return ENOENT;
  if (!MakeUnixAddress(path, &address, &length)) return ENAMETOOLONG;
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno;
  if (timeout_ms > 0) {  // AF_UNIX connect() waits on a full backlog for up to SO_SNDTIMEO
    timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }
  while (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    if (errno == EISCONN) break;  // an interrupted connect() that completed meanwhile
    if (errno != EINTR) return errno;
  }
  *out = std::move(fd);
  return 0;
}

}  // namespace efs::api

// NDJSON framing on a Unix stream socket, shared by Client and Server: a buffered line reader
// and a write-all loop over non-blocking sockets, both waiting with poll() against a deadline and,
// for the server, a wake-up fd that Stop() makes readable. Also the AF_UNIX connect both sides use.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace efs::api {

enum class IoResult {
  kOk,
  kEof,      // the peer closed the connection (or reset it while we wrote)
  kTimeout,  // the deadline passed
  kTooLong,  // a line longer than the reader's limit
  kWoken,    // the wake-up fd became readable
  kError,    // a system call failed; errno says why
};

// A point in time to wait until; Never() waits forever.
class Deadline {
 public:
  // `timeout_ms` < 0 means no deadline.
  static Deadline In(int timeout_ms);
  static Deadline Never() { return Deadline(); }
  // Milliseconds left for poll(): -1 when there is no deadline, 0 once it has passed.
  int RemainingMs() const;

 private:
  bool infinite_ = true;
  std::chrono::steady_clock::time_point at_{};
};

// Splits the bytes of a socket into lines. Reads in large chunks and keeps what follows the
// current line for the next call. Not thread-safe.
class LineReader {
 public:
  // Lines longer than `max_line_bytes`, counting the newline, are kTooLong.
  explicit LineReader(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Stores the next line, without its '\n', in *line. A complete line already buffered is
  // returned at once; otherwise reads `fd` (non-blocking) until `deadline`. Returns kWoken when
  // `wake_fd` (ignored if < 0) is readable before a complete line is buffered.
  IoResult Next(int fd, Deadline deadline, int wake_fd, std::string* line);

 private:
  // kOk with *line, kTooLong, or kTimeout meaning "no complete line buffered".
  IoResult TakeBufferedLine(std::string* line);
  IoResult Fill(int fd);

  size_t max_line_bytes_;
  std::string buffer_;
  size_t begin_ = 0;    // start of the first unconsumed line in buffer_
  size_t scanned_ = 0;  // buffer_[begin_, scanned_) holds no '\n'
};

// Waits until `fd` is readable, or `wake_fd` (if >= 0) is; kOk, kWoken, kTimeout or kError.
IoResult WaitReadable(int fd, int wake_fd, Deadline deadline);

// Writes all of `data` to the non-blocking socket `fd`. While the socket is full it waits at most
// `stall_timeout_ms` (< 0: forever) for room. Never raises SIGPIPE: a closed peer is kEof.
IoResult WriteAll(int fd, std::string_view data, int stall_timeout_ms);

// Connects a blocking AF_UNIX stream socket to `path`, waiting at most `timeout_ms` (< 0 or 0:
// the system default) when the listener's backlog is full. Returns 0 and sets *out, or an errno
// (ENAMETOOLONG for a path that does not fit in sockaddr_un).
int ConnectUnix(const std::string& path, int timeout_ms, UniqueFd* out);

// Fills a sockaddr_un for `path`; false if the path is empty or does not fit.
bool MakeUnixAddress(const std::string& path, sockaddr_un* address, socklen_t* length);

// Sets O_NONBLOCK on `fd`; false (errno set) on failure.
bool SetNonBlocking(int fd);

}  // namespace efs::api

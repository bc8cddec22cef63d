// Client: one connection from efs (or a test) to efsd's Unix socket.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api/framing.h"
#include "api/messages.h"
#include "base/status.h"
#include "base/unique_fd.h"

namespace efs::api {

// The socket the CLI uses when neither --socket nor EFS_SOCKET says otherwise:
// /run/efsd/efsd.sock for root, $XDG_RUNTIME_DIR/efsd/efsd.sock (or /run/user/UID/...) otherwise.
std::string DefaultSocketPath();

// Maps a wire error code to the nearest Status code (e.g. "*NotFound" -> kNotFound,
// "AccessDenied" -> kPermissionDenied, "*AlreadyExists" -> kAlreadyExists, else
// kFailedPrecondition).
Code CodeForApiError(const std::string& code);

class Client {
 public:
  // Replies may be longer than requests (a page of descriptions); this bounds one reply line.
  static constexpr size_t kMaxClientLineBytes = 64 << 20;

  // Connects to `socket_path` and performs the Hello handshake. Every later read and write waits
  // at most `timeout_ms` (<= 0: no limit). Fails with reason "DaemonUnreachable" (code
  // kUnavailable) when nothing answers at the path, and with the daemon's error (e.g.
  // UnsupportedApiVersion) otherwise.
  static Result<std::unique_ptr<Client>> Connect(const std::string& socket_path, int timeout_ms);

  // Sends one request and waits for its reply. Returns the "result" object. A service error
  // comes back as a Status whose reason() is the wire code and message() the wire message;
  // if `error_extra` is non-null it receives the error's extra fields (e.g. FileSystemId).
  // A broken connection or timeout is reason "DaemonUnreachable". Not thread-safe.
  Result<Json> Call(const std::string& action, const Json& params, Json* error_extra = nullptr);

  // Sends a typed request: Call(action, ToJson(request)).
  template <class Request>
  Result<Json> Send(const std::string& action, const Request& request, Json* error_extra = nullptr) {
    return Call(action, ToJson(request), error_extra);
  }

 private:
  Client(UniqueFd fd, int timeout_ms) : fd_(std::move(fd)), timeout_ms_(timeout_ms) {}
  Status WriteLine(const std::string& line);
  Result<std::string> ReadLine();
  // A DaemonUnreachable status for a failed read or write (`err`: errno for kError); closes
  // the connection.
  Status Broken(IoResult result, const char* doing, int err);
  // After a failed write: the error line the daemon sent before closing, if it is buffered.
  std::optional<Status> PendingServerError();
  Result<Json> Unpack(int64_t id, const std::string& line, Json* error_extra);

  UniqueFd fd_;  // invalid once the connection broke
  int timeout_ms_;
  int64_t next_id_ = 1;
  std::string socket_path_;
  LineReader reader_{kMaxClientLineBytes};  // keeps bytes read past the last line
};

}  // namespace efs::api

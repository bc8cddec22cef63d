// Server: efsd's side of the Unix socket. Accepts connections, frames NDJSON, runs the Hello
// handshake, identifies each caller with SO_PEERCRED and hands every later request to a Handler.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/messages.h"
#include "base/status.h"

namespace efs::api {

// Who is on the other end of a connection, from SO_PEERCRED (and SO_PEERGROUPS).
struct Caller {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

// The outcome of one request: a result object, or an error.
struct Reply {
  Json result = Json::object();  // used iff !error
  std::optional<ApiError> error;

  static Reply Ok(Json result) { return Reply{std::move(result), std::nullopt}; }
  static Reply Fail(ApiError error) { return Reply{Json::object(), std::move(error)}; }
  static Reply Fail(const Status& status) { return Fail(ToApiError(status)); }
};

// Handles one request after the handshake. Called concurrently from many threads.
using Handler =
    std::function<Reply(const Caller& caller, const std::string& action, const Json& params)>;

class Server {
 public:
  // The socket is open to every local user, so no one of them may starve the others: a
  // connection beyond a limit below is accepted and closed at once with a ServiceUnavailable
  // line. Root and the server's own uid are "privileged": only they may use the last
  // `reserved_connections`, and no per-uid limit applies to them.
  struct Options {
    std::string socket_path;
    std::string server_version;
    // A connection that sends no complete line for this long is closed.
    int idle_timeout_ms = 60'000;
    // A connection whose Hello has not succeeded this long after it was accepted is closed,
    // whatever it sent meanwhile.
    int hello_timeout_ms = 5'000;
    size_t max_line_bytes = kMaxLineBytes;
    JsonLimits json_limits = kRequestLimits;
    int max_connections = 512;
    int reserved_connections = 64;     // of max_connections, for privileged callers only
    int max_connections_per_uid = 64;  // for each unprivileged uid
  };

  Server(Options options, Handler handler);
  ~Server();  // Stop()s if running.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Creates the socket's directory if missing (MakeSocketDirectory), replaces a stale socket
  // file, binds and listens (socket mode 0666: who may do what is decided per action from
  // SO_PEERCRED), and starts serving in background threads. Fails if another process is
  // listening at the path.
  Status Start();

  // Stops accepting, lets every request already read finish and its reply be written, closes
  // all connections, removes the socket file and joins every thread. Idempotent.
  void Stop();

  // Number of connections open now (for status and tests).
  int connection_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Creates the missing directories above `socket_path`, each 0755 whatever the umask, so that
// every local user reaches the socket (and the metrics region beside it). Directories that
// exist are left as they are.
Status MakeSocketDirectory(const std::string& socket_path);

}  // namespace efs::api

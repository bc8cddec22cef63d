// Client: connects to efsd's Unix socket, says Hello, and exchanges one NDJSON line per call.
#include "api/client.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "base/macros.h"

namespace efs::api {
namespace {

Status Unreachable(std::string message) {
  return Status(Code::kUnavailable, "DaemonUnreachable", std::move(message));
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

Status StatusFromApiError(const ApiError& error) {
  return Status(CodeForApiError(error.code), error.code, error.message);
}

}  // namespace

std::string DefaultSocketPath() {
  const char* env = std::getenv("EFS_SOCKET");
  if (env != nullptr && *env != '\0') return env;
  uid_t uid = ::geteuid();
  if (uid == 0) return "/run/efsd/efsd.sock";
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  if (runtime_dir != nullptr && *runtime_dir != '\0') {
    return std::string(runtime_dir) + "/efsd/efsd.sock";
  }
  return "/run/user/" + std::to_string(uid) + "/efsd/efsd.sock";
}

Code CodeForApiError(const std::string& code) {
  if (code == "BadRequest" || code == "ValidationException") return Code::kInvalidArgument;
  if (code == "AccessDenied" || code == "AccessDeniedException") return Code::kPermissionDenied;
  if (EndsWith(code, "NotFound")) return Code::kNotFound;
  if (EndsWith(code, "AlreadyExists")) return Code::kAlreadyExists;
  if (EndsWith(code, "LimitExceeded") || code == "TooManyRequests") {
    return Code::kResourceExhausted;
  }
  if (code == "ServiceUnavailable" || code == "DaemonUnreachable") return Code::kUnavailable;
  if (code == "InternalServerError") return Code::kInternal;
  return Code::kFailedPrecondition;
}

Result<std::unique_ptr<Client>> Client::Connect(const std::string& socket_path, int timeout_ms) {
  UniqueFd fd;
  int err = ConnectUnix(socket_path, timeout_ms, &fd);
  if (err == 0 && !SetNonBlocking(fd.get())) err = errno;
  if (err != 0) {
    return Unreachable("cannot connect to efsd at '" + socket_path + "': " + std::strerror(err));
  }
  std::unique_ptr<Client> client(new Client(std::move(fd), timeout_ms));
  client->socket_path_ = socket_path;
  EFS_ASSIGN_OR_RETURN(Json result, client->Send("Hello", HelloRequest{}));
  HelloResponse hello;
  Status parsed = FromJson(result, &hello);
  if (!parsed.ok()) return Internal("malformed Hello reply from efsd: " + parsed.message());
  if (hello.api_version != kApiVersion) {
    return Error(Code::kFailedPrecondition, "UnsupportedApiVersion",
                 "efsd speaks api version " + std::to_string(hello.api_version) +
                     ", this client speaks " + std::to_string(kApiVersion));
  }
  return client;
}

Result<Json> Client::Call(const std::string& action, const Json& params, Json* error_extra) {
  if (!fd_.valid())
    return Unreachable("the connection to efsd at '" + socket_path_ + "' is closed");
  const int64_t id = next_id_++;
  Status written = WriteLine(DumpJsonLine(RequestToJson(id, action, params)));
  if (!written.ok()) return written;
  EFS_ASSIGN_OR_RETURN(std::string line, ReadLine());
  return Unpack(id, line, error_extra);
}

Result<Json> Client::Unpack(int64_t id, const std::string& line, Json* error_extra) {
  Result<Json> json = ParseJsonLine(line);
  if (!json.ok()) return Internal("malformed reply from efsd: " + json.status().message());
  ReplyEnvelope reply;
  EFS_RETURN_IF_ERROR(ParseReplyEnvelope(*json, &reply));
  // An error with id null answers a request the daemon could not read (or a refused connection).
  bool id_matches = reply.id == Json(id) || (reply.error && reply.id.is_null());
  if (!id_matches) {
    fd_.Reset();  // replies are out of step with requests; nothing later can be trusted
    return Internal("reply from efsd does not answer request " + std::to_string(id));
  }
  if (reply.error) {
    if (error_extra != nullptr) *error_extra = reply.error->extra;
    return StatusFromApiError(*reply.error);
  }
  return std::move(reply.result);
}

Status Client::WriteLine(const std::string& line) {
  IoResult result = WriteAll(fd_.get(), line, timeout_ms_ > 0 ? timeout_ms_ : -1);
  if (result == IoResult::kOk) return Status::Ok();
  int err = errno;
  std::optional<Status> daemon_said = PendingServerError();
  Status broken = Broken(result, "sending a request", err);
  return daemon_said ? *daemon_said : broken;
}

Result<std::string> Client::ReadLine() {
  std::string line;
  IoResult result = reader_.Next(fd_.get(), Deadline::In(timeout_ms_ > 0 ? timeout_ms_ : -1),
                                 /*wake_fd=*/-1, &line);
  if (result != IoResult::kOk) return Broken(result, "waiting for a reply", errno);
  return line;
}

std::optional<Status> Client::PendingServerError() {
  // A daemon that refuses a connection writes its reason and closes; that line is already
  // buffered by the time our write fails, so do not wait for it.
  std::string line;
  if (reader_.Next(fd_.get(), Deadline::In(0), -1, &line) != IoResult::kOk) return std::nullopt;
  Result<Json> json = ParseJsonLine(line);
  ReplyEnvelope reply;
  if (!json.ok() || !ParseReplyEnvelope(*json, &reply).ok() || !reply.error) return std::nullopt;
  return StatusFromApiError(*reply.error);
}

Status Client::Broken(IoResult result, const char* doing, int err) {
  fd_.Reset();
  std::string where = "efsd at '" + socket_path_ + "'";
  switch (result) {
    case IoResult::kEof:
      return Unreachable(where + " closed the connection while " + doing);
    case IoResult::kTimeout:
      return Unreachable(where + " did not respond within " + std::to_string(timeout_ms_) +
                         " ms while " + doing);
    case IoResult::kTooLong:
      return Unreachable("reply from " + where + " exceeds " + std::to_string(kMaxClientLineBytes) +
                         " bytes");
    default:
      return Unreachable("lost connection to " + where + " while " + doing + ": " +
                         std::strerror(err));
  }
}

}  // namespace efs::api

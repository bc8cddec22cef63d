// Status names and formatting.
#include "base/status.h"

namespace efs {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kNotFound: return "not found";
    case Code::kAlreadyExists: return "already exists";
    case Code::kFailedPrecondition: return "failed precondition";
    case Code::kPermissionDenied: return "permission denied";
    case Code::kResourceExhausted: return "resource exhausted";
    case Code::kUnavailable: return "unavailable";
    case Code::kIOError: return "i/o error";
    case Code::kCorruption: return "corruption";
    case Code::kInternal: return "internal error";
    case Code::kNotDir: return "not a directory";
    case Code::kIsDir: return "is a directory";
    case Code::kNotEmpty: return "directory not empty";
    case Code::kNameTooLong: return "name too long";
    case Code::kStale: return "stale file handle";
    case Code::kNoSpace: return "no space left";
    case Code::kReadOnly: return "read-only";
    case Code::kNotPermitted: return "operation not permitted";
    case Code::kTooManyLinks: return "too many links";
    case Code::kFileTooBig: return "file too big";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string head = reason_.empty() ? CodeName(code_) : reason_;
  return message_.empty() ? head : head + ": " + message_;
}

}  // namespace efs

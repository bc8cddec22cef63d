// Status and Result<T>: the error values every lib/ API returns instead of throwing.
//
// A Status is ok, or carries a small code, an optional machine-readable reason (an AWS error
// code such as "FileSystemNotFound") and a human message. Result<T> is a T or a non-ok Status.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "base/check.h"

namespace efs {

enum class Code {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kPermissionDenied,
  kResourceExhausted,
  kUnavailable,
  kIOError,
  kCorruption,
  kInternal,
  // File-system paths.
  kNotDir,
  kIsDir,
  kNotEmpty,
  kNameTooLong,
  kStale,
  kNoSpace,
  kReadOnly,
  kNotPermitted,   // EPERM: the caller is not the owner (chmod, chown, sticky directories)
  kTooManyLinks,   // EMLINK: a hard-link count limit
  kFileTooBig,     // EFBIG: beyond the maximum file size
};

// Returns the lowercase name of `code`, e.g. "not found".
const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string reason, std::string message)
      : code_(code), reason_(std::move(reason)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // The machine name of the error, e.g. "FileSystemNotFound"; may be empty.
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }

  // "reason: message", or "code name: message" when there is no reason.
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.reason_ == b.reason_ && a.message_ == b.message_;
  }

 private:
  Code code_ = Code::kOk;
  std::string reason_;
  std::string message_;
};

// Shorthands: Error(Code::kNotFound, "FileSystemNotFound", "file system 'fs-1' does not exist").
inline Status Error(Code code, std::string reason, std::string message) {
  return Status(code, std::move(reason), std::move(message));
}
inline Status InvalidArgument(std::string message) {
  return Status(Code::kInvalidArgument, "BadRequest", std::move(message));
}
inline Status Internal(std::string message) {
  return Status(Code::kInternal, "InternalServerError", std::move(message));
}
inline Status IOError(std::string message) {
  return Status(Code::kIOError, "InternalServerError", std::move(message));
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    EFS_CHECK(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: !ok()
  const Status& status() const { return std::get<Status>(v_); }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace efs

// Logging to stderr, one line per message: "efsd: LEVEL: message". Thread-safe.
// The level is process-wide and set once at startup (efsd --log-level).
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace efs {

enum class LogLevel { kError = 0, kWarn, kInfo, kDebug };

// Parses "error", "warn", "info" or "debug"; returns false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, const std::string& message);

}  // namespace efs

// EFS_LOG(kInfo) << "listening on " << path;
#define EFS_LOG(level)                                  \
  for (bool efs_log_once_ = ::efs::LogEnabled(::efs::LogLevel::level); efs_log_once_; \
       efs_log_once_ = false)                           \
  ::efs::LogMessage(::efs::LogLevel::level).stream()

namespace efs {
class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  ~LogMessage() { LogLine(level_, out_.str()); }
  std::ostringstream& stream() { return out_; }

 private:
  LogLevel level_;
  std::ostringstream out_;
};
}  // namespace efs

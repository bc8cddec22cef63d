// Process-wide log level and the line writer.
#include "base/log.h"

#include <atomic>
#include <cstdio>

#include "base/mutex.h"

namespace efs {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
Mutex g_mu;  // one line at a time on stderr
const char* kNames[] = {"error", "warn", "info", "debug"};
}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  for (int i = 0; i < 4; ++i) {
    if (text == kNames[i]) {
      *level = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

bool LogEnabled(LogLevel level) { return static_cast<int>(level) <= g_level.load(); }

void LogLine(LogLevel level, const std::string& message) {
  MutexLock lock(&g_mu);
  std::fprintf(stderr, "efsd: %s: %s\n", kNames[static_cast<int>(level)], message.c_str());
  std::fflush(stderr);
}

}  // namespace efs

// ReadLiveMetrics: the metrics region, and whether the efsd that writes it is still alive.
#include "cmd/live_metrics.h"

#include <signal.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <iterator>

#include "base/macros.h"
#include "cmd/exit_codes.h"

namespace efs::cli {
namespace {

// False if `pid` is certainly gone: no such process (a process of another user answers EPERM,
// so it is alive), or a zombie that kill(2) still finds until its parent reaps it.
bool Alive(int32_t pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) return false;
  // proc(5): "pid (comm) state ...", and comm may hold spaces and parentheses.
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return true;  // no /proc: kill(2)
  return stat[paren + 2] != 'Z' && stat[paren + 2] != 'X';
}

}  // namespace

Result<metrics::Reading> ReadLiveMetrics(const std::string& socket_path) {
  const std::string path = metrics::RegionPathFor(socket_path);
  EFS_ASSIGN_OR_RETURN(metrics::Reading reading, metrics::ReadRegion(path));
  // A killed efsd cannot remove its region: its counters would look live but stand still.
  if (!Alive(reading.pid)) {
    return Error(Code::kUnavailable, kDaemonUnreachable,
                 "efsd (pid " + std::to_string(reading.pid) + ") is not running; metrics at " +
                     path + " were last updated at " + FormatUnixTime(reading.heartbeat));
  }
  return reading;
}

std::string FormatUnixTime(double unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace efs::cli

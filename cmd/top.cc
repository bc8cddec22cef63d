// efs top: every file system's throughput, requests, credits and size, refreshed like top(1).
// Rates are the difference of two readings of efsd's metrics region over the time between them;
// no request goes to efsd.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/live_metrics.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

using metrics::Snapshot;
using std::chrono::steady_clock;

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;
constexpr char kClearScreen[] = "\x1b[H\x1b[2J";

volatile std::sig_atomic_t g_stop = 0;  // set by SIGINT and SIGTERM while efs top runs
void OnStopSignal(int) { g_stop = 1; }

// For its lifetime, SIGINT and SIGTERM end efs top's loop (it then exits 0) instead of the
// process; the previous handlers come back after.
class StopSignals {
 public:
  StopSignals() {
    g_stop = 0;
    struct sigaction action = {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Sleeps `seconds` in steps short enough to answer a signal at once; false if one came.
  bool Sleep(double seconds) const {
    const steady_clock::time_point until =
        steady_clock::now() +
        std::chrono::duration_cast<steady_clock::duration>(std::chrono::duration<double>(seconds));
    while (g_stop == 0 && steady_clock::now() < until) {
      std::this_thread::sleep_for(std::min<steady_clock::duration>(std::chrono::milliseconds(20),
                                                                   until - steady_clock::now()));
    }
    return g_stop == 0;
  }

 private:
  struct sigaction old_int_ = {}, old_term_ = {};
};

// A counter's change per second; one that went down (efsd restarted) counts from zero.
double Rate(uint64_t before, uint64_t after, double seconds) {
  return static_cast<double>(after >= before ? after - before : after) / seconds;
}

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

// 1023 B, 1.5 KiB, 20.0 GiB: binary units, one decimal.
std::string HumanBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  for (; value >= 1024 && unit + 1 < std::size(kUnits); ++unit) value /= 1024;
  return Fixed(value, 1) + " " + kUnits[unit];
}

std::string Mode(const Snapshot& s) {
  std::string mode = metrics::Name(s.throughput_mode);
  if (s.throughput_mode != metrics::ThroughputMode::kProvisioned) return mode;
  char buf[32];
  std::snprintf(buf, sizeof buf, " %g", s.provisioned_mibps);
  return mode + buf;
}

const std::vector<std::string> kColumns = {
    "FILE SYSTEM",     "MODE",        "READ MiB/s", "WRITE MiB/s", "META ops/s", "METERED MiB/s",
    "PERMITTED MiB/s", "CREDITS GiB", "%IO LIMIT",  "CONNS",       "STORED"};
constexpr size_t kLeftAligned = 2;  // FILE SYSTEM and MODE; the figures align right

// One file system's line; `b` is its previous reading (zeros when it just appeared).
std::vector<std::string> Line(const Snapshot& b, const Snapshot& a, double seconds) {
  const bool bursting = a.throughput_mode == metrics::ThroughputMode::kBursting;
  return {a.file_system_id,
          Mode(a),
          Fixed(Rate(b.data_read_io_bytes, a.data_read_io_bytes, seconds) / kMiB, 1),
          Fixed(Rate(b.data_write_io_bytes, a.data_write_io_bytes, seconds) / kMiB, 1),
          Fixed(Rate(b.metadata_requests, a.metadata_requests, seconds), 1),
          Fixed(Rate(b.metered_io_bytes, a.metered_io_bytes, seconds) / kMiB, 1),
          a.permitted_throughput == 0 ? "-" : Fixed(a.permitted_throughput / kMiB, 1),
          bursting ? Fixed(static_cast<double>(a.burst_credit_balance) / kGiB, 2) : "-",
          Fixed(a.percent_io_limit, 1),
          std::to_string(a.client_connections),
          HumanBytes(a.storage_standard + a.storage_ia + a.storage_archive)};
}

// `lines` with their columns padded to the widest cell, two spaces apart.
std::string Aligned(const std::vector<std::vector<std::string>>& lines) {
  std::vector<size_t> widths(kColumns.size(), 0);
  for (const auto& line : lines) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  std::string out;
  for (const auto& line : lines) {
    for (size_t i = 0; i < line.size(); ++i) {
      const std::string pad(widths[i] - line[i].size(), ' ');
      out += i < kLeftAligned ? line[i] + pad : pad + line[i];
      out += i + 1 < line.size() ? "  " : "\n";
    }
  }
  return out;
}

// One screen: a header line, then a line per file system of `after`.
std::string Frame(const metrics::Reading& before, const metrics::Reading& after, double seconds) {
  std::map<std::string, const Snapshot*> previous;
  for (const Snapshot& s : before.file_systems) previous[s.file_system_id] = &s;
  const Snapshot none;
  std::vector<std::vector<std::string>> lines = {kColumns};
  for (const Snapshot& s : after.file_systems) {
    auto it = previous.find(s.file_system_id);
    lines.push_back(Line(it == previous.end() ? none : *it->second, s, seconds));
  }
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const size_t count = after.file_systems.size();
  return "efs top - " + FormatUnixTime(now) + " - efsd pid " + std::to_string(after.pid) + " - " +
         std::to_string(count) + (count == 1 ? " file system\n" : " file systems\n") +
         Aligned(lines);
}

struct TopCommand final : Command {
  double interval = 1;
  std::optional<int> iterations;

  void Setup(CLI::App& app) override {
    app.add_option("--interval", interval, "seconds between frames, 0.1-3600 (default 1)")
        ->check(CLI::Range(0.1, 3600.0))
        ->type_name("SECONDS");
    AddOptional(app, "--iterations", &iterations,
                "stop after N frames (default: until interrupted)")
        ->check(CLI::PositiveNumber)
        ->type_name("N");
  }

  Status Run(Context& ctx) override {
    const StopSignals stop;
    // A terminal gets one frame at a time in place; anything else every frame in turn, a
    // blank line apart (top -b), for scripts.
    const bool terminal = &ctx.out() == &std::cout && ::isatty(STDOUT_FILENO);
    EFS_ASSIGN_OR_RETURN(metrics::Reading before, ReadLiveMetrics(ctx.socket_path()));
    auto before_at = steady_clock::now();
    for (int frame = 0; !iterations || frame < *iterations; ++frame) {
      if (!stop.Sleep(interval)) break;
      EFS_ASSIGN_OR_RETURN(metrics::Reading after, ReadLiveMetrics(ctx.socket_path()));
      const auto after_at = steady_clock::now();
      const double seconds = std::chrono::duration<double>(after_at - before_at).count();
      if (terminal) {
        ctx.out() << kClearScreen;
      } else if (frame > 0) {
        ctx.out() << "\n";
      }
      ctx.out() << Frame(before, after, seconds) << std::flush;
      before = std::move(after);
      before_at = after_at;
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewTop() { return std::make_unique<TopCommand>(); }

}  // namespace efs::cli

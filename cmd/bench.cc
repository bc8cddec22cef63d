// efs bench: an NFSv4.1 load generator against any NFSv4.1 server (the engine is lib/bench).
#include "bench/bench.h"

#include <unistd.h>

#include <cstdio>

#include "base/heap.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

double Micros(uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1000.0; }

Json ToJson(const bench::Config& config, const bench::Report& report) {
  const bench::LatencyHistogram& l = report.latency;
  return Json{
      {"Workload", std::string(bench::WorkloadName(config.workload))},
      {"Target",
       config.target.host + ":" + std::to_string(config.target.port) + config.target.path},
      {"Clients", config.clients},
      {"Depth", config.depth},
      {"Directory", report.directory},
      {"DurationSeconds", report.seconds},
      {"Operations", report.operations},
      {"OperationsPerSecond", static_cast<double>(report.operations) / report.seconds},
      {"Bytes", report.bytes},
      {"MiBPerSecond", static_cast<double>(report.bytes) / kMiB / report.seconds},
      {"LatencyMicroseconds",
       {{"P50", Micros(l.Percentile(50))},
        {"P90", Micros(l.Percentile(90))},
        {"P99", Micros(l.Percentile(99))},
        {"P999", Micros(l.Percentile(99.9))},
        {"Max", Micros(l.max())}}},
      {"Errors", 0},
  };
}

// The result as people read it: one header line and one line of figures.
std::string Table(const Json& r) {
  const Json& l = r["LatencyMicroseconds"];
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line, "%-13s %7s %5s %8s %11s %11s %9s %9s %9s %9s %9s %9s\n",
                "WORKLOAD", "CLIENTS", "DEPTH", "SECONDS", "OPERATIONS", "OPS/S", "MIB/S", "P50_US",
                "P90_US", "P99_US", "P99.9_US", "MAX_US");
  out += line;
  std::snprintf(line, sizeof line,
                "%-13s %7d %5d %8.2f %11llu %11.0f %9.1f %9.0f %9.0f %9.0f %9.0f %9.0f\n",
                r["Workload"].get<std::string>().c_str(), r["Clients"].get<int>(),
                r["Depth"].get<int>(), r["DurationSeconds"].get<double>(),
                static_cast<unsigned long long>(r["Operations"].get<uint64_t>()),
                r["OperationsPerSecond"].get<double>(), r["MiBPerSecond"].get<double>(),
                l["P50"].get<double>(), l["P90"].get<double>(), l["P99"].get<double>(),
                l["P999"].get<double>(), l["Max"].get<double>());
  out += line;
  return out;
}

void PrintProgress(const bench::Progress& p) {
  std::fprintf(stderr, "efs bench: %5.1fs  %12llu ops  %10.0f ops/s  %9.1f MiB/s\n", p.seconds,
               static_cast<unsigned long long>(p.operations),
               static_cast<double>(p.operations) / p.seconds,
               static_cast<double>(p.bytes) / kMiB / p.seconds);
}

struct BenchCommand final : Command {
  std::string target, workload, duration = "10s", size = "64M";
  bench::Config config;
  bool progress = false;

  void Setup(CLI::App& app) override {
    app.add_option("--target", target, "the server and directory to work in")
        ->required()
        ->type_name("IP:PORT[/PATH]");
    AddEnum(app, "--workload", &workload, bench::WorkloadNames(), "what to run")->required();
    app.add_option("--clients", config.clients, "clients, each its own connection and session")
        ->capture_default_str();
    app.add_option("--depth", config.depth, "calls in flight per client")->capture_default_str();
    app.add_option("--duration", duration, "how long to measure: 500ms, 10s, 1m")
        ->capture_default_str();
    app.add_option("--size", size, "each client's file for the data workloads: 4M, 1G")
        ->capture_default_str();
    app.add_flag("--keep", config.keep, "leave the run's directory on the server");
    app.add_flag("--progress", progress, "report progress on stderr even when not a terminal");
  }

  Status Run(Context& ctx) override {
    Result<bench::Target> parsed_target = bench::ParseTarget(target);
    if (!parsed_target.ok()) return UsageError(parsed_target.status().message());
    Result<std::chrono::milliseconds> parsed_duration = bench::ParseDuration(duration);
    if (!parsed_duration.ok()) return UsageError(parsed_duration.status().message());
    Result<uint64_t> parsed_size = bench::ParseSize(size);
    if (!parsed_size.ok()) return UsageError(parsed_size.status().message());
    config.target = *parsed_target;
    config.workload = *bench::ParseWorkload(workload);
    config.duration = *parsed_duration;
    config.size = *parsed_size;
    Status valid = bench::Validate(config);
    if (!valid.ok()) return UsageError(valid.message());

    KeepLargeBuffersInTheHeap();  // every READ and WRITE moves a buffer of up to 1 MiB
    bench::ProgressFn report_progress;
    if (progress || ::isatty(STDERR_FILENO)) report_progress = PrintProgress;
    Result<bench::Report> report = bench::Run(config, report_progress);
    if (!report.ok()) return report.status();
    const Json result = ToJson(config, *report);
    // A table for people unless --output (or $EFS_OUTPUT) asks for json or text.
    if (ctx.output_chosen() && ctx.output_format() != OutputFormat::kTable) {
      ctx.Print(result);
    } else {
      ctx.out() << Table(result);
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewBench() { return std::make_unique<BenchCommand>(); }

}  // namespace efs::cli

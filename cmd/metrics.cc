// efs metrics: efsd's live per-file-system metrics, the figures EFS publishes to CloudWatch,
// read from the shared-memory region beside efsd's socket; no request goes to efsd.
#include <optional>
#include <string>
#include <vector>

#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/live_metrics.h"
#include "cmd/options.h"
#include "metrics/prometheus.h"

namespace efs::cli {
namespace {

using metrics::Snapshot;

// The CloudWatch metrics of one file system, by their CloudWatch names (EFS-REFERENCE.md s2.7).
Json MetricsJson(const Snapshot& s) {
  const uint64_t stored = s.storage_standard + s.storage_ia + s.storage_archive;
  return Json{
      {"BurstCreditBalance", s.burst_credit_balance},
      // null: no limit (elastic).
      {"PermittedThroughput", s.permitted_throughput == 0 ? Json() : Json(s.permitted_throughput)},
      {"MeteredIOBytes", s.metered_io_bytes},
      {"TotalIOBytes", s.total_io_bytes},
      {"DataReadIOBytes", s.data_read_io_bytes},
      {"DataWriteIOBytes", s.data_write_io_bytes},
      {"MetadataIOBytes", s.metadata_io_bytes},
      {"DataReadRequests", s.data_read_requests},
      {"DataWriteRequests", s.data_write_requests},
      {"MetadataRequests", s.metadata_requests},
      {"ThrottledRequests", s.throttled_requests},
      {"ThrottledSeconds", static_cast<double>(s.throttled_micros) / 1e6},
      {"ClientConnections", s.client_connections},
      {"PercentIOLimit", s.percent_io_limit},
      {"StorageBytes",
       {{"Total", stored},
        {"Standard", s.storage_standard},
        {"IA", s.storage_ia},
        {"Archive", s.storage_archive}}},
  };
}

// One file system as `efs metrics` prints it; `timestamp` is efsd's last heartbeat.
Json FileSystemJson(const Snapshot& s, double timestamp) {
  Json j = {{"FileSystemId", s.file_system_id},
            {"Timestamp", timestamp},
            {"ThroughputMode", metrics::Name(s.throughput_mode)},
            {"PerformanceMode", metrics::Name(s.performance_mode)}};
  if (s.throughput_mode == metrics::ThroughputMode::kProvisioned) {
    j["ProvisionedThroughputInMibps"] = s.provisioned_mibps;
  }
  j["Metrics"] = MetricsJson(s);
  return j;
}

struct MetricsCommand final : Command {
  std::string file_system_id;
  std::optional<std::string> format;

  void Setup(CLI::App& app) override {
    app.add_option("--file-system-id", file_system_id, "only this file system (default: all)")
        ->type_name("ID");
    AddEnum(app, "--format", &format, {"json", "text", "table", "prometheus"},
            "output format, in place of --output; prometheus: for node_exporter's textfile "
            "collector")
        ->type_name("FORMAT");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(metrics::Reading reading, ReadLiveMetrics(ctx.socket_path()));
    std::vector<Snapshot> chosen;
    for (Snapshot& s : reading.file_systems) {
      if (file_system_id.empty() || s.file_system_id == file_system_id) {
        chosen.push_back(std::move(s));
      }
    }
    if (!file_system_id.empty() && chosen.empty()) {
      return Error(Code::kNotFound, "FileSystemNotFound",
                   "efsd has no metrics for file system '" + file_system_id + "'");
    }
    if (format == "prometheus") {
      ctx.out() << metrics::PrometheusText(chosen);
      return Status::Ok();
    }
    Json list = Json::array();
    for (const Snapshot& s : chosen) list.push_back(FileSystemJson(s, reading.heartbeat));
    const Json result = file_system_id.empty() ? Json{{"FileSystems", list}} : list[0];
    if (format.has_value()) {
      ctx.out() << FormatResult(result, ParseOutputFormat(*format).value());
    } else {
      ctx.Print(result);
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewMetrics() { return std::make_unique<MetricsCommand>(); }

}  // namespace efs::cli

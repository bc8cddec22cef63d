// PrometheusText: one table of metric families, each a function from a file system's snapshot
// to its samples. Names follow Prometheus conventions: an efs_ prefix, the unit as a suffix,
// _total on counters.
#include "metrics/prometheus.h"

#include <charconv>
#include <utility>

namespace efs::metrics {
namespace {

using Snapshot = metrics::Snapshot;

// A family's samples for one file system: the labels after file_system_id, and the value.
using Samples = std::vector<std::pair<std::string, std::string>>;

struct Family {
  const char* name;
  const char* type;  // "counter" or "gauge"
  const char* help;
  Samples (*samples)(const Snapshot&);
};

// The shortest text that reads back as `value` (Go's ParseFloat, which Prometheus uses, takes
// integers and decimals alike).
template <class T>
std::string Number(T value) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);
}

std::string Label(const char* name, std::string_view value) {
  return std::string(name) + "=\"" + EscapeLabelValue(value) + "\"";
}

template <class T>
Samples One(T value) {
  return {{"", Number(value)}};
}

const Family kFamilies[] = {
    {"efs_burst_credit_balance_bytes", "gauge",
     "Burst credits the file system holds (bursting mode; below 0 in debt).",
     [](const Snapshot& s) { return One(s.burst_credit_balance); }},
    {"efs_permitted_throughput_bytes_per_second", "gauge",
     "Throughput the file system may use now; no sample when it has no limit.",
     [](const Snapshot& s) {
       return s.permitted_throughput == 0 ? Samples{} : One(s.permitted_throughput);
     }},
    {"efs_metered_io_bytes_total", "counter",
     "Bytes metered against the throughput limit (reads count a third, 4 KiB minimum).",
     [](const Snapshot& s) { return One(s.metered_io_bytes); }},
    {"efs_total_io_bytes_total", "counter",
     "Bytes processed, with 32 KiB data and 4 KiB metadata minimums.",
     [](const Snapshot& s) { return One(s.total_io_bytes); }},
    {"efs_data_read_io_bytes_total", "counter", "Bytes read.",
     [](const Snapshot& s) { return One(s.data_read_io_bytes); }},
    {"efs_data_write_io_bytes_total", "counter", "Bytes written.",
     [](const Snapshot& s) { return One(s.data_write_io_bytes); }},
    {"efs_metadata_io_bytes_total", "counter", "Bytes of metadata requests.",
     [](const Snapshot& s) { return One(s.metadata_io_bytes); }},
    {"efs_requests_total", "counter", "NFS requests by kind.",
     [](const Snapshot& s) {
       return Samples{{Label("kind", "data_read"), Number(s.data_read_requests)},
                      {Label("kind", "data_write"), Number(s.data_write_requests)},
                      {Label("kind", "metadata"), Number(s.metadata_requests)}};
     }},
    {"efs_throttled_requests_total", "counter",
     "Requests the throughput or operations limit delayed.",
     [](const Snapshot& s) { return One(s.throttled_requests); }},
    {"efs_throttled_seconds_total", "counter", "Time the delayed requests waited.",
     [](const Snapshot& s) { return One(static_cast<double>(s.throttled_micros) / 1e6); }},
    {"efs_client_connections", "gauge", "NFS client connections.",
     [](const Snapshot& s) { return One(s.client_connections); }},
    {"efs_percent_io_limit", "gauge",
     "Percent of the General Purpose operations limit in use (0 to 100).",
     [](const Snapshot& s) { return One(s.percent_io_limit); }},
    {"efs_storage_bytes", "gauge", "Metered size by storage class.",
     [](const Snapshot& s) {
       const uint64_t total = s.storage_standard + s.storage_ia + s.storage_archive;
       return Samples{{Label("storage_class", "Total"), Number(total)},
                      {Label("storage_class", "Standard"), Number(s.storage_standard)},
                      {Label("storage_class", "IA"), Number(s.storage_ia)},
                      {Label("storage_class", "Archive"), Number(s.storage_archive)}};
     }},
    {"efs_info", "gauge", "The file system's throughput and performance modes; always 1.",
     [](const Snapshot& s) {
       return Samples{{Label("throughput_mode", metrics::Name(s.throughput_mode)) + "," +
                           Label("performance_mode", metrics::Name(s.performance_mode)),
                       "1"}};
     }},
};

// `text` with backslash and newline escaped, and with `quotes` the double quote too (label
// values escape all three, HELP text only the first two).
std::string Escaped(std::string_view text, bool quotes) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\\' || (quotes && c == '"')) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) { return Escaped(value, true); }

std::string PrometheusText(const std::vector<Snapshot>& file_systems) {
  std::string out;
  for (const Family& family : kFamilies) {
    out += std::string("# HELP ") + family.name + " " + Escaped(family.help, false) + "\n";
    out += std::string("# TYPE ") + family.name + " " + family.type + "\n";
    for (const Snapshot& s : file_systems) {
      const std::string id = Label("file_system_id", s.file_system_id);
      for (const auto& [labels, value] : family.samples(s)) {
        out += std::string(family.name) + "{" + id + (labels.empty() ? "" : ",") + labels + "} " +
               value + "\n";
      }
    }
  }
  return out;
}

}  // namespace efs::metrics

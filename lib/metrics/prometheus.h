// The Prometheus text exposition format (version 0.0.4) of efsd's live metrics: what efs
// metrics --format prometheus writes for node_exporter's textfile collector, and what efsd's
// HTTP endpoint serves at /metrics for a Prometheus server to scrape.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/counters.h"

namespace efs::metrics {

// Every metric family once, in a fixed order, each with its # HELP and # TYPE lines and then one
// sample per file system (several for the labelled families), every sample labelled
// file_system_id. No timestamps: the textfile collector refuses them.
std::string PrometheusText(const std::vector<Snapshot>& file_systems);

// `value` escaped for a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace efs::metrics

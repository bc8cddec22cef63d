// The Prometheus text exposition format (version 0.0.4) of efsd's live metrics, for
// node_exporter's textfile collector.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/counters.h"

namespace efs::cli {

// Every metric family once, in a fixed order, each with its # HELP and # TYPE lines and then one
// sample per file system (several for the labelled families), every sample labelled
// file_system_id. No timestamps: the textfile collector refuses them.
std::string PrometheusText(const std::vector<metrics::Snapshot>& file_systems);

// `value` escaped for a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace efs::cli

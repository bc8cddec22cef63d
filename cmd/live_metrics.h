// Reading efsd's live metrics region for efs metrics and efs top: straight from the shared
// memory beside efsd's socket (lib/metrics), with no request to efsd.
#pragma once

#include <string>

#include "base/status.h"
#include "metrics/counters.h"

namespace efs::cli {

// Reads the region of the efsd at `socket_path` (metrics::RegionPathFor). Fails with reason
// DaemonUnreachable (exit 3) when there is no region or the efsd that wrote it is gone, the
// message then saying when it last updated the region; with kCorruption (exit 1) when the file
// is not a region of this version.
Result<metrics::Reading> ReadLiveMetrics(const std::string& socket_path);

// `unix_seconds` as UTC ISO 8601, e.g. "2026-01-01T00:00:00Z".
std::string FormatUnixTime(double unix_seconds);

}  // namespace efs::cli

// The daemon's small state files (the test clock's offset, burst credit balances).
#pragma once

#include <string>

#include "base/status.h"

namespace efs::daemon {

// Replaces the text file `path` with `contents`: written to path.new, then renamed over it, so
// a crash leaves the old file or the new one, never part of either.
Status ReplaceFile(const std::string& path, const std::string& contents);

}  // namespace efs::daemon

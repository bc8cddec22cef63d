// The daemon's small state files (the test clock's offset, burst credit balances), and the
// modes of everything in the state directory.
#pragma once

#include <string>

#include "base/status.h"

namespace efs::daemon {

// Replaces the text file `path` with `contents`: written to path.new, then renamed over it, so
// a crash leaves the old file or the new one, never part of either.
Status ReplaceFile(const std::string& path, const std::string& contents);

// efsd's state is private to its user: it runs with umask 077, so what it creates is 0600
// (files) and 0700 (directories). MakePrivate walks `dir` once to bring what an older efsd
// left looser to those modes: directories (`dir` itself included) become 0700, regular files
// lose their group and other bits. Symlinks are not followed; sockets and other special files
// are left alone. Returns how many modes it changed.
Result<int> MakePrivate(const std::string& dir);

}  // namespace efs::daemon

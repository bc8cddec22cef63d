// MemFs: an in-memory fs::FileSystem with the full POSIX semantics of PosixFs, for the NFS
// layer's unit tests. Contents are sparse (4 KiB blocks, space_used counts allocated blocks).
// Thread-safe. Nothing survives destruction.
#pragma once

#include <memory>

#include "base/clock.h"
#include "fs/filesystem.h"

namespace efs::fs {

// A new, empty file system (root:root 0755). `clock` (optional, not owned, must outlive the
// result) supplies timestamps; by default the system clock.
std::unique_ptr<FileSystem> NewMemFs(const Clock* clock = nullptr);

}  // namespace efs::fs

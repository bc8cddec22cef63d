// StoreFs: the durable fs::FileSystem of one file system, fs::PosixFs over namespace.db
// (NamespaceStore) and data files (DataStore) under STATE_DIR/fs/<fs-id>/.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "fs/filesystem.h"

namespace efs::store {

// Opens the file system stored in `fs_dir` (created if missing, with a root directory
// root:root 0755): `fs_dir`/namespace.db and `fs_dir`/data/. Collects inodes a crash left
// unlinked. Each open has a new write verifier. One process at a time: the namespace is held
// exclusively until the result is destroyed. `clock` (null: the system clock; otherwise not
// owned) supplies timestamps.
Result<std::unique_ptr<fs::FileSystem>> OpenStoreFs(const std::string& fs_dir,
                                                    const Clock* clock = nullptr);

}  // namespace efs::store

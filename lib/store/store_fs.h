// StoreFs: the durable fs::FileSystem of one file system, fs::PosixFs over namespace.db
// (NamespaceStore) and its tiers of data (TieredData) under STATE_DIR/fs/<fs-id>/, IA and
// Archive possibly elsewhere.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "fs/filesystem.h"
#include "store/db.h"
#include "store/tiered_data.h"

namespace efs::store {

// Opens the file system stored in `fs_dir` (created if missing, with a root directory
// root:root 0755): `fs_dir`/namespace.db and the tiers in `tiers`, where an empty field means
// `fs_dir`/data (Standard), `fs_dir`/ia and `fs_dir`/archive. Collects inodes a crash left
// unlinked and copies it left in the middle of moves. Each open has a new write verifier. One
// process at a time: the namespace is held exclusively until the result is destroyed. `clock`
// (null: the system clock; otherwise not owned) supplies timestamps. With `metadata` (a
// PostgreSQL schema, store/pg_db.h), the namespace lives there instead of in namespace.db.
Result<std::unique_ptr<fs::FileSystem>> OpenStoreFs(const std::string& fs_dir,
                                                    const Clock* clock = nullptr,
                                                    TierDirs tiers = {},
                                                    std::unique_ptr<Db> metadata = nullptr);

}  // namespace efs::store

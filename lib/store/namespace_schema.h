// The namespace format: STATE_DIR/fs/<fs-id>/namespace.db, one file system's inodes and
// directory entries (the file contents live beside it in data/, see data_store.h).
//
// ** The file **
// One SQLite database in WAL mode, synchronous=NORMAL, foreign_keys=ON, opened by exactly one
// efsd (locking_mode=EXCLUSIVE). PRAGMA application_id is kNamespaceApplicationId ("EFSN"), so
// a catalog or foreign file is refused; PRAGMA user_version is the schema version below.
//
// ** Tables **
//   meta       key/value facts about the namespace. The row 'flush' is no longer used (WAL
//              syncs replaced its empty durable updates); it stays so the format is unchanged.
//   inodes     one row per inode. ino is AUTOINCREMENT, so inode numbers are never reused;
//              the root directory is ino 1. generation is a random 64-bit value fixed at
//              creation (a file handle carries it; a mismatch is a stale handle). type is
//              nfs_ftype4 (1 regular, 2 directory, 5 symlink, 6 socket, 7 fifo). mode holds 12
//              bits. Times are (seconds, nanoseconds) pairs: atime, mtime, ctime and btime
//              (birth). change is the NFSv4 change attribute, +1 on every change. parent is the
//              containing directory of a directory (the root: itself; 0 for other types).
//              next_cookie is a directory's next ReadDir cookie (starts at 3, only grows).
//              create_verifier is the EXCLUSIVE4_1 verifier of a file created exclusively.
//              last_access (epoch seconds) is the last data read or write, for lifecycle
//              policies; it is not atime, and reads update it at most once a minute.
//              storage_class is the tier holding a regular file's data (STANDARD, IA or
//              ARCHIVE); data_space is the storage that data took in Standard when last
//              measured (a cold file's space_used and the base of its metering).
//              entry_bytes (directories) is the sum of name bytes + 24 over the entries;
//              metered is what the inode adds to the file system's metered size (the rules
//              are in lib/fs/backend.h), as of its last change.
//   dirents    (dir, name) -> ino, with the entry's cookie; (dir, cookie) is unique. Names are
//              stored as given (bytes, BINARY collation).
//   symlinks   the target of each symlink inode.
//   strays     (ino, storage_class): a copy of the inode's data that may exist in that class
//              but is in use only while the inode's storage_class is that class: the
//              destination of a move in progress, or the source of one that finished and is
//              yet to be deleted. A crash leaves the rows; the next open deletes the copies not
//              in use.
//
// ** Invariants **
// - A directory's nlink is 2 + its subdirectories; a non-directory's nlink is its entries.
// - An inode with nlink 0 is a regular file (or fifo, socket, symlink) that was unlinked while
//   open; efsd deletes it at the last close, and any such row found when the namespace opens
//   is a leftover from a crash and is deleted with its data file.
// - Every acknowledged metadata change is one committed transaction. Commits do not sync the
//   WAL; an acknowledged change is made durable before its reply by an fdatasync of the WAL
//   that covers every commit before it (group commit, store/group_sync.h). Size and times after
//   an UNSTABLE write are not synced: a crash may lose them, never the database's consistency;
//   COMMIT makes them durable.
// - The file system's metered size is SUM(metered); a transaction that changes an inode's
//   data or entries updates its metered in the same transaction.
// - size is authoritative: bytes the data file lacks read as zeros, bytes it holds past size
//   are cut off when the file is first opened for writing.
//
// ** Migrations **
// As for the catalog (schema.h): kNamespaceMigrations[v] takes user_version v to v + 1, each
// step in its own transaction; a newer file is refused; released steps are never edited.
#pragma once

#include <iterator>

#include "base/status.h"

namespace efs::store {

class Db;

// 'E' 'F' 'S' 'N'.
inline constexpr int kNamespaceApplicationId = 0x4546534E;

// Version 0 -> 1: the initial namespace.
inline constexpr const char kNamespaceV1[] = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('flush', '0');

CREATE TABLE inodes (
  ino             INTEGER PRIMARY KEY AUTOINCREMENT,
  generation      INTEGER NOT NULL,
  type            INTEGER NOT NULL CHECK (type IN (1, 2, 5, 6, 7)),
  mode            INTEGER NOT NULL CHECK (mode BETWEEN 0 AND 4095),
  nlink           INTEGER NOT NULL CHECK (nlink >= 0),
  uid             INTEGER NOT NULL,
  gid             INTEGER NOT NULL,
  size            INTEGER NOT NULL DEFAULT 0,
  rdev            INTEGER NOT NULL DEFAULT 0,
  atime_sec       INTEGER NOT NULL,
  atime_nsec      INTEGER NOT NULL,
  mtime_sec       INTEGER NOT NULL,
  mtime_nsec      INTEGER NOT NULL,
  ctime_sec       INTEGER NOT NULL,
  ctime_nsec      INTEGER NOT NULL,
  btime_sec       INTEGER NOT NULL,
  btime_nsec      INTEGER NOT NULL,
  change          INTEGER NOT NULL,
  parent          INTEGER NOT NULL DEFAULT 0,
  next_cookie     INTEGER NOT NULL DEFAULT 3,
  create_verifier INTEGER,
  last_access     INTEGER NOT NULL,
  storage_class   TEXT NOT NULL DEFAULT 'STANDARD'
      CHECK (storage_class IN ('STANDARD', 'IA', 'ARCHIVE'))
);
CREATE INDEX inodes_unlinked ON inodes(ino) WHERE nlink = 0;

CREATE TABLE dirents (
  dir    INTEGER NOT NULL REFERENCES inodes(ino),
  name   TEXT NOT NULL,
  cookie INTEGER NOT NULL,
  ino    INTEGER NOT NULL REFERENCES inodes(ino),
  PRIMARY KEY (dir, name)
) WITHOUT ROWID;
CREATE UNIQUE INDEX dirents_by_cookie ON dirents(dir, cookie);
CREATE INDEX dirents_by_ino ON dirents(ino);

CREATE TABLE symlinks (
  ino    INTEGER PRIMARY KEY REFERENCES inodes(ino) ON DELETE CASCADE,
  target TEXT NOT NULL
);
)sql";

// Version 1 -> 2: metering. entry_bytes is a directory's sum of (name bytes + 24) over its
// entries; metered is what the inode adds to the file system's metered size (the rules are in
// lib/fs/backend.h). Rows from version 1 are metered here; a sparse regular file counts its
// whole size until its next write.
inline constexpr const char kNamespaceV2[] = R"sql(
ALTER TABLE inodes ADD COLUMN entry_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inodes ADD COLUMN metered INTEGER NOT NULL DEFAULT 0;
UPDATE inodes SET entry_bytes = (
  SELECT COALESCE(SUM(LENGTH(CAST(name AS BLOB)) + 24), 0) FROM dirents WHERE dir = inodes.ino)
  WHERE type = 2;
UPDATE inodes SET metered = 2048 + CASE type
  WHEN 1 THEN (size + 4095) / 4096 * 4096
  WHEN 2 THEN MAX(4096, (entry_bytes + 4095) / 4096 * 4096)
  ELSE 4096 END;
)sql";

// Version 2 -> 3: storage classes. data_space is the storage a regular file's data took in
// Standard when last measured (what a file in IA or Archive reports as space_used and is
// metered at); inodes_by_last_access finds the files a lifecycle pass moves; strays lists
// copies of a file's data in a class that may exist but are in use only while the inode's
// storage_class is that class (see fs::MetadataBackend::Strays).
inline constexpr const char kNamespaceV3[] = R"sql(
ALTER TABLE inodes ADD COLUMN data_space INTEGER NOT NULL DEFAULT 0;
UPDATE inodes SET data_space = metered - 2048 WHERE type = 1;
CREATE INDEX inodes_by_last_access ON inodes(storage_class, last_access)
    WHERE type = 1 AND nlink > 0;
CREATE TABLE strays (
  ino           INTEGER NOT NULL,
  storage_class TEXT NOT NULL CHECK (storage_class IN ('STANDARD', 'IA', 'ARCHIVE')),
  PRIMARY KEY (ino, storage_class)
) WITHOUT ROWID;
)sql";

inline constexpr const char* kNamespaceMigrations[] = {
    kNamespaceV1,
    kNamespaceV2,
    kNamespaceV3,
};
inline constexpr int kNamespaceSchemaVersion = static_cast<int>(std::size(kNamespaceMigrations));

// Brings `db` to `target_version` as MigrateSchema does for the catalog. kCorruption for a file
// with another application id, kFailedPrecondition for a newer version.
Status MigrateNamespace(Db& db, int target_version = kNamespaceSchemaVersion);

}  // namespace efs::store

// The storage seam under PosixFs (posix_fs.h): a transactional table of inodes and directory
// entries (MetadataBackend) and a byte store of file contents (DataBackend). PosixFs holds all
// POSIX semantics; a backend only stores what it is told. MemFs (mem_fs.h) backs it with maps,
// lib/store with namespace.db and data files.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "fs/filesystem.h"
#include "fs/lifecycle.h"

namespace efs::fs {

// One inode as stored. attrs.space_used is not stored (DataBackend::SpaceUsed answers it).
struct InodeRecord {
  Attributes attrs;
  uint64_t parent = 0;               // directories: the containing directory (the root: itself)
  uint64_t next_cookie = 3;          // directories: the ReadDir cookie of the next entry
  std::optional<uint64_t> verifier;  // exclusive-create verifier (regular files)
  Time last_access;                  // last data read or write (for lifecycle), not atime
  uint64_t entry_bytes = 0;          // directories: sum of EntryBytes() over their entries
  uint64_t metered = 0;              // what this inode adds to the metered size, as stored
  // Regular files: the class holding the data, and the storage the data took in Standard when
  // last measured (a cold file's space_used, and what its metering counts).
  StorageClass storage_class = StorageClass::kStandard;
  uint64_t data_space = 0;
  uint64_t ino() const { return attrs.id.ino; }
};

// Metering (EFS-REFERENCE.md s2.3, s2.4): every inode counts kMeteredInodeBytes of metadata, in
// Standard, plus its data in 4 KiB steps in the class holding it: a regular file its bytes (its
// size, or what it occupies when sparse), at least kMeteredColdMinimum in IA and Archive; a
// directory its entries (at least 4 KiB), a symlink, fifo or socket 4 KiB. A new file system
// (the root alone) is 6 KiB, as on EFS.
inline constexpr uint64_t kMeteredInodeBytes = 2048;
inline constexpr uint64_t kMeteredBlock = 4096;
inline constexpr uint64_t kMeteredColdMinimum = 128 * 1024;
// What one directory entry costs its directory.
inline uint64_t EntryBytes(std::string_view name) { return name.size() + kDirEntryOverhead; }
// The metered size of an inode of `type` whose data is `data_bytes` (regular files: the bytes
// they hold; directories: their entry_bytes; ignored for other types), in class `where`.
uint64_t MeteredBytes(FileType type, uint64_t data_bytes,
                      StorageClass where = StorageClass::kStandard);
// What an inode stored as `rec` (its `metered` and class) adds to each class.
StorageSizes MeteredShare(const InodeRecord& rec);

// A file a lifecycle pass may move, and the position of a page of them.
struct IdleFile {
  int64_t last_access = INT64_MIN;
  uint64_t ino = 0;
};

struct EntryRecord {
  std::string name;
  uint64_t cookie = 0;
  uint64_t ino = 0;
};

// Changes and batches: every mutation happens in a change, between Begin and Commit (or
// Rollback); changes do not nest. A committed change joins the open batch: it is visible at
// once, and it reaches the log atomically with the rest of its batch when Flush commits the
// batch; Sync then makes every flushed batch durable. So one Flush and one Sync can carry the
// changes of many clients (group commit, fs/group_commit.h). A crash loses every unflushed or
// unsynced batch whole, never part of one.
//
// Thread safety: none, except Sync; PosixFs serializes every other call under its mutex.
class MetadataBackend {
 public:
  virtual ~MetadataBackend() = default;

  // Starts a change (opening a batch if none is open).
  virtual Status Begin() = 0;
  // Ends the change: it joins the open batch.
  virtual Status Commit() = 0;
  // Undoes the change alone. Fails (kIOError) if the store had to undo the whole open batch,
  // committed changes and all (a write error of the store's own); the batch counts as lost.
  virtual Status Rollback() = 0;
  // Commits the open batch, if any, to the log, without waiting for stable storage. On
  // failure the whole batch is undone (and lost, as for Rollback).
  virtual Status Flush() = 0;
  // Makes every flushed batch durable. Unlike every other call, thread-safe: PosixFs calls it
  // without its mutex, so that other clients' calls go on (and fill the next batch) meanwhile.
  // Never runs twice at once (GroupCommit).
  virtual Status Sync() = 0;
  // After a failed Sync: makes every flushed batch durable without trusting what that sync
  // left behind (the kernel may have dropped the pages it could not write, so a later Sync that
  // succeeds could pass over them): writes the whole state again, syncs it and checks it. Ok
  // only if all of that did. Called under PosixFs's mutex, with no batch open; rare.
  virtual Status Recover() = 0;

  virtual Result<std::optional<InodeRecord>> LoadInode(uint64_t ino) = 0;
  // Stores a new inode and returns its number (never reused; the first is 1).
  virtual Result<uint64_t> InsertInode(const InodeRecord& rec) = 0;
  virtual Status UpdateInode(const InodeRecord& rec) = 0;
  // Deletes the inode with its symlink target. REQUIRES: no entry refers to it.
  virtual Status DeleteInode(uint64_t ino) = 0;

  virtual Result<std::optional<EntryRecord>> LookupEntry(uint64_t dir, std::string_view name) = 0;
  virtual Status InsertEntry(uint64_t dir, const EntryRecord& entry) = 0;
  virtual Status DeleteEntry(uint64_t dir, std::string_view name) = 0;
  virtual Result<bool> HasEntries(uint64_t dir) = 0;
  // Up to `limit` entries of `dir` with a cookie above `after`, in cookie order.
  virtual Result<std::vector<EntryRecord>> ListEntries(uint64_t dir, uint64_t after,
                                                       uint32_t limit) = 0;

  virtual Result<std::string> LoadSymlink(uint64_t ino) = 0;
  virtual Status StoreSymlink(uint64_t ino, std::string_view target) = 0;

  // Inodes with nlink 0 (unlinked while pinned, or left by a crash).
  virtual Result<std::vector<uint64_t>> UnlinkedInodes() = 0;
  virtual Result<uint64_t> CountInodes() = 0;
  // The sum of every inode's MeteredShare: the file system's metered sizes.
  virtual Result<StorageSizes> SumMetered() = 0;

  // Lifecycle. Up to `limit` linked regular files in class `where` whose last_access is before
  // `accessed_before` (epoch seconds), after `after` in (last_access, ino) order: the longest
  // idle first, and each page found through an index, however many files there are.
  virtual Result<std::vector<IdleFile>> IdleFiles(StorageClass where, int64_t accessed_before,
                                                  IdleFile after, uint32_t limit) = 0;
  // Strays: copies of an inode's data in a class that may exist but are in use only while the
  // inode's class is that class (a move in progress, or the source of one that finished).
  // PosixFs drops the copies not in use and forgets the rows; a crash leaves the rows.
  virtual Status AddStray(uint64_t ino, StorageClass where) = 0;
  virtual Status DeleteStray(uint64_t ino, StorageClass where) = 0;
  virtual Result<std::vector<std::pair<uint64_t, StorageClass>>> Strays() = 0;

  // The consistency check (PosixFs::Check) reads everything once, in any order: every inode,
  // and every directory entry with the directory holding it. Stops at the first error `fn`
  // returns. A backend without them cannot be checked (kFailedPrecondition).
  using InodeVisitor = std::function<Status(const InodeRecord&)>;
  using EntryVisitor = std::function<Status(uint64_t dir, const EntryRecord&)>;
  virtual Status ScanInodes(const InodeVisitor& fn);
  virtual Status ScanEntries(const EntryVisitor& fn);
};

// One copy of a file's data as a tier stores it (DataBackend::ScanData).
struct DataCopy {
  uint64_t ino = 0;
  StorageClass where = StorageClass::kStandard;
  uint64_t length = 0;  // Standard: the data file's length (cold objects: 0)
  uint64_t space = 0;   // bytes of storage it occupies
};

// File contents by inode number and storage class: each class is a tier of its own. Writes,
// truncation and syncs concern the Standard copy (PosixFs brings a cold file back before it
// changes); reads serve any class. Thread-safe: PosixFs calls it without holding its mutex.
class DataBackend {
 public:
  virtual ~DataBackend() = default;
  // `count` bytes at `offset` of the copy in `where`; holes and bytes the store never got read
  // as zeros. REQUIRES: offset + count <= the file's size.
  virtual Result<std::string> Read(uint64_t ino, StorageClass where, uint64_t offset,
                                   uint32_t count) = 0;
  // Copies the first `size` bytes of `ino` from class `from` into class `to`, replacing any
  // copy `to` held, and returns once the new copy is on stable storage. The copy in `from` is
  // left as it is. Holes stay holes.
  virtual Status Copy(uint64_t ino, uint64_t size, StorageClass from, StorageClass to) = 0;
  // Forgets the copy of `ino` in `where`; a missing one is fine.
  virtual Status Drop(uint64_t ino, StorageClass where) = 0;
  // Called (under PosixFs's lock) with the size the namespace records before every Write, size
  // change and open (Pin) of a Standard file. The first call for `ino` in a process drops
  // bytes the store holds past `size` (left by a crash that lost their size update), so that
  // they cannot reappear inside a later hole or a file grown by SETATTR.
  virtual Status PrepareWrite(uint64_t ino, uint64_t size) = 0;
  // Writes `data` at `offset`; with `sync`, returns once it is on stable storage.
  // kFileTooBig if the store cannot hold an offset.
  virtual Status Write(uint64_t ino, uint64_t offset, std::string_view data, bool sync) = 0;
  // Makes earlier writes to `ino` durable.
  virtual Status Sync(uint64_t ino) = 0;
  // Drops bytes at and past `size` (extension needs no call: missing bytes read as zeros).
  virtual Status Truncate(uint64_t ino, uint64_t size) = 0;
  // Forgets `ino`'s contents in every class; a missing file is fine.
  virtual Status Remove(uint64_t ino) = 0;
  // Bytes of storage allocated to `ino` in Standard (0 when it holds nothing).
  virtual Result<uint64_t> SpaceUsed(uint64_t ino) = 0;
  // Byte fields of FsStat.
  virtual Result<FsStat> StatFs() = 0;
  // Calls `fn` for every copy of data every tier holds (the consistency check); stops at the
  // first error `fn` returns. kFailedPrecondition for a backend that cannot list its copies.
  virtual Status ScanData(const std::function<Status(const DataCopy&)>& fn);
};

}  // namespace efs::fs

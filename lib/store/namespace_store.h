// NamespaceStore: fs::MetadataBackend over one file system's namespace.db (format in
// namespace_schema.h). Row mapping only; the POSIX rules are fs::PosixFs's.
//
// A batch (backend.h) is one SQLite transaction and each change a savepoint in it, so a batch of
// many clients' changes writes each page it touched once. Flush commits without syncing the
// WAL (synchronous=NORMAL); Sync makes the flushed batches durable with one fdatasync of the WAL.
// Inode rows are cached in memory (write-through, at most kMaxCachedInodes), so that GETATTR,
// LOOKUP and READDIR of recently used files read no SQLite page.
//
// Thread safety: none, except Sync (PosixFs serializes the other calls under its mutex).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fs/backend.h"
#include "store/db.h"

namespace efs::store {

class NamespaceStore final : public fs::MetadataBackend {
 public:
  // Opens (creating and migrating) the namespace database at `path`, held exclusively.
  static Result<std::unique_ptr<NamespaceStore>> Open(const std::string& path);
  // The same on a database of any engine (a PostgreSQL schema, store/pg_db.h).
  static Result<std::unique_ptr<NamespaceStore>> Open(std::unique_ptr<Db> db);
  static constexpr size_t kMaxCachedInodes = 32768;

  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;
  Status Flush() override;
  Status Sync() override;
  Status Recover() override;

  Result<std::optional<fs::InodeRecord>> LoadInode(uint64_t ino) override;
  Result<uint64_t> InsertInode(const fs::InodeRecord& rec) override;
  Status UpdateInode(const fs::InodeRecord& rec) override;
  Status DeleteInode(uint64_t ino) override;

  Result<std::optional<fs::EntryRecord>> LookupEntry(uint64_t dir, std::string_view name) override;
  Status InsertEntry(uint64_t dir, const fs::EntryRecord& entry) override;
  Status DeleteEntry(uint64_t dir, std::string_view name) override;
  Result<bool> HasEntries(uint64_t dir) override;
  Result<std::vector<fs::EntryRecord>> ListEntries(uint64_t dir, uint64_t after,
                                                   uint32_t limit) override;

  Result<std::string> LoadSymlink(uint64_t ino) override;
  Status StoreSymlink(uint64_t ino, std::string_view target) override;
  Result<std::vector<uint64_t>> UnlinkedInodes() override;
  Result<uint64_t> CountInodes() override;
  Result<fs::StorageSizes> SumMetered() override;
  Result<std::vector<fs::IdleFile>> IdleFiles(fs::StorageClass where, int64_t accessed_before,
                                              fs::IdleFile after, uint32_t limit) override;
  Status AddStray(uint64_t ino, fs::StorageClass where) override;
  Status DeleteStray(uint64_t ino, fs::StorageClass where) override;
  Result<std::vector<std::pair<uint64_t, fs::StorageClass>>> Strays() override;
  Status ScanInodes(const InodeVisitor& fn) override;
  Status ScanEntries(const EntryVisitor& fn) override;

 private:
  explicit NamespaceStore(std::unique_ptr<Db> db);
  // Keeps `rec` in the cache, noting it as changed by the open change.
  void Cache(const fs::InodeRecord& rec);
  // Forgets the cached rows of `inos`, and the listings of those that are directories (their
  // changes were undone).
  void Uncache(std::vector<uint64_t>* inos);
  // The open batch was undone: forget what it changed.
  Status BatchLost(const Status& why);
  // The entries of `dir` change: forgets its listing, and notes it as changed by the open change
  // (an undo forgets what was listed since).
  void Changed(uint64_t dir);
  // Forgets the cached listing of `dir`, or every listing.
  void Unlist(uint64_t dir);
  void UnlistAll();

  std::unique_ptr<Db> db_;
  std::optional<Txn> batch_;  // the open batch
  bool in_change_ = false;
  std::unordered_map<uint64_t, fs::InodeRecord> inodes_;  // cached rows
  // Inodes the open change wrote (rows, or a directory's entries), and those the open batch's
  // committed changes wrote: what an undo must forget.
  std::vector<uint64_t> change_inodes_;
  std::vector<uint64_t> batch_inodes_;

  // Whole listings, sorted by cookie, of directories of at most kMaxListing entries: READDIR
  // of a directory that does not change is served without a query. Filled by a listing from
  // the start; a change to a directory's entries drops its listing.
  static constexpr size_t kMaxListing = 4096;
  static constexpr size_t kMaxListedEntries = 65536;  // over all listings
  std::unordered_map<uint64_t, std::vector<fs::EntryRecord>> listings_;
  size_t listed_entries_ = 0;
  std::unordered_set<uint64_t> unlistable_;  // directories found over kMaxListing
};

}  // namespace efs::store

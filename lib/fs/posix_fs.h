// PosixFs: the one implementation of fs::FileSystem's POSIX semantics (permissions, link
// counts, timestamps, rename rules, unlink-while-open, stale handles) over a MetadataBackend
// and a DataBackend (backend.h). MemFs and lib/store's StoreFs are PosixFs over their backends.
//
// Concurrency: one mutex serializes metadata; data reads and writes run outside it (a Write
// checks permissions under the lock, moves bytes without it, then records size and times).
// Durability: a metadata change commits kDurable: its call returns once the commit is on
// stable storage, waiting for that without the mutex, so that concurrent changes share one sync
// of the metadata log (group commit). Unstable writes commit kLazy and are made durable by
// Commit (data first, then metadata).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <unordered_map>

#include "base/clock.h"
#include "base/mutex.h"
#include "fs/backend.h"
#include "fs/filesystem.h"
#include "fs/group_commit.h"

namespace efs::fs {

inline constexpr uint64_t kRootIno = 1;

class PosixFs final : public FileSystem {
 public:
  // Opens a file system over the backends: creates the root directory (root:root 0755) when
  // the backend holds none, and collects unlinked inodes a previous run left. `clock` (may be
  // null: the system clock; otherwise not owned, must outlive the result) supplies timestamps.
  static Result<std::unique_ptr<FileSystem>> Open(std::unique_ptr<MetadataBackend> meta,
                                                  std::unique_ptr<DataBackend> data,
                                                  const Clock* clock = nullptr);

  // Flushes and syncs the open batch: a clean close keeps even the changes that needed no sync.
  ~PosixFs() override;

  FileId Root() const override { return root_; }
  Result<Attributes> GetAttr(FileId id) override;
  Result<Attributes> SetAttr(const Credentials& cred, FileId id, const SetAttrs& attrs) override;
  Result<Attributes> Lookup(const Credentials& cred, FileId dir, std::string_view name) override;
  Result<Attributes> LookupParent(const Credentials& cred, FileId dir) override;
  Result<uint32_t> Access(const Credentials& cred, FileId id, uint32_t want) override;
  Result<CreateResult> Create(const Credentials& cred, FileId dir, std::string_view name,
                              const CreateArgs& args) override;
  Result<DirChange> Remove(const Credentials& cred, FileId dir, std::string_view name) override;
  Result<RenameResult> Rename(const Credentials& cred, FileId src_dir, std::string_view src_name,
                              FileId dst_dir, std::string_view dst_name) override;
  Result<DirChange> Link(const Credentials& cred, FileId file, FileId dir,
                         std::string_view name) override;
  Result<std::string> ReadLink(FileId id) override;
  Result<DirPage> ReadDir(const Credentials& cred, FileId dir, const ReadDirArgs& args) override;
  Result<ReadResult> Read(const Credentials& cred, FileId id, uint64_t offset,
                          uint32_t count) override;
  Result<WriteResult> Write(const Credentials& cred, FileId id, uint64_t offset,
                            std::string_view data, Stability stability) override;
  Status Commit(FileId id) override;
  Status Pin(FileId id) override;
  Status Unpin(FileId id) override;
  Result<FsStat> StatFs() override;
  uint64_t MeteredSize() override;
  uint64_t WriteVerifier() const override { return verifier_; }

 private:
  enum class Durability {
    kDurable,  // the call returns once the transaction is on stable storage
    kLazy,     // may be lost in a crash (atomically) until a later sync
  };
  static constexpr size_t kMaxCachedSpace = 65536;
  PosixFs(std::unique_ptr<MetadataBackend> meta, std::unique_ptr<DataBackend> data,
          const Clock* clock);
  Status Init();

  Time Now() const;
  uint64_t NewGeneration() REQUIRES(mu_);
  bool Pinned(uint64_t ino) const REQUIRES(mu_);
  // The inode `id` names, or kStale.
  Result<InodeRecord> Get(FileId id) REQUIRES(mu_);
  Result<InodeRecord> GetDir(FileId id) REQUIRES(mu_);
  Result<InodeRecord> Load(uint64_t ino) REQUIRES(mu_);
  // `rec` as Attributes, with space_used filled in.
  Result<Attributes> Finish(const InodeRecord& rec) REQUIRES(mu_);
  // The entry `name` of `dir` (kNotFound when absent).
  Result<EntryRecord> Entry(const InodeRecord& dir, std::string_view name) REQUIRES(mu_);
  Result<std::optional<InodeRecord>> Child(const InodeRecord& dir, std::string_view name)
      REQUIRES(mu_);
  Result<CreateResult> CreateLocked(const Credentials& cred, FileId dir_id, std::string_view name,
                                    const CreateArgs& args) REQUIRES(mu_);
  Result<InodeRecord> NewInode(const Credentials& cred, const InodeRecord& dir,
                               const CreateArgs& args) REQUIRES(mu_);
  // Rename's checks; fills *target when the destination name exists.
  Status CheckRename(const Credentials& cred, const InodeRecord& sdir, const InodeRecord& src,
                     const InodeRecord& ddir, const std::optional<InodeRecord>& target)
      REQUIRES(mu_);
  // Takes one link from `victim` (in the current transaction). Returns true iff the inode must
  // be dropped after commit (DropInode).
  Result<bool> Unlink(InodeRecord* victim, InodeRecord* dir, Time now) REQUIRES(mu_);
  // Removes an unlinked, unpinned inode's data and row (after the unlink is durable).
  Status DropInode(uint64_t ino) REQUIRES(mu_);
  // Runs `body` in a transaction; the metered size moves by what the body recorded.
  template <class F>
  Status InTxn(Durability durability, F body) REQUIRES(mu_);
  // Runs `body` (REQUIRES(mu_)) under mu_, then, if it succeeded and made a kDurable change,
  // waits until that change's batch is on stable storage (GroupCommit; mu_ is let go during
  // the sync), or leaves the wait to the thread's DeferDurability scope if it has one. Returns
  // what `body` returned, or why the change could not be made durable.
  template <class F>
  auto Durably(F body) -> decltype(body());  // EXCLUDES(mu_)
  // Hands the wait for batch `batch` to the thread's DeferDurability scope; false if there is
  // no scope or it cannot take it.
  bool Deferred(uint64_t batch) REQUIRES(mu_);
  // The store undid the open batch: GroupCommit fails its waiters; AfterLoss recounts.
  void BatchLost(const Status& why) REQUIRES(mu_);
  void AfterLoss() REQUIRES(mu_);
  // The storage allocated to regular file `ino`, remembered until its data changes
  // (SaveInode with data_changed, DropInode), so that GETATTR and READDIR ask the disk once.
  Result<uint64_t> SpaceOf(uint64_t ino) REQUIRES(mu_);

  // Inode and entry writes inside a transaction, keeping each inode's `metered` and the
  // pending change of the metered size in step.
  Result<uint64_t> InsertInode(InodeRecord* rec) REQUIRES(mu_);
  // `data_changed`: a regular file's bytes may have changed (a write or a size change), so its
  // storage is measured again; other saves of a regular file leave its metering as it was.
  Status SaveInode(InodeRecord* rec, bool data_changed = false) REQUIRES(mu_);
  Status DeleteInode(const InodeRecord& rec) REQUIRES(mu_);
  Status AddEntry(InodeRecord* dir, std::string_view name, uint64_t ino) REQUIRES(mu_);
  Status DropEntry(InodeRecord* dir, std::string_view name) REQUIRES(mu_);
  // Sets rec->metered to what `rec` should count now (a regular file's storage is measured).
  Status Meter(InodeRecord* rec) REQUIRES(mu_);

  Mutex mu_;
  const std::unique_ptr<MetadataBackend> meta_ PT_GUARDED_BY(mu_);
  const std::unique_ptr<DataBackend> data_;
  const Clock* const clock_;
  const uint64_t verifier_;
  FileId root_;
  std::mt19937_64 rng_ GUARDED_BY(mu_);
  std::unordered_map<uint64_t, uint32_t> pins_ GUARDED_BY(mu_);
  uint64_t metered_size_ GUARDED_BY(mu_) = 0;  // committed
  int64_t metered_delta_ GUARDED_BY(mu_) = 0;  // of the open transaction
  GroupCommit group_ GUARDED_BY(mu_);
  uint64_t sync_batch_ GUARDED_BY(mu_) = 0;  // the batch of the current call's kDurable change
  uint64_t lost_seen_ GUARDED_BY(mu_) = 0;   // group_.lost() when the metered size was counted
  std::unordered_map<uint64_t, uint64_t> space_ GUARDED_BY(mu_);  // SpaceOf's memory
};

}  // namespace efs::fs

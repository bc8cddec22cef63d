// PosixFs: the one implementation of fs::FileSystem's POSIX semantics (permissions, link
// counts, timestamps, rename rules, unlink-while-open, stale handles) over a MetadataBackend
// and a DataBackend (backend.h). MemFs and lib/store's StoreFs are PosixFs over their backends.
//
// Concurrency: one mutex serializes metadata; data reads and writes run outside it (a Write
// checks permissions under the lock, moves bytes without it, then records size and times).
// Storage classes (lifecycle.h): a regular file's data is in one class at a time; a move copies
// it to the new class without the mutex, then switches the inode's class in one durable
// transaction and only then deletes the old copy (the strays table keeps track of copies a
// crash could leave). Reads and writes count themselves in `uses_` while they touch a copy, so
// a move sees a writer in flight and a deletion never pulls a copy from under a reader.
//
// Durability: a metadata change commits kDurable: its call returns once the commit is on
// stable storage, waiting for that without the mutex, so that concurrent changes share one sync
// of the metadata log (group commit). Unstable writes commit kLazy and are made durable by
// Commit (data first, then metadata).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

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
  StorageSizes Metered() override;
  void SetLifecycle(const LifecyclePolicy& policy) override;
  void SetCommitGather(std::chrono::microseconds gather) override EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    group_.set_gather(gather);
  }
  Result<TransitionReport> RunLifecyclePass(const std::function<bool()>& keep_going) override;
  Result<FileStorage> Storage(FileId id) override;
  uint64_t WriteVerifier() const override { return verifier_; }
  // Holds the lifecycle pass lock and the mutex throughout (the check is in posix_check.cc):
  // metadata changes wait; reads and writes already in flight go on (their files are skipped).
  Result<CheckReport> Check(bool repair) override EXCLUDES(mu_);

 private:
  enum class Durability {
    kDurable,  // the call returns once the transaction is on stable storage
    kLazy,     // may be lost in a crash (atomically) until a later sync
  };
  static constexpr size_t kMaxCachedSpace = 65536;
  static constexpr size_t kUseShards = 4096;
  // A read that brings back (AFTER_1_ACCESS) a cold file up to this size waits for it; a
  // larger one is served from the cold copy and leaves the recall to recaller_, so that its
  // first byte does not wait for the whole file.
  static constexpr uint64_t kInlineRecallBytes = 8 << 20;

  // A data read or write in flight on a copy of an inode (see uses_).
  class Use {
   public:
    explicit Use(PosixFs* fs) : fs_(fs) {}
    ~Use() {
      if (shard_ != kNone) fs_->uses_[shard_].fetch_sub(1);
    }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    // Counts this use of `ino`. Called under fs->mu_, where the inode's class was read.
    void Take(uint64_t ino) {
      shard_ = ino % kUseShards;
      fs_->uses_[shard_].fetch_add(1);
    }

   private:
    static constexpr size_t kNone = ~size_t{0};
    PosixFs* const fs_;
    size_t shard_ = kNone;
  };
  // One file's move between classes.
  struct Move {
    uint64_t ino = 0;
    StorageClass from = StorageClass::kStandard;
    StorageClass to = StorageClass::kStandard;
    uint64_t size = 0;   // the file's as the copy began
    Time mtime;          // likewise: a write or truncation meanwhile calls the move off
    uint64_t space = 0;  // the data's storage in Standard (data_space)
  };
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
  // After a failed write of `ino` (its bytes may have landed, its size was not recorded): cuts
  // the data back to the recorded size, unless another read or write may be in flight on the
  // inode's shard (then fsck finds it longer, and the next open of the store cuts it).
  void CutBack(uint64_t ino) REQUIRES(mu_);
  // Waits until the changes made so far are durable, then cuts `id`'s data to `size` if the
  // inode is as a shrink left it (its change attribute is `change`) and no write is in flight.
  void CutWhenDurable(FileId id, uint64_t size, uint64_t change) EXCLUDES(mu_);
  // Waits until the changes made so far are durable, then drops `ino` if it is still unlinked
  // and unpinned (a failure is logged: the next open collects it).
  void DropWhenDurable(uint64_t ino) EXCLUDES(mu_);
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
  // Sets rec->metered to what `rec` should count now (a Standard file's storage is measured),
  // moving it to class `to` if given.
  Status Meter(InodeRecord* rec, std::optional<StorageClass> to = std::nullopt) REQUIRES(mu_);
  // Adds `sign` times `rec`'s MeteredShare to the open transaction's change of the sizes.
  void Count(const InodeRecord& rec, int sign) REQUIRES(mu_);

  // Whether a read or write may be in flight on `ino` (on any inode of its shard).
  bool InUse(uint64_t ino) const { return uses_[ino % kUseShards].load() != 0; }
  // Brings `id`'s data back to Standard, after a move of it in progress ends.
  Status Recall(FileId id) EXCLUDES(mu_);
  // Queues `id` for recaller_ (starting it if need be), unless it is queued already.
  void RecallLater(FileId id) REQUIRES(mu_);
  void RecallLoop() EXCLUDES(mu_);
  // Moves `ino` from `from` to `to` if it is still a file in `from` idle since before
  // `accessed_before`; counts what it did in `report`.
  void MoveIdle(uint64_t ino, StorageClass from, StorageClass to, int64_t accessed_before,
                TransitionReport* report) EXCLUDES(mu_);
  // Starts `move`: marks the inode moving and records the destination as a stray, durably.
  // On return the mutex is not held.
  Status BeginMove(const Move& move) RELEASE(mu_);
  // Copies the data, switches the inode's class if nothing changed meanwhile, and deletes the
  // copy no longer in use. Returns whether the file moved.
  Result<bool> RunMove(const Move& move) EXCLUDES(mu_);
  // Deletes the copies the strays table lists that are not in use, and their rows (skipping
  // inodes that are moving, or read or written right now: the next pass takes those).
  Status DropStrays() EXCLUDES(mu_);
  // Deletes the copy of `ino` in `where` if the inode's class is not `where`, and the stray row.
  Status DropStray(uint64_t ino, StorageClass where) REQUIRES(mu_);

  // The check (posix_check.cc) under mu_; its repairs in one kDurable transaction.
  friend class Checker;
  Result<CheckReport> RunCheck(bool repair) REQUIRES(mu_);
  Status InDurableTxn(const std::function<Status()>& body) REQUIRES(mu_);

  Mutex mu_;
  const std::unique_ptr<MetadataBackend> meta_ PT_GUARDED_BY(mu_);
  const std::unique_ptr<DataBackend> data_;
  const Clock* const clock_;
  const uint64_t verifier_;
  FileId root_;
  std::mt19937_64 rng_ GUARDED_BY(mu_);
  std::unordered_map<uint64_t, uint32_t> pins_ GUARDED_BY(mu_);
  StorageSizes metered_ GUARDED_BY(mu_);                                  // committed
  std::array<int64_t, kStorageClasses> metered_delta_ GUARDED_BY(mu_){};  // open transaction
  LifecyclePolicy policy_ GUARDED_BY(mu_);
  std::unordered_set<uint64_t> moving_ GUARDED_BY(mu_);  // inodes with a move in progress
  CondVar moved_;                                        // signalled when a move ends
  Mutex pass_mu_;  // one lifecycle pass at a time (taken before mu_)
  // Data reads and writes in flight, by inode number modulo kUseShards. Taken under mu_ where
  // the inode's class was read, so that a class switch (also under mu_) that finds a shard at
  // zero knows no reader or writer still holds the old copy.
  std::array<std::atomic<uint32_t>, kUseShards> uses_{};
  // Recalls of large files that reads asked for (RecallLater).
  std::deque<FileId> recalls_ GUARDED_BY(mu_);
  std::unordered_set<uint64_t> recalls_queued_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  CondVar recall_cv_;
  std::thread recaller_;  // started by the first RecallLater
  GroupCommit group_ GUARDED_BY(mu_);
  uint64_t sync_batch_ GUARDED_BY(mu_) = 0;  // the batch of the current call's kDurable change
  uint64_t lost_seen_ GUARDED_BY(mu_) = 0;   // group_.lost() when the metered size was counted
  std::unordered_map<uint64_t, uint64_t> space_ GUARDED_BY(mu_);  // SpaceOf's memory
};

}  // namespace efs::fs

// POSIX semantics over the backends (see posix_fs.h).
#include "fs/posix_fs.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "base/log.h"
#include "base/macros.h"
#include "fs/permissions.h"

namespace efs::fs {

namespace {

constexpr uint32_t kDirSize = 4096;
constexpr uint64_t kTotalFiles = uint64_t{1} << 40;
// Reads record last_access at most this often per inode (a read is otherwise no write).
constexpr int64_t kLastAccessGranularitySec = 60;
constexpr uint32_t kMaxReadDirEntries = 1 << 16;

Status Stale() { return Status(Code::kStale, "Stale", "stale file handle"); }
Status NotFound(std::string_view name) {
  return Status(Code::kNotFound, "NoEnt", "no such file or directory '" + std::string(name) + "'");
}
Status NotDir() { return Status(Code::kNotDir, "NotDir", "not a directory"); }
Status IsDir() { return Status(Code::kIsDir, "IsDir", "is a directory"); }
Status TooBig() { return Status(Code::kFileTooBig, "FileTooBig", "beyond the maximum file size"); }
// A file that went cold again each time it was brought back (only a lifecycle pass racing a
// writer, again and again, gets here).
Status Moving() {
  return Status(Code::kIOError, "Moving", "the file keeps moving between storage classes");
}
constexpr int kMaxRecalls = 3;

bool IsDirRec(const InodeRecord& rec) { return rec.attrs.type == FileType::kDirectory; }

void Touch(InodeRecord* rec, Time now, bool mtime) {
  rec->attrs.ctime = now;
  if (mtime) rec->attrs.mtime = now;
  rec->attrs.change++;
}

Status CheckRegular(const InodeRecord& rec) {
  if (rec.attrs.type == FileType::kRegular) return Status::Ok();
  if (IsDirRec(rec)) return IsDir();
  return InvalidArgument("not a regular file");
}

uint64_t RoundUp(uint64_t n, uint64_t step) { return (n + step - 1) / step * step; }

}  // namespace

uint64_t MeteredBytes(FileType type, uint64_t data_bytes, StorageClass where) {
  switch (type) {
    case FileType::kRegular:
      if (where != StorageClass::kStandard) {
        return kMeteredInodeBytes + std::max(kMeteredColdMinimum, RoundUp(data_bytes, kMeteredBlock));
      }
      return kMeteredInodeBytes + RoundUp(data_bytes, kMeteredBlock);
    case FileType::kDirectory:
      return kMeteredInodeBytes + std::max(kMeteredBlock, RoundUp(data_bytes, kMeteredBlock));
    default:
      return kMeteredInodeBytes + kMeteredBlock;
  }
}

StorageSizes MeteredShare(const InodeRecord& rec) {
  StorageSizes share;
  const uint64_t metadata = std::min(rec.metered, kMeteredInodeBytes);
  share[StorageClass::kStandard] = metadata;
  share[rec.storage_class] += rec.metered - metadata;
  return share;
}

// ----------------------------------------------------------------------------- setup

PosixFs::PosixFs(std::unique_ptr<MetadataBackend> meta, std::unique_ptr<DataBackend> data,
                 const Clock* clock)
    : meta_(std::move(meta)),
      data_(std::move(data)),
      clock_(clock),
      verifier_(std::random_device()() * uint64_t{0x100000001} ^
                static_cast<uint64_t>(Time::Now().nsec) << 20 ^
                static_cast<uint64_t>(Time::Now().sec)),
      rng_(std::random_device()() ^ verifier_) {}

Result<std::unique_ptr<FileSystem>> PosixFs::Open(std::unique_ptr<MetadataBackend> meta,
                                                  std::unique_ptr<DataBackend> data,
                                                  const Clock* clock) {
  std::unique_ptr<PosixFs> fs(new PosixFs(std::move(meta), std::move(data), clock));
  EFS_RETURN_IF_ERROR(fs->Init());
  return std::unique_ptr<FileSystem>(std::move(fs));
}

PosixFs::~PosixFs() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  recall_cv_.SignalAll();
  if (recaller_.joinable()) recaller_.join();
  mu_.Lock();
  Status durable = group_.WaitDurable(&mu_, meta_.get(), group_.last_batch(&mu_));
  if (!durable.ok()) EFS_LOG(kWarn) << "fs: closing: " << durable.ToString();
  group_.Quiesce();  // the answers waiting on syncs have left, and no thread leads one
}

Status PosixFs::Init() {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(std::optional<InodeRecord> root, meta_->LoadInode(kRootIno));
  if (!root) {
    InodeRecord rec;
    Time now = Now();
    rec.attrs.type = FileType::kDirectory;
    rec.attrs.mode = 0755;
    rec.attrs.nlink = 2;
    rec.attrs.atime = rec.attrs.mtime = rec.attrs.ctime = rec.attrs.birth_time = now;
    rec.attrs.change = 1;
    rec.attrs.id.generation = NewGeneration();
    rec.parent = kRootIno;
    rec.last_access = now;
    uint64_t ino = 0;
    EFS_RETURN_IF_ERROR(InTxn(Durability::kDurable, [&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(ino, InsertInode(&rec));
      return Status::Ok();
    }));
    if (ino != kRootIno) return Internal("the root directory got inode " + std::to_string(ino));
    // Nothing runs beside Init: flush and sync directly.
    EFS_RETURN_IF_ERROR(meta_->Flush());
    EFS_RETURN_IF_ERROR(meta_->Sync());
    rec.attrs.id.ino = ino;
    root = rec;
  }
  root_ = root->attrs.id;
  EFS_ASSIGN_OR_RETURN(metered_, meta_->SumMetered());
  EFS_ASSIGN_OR_RETURN(std::vector<uint64_t> unlinked, meta_->UnlinkedInodes());
  for (uint64_t ino : unlinked) EFS_RETURN_IF_ERROR(DropInode(ino));
  // Copies a crash left in the middle of moves: nothing is moving or read yet.
  EFS_ASSIGN_OR_RETURN(auto strays, meta_->Strays());
  for (const auto& [ino, where] : strays) EFS_RETURN_IF_ERROR(DropStray(ino, where));
  if (!strays.empty()) {
    EFS_RETURN_IF_ERROR(meta_->Flush());
    EFS_RETURN_IF_ERROR(meta_->Sync());
  }
  return Status::Ok();
}

// ----------------------------------------------------------------------------- helpers

Time PosixFs::Now() const {
  if (clock_ == nullptr) return Time::Now();
  double now = clock_->Now();
  double sec = std::floor(now);
  return Time{static_cast<int64_t>(sec), static_cast<uint32_t>((now - sec) * 1e9)};
}

uint64_t PosixFs::NewGeneration() { return rng_() | 1; }

bool PosixFs::Pinned(uint64_t ino) const { return pins_.count(ino) != 0; }

template <class F>
Status PosixFs::InTxn(Durability durability, F body) {
  // A batch lost since the last change (a failed flush of another call's) took changes the
  // metered size counted: count again.
  if (group_.lost(&mu_) != lost_seen_) AfterLoss();
  EFS_RETURN_IF_ERROR(meta_->Begin());
  metered_delta_ = {};
  Status status = body();
  if (!status.ok()) {
    Status undone = meta_->Rollback();
    if (!undone.ok()) BatchLost(undone);
    return status;
  }
  Status committed = meta_->Commit();
  if (!committed.ok()) {
    BatchLost(committed);
    return committed;
  }
  for (int i = 0; i < kStorageClasses; ++i) metered_.bytes[i] += metered_delta_[i];
  const uint64_t batch = group_.Joined(&mu_);
  if (durability == Durability::kDurable) {
    sync_batch_ = batch;
    return Status::Ok();
  }
  Status settled = group_.Settle(&mu_, meta_.get());
  if (!settled.ok()) AfterLoss();
  return settled;
}

void PosixFs::BatchLost(const Status& why) {
  group_.Lost(&mu_, why);
  AfterLoss();
}

void PosixFs::AfterLoss() {
  // The metered size counted the lost changes: count again from what the store holds.
  lost_seen_ = group_.lost(&mu_);
  Result<StorageSizes> metered = meta_->SumMetered();
  if (metered.ok()) metered_ = *metered;
}

template <class F>
auto PosixFs::Durably(F body) -> decltype(body()) {
  mu_.Lock();
  sync_batch_ = 0;
  auto result = body();
  if (sync_batch_ == 0 || !result.ok()) {
    mu_.Unlock();
    return result;
  }
  if (Deferred(sync_batch_)) {
    mu_.Unlock();
    return result;
  }
  Status durable = group_.WaitDurable(&mu_, meta_.get(), sync_batch_);  // unlocks mu_
  if (!durable.ok()) return durable;
  return result;
}

bool PosixFs::Deferred(uint64_t batch) {
  DeferDurability* later = DeferDurability::Current();
  return later != nullptr && later->Add(&group_, &mu_, meta_.get(), batch);
}

Result<uint64_t> PosixFs::SpaceOf(uint64_t ino) {
  if (auto it = space_.find(ino); it != space_.end()) return it->second;
  EFS_ASSIGN_OR_RETURN(uint64_t space, data_->SpaceUsed(ino));
  if (space_.size() >= kMaxCachedSpace) space_.clear();
  space_[ino] = space;
  return space;
}

void PosixFs::Count(const InodeRecord& rec, int sign) {
  const StorageSizes share = MeteredShare(rec);
  for (int i = 0; i < kStorageClasses; ++i) metered_delta_[i] += sign * int64_t(share.bytes[i]);
}

Status PosixFs::Meter(InodeRecord* rec, std::optional<StorageClass> to) {
  const StorageClass where = to.value_or(rec->storage_class);
  uint64_t data_bytes = rec->entry_bytes;
  if (rec->attrs.type == FileType::kRegular) {
    if (where == StorageClass::kStandard) {
      EFS_ASSIGN_OR_RETURN(rec->data_space, SpaceOf(rec->ino()));
    }
    data_bytes = std::min(rec->attrs.size, rec->data_space);
  }
  Count(*rec, -1);
  rec->storage_class = where;
  rec->metered = MeteredBytes(rec->attrs.type, data_bytes, where);
  Count(*rec, +1);
  return Status::Ok();
}

Result<uint64_t> PosixFs::InsertInode(InodeRecord* rec) {
  rec->metered = MeteredBytes(rec->attrs.type, rec->entry_bytes);  // a new file holds no data
  Count(*rec, +1);
  EFS_ASSIGN_OR_RETURN(uint64_t ino, meta_->InsertInode(*rec));
  // Nothing is stored for it yet: no need to ask the data store (a path lookup that fails).
  if (rec->attrs.type == FileType::kRegular && space_.size() < kMaxCachedSpace) space_[ino] = 0;
  return ino;
}

Status PosixFs::SaveInode(InodeRecord* rec, bool data_changed) {
  if (data_changed) space_.erase(rec->ino());
  if (rec->attrs.type != FileType::kRegular || data_changed) EFS_RETURN_IF_ERROR(Meter(rec));
  return meta_->UpdateInode(*rec);
}

Status PosixFs::DeleteInode(const InodeRecord& rec) {
  Count(rec, -1);
  return meta_->DeleteInode(rec.ino());
}

Status PosixFs::AddEntry(InodeRecord* dir, std::string_view name, uint64_t ino) {
  dir->entry_bytes += EntryBytes(name);
  return meta_->InsertEntry(dir->ino(), EntryRecord{std::string(name), dir->next_cookie++, ino});
}

Status PosixFs::DropEntry(InodeRecord* dir, std::string_view name) {
  dir->entry_bytes -= std::min(dir->entry_bytes, EntryBytes(name));
  return meta_->DeleteEntry(dir->ino(), name);
}

Result<InodeRecord> PosixFs::Load(uint64_t ino) {
  EFS_ASSIGN_OR_RETURN(std::optional<InodeRecord> rec, meta_->LoadInode(ino));
  if (!rec) return Internal("dangling entry to inode " + std::to_string(ino));
  return std::move(*rec);
}

Result<InodeRecord> PosixFs::Get(FileId id) {
  EFS_ASSIGN_OR_RETURN(std::optional<InodeRecord> rec, meta_->LoadInode(id.ino));
  if (!rec || rec->attrs.id.generation != id.generation) return Stale();
  if (rec->attrs.nlink == 0 && !Pinned(id.ino)) return Stale();
  return std::move(*rec);
}

Result<InodeRecord> PosixFs::GetDir(FileId id) {
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
  if (!IsDirRec(rec)) return NotDir();
  return rec;
}

Result<Attributes> PosixFs::Finish(const InodeRecord& rec) {
  Attributes attrs = rec.attrs;
  if (attrs.type == FileType::kRegular && rec.storage_class != StorageClass::kStandard) {
    attrs.space_used = rec.data_space;  // as it was in Standard: a move changes no attribute
  } else if (attrs.type == FileType::kRegular) {
    EFS_ASSIGN_OR_RETURN(attrs.space_used, SpaceOf(rec.ino()));
  } else if (attrs.type == FileType::kDirectory) {
    attrs.size = attrs.space_used = kDirSize;
  }
  return attrs;
}

Result<EntryRecord> PosixFs::Entry(const InodeRecord& dir, std::string_view name) {
  EFS_ASSIGN_OR_RETURN(std::optional<EntryRecord> entry, meta_->LookupEntry(dir.ino(), name));
  if (!entry) return NotFound(name);
  return std::move(*entry);
}

Result<std::optional<InodeRecord>> PosixFs::Child(const InodeRecord& dir, std::string_view name) {
  EFS_ASSIGN_OR_RETURN(std::optional<EntryRecord> entry, meta_->LookupEntry(dir.ino(), name));
  if (!entry) return std::optional<InodeRecord>();
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Load(entry->ino));
  return std::optional<InodeRecord>(std::move(rec));
}

Result<bool> PosixFs::Unlink(InodeRecord* victim, InodeRecord* dir, Time now) {
  if (IsDirRec(*victim)) {
    dir->attrs.nlink--;
    EFS_RETURN_IF_ERROR(DeleteInode(*victim));
    return false;
  }
  victim->attrs.nlink--;
  Touch(victim, now, false);
  EFS_RETURN_IF_ERROR(SaveInode(victim));
  return victim->attrs.nlink == 0 && !Pinned(victim->ino());
}

void PosixFs::CutBack(uint64_t ino) {
  space_.erase(ino);
  if (uses_[ino % kUseShards].load() != 1) return;  // another write may be in flight
  Result<std::optional<InodeRecord>> rec = meta_->LoadInode(ino);
  if (!rec.ok() || !*rec) return;
  Status cut = data_->Truncate(ino, (*rec)->attrs.size);
  if (!cut.ok()) EFS_LOG(kWarn) << "fs: inode " << ino << ": " << cut.ToString();
}

void PosixFs::CutWhenDurable(FileId id, uint64_t size, uint64_t change) {
  mu_.Lock();
  // Cut only once the new size is on stable storage: a size change lost to a failed flush or
  // sync, or to a crash, leaves the data whole (and bytes past a durable size are cut at the
  // next open if this does not happen).
  Status durable = group_.WaitDurable(&mu_, meta_.get(), group_.last_batch(&mu_));  // unlocks
  if (!durable.ok()) return;
  MutexLock lock(&mu_);
  Result<InodeRecord> rec = Get(id);
  if (!rec.ok() || rec->attrs.change != change || InUse(id.ino)) return;  // changed meanwhile
  Status cut = data_->Truncate(id.ino, size);
  // The metering, as the data now stands.
  if (cut.ok()) cut = InTxn(Durability::kLazy, [&]() REQUIRES(mu_) { return SaveInode(&*rec, true); });
  if (!cut.ok()) EFS_LOG(kWarn) << "fs: inode " << id.ino << ": " << cut.ToString();
}

void PosixFs::DropWhenDurable(uint64_t ino) {
  mu_.Lock();
  // The caller's wait may have been deferred (DeferDurability): the data goes only once the
  // unlink is on stable storage, so that an unlink lost to a failed flush or sync, or to a
  // crash, leaves the file whole.
  Status durable = group_.WaitDurable(&mu_, meta_.get(), group_.last_batch(&mu_));  // unlocks
  if (!durable.ok()) return;  // the inode is collected when the store next opens, if unlinked
  MutexLock lock(&mu_);
  Result<std::optional<InodeRecord>> rec = meta_->LoadInode(ino);
  if (!rec.ok() || !*rec || (*rec)->attrs.nlink != 0 || Pinned(ino)) return;
  Status dropped = DropInode(ino);
  if (!dropped.ok()) EFS_LOG(kWarn) << "fs: inode " << ino << ": " << dropped.ToString();
}

Status PosixFs::DropInode(uint64_t ino) {
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Load(ino));
  space_.erase(ino);
  EFS_RETURN_IF_ERROR(data_->Remove(ino));
  return InTxn(Durability::kLazy, [&]() REQUIRES(mu_) { return DeleteInode(rec); });
}

// ----------------------------------------------------------------------------- attributes

Result<Attributes> PosixFs::GetAttr(FileId id) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
  return Finish(rec);
}

Result<Attributes> PosixFs::SetAttr(const Credentials& cred, FileId id, const SetAttrs& attrs) {
  // A size change of a cold file changes its data: it comes back to Standard first.
  for (int attempt = 0; attrs.size; ++attempt) {
    {
      MutexLock lock(&mu_);
      EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
      Result<uint32_t> allowed = CheckSetAttr(cred, rec.attrs, attrs);
      if (!allowed.ok()) return allowed.status();
      if (rec.storage_class == StorageClass::kStandard) break;
    }
    if (attempt == kMaxRecalls) return Moving();
    EFS_RETURN_IF_ERROR(Recall(id));
  }
  std::optional<uint64_t> shrunk_change;  // a shrink: its data is cut once the size is durable
  Result<Attributes> set = Durably([&]() REQUIRES(mu_) -> Result<Attributes> {
    EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
    EFS_ASSIGN_OR_RETURN(uint32_t mode, CheckSetAttr(cred, rec.attrs, attrs));
    if (attrs.size && *attrs.size > kMaxFileSize) return TooBig();
    if (attrs.empty()) return Finish(rec);
    if (attrs.size && rec.storage_class != StorageClass::kStandard) return Moving();
    Time now = Now();
    if (attrs.size) {
      // Bytes a crash left past the old size must not show inside the file it grows to.
      EFS_RETURN_IF_ERROR(data_->PrepareWrite(rec.ino(), rec.attrs.size));
    }
    const bool shrinks = attrs.size && *attrs.size < rec.attrs.size;
    Attributes& a = rec.attrs;
    a.mode = mode;
    if (attrs.uid) a.uid = *attrs.uid;
    if (attrs.gid) a.gid = *attrs.gid;
    if (attrs.size) {
      a.size = *attrs.size;
      a.mtime = now;
    }
    if (attrs.atime.kind != SetTime::kDontChange) {
      a.atime = attrs.atime.kind == SetTime::kServerTime ? now : attrs.atime.time;
    }
    if (attrs.mtime.kind != SetTime::kDontChange) {
      a.mtime = attrs.mtime.kind == SetTime::kServerTime ? now : attrs.mtime.time;
    }
    Touch(&rec, now, false);
    EFS_RETURN_IF_ERROR(InTxn(Durability::kDurable, [&]() REQUIRES(mu_) {
      return SaveInode(&rec, attrs.size.has_value());
    }));
    if (shrinks) shrunk_change = rec.attrs.change;
    return Finish(rec);
  });
  if (set.ok() && shrunk_change) CutWhenDurable(id, *attrs.size, *shrunk_change);
  return set;
}

Result<uint32_t> PosixFs::Access(const Credentials& cred, FileId id, uint32_t want) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
  return GrantedAccess(cred, rec.attrs, want);
}

// ----------------------------------------------------------------------------- lookup

Result<Attributes> PosixFs::Lookup(const Credentials& cred, FileId dir_id, std::string_view name) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(InodeRecord dir, GetDir(dir_id));
  EFS_RETURN_IF_ERROR(CheckAccess(cred, dir.attrs, kAccessExecute));
  EFS_RETURN_IF_ERROR(ValidateName(name));
  EFS_ASSIGN_OR_RETURN(EntryRecord entry, Entry(dir, name));
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Load(entry.ino));
  return Finish(rec);
}

Result<Attributes> PosixFs::LookupParent(const Credentials& cred, FileId dir_id) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(InodeRecord dir, GetDir(dir_id));
  EFS_RETURN_IF_ERROR(CheckAccess(cred, dir.attrs, kAccessExecute));
  if (dir.ino() == root_.ino) return NotFound("..");
  EFS_ASSIGN_OR_RETURN(InodeRecord parent, Load(dir.parent));
  return Finish(parent);
}

Result<std::string> PosixFs::ReadLink(FileId id) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
  if (rec.attrs.type != FileType::kSymlink) return InvalidArgument("not a symbolic link");
  return meta_->LoadSymlink(rec.ino());
}

Result<DirPage> PosixFs::ReadDir(const Credentials& cred, FileId dir_id, const ReadDirArgs& args) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(InodeRecord dir, GetDir(dir_id));
  EFS_RETURN_IF_ERROR(CheckAccess(cred, dir.attrs, kAccessRead));
  uint32_t want = std::clamp<uint32_t>(args.max_entries, 1, kMaxReadDirEntries);
  EFS_ASSIGN_OR_RETURN(std::vector<EntryRecord> rows,
                       meta_->ListEntries(dir.ino(), args.cookie, want + 1));
  DirPage page;
  uint64_t bytes = 0;
  for (EntryRecord& row : rows) {
    uint64_t cost =
        row.name.size() + kDirEntryOverhead + (args.with_attrs ? kDirEntryAttrOverhead : 0);
    if (page.entries.size() == want || (!page.entries.empty() && bytes + cost > args.max_bytes)) {
      return page;
    }
    bytes += cost;
    EFS_ASSIGN_OR_RETURN(InodeRecord rec, Load(row.ino));
    DirEntry entry{std::move(row.name), row.cookie, rec.attrs.id, std::nullopt};
    if (args.with_attrs) {
      EFS_ASSIGN_OR_RETURN(entry.attrs, Finish(rec));
    }
    page.entries.push_back(std::move(entry));
  }
  page.eof = true;
  return page;
}

// ----------------------------------------------------------------------------- create

Result<CreateResult> PosixFs::Create(const Credentials& cred, FileId dir_id, std::string_view name,
                                     const CreateArgs& args) {
  std::optional<uint64_t> pinned;
  Result<CreateResult> r = Durably([&]() REQUIRES(mu_) -> Result<CreateResult> {
    EFS_ASSIGN_OR_RETURN(CreateResult made, CreateLocked(cred, dir_id, name, args));
    if (args.pin && made.attrs.type == FileType::kRegular) {
      pins_[made.attrs.id.ino]++;
      made.pinned = true;
      pinned = made.attrs.id.ino;
    }
    return made;
  });
  if (!r.ok() && pinned) {  // made, but not durably: the caller gets no pin to give back
    MutexLock lock(&mu_);
    if (--pins_[*pinned] == 0) pins_.erase(*pinned);
  }
  return r;
}

Result<CreateResult> PosixFs::CreateLocked(const Credentials& cred, FileId dir_id,
                                           std::string_view name, const CreateArgs& args) {
  if (args.type == FileType::kBlock || args.type == FileType::kChar) {
    return Status(Code::kInvalidArgument, "BadType", "block and character devices are refused");
  }
  if (args.type == FileType::kSymlink) {
    if (args.symlink_target.empty()) return InvalidArgument("empty symbolic link target");
    if (args.symlink_target.size() > kMaxSymlinkBytes) {
      return Status(Code::kNameTooLong, "NameTooLong", "symbolic link target over 4080 bytes");
    }
  }
  EFS_ASSIGN_OR_RETURN(InodeRecord dir, GetDir(dir_id));
  EFS_RETURN_IF_ERROR(CheckAccess(cred, dir.attrs, kAccessExecute));
  EFS_RETURN_IF_ERROR(ValidateName(name));
  EFS_ASSIGN_OR_RETURN(std::optional<InodeRecord> existing, Child(dir, name));
  if (existing) {
    bool regular = args.type == FileType::kRegular;
    bool same_verifier =
        existing->attrs.type == FileType::kRegular && existing->verifier == args.verifier;
    if (regular && (args.how == CreateMode::kUnchecked ||
                    (args.how == CreateMode::kExclusive && same_verifier))) {
      EFS_ASSIGN_OR_RETURN(Attributes attrs, Finish(*existing));
      return CreateResult{attrs, false, {dir.attrs.change, dir.attrs.change}};
    }
    return Status(Code::kAlreadyExists, "Exist", "'" + std::string(name) + "' exists");
  }
  EFS_RETURN_IF_ERROR(CheckAccess(cred, dir.attrs, kAccessWrite));
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, NewInode(cred, dir, args));
  CreateResult result;
  result.dir.before = dir.attrs.change;
  EFS_RETURN_IF_ERROR(InTxn(Durability::kDurable, [&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(rec.attrs.id.ino, InsertInode(&rec));
    EFS_RETURN_IF_ERROR(AddEntry(&dir, name, rec.ino()));
    if (args.type == FileType::kSymlink) {
      EFS_RETURN_IF_ERROR(meta_->StoreSymlink(rec.ino(), args.symlink_target));
    }
    if (IsDirRec(rec)) dir.attrs.nlink++;
    Touch(&dir, rec.attrs.ctime, true);
    return SaveInode(&dir);
  }));
  result.dir.after = dir.attrs.change;
  result.created = true;
  EFS_ASSIGN_OR_RETURN(result.attrs, Finish(rec));
  return result;
}

Result<InodeRecord> PosixFs::NewInode(const Credentials& cred, const InodeRecord& dir,
                                      const CreateArgs& args) {
  if (args.mode & ~kModeMask) return InvalidArgument("mode has bits outside 07777");
  uint32_t mode = args.type == FileType::kSymlink ? 0777 : args.mode;
  NewOwnership own = OwnershipForNew(cred, dir.attrs, args.type, mode);
  InodeRecord rec;
  Time now = Now();
  Attributes& a = rec.attrs;
  a.id.generation = NewGeneration();
  a.type = args.type;
  a.mode = own.mode;
  a.uid = own.uid;
  a.gid = own.gid;
  a.nlink = args.type == FileType::kDirectory ? 2 : 1;
  a.size = args.type == FileType::kSymlink ? args.symlink_target.size() : 0;
  a.atime = a.mtime = a.ctime = a.birth_time = now;
  a.change = 1;
  rec.parent = args.type == FileType::kDirectory ? dir.ino() : 0;
  if (args.how == CreateMode::kExclusive) rec.verifier = args.verifier;
  rec.last_access = now;
  return rec;
}

// ----------------------------------------------------------------------------- remove, link

Result<DirChange> PosixFs::Remove(const Credentials& cred, FileId dir_id, std::string_view name) {
  std::optional<uint64_t> unlinked;
  Result<DirChange> removed = Durably([&]() REQUIRES(mu_) -> Result<DirChange> {
    EFS_ASSIGN_OR_RETURN(InodeRecord dir, GetDir(dir_id));
    EFS_RETURN_IF_ERROR(CheckAccess(cred, dir.attrs, kAccessExecute));
    EFS_RETURN_IF_ERROR(ValidateName(name));
    EFS_ASSIGN_OR_RETURN(EntryRecord entry, Entry(dir, name));
    EFS_ASSIGN_OR_RETURN(InodeRecord victim, Load(entry.ino));
    EFS_RETURN_IF_ERROR(CheckDelete(cred, dir.attrs, victim.attrs));
    if (IsDirRec(victim)) {
      EFS_ASSIGN_OR_RETURN(bool has_entries, meta_->HasEntries(victim.ino()));
      if (has_entries) {
        return Status(Code::kNotEmpty, "NotEmpty",
                      "directory '" + std::string(name) + "' not empty");
      }
    }
    DirChange change{dir.attrs.change, 0};
    Time now = Now();
    bool drop = false;
    EFS_RETURN_IF_ERROR(InTxn(Durability::kDurable, [&]() REQUIRES(mu_) -> Status {
      EFS_RETURN_IF_ERROR(DropEntry(&dir, name));
      EFS_ASSIGN_OR_RETURN(drop, Unlink(&victim, &dir, now));
      Touch(&dir, now, true);
      return SaveInode(&dir);
    }));
    change.after = dir.attrs.change;
    if (drop) unlinked = victim.ino();
    return change;
  });
  if (removed.ok() && unlinked) DropWhenDurable(*unlinked);
  return removed;
}

Result<DirChange> PosixFs::Link(const Credentials& cred, FileId file_id, FileId dir_id,
                                std::string_view name) {
  return Durably([&]() REQUIRES(mu_) -> Result<DirChange> {
    EFS_ASSIGN_OR_RETURN(InodeRecord file, Get(file_id));
    if (IsDirRec(file)) return IsDir();
    if (file.attrs.nlink == 0) return NotFound("(unlinked file)");
    EFS_ASSIGN_OR_RETURN(InodeRecord dir, GetDir(dir_id));
    EFS_RETURN_IF_ERROR(CheckAccess(cred, dir.attrs, kAccessWrite | kAccessExecute));
    EFS_RETURN_IF_ERROR(ValidateName(name));
    EFS_ASSIGN_OR_RETURN(std::optional<EntryRecord> existing, meta_->LookupEntry(dir.ino(), name));
    if (existing)
      return Status(Code::kAlreadyExists, "Exist", "'" + std::string(name) + "' exists");
    if (file.attrs.nlink >= kMaxLinks) {
      return Status(Code::kTooManyLinks, "MLink", "file has 177 links already");
    }
    DirChange change{dir.attrs.change, 0};
    Time now = Now();
    EFS_RETURN_IF_ERROR(InTxn(Durability::kDurable, [&]() REQUIRES(mu_) -> Status {
      EFS_RETURN_IF_ERROR(AddEntry(&dir, name, file.ino()));
      file.attrs.nlink++;
      Touch(&file, now, false);
      EFS_RETURN_IF_ERROR(SaveInode(&file));
      Touch(&dir, now, true);
      return SaveInode(&dir);
    }));
    change.after = dir.attrs.change;
    return change;
  });
}

// ----------------------------------------------------------------------------- rename

Status PosixFs::CheckRename(const Credentials& cred, const InodeRecord& sdir,
                            const InodeRecord& src, const InodeRecord& ddir,
                            const std::optional<InodeRecord>& target) {
  EFS_RETURN_IF_ERROR(CheckDelete(cred, sdir.attrs, src.attrs));
  EFS_RETURN_IF_ERROR(CheckAccess(cred, ddir.attrs, kAccessWrite | kAccessExecute));
  if (IsDirRec(src) && sdir.ino() != ddir.ino()) {
    EFS_RETURN_IF_ERROR(CheckAccess(cred, src.attrs, kAccessWrite));
    // Not into its own subtree: walk up from the destination to the root.
    uint64_t ino = ddir.ino();
    for (int depth = 0; depth < 100000; ++depth) {
      if (ino == src.ino()) {
        return InvalidArgument("cannot move a directory into itself");
      }
      if (ino == root_.ino) break;
      EFS_ASSIGN_OR_RETURN(InodeRecord up, Load(ino));
      ino = up.parent;
    }
  }
  if (!target) return Status::Ok();
  EFS_RETURN_IF_ERROR(CheckDelete(cred, ddir.attrs, target->attrs));
  if (IsDirRec(src) && !IsDirRec(*target)) return NotDir();
  if (!IsDirRec(src) && IsDirRec(*target)) return IsDir();
  if (IsDirRec(*target)) {
    EFS_ASSIGN_OR_RETURN(bool has_entries, meta_->HasEntries(target->ino()));
    if (has_entries) return Status(Code::kNotEmpty, "NotEmpty", "target directory not empty");
  }
  return Status::Ok();
}

Result<RenameResult> PosixFs::Rename(const Credentials& cred, FileId src_dir,
                                     std::string_view src_name, FileId dst_dir,
                                     std::string_view dst_name) {
  std::optional<uint64_t> unlinked;
  Result<RenameResult> renamed = Durably([&]() REQUIRES(mu_) -> Result<RenameResult> {
    EFS_ASSIGN_OR_RETURN(InodeRecord sdir, GetDir(src_dir));
    EFS_ASSIGN_OR_RETURN(InodeRecord ddir_own, GetDir(dst_dir));
    const bool same_dir = sdir.ino() == ddir_own.ino();
    InodeRecord& ddir = same_dir ? sdir : ddir_own;
    EFS_RETURN_IF_ERROR(CheckAccess(cred, sdir.attrs, kAccessExecute));
    EFS_RETURN_IF_ERROR(CheckAccess(cred, ddir.attrs, kAccessExecute));
    EFS_RETURN_IF_ERROR(ValidateName(src_name));
    EFS_RETURN_IF_ERROR(ValidateName(dst_name));
    EFS_ASSIGN_OR_RETURN(EntryRecord sentry, Entry(sdir, src_name));
    EFS_ASSIGN_OR_RETURN(InodeRecord src, Load(sentry.ino));
    EFS_ASSIGN_OR_RETURN(std::optional<InodeRecord> target, Child(ddir, dst_name));
    RenameResult result{{sdir.attrs.change, sdir.attrs.change},
                        {ddir.attrs.change, ddir.attrs.change}};
    if (target && target->ino() == src.ino()) {  // POSIX: two links of one file, nothing to do
      EFS_RETURN_IF_ERROR(CheckDelete(cred, sdir.attrs, src.attrs));
      return result;
    }
    EFS_RETURN_IF_ERROR(CheckRename(cred, sdir, src, ddir, target));
    Time now = Now();
    bool drop = false;
    EFS_RETURN_IF_ERROR(InTxn(Durability::kDurable, [&]() REQUIRES(mu_) -> Status {
      EFS_RETURN_IF_ERROR(DropEntry(&sdir, src_name));
      if (target) {
        EFS_RETURN_IF_ERROR(DropEntry(&ddir, dst_name));
        EFS_ASSIGN_OR_RETURN(drop, Unlink(&*target, &ddir, now));
      }
      EFS_RETURN_IF_ERROR(AddEntry(&ddir, dst_name, src.ino()));
      if (IsDirRec(src) && !same_dir) {
        src.parent = ddir.ino();
        sdir.attrs.nlink--;
        ddir.attrs.nlink++;
      }
      Touch(&src, now, false);
      EFS_RETURN_IF_ERROR(SaveInode(&src));
      Touch(&sdir, now, true);
      EFS_RETURN_IF_ERROR(SaveInode(&sdir));
      if (same_dir) return Status::Ok();
      Touch(&ddir, now, true);
      return SaveInode(&ddir);
    }));
    result.source.after = sdir.attrs.change;
    result.target.after = ddir.attrs.change;
    if (same_dir) result.target = result.source;
    if (drop) unlinked = target->ino();
    return result;
  });
  if (renamed.ok() && unlinked) DropWhenDurable(*unlinked);
  return renamed;
}

// ----------------------------------------------------------------------------- data

Result<ReadResult> PosixFs::Read(const Credentials& cred, FileId id, uint64_t offset,
                                 uint32_t count) {
  uint64_t size = 0;
  StorageClass where = StorageClass::kStandard;
  Use use(this);
  for (bool may_recall = true;; may_recall = false) {
    {
      MutexLock lock(&mu_);
      EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
      EFS_RETURN_IF_ERROR(CheckRegular(rec));
      EFS_RETURN_IF_ERROR(CheckDataAccess(cred, rec.attrs, kAccessRead));
      size = rec.attrs.size;
      where = rec.storage_class;
      Time now = Now();
      if (now.sec - rec.last_access.sec >= kLastAccessGranularitySec) {
        rec.last_access = now;
        EFS_RETURN_IF_ERROR(
            InTxn(Durability::kLazy, [&]() REQUIRES(mu_) { return meta_->UpdateInode(rec); }));
      }
      if (!may_recall || where == StorageClass::kStandard || !policy_.recall_on_access ||
          offset >= size) {
        use.Take(id.ino);
        break;
      }
      if (size > kInlineRecallBytes) {  // served from the cold copy meanwhile
        RecallLater(id);
        use.Take(id.ino);
        break;
      }
    }
    // AFTER_1_ACCESS: this read brings the file back. If that fails, it reads the cold copy.
    Status recalled = Recall(id);
    if (!recalled.ok()) {
      EFS_LOG(kWarn) << "fs: inode " << id.ino << " stays in " << StorageClassName(where)
                     << ": " << recalled.ToString();
    }
  }
  ReadResult result;
  if (offset >= size) {
    result.eof = true;
    return result;
  }
  uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(count, size - offset));
  EFS_ASSIGN_OR_RETURN(result.data, data_->Read(id.ino, where, offset, n));
  result.eof = offset + n >= size;
  return result;
}

Result<WriteResult> PosixFs::Write(const Credentials& cred, FileId id, uint64_t offset,
                                   std::string_view data, Stability stability) {
  if (offset >= kMaxFileSize || data.size() > kMaxFileSize - offset) return TooBig();
  // Held until the size and times are recorded: a move that finds the file in use, or changed
  // since its copy began, is called off.
  Use use(this);
  for (int attempt = 0;; ++attempt) {
    {
      MutexLock lock(&mu_);
      EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
      EFS_RETURN_IF_ERROR(CheckRegular(rec));
      EFS_RETURN_IF_ERROR(CheckDataAccess(cred, rec.attrs, kAccessWrite));
      if (data.empty()) {
        EFS_ASSIGN_OR_RETURN(Attributes attrs, Finish(rec));
        return WriteResult{0, Stability::kFileSync, attrs};
      }
      if (rec.storage_class == StorageClass::kStandard) {
        EFS_RETURN_IF_ERROR(data_->PrepareWrite(id.ino, rec.attrs.size));
        use.Take(id.ino);
        break;
      }
    }
    // Writes to a cold file land in Standard: the file comes back first.
    if (attempt == kMaxRecalls) return Moving();
    EFS_RETURN_IF_ERROR(Recall(id));
  }
  const bool sync = stability != Stability::kUnstable;
  Status written = data_->Write(id.ino, offset, data, sync);
  return Durably([&]() REQUIRES(mu_) -> Result<WriteResult> {
    if (!written.ok()) {
      CutBack(id.ino);  // some bytes may have landed
      return written;
    }
    Result<InodeRecord> again = Get(id);
    if (!again.ok()) {
      // Removed while the bytes moved: the write may have recreated the data file.
      EFS_ASSIGN_OR_RETURN(std::optional<InodeRecord> gone, meta_->LoadInode(id.ino));
      if (!gone) EFS_RETURN_IF_ERROR(data_->Remove(id.ino));
      return again.status();
    }
    InodeRecord& rec = *again;
    const uint64_t end = offset + data.size();
    const bool grows = end > rec.attrs.size;
    rec.attrs.size = std::max(rec.attrs.size, end);
    rec.attrs.mode = ModeAfterWrite(cred, rec.attrs);
    rec.last_access = Now();
    Touch(&rec, rec.last_access, true);
    Durability durability =
        stability == Stability::kFileSync || (stability == Stability::kDataSync && grows)
            ? Durability::kDurable
            : Durability::kLazy;
    Status recorded =
        InTxn(durability, [&]() REQUIRES(mu_) { return SaveInode(&rec, /*data_changed=*/true); });
    if (!recorded.ok()) {
      CutBack(id.ino);
      return recorded;
    }
    EFS_ASSIGN_OR_RETURN(Attributes attrs, Finish(rec));
    return WriteResult{data.size(), stability, attrs};
  });
}

Status PosixFs::Commit(FileId id) {
  {
    MutexLock lock(&mu_);
    EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
    EFS_RETURN_IF_ERROR(CheckRegular(rec));
  }
  EFS_RETURN_IF_ERROR(data_->Sync(id.ino));
  // The sizes and times of earlier unstable writes joined batches that may not be durable yet.
  mu_.Lock();
  if (Deferred(group_.last_batch(&mu_))) {
    mu_.Unlock();
    return Status::Ok();
  }
  return group_.WaitDurable(&mu_, meta_.get(), group_.last_batch(&mu_));  // unlocks mu_
}

// ----------------------------------------------------------------------------- pins, statfs

Status PosixFs::Pin(FileId id) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
  if (rec.attrs.type == FileType::kRegular && rec.storage_class == StorageClass::kStandard) {
    // An open cuts what a crash left past the size (once per inode and process), before a
    // write or a size change could expose it.
    EFS_RETURN_IF_ERROR(data_->PrepareWrite(rec.ino(), rec.attrs.size));
  }
  pins_[rec.ino()]++;
  return Status::Ok();
}

Status PosixFs::Unpin(FileId id) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
  auto it = pins_.find(rec.ino());
  if (it == pins_.end()) return InvalidArgument("unpin of an inode that is not pinned");
  if (--it->second > 0) return Status::Ok();
  pins_.erase(it);
  if (rec.attrs.nlink == 0) return DropInode(rec.ino());
  return Status::Ok();
}

StorageSizes PosixFs::Metered() {
  MutexLock lock(&mu_);
  // A batch lost since the last change took changes the metered size counted: count again.
  if (group_.lost(&mu_) != lost_seen_) AfterLoss();
  return metered_;
}

Result<FsStat> PosixFs::StatFs() {
  EFS_ASSIGN_OR_RETURN(FsStat stat, data_->StatFs());
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(stat.used_files, meta_->CountInodes());
  stat.total_files = kTotalFiles;
  stat.free_files = kTotalFiles - std::min(kTotalFiles, stat.used_files);
  return stat;
}

// ----------------------------------------------------------------------------- check

Result<CheckReport> PosixFs::Check(bool repair) {
  MutexLock pass(&pass_mu_);  // no lifecycle pass meanwhile
  return Durably([&]() REQUIRES(mu_) { return RunCheck(repair); });
}

Status PosixFs::InDurableTxn(const std::function<Status()>& body) {
  return InTxn(Durability::kDurable, body);
}

// ----------------------------------------------------------------------------- storage classes

void PosixFs::SetLifecycle(const LifecyclePolicy& policy) {
  MutexLock lock(&mu_);
  policy_ = policy;
}

Result<FileStorage> PosixFs::Storage(FileId id) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(InodeRecord rec, Get(id));
  return FileStorage{rec.storage_class, MeteredShare(rec)};
}

Result<TransitionReport> PosixFs::RunLifecyclePass(const std::function<bool()>& keep_going) {
  MutexLock pass(&pass_mu_);
  LifecyclePolicy policy;
  {
    MutexLock lock(&mu_);
    policy = policy_;
  }
  EFS_RETURN_IF_ERROR(DropStrays());
  const int64_t now = Now().sec;
  struct Step {
    StorageClass from, to;
    std::optional<int64_t> after;
  };
  // Archive first: a file idle past both periods goes there directly.
  const Step steps[] = {{StorageClass::kStandard, StorageClass::kArchive, policy.to_archive_after},
                        {StorageClass::kIA, StorageClass::kArchive, policy.to_archive_after},
                        {StorageClass::kStandard, StorageClass::kIA, policy.to_ia_after}};
  constexpr uint32_t kPage = 256;
  TransitionReport report;
  for (const Step& step : steps) {
    if (!step.after) continue;
    const int64_t before = now - *step.after;
    for (IdleFile cursor;;) {
      std::vector<IdleFile> idle;
      {
        MutexLock lock(&mu_);
        EFS_ASSIGN_OR_RETURN(idle, meta_->IdleFiles(step.from, before, cursor, kPage));
      }
      for (const IdleFile& file : idle) {
        if (!keep_going()) return report;
        MoveIdle(file.ino, step.from, step.to, before, &report);
        cursor = file;
      }
      if (idle.size() < kPage) break;
    }
  }
  return report;
}

void PosixFs::MoveIdle(uint64_t ino, StorageClass from, StorageClass to, int64_t accessed_before,
                       TransitionReport* report) {
  Move move;
  move.ino = ino;
  move.from = from;
  move.to = to;
  mu_.Lock();
  Result<std::optional<InodeRecord>> loaded = meta_->LoadInode(ino);
  Status begun = loaded.ok() ? Status::Ok() : loaded.status();
  if (begun.ok()) {
    const std::optional<InodeRecord>& rec = *loaded;
    if (!rec || rec->attrs.nlink == 0 || rec->storage_class != from ||
        rec->last_access.sec >= accessed_before) {
      mu_.Unlock();  // accessed or removed since the query: not idle any more
      return;
    }
    if (moving_.count(ino) != 0) {
      mu_.Unlock();
      report->files_skipped++;
      return;
    }
    move.size = rec->attrs.size;
    move.mtime = rec->attrs.mtime;
    move.space = rec->data_space;
    if (from == StorageClass::kStandard) {
      Result<uint64_t> space = SpaceOf(ino);
      if (space.ok()) {
        move.space = *space;
      } else {
        begun = space.status();
      }
    }
    if (begun.ok() && std::min(move.size, move.space) == 0) {
      mu_.Unlock();  // no data to move (empty, or all holes): it stays where metadata is
      return;
    }
  }
  if (begun.ok()) {
    begun = BeginMove(move);  // unlocks mu_
  } else {
    mu_.Unlock();
  }
  Result<bool> moved = begun.ok() ? RunMove(move) : Result<bool>(begun);
  if (!moved.ok()) {
    EFS_LOG(kWarn) << "fs: inode " << ino << ": moving it from " << StorageClassName(from)
                   << " to " << StorageClassName(to) << ": " << moved.status().ToString();
    report->files_failed++;
  } else if (*moved) {
    report->files_moved++;
    report->bytes_moved += move.size;
  } else {
    report->files_skipped++;
  }
}

Status PosixFs::Recall(FileId id) {
  Move move;
  mu_.Lock();
  while (true) {
    Result<InodeRecord> rec = Get(id);
    if (!rec.ok()) {
      mu_.Unlock();
      return rec.status();
    }
    if (rec->storage_class == StorageClass::kStandard) {
      mu_.Unlock();
      return Status::Ok();  // another call brought it back
    }
    if (moving_.count(id.ino) == 0) {
      move = Move{id.ino, rec->storage_class, StorageClass::kStandard, rec->attrs.size,
                  rec->attrs.mtime, rec->data_space};
      break;
    }
    moved_.Wait(&mu_);
  }
  EFS_RETURN_IF_ERROR(BeginMove(move));  // unlocks mu_
  EFS_ASSIGN_OR_RETURN(bool moved, RunMove(move));
  if (!moved) return Moving();
  return Status::Ok();
}

void PosixFs::RecallLater(FileId id) {
  if (!recalls_queued_.insert(id.ino).second) return;
  recalls_.push_back(id);
  if (!recaller_.joinable()) recaller_ = std::thread([this] { RecallLoop(); });
  recall_cv_.Signal();
}

void PosixFs::RecallLoop() {
  while (true) {
    FileId id;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && recalls_.empty()) recall_cv_.Wait(&mu_);
      if (stopping_) return;
      id = recalls_.front();
      recalls_.pop_front();
    }
    Status recalled = Recall(id);
    if (!recalled.ok() && recalled.code() != Code::kStale) {
      EFS_LOG(kWarn) << "fs: inode " << id.ino << ": bringing it back to Standard: "
                     << recalled.ToString();
    }
    MutexLock lock(&mu_);
    recalls_queued_.erase(id.ino);
  }
}

Status PosixFs::BeginMove(const Move& move) {
  moving_.insert(move.ino);
  // The copy about to be made is a stray until the switch: a crash before it deletes the copy.
  Status recorded = InTxn(Durability::kDurable,
                          [&]() REQUIRES(mu_) { return meta_->AddStray(move.ino, move.to); });
  if (recorded.ok()) {
    recorded = group_.WaitDurable(&mu_, meta_.get(), sync_batch_);  // unlocks mu_
  } else {
    mu_.Unlock();
  }
  if (recorded.ok()) return recorded;
  MutexLock lock(&mu_);
  moving_.erase(move.ino);
  moved_.SignalAll();
  return recorded;
}

Result<bool> PosixFs::RunMove(const Move& move) {
  Status copied = data_->Copy(move.ino, move.size, move.from, move.to);
  mu_.Lock();
  bool switched = false;
  Status status = copied;
  if (copied.ok()) {
    Result<std::optional<InodeRecord>> loaded = meta_->LoadInode(move.ino);
    if (!loaded.ok()) status = loaded.status();
    if (loaded.ok() && *loaded) {
      InodeRecord rec = **loaded;
      // Writes and truncations happen only in Standard (a cold file comes back first); one in
      // flight or done since the copy began calls a move out of Standard off.
      const bool unchanged =
          rec.storage_class == move.from &&
          (move.from != StorageClass::kStandard ||
           (rec.attrs.size == move.size && rec.attrs.mtime == move.mtime && !InUse(move.ino)));
      if (unchanged) {
        if (move.to == StorageClass::kStandard) {
          space_.erase(move.ino);  // measured afresh
          rec.last_access = Now();  // a recall is an access: not idle again before its time
        } else {
          rec.data_space = move.space;
        }
        status = InTxn(Durability::kDurable, [&]() REQUIRES(mu_) -> Status {
          EFS_RETURN_IF_ERROR(Meter(&rec, move.to));
          EFS_RETURN_IF_ERROR(meta_->UpdateInode(rec));
          EFS_RETURN_IF_ERROR(meta_->DeleteStray(move.ino, move.to));
          return meta_->AddStray(move.ino, move.from);
        });
        if (status.ok()) {
          status = group_.WaitDurable(&mu_, meta_.get(), sync_batch_);  // unlocks mu_
          mu_.Lock();
          switched = status.ok();
        }
      }
    }
  }
  // The copy not in use goes: the source after a switch, else the new copy. Readers of the
  // source that began before the switch may still be in flight (only a recall switches under
  // them); then the next pass deletes it.
  const StorageClass unused = switched ? move.from : move.to;
  if (!InUse(move.ino)) {
    Status dropped = DropStray(move.ino, unused);
    if (!dropped.ok()) {
      EFS_LOG(kWarn) << "fs: inode " << move.ino << ": " << dropped.ToString();
    }
  }
  moving_.erase(move.ino);
  moved_.SignalAll();
  mu_.Unlock();
  if (!status.ok()) return status;
  return switched;
}

Status PosixFs::DropStray(uint64_t ino, StorageClass where) {
  EFS_ASSIGN_OR_RETURN(std::optional<InodeRecord> rec, meta_->LoadInode(ino));
  if (!rec || rec->storage_class != where) EFS_RETURN_IF_ERROR(data_->Drop(ino, where));
  if (where == StorageClass::kStandard) space_.erase(ino);
  // Losing this row in a crash only means deleting a missing copy again.
  return InTxn(Durability::kLazy,
               [&]() REQUIRES(mu_) { return meta_->DeleteStray(ino, where); });
}

Status PosixFs::DropStrays() {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(auto strays, meta_->Strays());
  for (const auto& [ino, where] : strays) {
    if (moving_.count(ino) != 0 || InUse(ino)) continue;
    EFS_RETURN_IF_ERROR(DropStray(ino, where));
  }
  return Status::Ok();
}

}  // namespace efs::fs

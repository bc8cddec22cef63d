// Inode and directory-entry rows of namespace.db (see namespace_schema.h).
#include "store/namespace_store.h"

#include <algorithm>
#include <utility>

#include "base/macros.h"
#include "store/namespace_schema.h"

namespace efs::store {

namespace {

using fs::EntryRecord;
using fs::InodeRecord;

constexpr const char kInodeColumns[] =
    "generation, type, mode, nlink, uid, gid, size, rdev, atime_sec, atime_nsec, mtime_sec, "
    "mtime_nsec, ctime_sec, ctime_nsec, btime_sec, btime_nsec, change, parent, next_cookie, "
    "create_verifier, last_access, entry_bytes, metered, storage_class, data_space";

// The storage_class column's value of `c` (as fs::StorageClassName spells it).
std::string ClassText(fs::StorageClass c) { return std::string(fs::StorageClassName(c)); }

// Binds the kInodeColumns of `rec` to parameters 1..25.
void BindInode(Stmt& s, const InodeRecord& rec) {
  const fs::Attributes& a = rec.attrs;
  s.Bind(1, static_cast<int64_t>(a.id.generation));
  s.Bind(2, static_cast<int64_t>(a.type));
  s.Bind(3, static_cast<int64_t>(a.mode));
  s.Bind(4, static_cast<int64_t>(a.nlink));
  s.Bind(5, static_cast<int64_t>(a.uid));
  s.Bind(6, static_cast<int64_t>(a.gid));
  s.Bind(7, static_cast<int64_t>(a.size));
  s.Bind(8, static_cast<int64_t>(a.rdev));
  int col = 9;
  for (const fs::Time* t : {&a.atime, &a.mtime, &a.ctime, &a.birth_time}) {
    s.Bind(col++, t->sec);
    s.Bind(col++, static_cast<int64_t>(t->nsec));
  }
  s.Bind(17, static_cast<int64_t>(a.change));
  s.Bind(18, static_cast<int64_t>(rec.parent));
  s.Bind(19, static_cast<int64_t>(rec.next_cookie));
  if (rec.verifier) {
    s.Bind(20, static_cast<int64_t>(*rec.verifier));
  } else {
    s.Bind(20, std::nullopt);
  }
  s.Bind(21, rec.last_access.sec);
  s.Bind(22, static_cast<int64_t>(rec.entry_bytes));
  s.Bind(23, static_cast<int64_t>(rec.metered));
  s.Bind(24, ClassText(rec.storage_class));
  s.Bind(25, static_cast<int64_t>(rec.data_space));
}

// Reads kInodeColumns from columns 0..24 and ino from column 25.
InodeRecord ReadInode(const Stmt& s) {
  InodeRecord rec;
  fs::Attributes& a = rec.attrs;
  a.id.generation = static_cast<uint64_t>(s.Int(0));
  a.type = static_cast<fs::FileType>(s.Int(1));
  a.mode = static_cast<uint32_t>(s.Int(2));
  a.nlink = static_cast<uint32_t>(s.Int(3));
  a.uid = static_cast<uint32_t>(s.Int(4));
  a.gid = static_cast<uint32_t>(s.Int(5));
  a.size = static_cast<uint64_t>(s.Int(6));
  a.rdev = static_cast<uint64_t>(s.Int(7));
  int col = 8;
  for (fs::Time* t : {&a.atime, &a.mtime, &a.ctime, &a.birth_time}) {
    t->sec = s.Int(col++);
    t->nsec = static_cast<uint32_t>(s.Int(col++));
  }
  a.change = static_cast<uint64_t>(s.Int(16));
  rec.parent = static_cast<uint64_t>(s.Int(17));
  rec.next_cookie = static_cast<uint64_t>(s.Int(18));
  if (!s.IsNull(19)) rec.verifier = static_cast<uint64_t>(s.Int(19));
  rec.last_access.sec = s.Int(20);
  rec.entry_bytes = static_cast<uint64_t>(s.Int(21));
  rec.metered = static_cast<uint64_t>(s.Int(22));
  rec.storage_class = fs::ParseStorageClass(s.Text(23)).value_or(fs::StorageClass::kStandard);
  rec.data_space = static_cast<uint64_t>(s.Int(24));
  a.id.ino = static_cast<uint64_t>(s.Int(25));
  return rec;
}

}  // namespace

Result<std::unique_ptr<NamespaceStore>> NamespaceStore::Open(const std::string& path) {
  // Commits do not sync; Sync does, for many commits at once.
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<Db> db,
                       Db::Open(path, SqliteOptions{.exclusive = true, .sync_each_commit = false}));
  return Open(std::move(db));
}

Result<std::unique_ptr<NamespaceStore>> NamespaceStore::Open(std::unique_ptr<Db> db) {
  EFS_RETURN_IF_ERROR(MigrateNamespace(*db));
  return std::unique_ptr<NamespaceStore>(new NamespaceStore(std::move(db)));
}

NamespaceStore::NamespaceStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

// ----------------------------------------------------------------------------- batches

Status NamespaceStore::Begin() {
  EFS_CHECK(!in_change_);
  if (!batch_) {
    EFS_ASSIGN_OR_RETURN(Txn txn, Txn::Begin(*db_));
    batch_.emplace(std::move(txn));
    batch_inodes_.clear();
  }
  EFS_RETURN_IF_ERROR(db_->Run("SAVEPOINT change"));
  in_change_ = true;
  change_inodes_.clear();
  return Status::Ok();
}

Status NamespaceStore::Commit() {
  EFS_CHECK(in_change_);
  in_change_ = false;
  Status released = db_->Run("RELEASE change");
  if (!released.ok()) {
    Uncache(&change_inodes_);
    return db_->InTransaction() ? released : BatchLost(released);
  }
  batch_inodes_.insert(batch_inodes_.end(), change_inodes_.begin(), change_inodes_.end());
  change_inodes_.clear();
  return Status::Ok();
}

Status NamespaceStore::Rollback() {
  EFS_CHECK(in_change_);
  in_change_ = false;
  Uncache(&change_inodes_);
  // SQLite undoes the whole transaction by itself after some errors (a full disk, an I/O
  // error); then the batch is gone.
  if (!db_->InTransaction()) {
    return BatchLost(IOError("sqlite undid the open transaction of " + db_->path()));
  }
  Status undone = db_->Run("ROLLBACK TO change");
  if (undone.ok()) undone = db_->Run("RELEASE change");
  return undone.ok() ? undone : BatchLost(undone);
}

Status NamespaceStore::BatchLost(const Status& why) {
  batch_.reset();  // rolls back whatever is left
  Uncache(&batch_inodes_);
  return why;
}

void NamespaceStore::Unlist(uint64_t dir) {
  unlistable_.erase(dir);
  auto it = listings_.find(dir);
  if (it == listings_.end()) return;
  listed_entries_ -= it->second.size();
  listings_.erase(it);
}

void NamespaceStore::Changed(uint64_t dir) {
  Unlist(dir);
  if (in_change_) change_inodes_.push_back(dir);
}

void NamespaceStore::UnlistAll() {
  listings_.clear();
  unlistable_.clear();
  listed_entries_ = 0;
}

void NamespaceStore::Uncache(std::vector<uint64_t>* inos) {
  for (uint64_t ino : *inos) {
    inodes_.erase(ino);
    Unlist(ino);
  }
  inos->clear();
}

Status NamespaceStore::Flush() {
  EFS_CHECK(!in_change_);
  if (!batch_) return Status::Ok();
  Status committed = batch_->Commit();
  batch_.reset();
  if (!committed.ok()) return BatchLost(committed);
  batch_inodes_.clear();
  return Status::Ok();
}

Status NamespaceStore::Sync() { return db_->SyncCommitted(); }

Status NamespaceStore::Recover() {
  EFS_CHECK(!in_change_ && !batch_);
  return db_->Recover();
}

// ----------------------------------------------------------------------------- inodes

void NamespaceStore::Cache(const InodeRecord& rec) {
  if (inodes_.size() >= kMaxCachedInodes && inodes_.count(rec.ino()) == 0) inodes_.clear();
  inodes_[rec.ino()] = rec;
  if (in_change_) change_inodes_.push_back(rec.ino());
}

Result<std::optional<InodeRecord>> NamespaceStore::LoadInode(uint64_t ino) {
  if (auto it = inodes_.find(ino); it != inodes_.end()) {
    return std::optional<InodeRecord>(it->second);
  }
  static const std::string kLoad =
      std::string("SELECT ") + kInodeColumns + ", ino FROM inodes WHERE ino = ?";
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(kLoad, static_cast<int64_t>(ino)));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<InodeRecord>();
  InodeRecord rec = ReadInode(s);
  Cache(rec);
  return std::optional<InodeRecord>(std::move(rec));
}

Result<uint64_t> NamespaceStore::InsertInode(const InodeRecord& rec) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("INSERT INTO inodes (") + kInodeColumns +
                                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ino"));
  BindInode(s, rec);
  EFS_ASSIGN_OR_RETURN(const int64_t inserted, Db::FirstInt(s));
  const uint64_t ino = static_cast<uint64_t>(inserted);
  InodeRecord stored = rec;
  stored.attrs.id.ino = ino;
  Cache(stored);
  return ino;
}

Status NamespaceStore::UpdateInode(const InodeRecord& rec) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Prepare(
                  "UPDATE inodes SET generation = ?1, type = ?2, mode = ?3, nlink = ?4, uid = ?5, "
                  "gid = ?6, size = ?7, rdev = ?8, atime_sec = ?9, atime_nsec = ?10, "
                  "mtime_sec = ?11, mtime_nsec = ?12, ctime_sec = ?13, ctime_nsec = ?14, "
                  "btime_sec = ?15, btime_nsec = ?16, change = ?17, parent = ?18, "
                  "next_cookie = ?19, create_verifier = ?20, last_access = ?21, entry_bytes = ?22, "
                  "metered = ?23, storage_class = ?24, data_space = ?25 WHERE ino = ?26"));
  BindInode(s, rec);
  s.Bind(26, static_cast<int64_t>(rec.ino()));
  EFS_RETURN_IF_ERROR(s.Run());
  if (db_->Changes() != 1) return Internal("update of missing inode " + std::to_string(rec.ino()));
  Cache(rec);
  return Status::Ok();
}

Status NamespaceStore::DeleteInode(uint64_t ino) {
  inodes_.erase(ino);
  if (in_change_) change_inodes_.push_back(ino);
  return db_->Run("DELETE FROM inodes WHERE ino = ?", static_cast<int64_t>(ino));
}

// ----------------------------------------------------------------------------- entries

Result<std::optional<EntryRecord>> NamespaceStore::LookupEntry(uint64_t dir,
                                                               std::string_view name) {
  EFS_ASSIGN_OR_RETURN(Stmt s,
                       db_->Query("SELECT cookie, ino FROM dirents WHERE dir = ? AND name = ?",
                                  static_cast<int64_t>(dir), name));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<EntryRecord>();
  return std::optional<EntryRecord>(EntryRecord{std::string(name), static_cast<uint64_t>(s.Int(0)),
                                                static_cast<uint64_t>(s.Int(1))});
}

Status NamespaceStore::InsertEntry(uint64_t dir, const EntryRecord& entry) {
  Changed(dir);
  return db_->Run("INSERT INTO dirents (dir, name, cookie, ino) VALUES (?, ?, ?, ?)",
                  static_cast<int64_t>(dir), entry.name, static_cast<int64_t>(entry.cookie),
                  static_cast<int64_t>(entry.ino));
}

Status NamespaceStore::DeleteEntry(uint64_t dir, std::string_view name) {
  Changed(dir);
  return db_->Run("DELETE FROM dirents WHERE dir = ? AND name = ?", static_cast<int64_t>(dir),
                  name);
}

Result<bool> NamespaceStore::HasEntries(uint64_t dir) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query("SELECT 1 FROM dirents WHERE dir = ? LIMIT 1", static_cast<int64_t>(dir)));
  return s.Step();
}

namespace {

// Up to `limit` entries of a whole listing (sorted by cookie) after cookie `after`.
std::vector<EntryRecord> PageOf(const std::vector<EntryRecord>& all, uint64_t after,
                                uint32_t limit) {
  auto from = std::upper_bound(all.begin(), all.end(), after,
                               [](uint64_t c, const EntryRecord& e) { return c < e.cookie; });
  auto to = from + std::min<ptrdiff_t>(all.end() - from, limit);
  return std::vector<EntryRecord>(from, to);
}

}  // namespace

Result<std::vector<EntryRecord>> NamespaceStore::ListEntries(uint64_t dir, uint64_t after,
                                                             uint32_t limit) {
  if (auto it = listings_.find(dir); it != listings_.end()) return PageOf(it->second, after, limit);
  // A listing from the start of a directory not known to be large reads it whole (up to one
  // entry over the cap) and keeps it.
  const bool whole = after == 0 && unlistable_.count(dir) == 0;
  const uint64_t want = whole ? uint64_t{kMaxListing} + 1 : limit;
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query("SELECT name, cookie, ino FROM dirents WHERE dir = ? AND cookie > ? "
                         "ORDER BY cookie LIMIT ?",
                         static_cast<int64_t>(dir), static_cast<int64_t>(after),
                         static_cast<int64_t>(want)));
  std::vector<EntryRecord> out;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(
        EntryRecord{s.Text(0), static_cast<uint64_t>(s.Int(1)), static_cast<uint64_t>(s.Int(2))});
  }
  if (!whole) return out;
  if (out.size() > kMaxListing) {
    if (unlistable_.size() >= kMaxListing) unlistable_.clear();
    unlistable_.insert(dir);
    out.resize(std::min<size_t>(out.size(), limit));
    return out;
  }
  std::vector<EntryRecord> page = PageOf(out, after, limit);
  if (listed_entries_ + out.size() > kMaxListedEntries) UnlistAll();
  listed_entries_ += out.size();
  listings_[dir] = std::move(out);
  return page;
}

// ----------------------------------------------------------------------------- the rest

Result<std::string> NamespaceStore::LoadSymlink(uint64_t ino) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query("SELECT target FROM symlinks WHERE ino = ?", static_cast<int64_t>(ino)));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row)
    return Status(Code::kCorruption, "", "symlink " + std::to_string(ino) + " has no target");
  return s.Text(0);
}

Status NamespaceStore::StoreSymlink(uint64_t ino, std::string_view target) {
  return db_->Run("INSERT INTO symlinks (ino, target) VALUES (?, ?)", static_cast<int64_t>(ino),
                  target);
}

Result<std::vector<uint64_t>> NamespaceStore::UnlinkedInodes() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT ino FROM inodes WHERE nlink = 0"));
  std::vector<uint64_t> out;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(static_cast<uint64_t>(s.Int(0)));
  }
}

Result<uint64_t> NamespaceStore::CountInodes() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT COUNT(*) FROM inodes"));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Internal("COUNT returned no row");
  return static_cast<uint64_t>(s.Int(0));
}

Result<fs::StorageSizes> NamespaceStore::SumMetered() {
  // Each inode's metadata is in Standard; the rest of what it is metered at is in its class
  // (fs::MeteredShare).
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT storage_class, COUNT(*), SUM(metered) "
                                            "FROM inodes GROUP BY storage_class"));
  fs::StorageSizes sizes;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return sizes;
    std::optional<fs::StorageClass> where = fs::ParseStorageClass(s.Text(0));
    if (!where) return Status(Code::kCorruption, "", "unknown storage class '" + s.Text(0) + "'");
    const uint64_t count = static_cast<uint64_t>(s.Int(1));
    const uint64_t metered = static_cast<uint64_t>(s.Int(2));
    sizes[fs::StorageClass::kStandard] += count * fs::kMeteredInodeBytes;
    sizes[*where] += metered - std::min(metered, count * fs::kMeteredInodeBytes);
  }
}

Result<std::vector<fs::IdleFile>> NamespaceStore::IdleFiles(fs::StorageClass where,
                                                            int64_t accessed_before,
                                                            fs::IdleFile after, uint32_t limit) {
  // The conditions match the partial index inodes_by_last_access, whose order (with the rowid,
  // ino, last) is the order asked for: each page is a range scan of the index.
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query("SELECT last_access, ino FROM inodes WHERE type = 1 AND nlink > 0 AND "
                         "storage_class = ? AND last_access < ? AND (last_access, ino) > (?, ?) "
                         "ORDER BY last_access, ino LIMIT ?",
                         ClassText(where), accessed_before, after.last_access,
                         static_cast<int64_t>(after.ino), static_cast<int64_t>(limit)));
  std::vector<fs::IdleFile> out;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(fs::IdleFile{s.Int(0), static_cast<uint64_t>(s.Int(1))});
  }
}

Status NamespaceStore::ScanInodes(const InodeVisitor& fn) {
  static const std::string kScan = std::string("SELECT ") + kInodeColumns + ", ino FROM inodes";
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(kScan));
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    EFS_RETURN_IF_ERROR(fn(ReadInode(s)));
  }
}

Status NamespaceStore::ScanEntries(const EntryVisitor& fn) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT dir, name, cookie, ino FROM dirents"));
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    EFS_RETURN_IF_ERROR(fn(static_cast<uint64_t>(s.Int(0)),
                           EntryRecord{s.Text(1), static_cast<uint64_t>(s.Int(2)),
                                       static_cast<uint64_t>(s.Int(3))}));
  }
}

Status NamespaceStore::AddStray(uint64_t ino, fs::StorageClass where) {
  return db_->Run("INSERT INTO strays (ino, storage_class) VALUES (?, ?) ON CONFLICT DO NOTHING",
                  static_cast<int64_t>(ino), ClassText(where));
}

Status NamespaceStore::DeleteStray(uint64_t ino, fs::StorageClass where) {
  return db_->Run("DELETE FROM strays WHERE ino = ? AND storage_class = ?",
                  static_cast<int64_t>(ino), ClassText(where));
}

Result<std::vector<std::pair<uint64_t, fs::StorageClass>>> NamespaceStore::Strays() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT ino, storage_class FROM strays ORDER BY ino"));
  std::vector<std::pair<uint64_t, fs::StorageClass>> out;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    std::optional<fs::StorageClass> where = fs::ParseStorageClass(s.Text(1));
    if (!where) return Status(Code::kCorruption, "", "unknown storage class '" + s.Text(1) + "'");
    out.emplace_back(static_cast<uint64_t>(s.Int(0)), *where);
  }
}

}  // namespace efs::store

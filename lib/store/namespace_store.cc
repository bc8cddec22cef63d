// Inode and directory-entry rows of namespace.db (see namespace_schema.h).
#include "store/namespace_store.h"

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
    "create_verifier, last_access, entry_bytes, metered";

// Binds the kInodeColumns of `rec` to parameters 1..23.
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
}

// Reads kInodeColumns from columns 0..22 and ino from column 23.
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
  a.id.ino = static_cast<uint64_t>(s.Int(23));
  return rec;
}

}  // namespace

Result<std::unique_ptr<NamespaceStore>> NamespaceStore::Open(const std::string& path) {
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path, /*exclusive=*/true));
  EFS_RETURN_IF_ERROR(MigrateNamespace(*db));
  return std::unique_ptr<NamespaceStore>(new NamespaceStore(std::move(db)));
}

// ----------------------------------------------------------------------------- transactions

Status NamespaceStore::SetSynchronous(bool full) {
  if (full_sync_ == full) return Status::Ok();
  EFS_RETURN_IF_ERROR(db_->Exec(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  full_sync_ = full;
  return Status::Ok();
}

Status NamespaceStore::Begin(Durability durability) {
  EFS_CHECK(!txn_);
  durable_txn_ = durability == Durability::kDurable;
  // synchronous cannot change inside a transaction.
  EFS_RETURN_IF_ERROR(SetSynchronous(durable_txn_));
  EFS_ASSIGN_OR_RETURN(Txn txn, Txn::Begin(*db_));
  txn_.emplace(std::move(txn));
  return Status::Ok();
}

Status NamespaceStore::Commit() {
  EFS_CHECK(txn_);
  Status status = txn_->Commit();
  txn_.reset();
  EFS_RETURN_IF_ERROR(status);
  // A durable commit syncs the WAL, and with it every lazy commit before it.
  lazy_pending_ = !durable_txn_;
  return Status::Ok();
}

void NamespaceStore::Rollback() { txn_.reset(); }

Status NamespaceStore::Flush() {
  if (!lazy_pending_) return Status::Ok();
  EFS_RETURN_IF_ERROR(Begin(Durability::kDurable));
  Status status = db_->Run("UPDATE meta SET value = value WHERE key = 'flush'");
  if (!status.ok()) {
    Rollback();
    return status;
  }
  return Commit();
}

// ----------------------------------------------------------------------------- inodes

Result<std::optional<InodeRecord>> NamespaceStore::LoadInode(uint64_t ino) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query(std::string("SELECT ") + kInodeColumns + ", ino FROM inodes WHERE ino = ?",
                         static_cast<int64_t>(ino)));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<InodeRecord>();
  return std::optional<InodeRecord>(ReadInode(s));
}

Result<uint64_t> NamespaceStore::InsertInode(const InodeRecord& rec) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("INSERT INTO inodes (") + kInodeColumns +
                                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                            "?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  BindInode(s, rec);
  EFS_RETURN_IF_ERROR(s.Run());
  return static_cast<uint64_t>(db_->LastInsertRowid());
}

Status NamespaceStore::UpdateInode(const InodeRecord& rec) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s,
      db_->Prepare("UPDATE inodes SET generation = ?1, type = ?2, mode = ?3, nlink = ?4, uid = ?5, "
                   "gid = ?6, size = ?7, rdev = ?8, atime_sec = ?9, atime_nsec = ?10, "
                   "mtime_sec = ?11, mtime_nsec = ?12, ctime_sec = ?13, ctime_nsec = ?14, "
                   "btime_sec = ?15, btime_nsec = ?16, change = ?17, parent = ?18, "
                   "next_cookie = ?19, create_verifier = ?20, last_access = ?21, entry_bytes = ?22, "
                   "metered = ?23 WHERE ino = ?24"));
  BindInode(s, rec);
  s.Bind(24, static_cast<int64_t>(rec.ino()));
  EFS_RETURN_IF_ERROR(s.Run());
  if (db_->Changes() != 1) return Internal("update of missing inode " + std::to_string(rec.ino()));
  return Status::Ok();
}

Status NamespaceStore::DeleteInode(uint64_t ino) {
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
  return db_->Run("INSERT INTO dirents (dir, name, cookie, ino) VALUES (?, ?, ?, ?)",
                  static_cast<int64_t>(dir), entry.name, static_cast<int64_t>(entry.cookie),
                  static_cast<int64_t>(entry.ino));
}

Status NamespaceStore::DeleteEntry(uint64_t dir, std::string_view name) {
  return db_->Run("DELETE FROM dirents WHERE dir = ? AND name = ?", static_cast<int64_t>(dir),
                  name);
}

Result<bool> NamespaceStore::HasEntries(uint64_t dir) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query("SELECT 1 FROM dirents WHERE dir = ? LIMIT 1", static_cast<int64_t>(dir)));
  return s.Step();
}

Result<std::vector<EntryRecord>> NamespaceStore::ListEntries(uint64_t dir, uint64_t after,
                                                             uint32_t limit) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query("SELECT name, cookie, ino FROM dirents WHERE dir = ? AND cookie > ? "
                         "ORDER BY cookie LIMIT ?",
                         static_cast<int64_t>(dir), static_cast<int64_t>(after),
                         static_cast<int64_t>(limit)));
  std::vector<EntryRecord> out;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(
        EntryRecord{s.Text(0), static_cast<uint64_t>(s.Int(1)), static_cast<uint64_t>(s.Int(2))});
  }
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

Result<uint64_t> NamespaceStore::SumMetered() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT COALESCE(SUM(metered), 0) FROM inodes"));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Internal("SUM returned no row");
  return static_cast<uint64_t>(s.Int(0));
}

}  // namespace efs::store

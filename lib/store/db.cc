// The SQLite engine of the SQL layer (db.h): opening with the durability pragmas, the statement
// cache, syncing the WAL, and the one place where SQLite result codes become Status values.
#include "store/db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/check.h"
#include "base/macros.h"
#include "base/unique_fd.h"
#include "store/files.h"
#include "store/io.h"

namespace efs::store {

namespace {

constexpr int kBusyTimeoutMs = 5000;

Code CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return (rc == SQLITE_CONSTRAINT_FOREIGNKEY) ? Code::kFailedPrecondition
                                                  : Code::kAlreadyExists;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Code::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Code::kCorruption;
    case SQLITE_FULL:
      return Code::kNoSpace;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return Code::kIOError;
    default:
      return Code::kInternal;
  }
}

// ----------------------------------------------------------------------------- SQLite

class SqliteDb;

class SqliteStmt final : public StmtImpl {
 public:
  SqliteStmt(const SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStmt() override { sqlite3_finalize(stmt_); }

  void BindInt(int index, int64_t value) override {
    EFS_CHECK(sqlite3_bind_int64(stmt_, index, value) == SQLITE_OK);
  }
  void BindDouble(int index, double value) override {
    EFS_CHECK(sqlite3_bind_double(stmt_, index, value) == SQLITE_OK);
  }
  void BindText(int index, std::string_view value) override {
    EFS_CHECK(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                                SQLITE_TRANSIENT) == SQLITE_OK);
  }
  void BindNull(int index) override { EFS_CHECK(sqlite3_bind_null(stmt_, index) == SQLITE_OK); }
  Result<bool> Step() override;
  bool IsNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const override {
    const unsigned char* text = sqlite3_column_text(stmt_, col);
    if (text == nullptr) return std::string();
    return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, col));
  }
  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  const SqliteDb* const db_;
  sqlite3_stmt* const stmt_;
};

class SqliteDb final : public Db {
 public:
  SqliteDb(sqlite3* handle, const std::string& path)
      : Db(path),
        handle_(handle),
        wal_path_(path + "-wal"),
        dir_path_(path.find('/') == std::string::npos ? "."
                                                      : path.substr(0, path.find_last_of('/'))) {}
  ~SqliteDb() override {
    cache_.clear();  // finalizes every statement before the connection closes
    // sqlite3_close_v2 accepts nullptr; a handle from a failed open must still be closed.
    sqlite3_close_v2(handle_);
  }

  Status Configure(const SqliteOptions& options);

  Status Exec(std::string_view sql) override;
  Result<Stmt> Prepare(std::string_view sql) override;
  bool InTransaction() const override { return sqlite3_get_autocommit(handle_) == 0; }
  int Changes() const override { return sqlite3_changes(handle_); }
  std::string_view BeginSql() const override { return "BEGIN IMMEDIATE"; }
  Result<int> UserVersion() override { return PragmaInt("user_version"); }
  Status SetUserVersion(int version) override {
    return Exec("PRAGMA user_version=" + std::to_string(version));
  }
  Result<int> ApplicationId() override { return PragmaInt("application_id"); }
  Status SetApplicationId(int id) override {
    return Exec("PRAGMA application_id=" + std::to_string(id));
  }
  Status SyncCommitted() override;
  Status Recover() override;

  // Converts a SQLite result code (and the connection's message) to a Status.
  Status Error(int rc, std::string_view what) const;

 private:
  Result<int> PragmaInt(const char* pragma);

  sqlite3* const handle_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStmt>> cache_;
  // SyncCommitted: the WAL, held open while it is the same file, and its directory.
  const std::string wal_path_;
  const std::string dir_path_;
  UniqueFd wal_fd_;
};

Result<bool> SqliteStmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, sqlite3_sql(stmt_));
}

Status SqliteDb::Configure(const SqliteOptions& options) {
  sqlite3_busy_timeout(handle_, kBusyTimeoutMs);
  sqlite3_extended_result_codes(handle_, 1);
  // Before the first WAL access, so that the WAL index is never put in shared memory.
  if (options.exclusive) EFS_RETURN_IF_ERROR(Exec("PRAGMA locking_mode=EXCLUSIVE"));
  // journal_mode answers with a row; Exec ignores it. In-memory databases stay in "memory".
  EFS_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
  EFS_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=ON"));
  if (options.sync_each_commit) return Exec("PRAGMA synchronous=FULL");
  // Commits do not sync; SyncCommitted does, for many commits at once. Each change is a
  // savepoint, whose undo journal stays in memory rather than in a temporary file. A 16 MiB
  // page cache keeps the b-tree pages of directories and recently used inodes in memory.
  return Exec("PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384");
}

Status SqliteDb::Error(int rc, std::string_view what) const {
  const char* detail = handle_ ? sqlite3_errmsg(handle_) : sqlite3_errstr(rc);
  std::string message = "sqlite: " + std::string(detail);
  if (!what.empty()) message += " (" + std::string(what) + ")";
  Code code = CodeFor(rc);
  const char* reason =
      code == Code::kInternal || code == Code::kIOError ? "InternalServerError" : "";
  return Status(code, reason, message);
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // sqlite3_errmsg() holds the same text
  if (rc == SQLITE_OK) return Status::Ok();
  return Error(rc, text.substr(0, 80));
}

Result<Stmt> SqliteDb::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) return Stmt(it->second.get());
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(handle_, key.data(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, key);
  auto owned = std::make_unique<SqliteStmt>(this, stmt);
  StmtImpl* impl = owned.get();
  cache_.emplace(std::move(key), std::move(owned));
  return Stmt(impl);
}

Result<int> SqliteDb::PragmaInt(const char* pragma) {
  EFS_ASSIGN_OR_RETURN(Stmt stmt, Prepare(std::string("PRAGMA ") + pragma));
  EFS_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal(std::string("PRAGMA ") + pragma + " returned no row");
  return static_cast<int>(stmt.Int(0));
}

Status SqliteDb::SyncCommitted() {
  struct stat named;
  if (::stat(wal_path_.c_str(), &named) != 0) {
    // In-memory databases and a database that has committed nothing have no WAL.
    if (errno == ENOENT) return Status::Ok();
    return IOError("stat '" + wal_path_ + "': " + std::strerror(errno));
  }
  struct stat held;
  if (!wal_fd_.valid() || ::fstat(wal_fd_.get(), &held) != 0 || held.st_ino != named.st_ino ||
      held.st_dev != named.st_dev) {
    wal_fd_.Reset(::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!wal_fd_.valid()) return IOError("open '" + wal_path_ + "': " + std::strerror(errno));
    UniqueFd dir(::open(dir_path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid() || io::Fsync(dir.get()) != 0) {
      return ErrnoStatus(errno, "fsync '" + dir_path_ + "'");
    }
  }
  if (io::Fdatasync(wal_fd_.get()) != 0) return ErrnoStatus(errno, "fdatasync '" + wal_path_ + "'");
  return Status::Ok();
}

Status SqliteDb::Recover() {
  // Every page the database holds, the WAL's included, is written into the main file again
  // (from SQLite's page cache and the WAL), that file synced, and the WAL emptied: nothing
  // then depends on WAL pages whose sync failed.
  EFS_ASSIGN_OR_RETURN(Stmt checkpoint, Prepare("PRAGMA wal_checkpoint(TRUNCATE)"));
  EFS_ASSIGN_OR_RETURN(bool row, checkpoint.Step());
  if (!row) return IOError("checkpoint of '" + path() + "' answered nothing");
  if (checkpoint.Int(0) != 0) return IOError("checkpoint of '" + path() + "' could not complete");
  if (::access(path().c_str(), F_OK) == 0) {  // an in-memory database has no file
    // SQLite synced it as it checkpointed; this sync is the one a fault in io.h reaches.
    UniqueFd file(::open(path().c_str(), O_RDONLY | O_CLOEXEC));
    if (!file.valid() || io::Fsync(file.get()) != 0) {
      return ErrnoStatus(errno, "fsync '" + path() + "'");
    }
  }
  wal_fd_.Reset();  // the next SyncCommitted opens the WAL again and syncs the directory
  EFS_ASSIGN_OR_RETURN(Stmt check, Prepare("PRAGMA quick_check"));
  EFS_ASSIGN_OR_RETURN(row, check.Step());
  if (!row || check.Text(0) != "ok") {
    return ::efs::Error(Code::kCorruption, "InternalServerError",
                 "'" + path() + "' fails its check after a failed sync: " +
                      (row ? check.Text(0) : std::string("no answer")));
  }
  return Status::Ok();
}

}  // namespace

// ----------------------------------------------------------------------------- Stmt, Db

Status Stmt::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

std::optional<std::string> Stmt::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<double> Stmt::OptDouble(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Double(col);
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, const SqliteOptions& options) {
  // Before SQLite initializes: no memory statistics, so that no sqlite3_malloc takes SQLite's
  // global mutex (every connection of efsd allocates through it).
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  sqlite3* handle = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  auto db = std::make_unique<SqliteDb>(handle, path);
  if (rc != SQLITE_OK) return db->Error(rc, "open '" + path + "'");
  EFS_RETURN_IF_ERROR(db->Configure(options));
  return std::unique_ptr<Db>(std::move(db));
}

Result<int64_t> Db::FirstInt(Stmt& stmt) {
  EFS_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal("the statement answered no row");
  const int64_t value = stmt.Int(0);
  EFS_RETURN_IF_ERROR(stmt.Run());
  return value;
}

// ----------------------------------------------------------------------------- Txn

Result<Txn> Txn::Begin(Db& db) {
  EFS_RETURN_IF_ERROR(db.Run(db.BeginSql()));  // a cached statement: no parse per call
  return Txn(&db);
}

Txn::~Txn() {
  if (db_ != nullptr) (void)db_->Run("ROLLBACK");
}

Status Txn::Commit() {
  Db* db = db_;
  db_ = nullptr;
  if (int err = io::BeforeCommit()) {  // an injected fault (io.h): the commit does not happen
    (void)db->Run("ROLLBACK");
    return ErrnoStatus(err, "commit '" + db->path() + "' (injected)");
  }
  // The engine may have ended the transaction already: SQLite undoes it whole after some errors
  // (a full disk), and a PostgreSQL session that broke took it along. A COMMIT then would
  // commit nothing and (PostgreSQL) say it went well.
  if (!db->InTransaction()) {
    return Status(Code::kUnavailable, "",
                  "the transaction on '" + db->path() + "' was lost before its commit");
  }
  Status status = db->Run("COMMIT");
  if (!status.ok()) (void)db->Run("ROLLBACK");
  return status;
}

}  // namespace efs::store

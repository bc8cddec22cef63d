// The SQLite RAII layer: opening with the durability pragmas, the statement cache, and the one
// place where SQLite result codes become Status values.
#include "store/db.h"

#include <sqlite3.h>

#include <string>
#include <utility>

#include "base/check.h"
#include "base/macros.h"
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

}  // namespace

// ----------------------------------------------------------------------------- Stmt

Stmt::Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Stmt& Stmt::Bind(int index, int64_t value) {
  EFS_CHECK(sqlite3_bind_int64(stmt_, index, value) == SQLITE_OK);
  return *this;
}

Stmt& Stmt::Bind(int index, double value) {
  EFS_CHECK(sqlite3_bind_double(stmt_, index, value) == SQLITE_OK);
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view value) {
  EFS_CHECK(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                              SQLITE_TRANSIENT) == SQLITE_OK);
  return *this;
}

Stmt& Stmt::Bind(int index, std::nullopt_t) {
  EFS_CHECK(sqlite3_bind_null(stmt_, index) == SQLITE_OK);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, sqlite3_sql(stmt_));
}

Status Stmt::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::Double(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Stmt::Text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, col));
}

std::optional<std::string> Stmt::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<double> Stmt::OptDouble(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Double(col);
}

// ----------------------------------------------------------------------------- Db

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool exclusive) {
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
  std::unique_ptr<Db> db(new Db(handle, path));
  if (rc != SQLITE_OK) return db->Error(rc, "open '" + path + "'");
  EFS_RETURN_IF_ERROR(db->Configure(exclusive));
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  // sqlite3_close_v2 accepts nullptr; a handle from a failed open must still be closed.
  sqlite3_close_v2(handle_);
}

Status Db::Configure(bool exclusive) {
  sqlite3_busy_timeout(handle_, kBusyTimeoutMs);
  sqlite3_extended_result_codes(handle_, 1);
  // Before the first WAL access, so that the WAL index is never put in shared memory.
  if (exclusive) EFS_RETURN_IF_ERROR(Exec("PRAGMA locking_mode=EXCLUSIVE"));
  // journal_mode answers with a row; Exec ignores it. In-memory databases stay in "memory".
  EFS_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
  return Exec(
      "PRAGMA synchronous=FULL;"
      "PRAGMA foreign_keys=ON;");
}

Status Db::Error(int rc, std::string_view what) const {
  const char* detail = handle_ ? sqlite3_errmsg(handle_) : sqlite3_errstr(rc);
  std::string message = "sqlite: " + std::string(detail);
  if (!what.empty()) message += " (" + std::string(what) + ")";
  Code code = CodeFor(rc);
  const char* reason =
      code == Code::kInternal || code == Code::kIOError ? "InternalServerError" : "";
  return Status(code, reason, message);
}

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // sqlite3_errmsg() holds the same text
  if (rc == SQLITE_OK) return Status::Ok();
  return Error(rc, text.substr(0, 80));
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) return Stmt(this, it->second);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(handle_, key.data(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, key);
  cache_.emplace(std::move(key), stmt);
  return Stmt(this, stmt);
}

bool Db::InTransaction() const { return sqlite3_get_autocommit(handle_) == 0; }

Result<int64_t> Db::FirstInt(Stmt& stmt) {
  EFS_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal("the statement answered no row");
  const int64_t value = stmt.Int(0);
  EFS_RETURN_IF_ERROR(stmt.Run());
  return value;
}

int Db::Changes() const { return sqlite3_changes(handle_); }

Result<int> Db::PragmaInt(const char* pragma) {
  EFS_ASSIGN_OR_RETURN(Stmt stmt, Prepare(std::string("PRAGMA ") + pragma));
  EFS_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal(std::string("PRAGMA ") + pragma + " returned no row");
  return static_cast<int>(stmt.Int(0));
}

Result<int> Db::UserVersion() { return PragmaInt("user_version"); }
Result<int> Db::ApplicationId() { return PragmaInt("application_id"); }

Status Db::SetUserVersion(int version) {
  return Exec("PRAGMA user_version=" + std::to_string(version));
}

Status Db::SetApplicationId(int id) { return Exec("PRAGMA application_id=" + std::to_string(id)); }

// ----------------------------------------------------------------------------- Txn

Result<Txn> Txn::Begin(Db& db) {
  EFS_RETURN_IF_ERROR(db.Run("BEGIN IMMEDIATE"));  // a cached statement: no parse per call
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
  Status status = db->Run("COMMIT");
  if (!status.ok()) (void)db->Run("ROLLBACK");
  return status;
}

}  // namespace efs::store

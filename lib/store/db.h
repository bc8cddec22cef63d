// Db, Stmt, Txn: a thin RAII layer over one SQLite connection. This header and db.cc are the
// only places that see sqlite3.h; every SQLite result code becomes a Status here.
//
// A Db is opened in WAL mode with synchronous=FULL (a committed transaction survives kill -9 and
// power loss), foreign_keys=ON and a busy timeout. Prepared statements are cached by SQL text,
// so the same query costs one sqlite3_prepare per connection lifetime.
//
// Thread safety: none. A Db and its statements belong to one thread at a time; callers that
// share a Db serialize with their own mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace efs::store {

class Db;

// A cached prepared statement with its bindings. Destroying it resets the statement and
// clears its bindings so the cache can hand it out again. Move-only; must not outlive its Db.
class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Parameters are numbered from 1, as in SQLite. A std::nullopt binds NULL.
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, bool value) { return Bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Stmt& Bind(int index, double value);
  Stmt& Bind(int index, std::string_view value);
  Stmt& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, std::nullopt_t);
  template <class T>
  Stmt& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : Bind(index, std::nullopt);
  }

  // Advances to the next row. Returns true iff a row is available, false when done.
  Result<bool> Step();
  // Steps until done, ignoring rows (for INSERT/UPDATE/DELETE).
  Status Run();

  // Columns of the current row, numbered from 0. REQUIRES: the last Step() returned true.
  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<double> OptDouble(int col) const;

 private:
  friend class Db;
  Stmt(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Db* db_;
  sqlite3_stmt* stmt_;
};

class Db {
 public:
  // Opens (creating if missing) the database at `path`; ":memory:" gives a private in-memory
  // database. Sets the pragmas described above. Fails with kIOError if the file cannot be
  // opened, kCorruption if it is not a SQLite database. With `exclusive`, the connection takes
  // the file's lock at its first access and keeps it (locking_mode=EXCLUSIVE): no other
  // connection or process can read or write it, and the WAL index lives in heap memory, which
  // saves the fcntl() locking of every transaction. For files with a single owning process.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool exclusive = false);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more ';'-separated statements that return no rows of interest.
  Status Exec(std::string_view sql);

  // Returns the cached prepared statement for `sql` (preparing it on first use).
  // REQUIRES: no other live Stmt for the same `sql` (statements are not reentrant).
  Result<Stmt> Prepare(std::string_view sql);

  // Prepares `sql` and binds args to parameters 1..n.
  template <class... Args>
  Result<Stmt> Query(std::string_view sql, const Args&... args) {
    Result<Stmt> stmt = Prepare(sql);
    if (stmt.ok()) BindAll(*stmt, 1, args...);
    return stmt;
  }
  // Prepares, binds and runs a statement to completion.
  template <class... Args>
  Status Run(std::string_view sql, const Args&... args) {
    Result<Stmt> stmt = Query(sql, args...);
    if (!stmt.ok()) return stmt.status();
    return stmt->Run();
  }

  // Prepares, binds and runs a statement that answers one row, such as an INSERT ... RETURNING
  // seq; returns that row's first column. kInternal if it answers no row.
  template <class... Args>
  Result<int64_t> QueryInt(std::string_view sql, const Args&... args) {
    Result<Stmt> stmt = Query(sql, args...);
    if (!stmt.ok()) return stmt.status();
    return FirstInt(*stmt);
  }

  // Steps a bound `stmt` to its end; returns the first row's first column (kInternal if it
  // answers no row).
  static Result<int64_t> FirstInt(Stmt& stmt);

  // True iff a transaction is open (SQLite undoes a whole transaction on some errors).
  bool InTransaction() const;

  // Rows changed by the last statement.
  int Changes() const;

  // PRAGMA user_version and PRAGMA application_id.
  Result<int> UserVersion();
  Status SetUserVersion(int version);
  Result<int> ApplicationId();
  Status SetApplicationId(int id);

  const std::string& path() const { return path_; }

 private:
  friend class Stmt;
  Db(sqlite3* handle, std::string path) : handle_(handle), path_(std::move(path)) {}
  Status Configure(bool exclusive);
  // Converts a SQLite result code (and the connection's message) to a Status.
  Status Error(int rc, std::string_view what) const;
  Result<int> PragmaInt(const char* pragma);

  template <class T, class... Rest>
  static void BindAll(Stmt& stmt, int index, const T& first, const Rest&... rest) {
    stmt.Bind(index, first);
    BindAll(stmt, index + 1, rest...);
  }
  static void BindAll(Stmt&, int) {}

  sqlite3* handle_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// A transaction: BEGIN IMMEDIATE on Begin(), ROLLBACK on destruction unless committed.
// Transactions do not nest.
class Txn {
 public:
  static Result<Txn> Begin(Db& db);
  Txn(Txn&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Txn& operator=(Txn&&) = delete;
  ~Txn();
  // Commits; after this the destructor does nothing. On failure the transaction is rolled back.
  Status Commit();

 private:
  explicit Txn(Db* db) : db_(db) {}
  Db* db_;
};

}  // namespace efs::store

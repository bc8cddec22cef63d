// Db, Stmt, Txn: the SQL layer under the catalog and the namespaces. Db is an interface with
// one implementation per engine: SQLite (Db::Open, db.cc, the only file that sees sqlite3.h)
// and PostgreSQL (pg_db.h, docs/REGION.md). The catalog and namespace speak the SQL both take
// (parameters as ? or ?N, INSERT ... RETURNING, ON CONFLICT); every engine error becomes a
// Status in the engine's file.
//
// A SQLite Db is opened in WAL mode with synchronous=FULL (a committed transaction survives
// kill -9 and power loss) unless its options say otherwise, foreign_keys=ON and a busy
// timeout. Prepared statements are cached by SQL text in every engine, so the same query costs
// one prepare per connection lifetime.
//
// Thread safety: none. A Db and its statements belong to one thread at a time; callers that
// share a Db serialize with their own mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace efs::store {

class Db;

// An engine's prepared statement, owned by its Db's cache (Stmt hands it out).
class StmtImpl {
 public:
  virtual ~StmtImpl() = default;
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindDouble(int index, double value) = 0;
  virtual void BindText(int index, std::string_view value) = 0;
  virtual void BindNull(int index) = 0;
  virtual Result<bool> Step() = 0;
  virtual bool IsNull(int col) const = 0;
  virtual int64_t Int(int col) const = 0;
  virtual double Double(int col) const = 0;
  virtual std::string Text(int col) const = 0;
  // Makes the statement ready to be handed out again: no row, no bindings.
  virtual void Reset() = 0;
};

// A cached prepared statement with its bindings. Destroying it resets the statement and
// clears its bindings so the cache can hand it out again. Move-only; must not outlive its Db.
class Stmt {
 public:
  explicit Stmt(StmtImpl* impl) : impl_(impl) {}
  Stmt(Stmt&& other) noexcept : impl_(other.impl_) { other.impl_ = nullptr; }
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt() {
    if (impl_ != nullptr) impl_->Reset();
  }

  // Parameters are numbered from 1, as in SQLite. A std::nullopt binds NULL.
  Stmt& Bind(int index, int64_t value) {
    impl_->BindInt(index, value);
    return *this;
  }
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, bool value) { return Bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Stmt& Bind(int index, double value) {
    impl_->BindDouble(index, value);
    return *this;
  }
  Stmt& Bind(int index, std::string_view value) {
    impl_->BindText(index, value);
    return *this;
  }
  Stmt& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, std::nullopt_t) {
    impl_->BindNull(index);
    return *this;
  }
  template <class T>
  Stmt& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : Bind(index, std::nullopt);
  }

  // Advances to the next row. Returns true iff a row is available, false when done.
  Result<bool> Step() { return impl_->Step(); }
  // Steps until done, ignoring rows (for INSERT/UPDATE/DELETE).
  Status Run();

  // Columns of the current row, numbered from 0. REQUIRES: the last Step() returned true.
  bool IsNull(int col) const { return impl_->IsNull(col); }
  int64_t Int(int col) const { return impl_->Int(col); }
  double Double(int col) const { return impl_->Double(col); }
  std::string Text(int col) const { return impl_->Text(col); }
  std::optional<std::string> OptText(int col) const;
  std::optional<double> OptDouble(int col) const;

 private:
  StmtImpl* impl_;
};

// How Db::Open sets up a SQLite database.
struct SqliteOptions {
  // The connection takes the file's lock at its first access and keeps it
  // (locking_mode=EXCLUSIVE): no other connection or process can read or write it, and the WAL
  // index lives in heap memory, which saves the fcntl() locking of every transaction. For files
  // with a single owning process.
  bool exclusive = false;
  // synchronous=FULL: each commit syncs the WAL. Without it (synchronous=NORMAL) commits do
  // not sync, and SyncCommitted makes them durable, many at once; savepoint journals then stay
  // in memory and the page cache is 16 MiB (the default is 2 MiB).
  bool sync_each_commit = true;
};

class Db {
 public:
  // Opens (creating if missing) the SQLite database at `path`; ":memory:" gives a private
  // in-memory database. Fails with kIOError if the file cannot be opened, kCorruption if it is
  // not a SQLite database.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, const SqliteOptions& options);
  static Result<std::unique_ptr<Db>> Open(const std::string& path) { return Open(path, {}); }
  virtual ~Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more ';'-separated statements that return no rows of interest.
  virtual Status Exec(std::string_view sql) = 0;

  // Returns the cached prepared statement for `sql` (preparing it on first use).
  // REQUIRES: no other live Stmt for the same `sql` (statements are not reentrant).
  virtual Result<Stmt> Prepare(std::string_view sql) = 0;

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
  virtual bool InTransaction() const = 0;
  // Rows changed by the last statement.
  virtual int Changes() const = 0;
  // The statement that opens a transaction which writes (SQLite: BEGIN IMMEDIATE).
  virtual std::string_view BeginSql() const = 0;

  // The schema version and the format's identity (SQLite: PRAGMA user_version and
  // application_id).
  virtual Result<int> UserVersion() = 0;
  virtual Status SetUserVersion(int version) = 0;
  virtual Result<int> ApplicationId() = 0;
  virtual Status SetApplicationId(int id) = 0;

  // Makes every committed transaction durable, when commits do not (SqliteOptions::
  // sync_each_commit false): one sync covers every commit before it. Unlike every other call,
  // it may run on another thread while the Db's statements run (never twice at once):
  // MetadataBackend::Sync is called so.
  virtual Status SyncCommitted() = 0;
  // After a failed SyncCommitted: makes every committed transaction durable without trusting
  // what that sync left behind, and checks the database. Ok only if all of that did.
  virtual Status Recover() = 0;

  // True if a new database of this engine is made at the current schema version at once
  // (schema.h, MigrateFile), from the schema SQLite's migrations build, rather than by
  // replaying them: some rebuild tables in ways only SQLite takes.
  virtual bool TakesSchemaWhole() const { return false; }

  // What the database is called in messages: its file, or its connection and schema.
  const std::string& path() const { return path_; }

 protected:
  explicit Db(std::string path) : path_(std::move(path)) {}

 private:
  template <class T, class... Rest>
  static void BindAll(Stmt& stmt, int index, const T& first, const Rest&... rest) {
    stmt.Bind(index, first);
    BindAll(stmt, index + 1, rest...);
  }
  static void BindAll(Stmt&, int) {}

  const std::string path_;
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

// Tests for the SQLite RAII layer: pragmas, statement cache, binding, error mapping,
// transactions and durability across reopen and kill -9.
#include "store/db.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "testutil/temp_dir.h"

namespace efs::store {
namespace {

using testutil::TempDir;

std::unique_ptr<Db> OpenOrDie(const std::string& path) {
  Result<std::unique_ptr<Db>> db = Db::Open(path);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

std::string PragmaText(Db& db, const std::string& pragma) {
  Result<Stmt> s = db.Prepare("PRAGMA " + pragma);
  EXPECT_TRUE(s.ok());
  Result<bool> row = s->Step();
  EXPECT_TRUE(row.ok() && *row);
  return s->Text(0);
}

int64_t CountRows(Db& db, const std::string& table) {
  Result<Stmt> s = db.Prepare("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  Result<bool> row = s->Step();
  EXPECT_TRUE(row.ok() && *row);
  return s->Int(0);
}

TEST(Db, OpensFilesInWalModeWithFullSyncAndForeignKeys) {
  TempDir dir;
  auto db = OpenOrDie(dir.Join("a.db"));
  EXPECT_EQ(PragmaText(*db, "journal_mode"), "wal");
  EXPECT_EQ(PragmaText(*db, "synchronous"), "2");
  EXPECT_EQ(PragmaText(*db, "foreign_keys"), "1");
}

TEST(Db, BindsAndReadsEveryColumnType) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db->Exec("CREATE TABLE t(i INTEGER, d REAL, s TEXT, n TEXT)").ok());
  std::optional<std::string> none;
  ASSERT_TRUE(db->Run("INSERT INTO t VALUES(?1, ?2, ?3, ?4)", int64_t{1} << 40, 2.5,
                      std::string("hé"), none)
                  .ok());
  Result<Stmt> s = db->Query("SELECT i, d, s, n FROM t");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(*s->Step());
  EXPECT_EQ(s->Int(0), int64_t{1} << 40);
  EXPECT_EQ(s->Double(1), 2.5);
  EXPECT_EQ(s->Text(2), "hé");
  EXPECT_TRUE(s->IsNull(3));
  EXPECT_EQ(s->OptText(3), std::nullopt);
  EXPECT_FALSE(*s->Step());
}

TEST(Db, ReusesACachedStatementWithFreshBindings) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db->Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)").ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(db->Run("INSERT INTO t VALUES(?1, ?2)", "k" + std::to_string(i), i).ok());
  }
  for (int i = 0; i < 3; ++i) {
    Result<Stmt> s = db->Query("SELECT v FROM t WHERE k = ?1", "k" + std::to_string(i));
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(*s->Step());
    EXPECT_EQ(s->Int(0), i);
  }
}

TEST(Db, UniqueViolationIsAlreadyExistsAndForeignKeyViolationIsFailedPrecondition) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db->Exec("CREATE TABLE p(id TEXT PRIMARY KEY);"
                       "CREATE TABLE c(pid TEXT REFERENCES p(id));"
                       "INSERT INTO p VALUES('a')")
                  .ok());
  EXPECT_EQ(db->Run("INSERT INTO p VALUES('a')").code(), Code::kAlreadyExists);
  EXPECT_EQ(db->Run("INSERT INTO c VALUES('zzz')").code(), Code::kFailedPrecondition);
}

TEST(Db, SyntaxErrorIsInternalAndNamesTheStatement) {
  auto db = OpenOrDie(":memory:");
  Status status = db->Exec("SELEC 1");
  EXPECT_EQ(status.code(), Code::kInternal);
  EXPECT_NE(status.message().find("SELEC"), std::string::npos) << status.message();
}

TEST(Db, OpeningAFileThatIsNotADatabaseIsCorruption) {
  TempDir dir;
  std::ofstream(dir.Join("junk.db")) << std::string(4096, 'x');
  Result<std::unique_ptr<Db>> db = Db::Open(dir.Join("junk.db"));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kCorruption);
}

TEST(Db, OpeningInAMissingDirectoryIsIOError) {
  Result<std::unique_ptr<Db>> db = Db::Open("/nonexistent-efs-dir/x/catalog.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kIOError);
}

TEST(Txn, RollsBackUnlessCommitted) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  {
    Result<Txn> txn = Txn::Begin(*db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db->Run("INSERT INTO t VALUES(1)").ok());
  }
  EXPECT_EQ(CountRows(*db, "t"), 0);
  {
    Result<Txn> txn = Txn::Begin(*db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db->Run("INSERT INTO t VALUES(1)").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(CountRows(*db, "t"), 1);
}

TEST(Durability, CommittedRowsAreSeenAfterReopen) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.Join("d.db"));
    ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
    ASSERT_TRUE(db->Run("INSERT INTO t VALUES(?1)", 42).ok());
  }
  auto db = OpenOrDie(dir.Join("d.db"));
  EXPECT_EQ(CountRows(*db, "t"), 1);
}

TEST(Durability, CommittedRowsSurviveKill9OfTheWriter) {
  TempDir dir;
  std::string path = dir.Join("k.db");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<Db>> db = Db::Open(path);
    if (!db.ok()) _exit(1);
    if (!(*db)->Exec("CREATE TABLE t(x)").ok()) _exit(1);
    Result<Txn> txn = Txn::Begin(**db);
    if (!txn.ok() || !(*db)->Run("INSERT INTO t VALUES(7)").ok() || !txn->Commit().ok()) _exit(1);
    raise(SIGKILL);  // no close, no checkpoint: only the WAL holds the row
    _exit(2);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child failed before the kill";
  auto db = OpenOrDie(path);
  EXPECT_EQ(CountRows(*db, "t"), 1);
}

}  // namespace
}  // namespace efs::store

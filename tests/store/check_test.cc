// The consistency check (efs fsck) over a real store: corruption put in by hand (a data file
// deleted, extended or orphaned, a link count broken, an inode cut off from the tree) is found,
// named with its path, and repaired where that is safe; a clean file system has no finding.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "fs/check.h"
#include "store/db.h"
#include "store/files.h"
#include "store/io.h"
#include "store/store_fs.h"
#include "testutil/temp_dir.h"

namespace efs::store {
namespace {

using fs::CheckReport;
using fs::Credentials;
using fs::FileId;
using fs::Stability;
using testutil::TempDir;

const Credentials kRoot = Credentials::Root();

std::unique_ptr<fs::FileSystem> OpenOrDie(const std::string& dir) {
  Result<std::unique_ptr<fs::FileSystem>> fs = OpenStoreFs(dir);
  EXPECT_TRUE(fs.ok()) << (fs.ok() ? "" : fs.status().ToString());
  return fs.ok() ? std::move(fs).value() : nullptr;
}

FileId Make(fs::FileSystem& fs, FileId dir, const std::string& name,
            fs::FileType type = fs::FileType::kRegular) {
  fs::CreateArgs args;
  args.type = type;
  args.mode = type == fs::FileType::kDirectory ? 0755 : 0644;
  Result<fs::CreateResult> r = fs.Create(kRoot, dir, name, args);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.status().ToString());
  return r.ok() ? r->attrs.id : FileId{};
}

void Write(fs::FileSystem& fs, FileId f, const std::string& data) {
  ASSERT_TRUE(fs.Write(kRoot, f, 0, data, Stability::kFileSync).ok());
}

CheckReport CheckOrDie(fs::FileSystem& fs, bool repair) {
  Result<CheckReport> r = fs.Check(repair);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.status().ToString());
  return r.ok() ? *r : CheckReport{};
}

// "Kind ino path repaired" per finding, for readable failures.
std::vector<std::string> Summary(const CheckReport& r) {
  std::vector<std::string> out;
  for (const fs::CheckFinding& f : r.findings) {
    out.push_back(f.kind + " " + std::to_string(f.ino) + " " + f.path +
                  (f.repaired ? " repaired" : ""));
  }
  return out;
}

// A small tree: /d/f (5000 bytes), /g (hard-linked as /d/g2), /s (a symlink), /empty.
struct Tree {
  FileId d, f, g, s, empty;
};
Tree Populate(fs::FileSystem& fs) {
  Tree t;
  t.d = Make(fs, fs.Root(), "d", fs::FileType::kDirectory);
  t.f = Make(fs, t.d, "f");
  Write(fs, t.f, std::string(5000, 'f'));
  t.g = Make(fs, fs.Root(), "g");
  Write(fs, t.g, "gg");
  EXPECT_TRUE(fs.Link(kRoot, t.g, t.d, "g2").ok());
  fs::CreateArgs link;
  link.type = fs::FileType::kSymlink;
  link.symlink_target = "d/f";
  t.s = fs.Create(kRoot, fs.Root(), "s", link)->attrs.id;
  t.empty = Make(fs, fs.Root(), "empty");
  return t;
}

// Runs `sql` on the closed store's namespace.db.
void Sql(const std::string& dir, const std::string& sql) {
  auto db = Db::Open(dir + "/namespace.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec(sql).ok()) << sql;
}

// A store with the tree in it, closed: each test damages it by hand, then opens it.
class Check : public testing::Test {
 protected:
  void SetUp() override {
    auto fs = OpenOrDie(tmp.path());
    ASSERT_NE(fs, nullptr);
    t = Populate(*fs);
  }
  // The data file of `ino`.
  std::string DataFile(uint64_t ino) const { return ShardedPath(tmp.path() + "/data", ino); }
  TempDir tmp;
  Tree t;
};

TEST_F(Check, ACleanFileSystemHasNoFinding) {
  auto fs = OpenOrDie(tmp.path());
  CheckReport r = CheckOrDie(*fs, false);
  EXPECT_TRUE(r.findings.empty()) << testing::PrintToString(Summary(r));
  EXPECT_EQ(r.checked.inodes, 6u);
  EXPECT_EQ(r.checked.directories, 2u);
  EXPECT_EQ(r.checked.regular_files, 3u);
  EXPECT_EQ(r.checked.entries, 6u);
  EXPECT_EQ(r.checked.data_copies, 2u);
  EXPECT_EQ(r.counted, r.metered);
  EXPECT_EQ(r.metered, fs->Metered());
}

TEST_F(Check, FindsADeletedDataFileAndCannotRepairIt) {
  ASSERT_EQ(::unlink(DataFile(t.f.ino).c_str()), 0);
  auto fs = OpenOrDie(tmp.path());
  CheckReport r = CheckOrDie(*fs, true);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].kind, fs::kDataFileMissing);
  EXPECT_EQ(r.findings[0].ino, t.f.ino);
  EXPECT_EQ(r.findings[0].path, "/d/f");
  EXPECT_FALSE(r.findings[0].repaired);
}

// What kill -9 leaves when it cuts off an unstable write whose size update never committed.
TEST_F(Check, TrimsADataFileLongerThanItsInode) {
  {
    std::ofstream out(DataFile(t.g.ino), std::ios::app);
    out << std::string(10000, 'X');
  }
  auto fs = OpenOrDie(tmp.path());
  CheckReport found = CheckOrDie(*fs, false);
  ASSERT_EQ(Summary(found).size(), 1u) << testing::PrintToString(Summary(found));
  EXPECT_EQ(found.findings[0].kind, fs::kDataFileLonger);
  EXPECT_EQ(found.findings[0].path, "/g");
  CheckReport fixed = CheckOrDie(*fs, true);
  EXPECT_TRUE(fixed.findings[0].repaired);
  struct stat st;
  ASSERT_EQ(::stat(DataFile(t.g.ino).c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 2);
  EXPECT_TRUE(CheckOrDie(*fs, false).findings.empty());
  EXPECT_EQ(fs->Read(kRoot, t.g, 0, 100)->data, "gg");
}

// kill -9 between an unstable write's bytes and its size update (the process ends at the
// commit that would record the size): fsck finds the data file longer than its inode, and the
// next open trims it.
TEST_F(Check, AfterACrashCutsOffAWriteItFindsTheDataFileLongerAndAnOpenTrimsIt) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Result<std::unique_ptr<fs::FileSystem>> fs = OpenStoreFs(tmp.path());
    if (!fs.ok()) ::_exit(2);
    ArmFault(Fault{SyncOp::kCommit, 1, FaultAction::kExit, false});
    (void)(*fs)->Write(kRoot, t.g, 2, std::string(100000, 'u'), Stability::kUnstable);
    (void)(*fs)->Commit(t.g);
    ::_exit(0);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), kFaultExitCode);
  auto fs = OpenOrDie(tmp.path());
  CheckReport r = CheckOrDie(*fs, false);
  ASSERT_EQ(Summary(r), (std::vector<std::string>{"DataFileLonger " + std::to_string(t.g.ino) +
                                                  " /g"}));
  EXPECT_EQ(fs->GetAttr(t.g)->size, 2u);
  ASSERT_TRUE(fs->Pin(t.g).ok());  // NFS OPEN
  EXPECT_TRUE(CheckOrDie(*fs, false).findings.empty());
  ASSERT_TRUE(fs->Unpin(t.g).ok());
  EXPECT_EQ(fs->Read(kRoot, t.g, 0, 10)->data, "gg");
}

TEST_F(Check, AnOpenOrSizeChangeTrimsTheBytesACrashLeftPastTheSize) {
  {
    std::ofstream out(DataFile(t.g.ino), std::ios::app);
    out << "STALE";
  }
  auto fs = OpenOrDie(tmp.path());
  ASSERT_TRUE(fs->Pin(t.g).ok());  // NFS OPEN
  struct stat st;
  ASSERT_EQ(::stat(DataFile(t.g.ino).c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 2);
  ASSERT_TRUE(fs->Unpin(t.g).ok());
  fs.reset();
  {
    std::ofstream out(DataFile(t.g.ino), std::ios::app);
    out << "STALE";
  }
  fs = OpenOrDie(tmp.path());
  fs::SetAttrs grow;
  grow.size = 7;  // SETATTR without an open (a v4.1 client may use the anonymous stateid)
  ASSERT_TRUE(fs->SetAttr(kRoot, t.g, grow).ok());
  EXPECT_EQ(fs->Read(kRoot, t.g, 0, 100)->data, std::string("gg") + std::string(5, '\0'));
}

TEST_F(Check, RemovesOrphanedDataFiles) {
  const std::string orphan = DataFile(9999);
  ASSERT_TRUE(MakeShardDirs(tmp.path() + "/data", 9999).ok());
  std::ofstream(orphan) << "nobody's";
  const std::string of_dir = DataFile(t.d.ino);
  ASSERT_TRUE(MakeShardDirs(tmp.path() + "/data", t.d.ino).ok());
  std::ofstream(of_dir) << "a directory has no data";
  auto fs = OpenOrDie(tmp.path());
  CheckReport r = CheckOrDie(*fs, true);
  ASSERT_EQ(Summary(r).size(), 2u) << testing::PrintToString(Summary(r));
  for (const fs::CheckFinding& f : r.findings) {
    EXPECT_EQ(f.kind, fs::kDataFileOrphaned);
    EXPECT_TRUE(f.repaired);
  }
  EXPECT_EQ(::access(orphan.c_str(), F_OK), -1);
  EXPECT_EQ(::access(of_dir.c_str(), F_OK), -1);
  EXPECT_TRUE(CheckOrDie(*fs, false).findings.empty());
}

TEST_F(Check, FixesABrokenLinkCount) {
  Sql(tmp.path(), "UPDATE inodes SET nlink = 5 WHERE ino = " + std::to_string(t.g.ino) +
                      "; UPDATE inodes SET nlink = 7 WHERE ino = 1");
  auto fs = OpenOrDie(tmp.path());
  CheckReport r = CheckOrDie(*fs, true);
  ASSERT_EQ(Summary(r),
            (std::vector<std::string>{"LinkCountWrong 1 / repaired",
                                      "LinkCountWrong " + std::to_string(t.g.ino) + " /g repaired"}))
      << testing::PrintToString(Summary(r));
  EXPECT_EQ(fs->GetAttr(t.g)->nlink, 2u);
  EXPECT_EQ(fs->GetAttr(fs->Root())->nlink, 3u);
  EXPECT_TRUE(CheckOrDie(*fs, false).findings.empty());
}

TEST_F(Check, ReattachesAnInodeNoEntryNamesInLostAndFound) {
  // An orphan: its entry is gone, its link count and its directory's size are not.
  Sql(tmp.path(), "DELETE FROM dirents WHERE ino = " + std::to_string(t.f.ino));
  auto fs = OpenOrDie(tmp.path());
  CheckReport found = CheckOrDie(*fs, false);
  ASSERT_EQ(Summary(found),
            (std::vector<std::string>{"DirectorySizeWrong " + std::to_string(t.d.ino) + " /d",
                                      "Unreachable " + std::to_string(t.f.ino) + " "}))
      << testing::PrintToString(Summary(found));
  CheckReport fixed = CheckOrDie(*fs, true);
  for (const fs::CheckFinding& f : fixed.findings) EXPECT_TRUE(f.repaired) << f.kind;
  Result<fs::Attributes> lost = fs->Lookup(kRoot, fs->Root(), "lost+found");
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->mode, 0700u);
  Result<fs::Attributes> back = fs->Lookup(kRoot, lost->id, "#" + std::to_string(t.f.ino));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id.ino, t.f.ino);
  EXPECT_EQ(fs->Read(kRoot, t.f, 0, 10)->data, "ffffffffff");
  CheckReport again = CheckOrDie(*fs, false);
  EXPECT_TRUE(again.findings.empty()) << testing::PrintToString(Summary(again));
  EXPECT_EQ(fs->Metered(), again.counted);
}

TEST_F(Check, DeletesAnEntryToAMissingInode) {
  Sql(tmp.path(), "PRAGMA foreign_keys=OFF; DELETE FROM inodes WHERE ino = " +
                      std::to_string(t.empty.ino));
  auto fs = OpenOrDie(tmp.path());
  CheckReport r = CheckOrDie(*fs, true);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].kind, fs::kDanglingEntry);
  EXPECT_EQ(r.findings[0].path, "/");
  EXPECT_TRUE(r.findings[0].repaired);
  EXPECT_FALSE(fs->Lookup(kRoot, fs->Root(), "empty").ok());
  CheckReport again = CheckOrDie(*fs, false);
  EXPECT_TRUE(again.findings.empty()) << testing::PrintToString(Summary(again));
}

TEST_F(Check, RecountsAWrongMeteredSize) {
  Sql(tmp.path(), "UPDATE inodes SET metered = 1 WHERE ino = " + std::to_string(t.s.ino));
  auto fs = OpenOrDie(tmp.path());
  const fs::StorageSizes before = fs->Metered();
  CheckReport r = CheckOrDie(*fs, true);
  ASSERT_EQ(Summary(r), (std::vector<std::string>{
                            "MeteredSizeWrong " + std::to_string(t.s.ino) + " /s repaired",
                            "MeteredSizeWrong 0  repaired"}))
      << testing::PrintToString(Summary(r));
  EXPECT_EQ(r.metered, before);
  EXPECT_EQ(fs->Metered(), r.counted);
  EXPECT_EQ(fs->MeteredSize(), before.total() + 2048 + 4096 - 1);
}

TEST_F(Check, PutsAFileBackInTheTierThatHoldsItsData) {
  Sql(tmp.path(), "UPDATE inodes SET storage_class = 'IA' WHERE ino = " + std::to_string(t.f.ino));
  auto fs = OpenOrDie(tmp.path());
  CheckReport r = CheckOrDie(*fs, true);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].kind, fs::kDataFileWrongTier);
  EXPECT_TRUE(r.findings[0].repaired);
  EXPECT_EQ(fs->Storage(t.f)->storage_class, fs::StorageClass::kStandard);
  CheckReport again = CheckOrDie(*fs, false);
  EXPECT_TRUE(again.findings.empty()) << testing::PrintToString(Summary(again));
}

}  // namespace
}  // namespace efs::store

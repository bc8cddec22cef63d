// StoreFs: the fs conformance suite over namespace.db and data files, plus what only a durable
// store does: reopen, write verifier per open, crash leftovers, kill -9 mid-burst, schema.
#include "store/store_fs.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "fs/conformance.h"
#include "fs/lifecycle_conformance.h"
#include "store/db.h"
#include "store/files.h"
#include "store/namespace_schema.h"
#include "tests/store/shared_postgres.h"
#include "testutil/temp_dir.h"

namespace efs::store {
namespace {

using fs::Credentials;
using fs::FileId;
using fs::FsConformance;
using fs::LifecycleConformance;
using fs::Stability;
using testutil::TempDir;

const fs::FsFactory kStoreFs{"StoreFs", [](const std::string& dir, const Clock* clock) {
                               auto fs = OpenStoreFs(dir, clock);
                               EXPECT_TRUE(fs.ok());
                               return fs.ok() ? std::move(fs).value() : nullptr;
                             }};
// The same with the namespace in PostgreSQL (store/pg_db.h): a schema per directory, so that
// a file system opened again in the same directory finds its namespace.
const fs::FsFactory kStoreFsOnPostgres{
    "StoreFsOnPostgres", [](const std::string& dir, const Clock* clock) {
      char schema[32];
      std::snprintf(schema, sizeof schema, "ns_%016zx", std::hash<std::string>{}(dir));
      std::unique_ptr<Db> db = SharedPostgresDb(schema);
      if (db == nullptr) return std::unique_ptr<fs::FileSystem>();
      auto fs = OpenStoreFs(dir, clock, {}, std::move(db));
      EXPECT_TRUE(fs.ok()) << fs.status().ToString();
      return fs.ok() ? std::move(fs).value() : nullptr;
    }};
INSTANTIATE_TEST_SUITE_P(StoreFs, FsConformance, testing::Values(kStoreFs, kStoreFsOnPostgres),
                         fs::FactoryName);
INSTANTIATE_TEST_SUITE_P(StoreFs, LifecycleConformance,
                         testing::Values(kStoreFs, kStoreFsOnPostgres), fs::FactoryName);

const Credentials kRoot = Credentials::Root();

std::unique_ptr<fs::FileSystem> OpenOrDie(const std::string& dir) {
  Result<std::unique_ptr<fs::FileSystem>> fs = OpenStoreFs(dir);
  EXPECT_TRUE(fs.ok()) << (fs.ok() ? "" : fs.status().ToString());
  return fs.ok() ? std::move(fs).value() : nullptr;
}

FileId CreateFile(fs::FileSystem& fs, const std::string& name) {
  Result<fs::CreateResult> r = fs.Create(kRoot, fs.Root(), name, fs::CreateArgs{});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.status().ToString());
  return r.ok() ? r->attrs.id : FileId{};
}

std::string DataPath(const std::string& dir, uint64_t ino) {
  char shard[16];
  std::snprintf(shard, sizeof(shard), "%02x/%02x/", unsigned(ino & 0xff),
                unsigned((ino >> 8) & 0xff));
  return dir + "/data/" + shard + std::to_string(ino);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// 4 KiB whose content says which block it is.
std::string Block(uint64_t i) {
  std::string b(4096, static_cast<char>('a' + i % 26));
  std::string tag = "block " + std::to_string(i) + ";";
  b.replace(0, tag.size(), tag);
  return b;
}

TEST(StoreFs, ReopenKeepsFilesAttributesAndHandles) {
  TempDir tmp;
  FileId f, d;
  fs::Attributes before;
  uint64_t verifier;
  {
    auto fs = OpenOrDie(tmp.path());
    fs::CreateArgs dir;
    dir.type = fs::FileType::kDirectory;
    dir.mode = 0750;
    d = fs->Create(kRoot, fs->Root(), "dir", dir)->attrs.id;
    f = fs->Create(kRoot, d, "file", fs::CreateArgs{})->attrs.id;
    ASSERT_TRUE(fs->Write(kRoot, f, 0, "durable bytes", Stability::kFileSync).ok());
    fs::CreateArgs link;
    link.type = fs::FileType::kSymlink;
    link.symlink_target = "dir/file";
    ASSERT_TRUE(fs->Create(kRoot, fs->Root(), "link", link).ok());
    before = *fs->GetAttr(f);
    verifier = fs->WriteVerifier();
  }
  auto fs = OpenOrDie(tmp.path());
  EXPECT_NE(fs->WriteVerifier(), verifier);
  fs::Attributes after = *fs->GetAttr(f);
  EXPECT_EQ(after.size, before.size);
  EXPECT_EQ(after.mtime, before.mtime);
  EXPECT_EQ(after.change, before.change);
  EXPECT_EQ(after.id, f);
  EXPECT_EQ(fs->Read(kRoot, f, 0, 100)->data, "durable bytes");
  EXPECT_EQ(fs->GetAttr(d)->mode, 0750u);
  EXPECT_EQ(fs->Lookup(kRoot, d, "file")->id, f);
  FileId link = fs->Lookup(kRoot, fs->Root(), "link")->id;
  EXPECT_EQ(*fs->ReadLink(link), "dir/file");
  EXPECT_TRUE(Exists(DataPath(tmp.path(), f.ino)));
  // Cookies keep growing after a reopen.
  auto page = fs->ReadDir(kRoot, fs->Root(), fs::ReadDirArgs{});
  ASSERT_TRUE(page.ok());
  uint64_t last = page->entries.back().cookie;
  CreateFile(*fs, "later");
  fs::ReadDirArgs rest;
  rest.cookie = last;
  page = fs->ReadDir(kRoot, fs->Root(), rest);
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].name, "later");
}

TEST(StoreFs, UnlinkedOpenFilesAreCollectedAtTheNextOpen) {
  TempDir tmp;
  FileId f;
  {
    auto fs = OpenOrDie(tmp.path());
    f = CreateFile(*fs, "open-then-removed");
    ASSERT_TRUE(fs->Write(kRoot, f, 0, "x", Stability::kFileSync).ok());
    ASSERT_TRUE(fs->Pin(f).ok());
    ASSERT_TRUE(fs->Remove(kRoot, fs->Root(), "open-then-removed").ok());
    EXPECT_TRUE(fs->GetAttr(f).ok());
    EXPECT_TRUE(Exists(DataPath(tmp.path(), f.ino)));
  }  // a "crash" with the file still pinned
  auto fs = OpenOrDie(tmp.path());
  EXPECT_EQ(fs->GetAttr(f).status().code(), Code::kStale);
  EXPECT_FALSE(Exists(DataPath(tmp.path(), f.ino)));
  EXPECT_EQ(fs->StatFs()->used_files, 1u);
}

TEST(StoreFs, AMissingDataFileReadsAsZerosUpToTheSize) {
  TempDir tmp;
  FileId f;
  {
    auto fs = OpenOrDie(tmp.path());
    f = CreateFile(*fs, "f");
    ASSERT_TRUE(fs->Write(kRoot, f, 0, std::string(5000, 'q'), Stability::kFileSync).ok());
  }
  ASSERT_EQ(::unlink(DataPath(tmp.path(), f.ino).c_str()), 0);
  auto fs = OpenOrDie(tmp.path());
  EXPECT_EQ(fs->GetAttr(f)->size, 5000u);
  EXPECT_EQ(fs->GetAttr(f)->space_used, 0u);
  EXPECT_EQ(fs->Read(kRoot, f, 0, 6000)->data, std::string(5000, '\0'));
}

TEST(StoreFs, BytesPastTheRecordedSizeAreCutBeforeTheNextWrite) {
  TempDir tmp;
  FileId f;
  {
    auto fs = OpenOrDie(tmp.path());
    f = CreateFile(*fs, "f");
    ASSERT_TRUE(fs->Write(kRoot, f, 0, "abc", Stability::kFileSync).ok());
  }
  {  // what an unstable write whose size update was lost leaves behind
    std::ofstream out(DataPath(tmp.path(), f.ino), std::ios::app | std::ios::binary);
    out << "STALE-STALE";
  }
  auto fs = OpenOrDie(tmp.path());
  EXPECT_EQ(fs->Read(kRoot, f, 0, 100)->data, "abc");  // a read first caches the descriptor
  ASSERT_TRUE(fs->Write(kRoot, f, 20, "z", Stability::kFileSync).ok());
  EXPECT_EQ(fs->Read(kRoot, f, 0, 100)->data, std::string("abc") + std::string(17, '\0') + "z");
}

TEST(StoreFs, NamespaceSchemaIsVersionedAndRefusesForeignFiles) {
  TempDir tmp;
  { auto fs = OpenOrDie(tmp.Join("fs")); }
  {
    auto db = Db::Open(tmp.Join("fs/namespace.db"));
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(*(*db)->UserVersion(), kNamespaceSchemaVersion);
    EXPECT_EQ(*(*db)->ApplicationId(), kNamespaceApplicationId);
    ASSERT_TRUE((*db)->SetUserVersion(kNamespaceSchemaVersion + 1).ok());
  }
  EXPECT_EQ(OpenStoreFs(tmp.Join("fs")).status().code(), Code::kFailedPrecondition);
  ASSERT_EQ(::mkdir(tmp.Join("other").c_str(), 0700), 0);
  {
    auto db = Db::Open(tmp.Join("other/namespace.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->SetApplicationId(0x45465344).ok());  // a catalog
  }
  EXPECT_EQ(OpenStoreFs(tmp.Join("other")).status().code(), Code::kCorruption);
}

TEST(StoreFs, MeteredSizeSurvivesReopen) {
  TempDir tmp;
  uint64_t metered = 0;
  {
    auto fs = OpenOrDie(tmp.path());
    FileId f = CreateFile(*fs, "f");
    ASSERT_TRUE(fs->Write(kRoot, f, 0, std::string(100000, 'x'), Stability::kUnstable).ok());
    ASSERT_TRUE(fs->Commit(f).ok());
    CreateFile(*fs, "g");
    metered = fs->MeteredSize();
    EXPECT_EQ(metered, 6144u + 2048 + 102400 + 2048);
  }
  auto fs = OpenOrDie(tmp.path());
  EXPECT_EQ(fs->MeteredSize(), metered);
}

// A namespace written before metering existed (version 1) is metered when it is migrated.
TEST(StoreFs, MigrationMetersAVersion1Namespace) {
  TempDir tmp;
  uint64_t metered = 0;
  {
    auto fs = OpenOrDie(tmp.path());
    fs::CreateArgs dir;
    dir.type = fs::FileType::kDirectory;
    FileId d = fs->Create(kRoot, fs->Root(), "d", dir)->attrs.id;
    for (int i = 0; i < 50; ++i) {
      fs::CreateArgs args;
      ASSERT_TRUE(fs->Create(kRoot, d, std::string(200, 'a' + i % 26) + std::to_string(i), args)
                      .ok());
    }
    FileId f = CreateFile(*fs, "f");
    ASSERT_TRUE(fs->Write(kRoot, f, 0, std::string(5000, 'x'), Stability::kFileSync).ok());
    fs::CreateArgs link;
    link.type = fs::FileType::kSymlink;
    link.symlink_target = "f";
    ASSERT_TRUE(fs->Create(kRoot, fs->Root(), "l", link).ok());
    metered = fs->MeteredSize();
  }
  {  // what version 1 looked like
    auto db = Db::Open(tmp.Join("namespace.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("DROP INDEX inodes_by_last_access").ok());
    ASSERT_TRUE((*db)->Exec("DROP TABLE strays").ok());
    ASSERT_TRUE((*db)->Exec("ALTER TABLE inodes DROP COLUMN data_space").ok());
    ASSERT_TRUE((*db)->Exec("ALTER TABLE inodes DROP COLUMN entry_bytes").ok());
    ASSERT_TRUE((*db)->Exec("ALTER TABLE inodes DROP COLUMN metered").ok());
    ASSERT_TRUE((*db)->SetUserVersion(1).ok());
  }
  auto fs = OpenOrDie(tmp.path());
  EXPECT_EQ(fs->MeteredSize(), metered);
  // 50 entries of 225 or 226 bytes: the directory holds 12 KiB of entries.
  EXPECT_EQ(metered, 6144u + (2048 + 12288) + 50 * 2048 + (2048 + 8192) + (2048 + 4096));
}

// A child process writes FILE_SYNC blocks (and creates a file per block), telling the parent
// each acknowledged block through a pipe, and is killed with SIGKILL mid-burst. Every
// acknowledged block and file must be there when the parent reopens the store.
std::string IaPath(const std::string& dir, uint64_t ino) {
  return ShardedPath(dir + "/ia", ino);
}

// What a crash in the middle of moves leaves: a copy in the class a file was leaving (the move
// switched, the old copy was not yet deleted) and a copy in the class it was going to (the
// copy landed, the switch did not). The strays table names both; the next open deletes them
// and keeps the copies in use.
TEST(StoreFs, OpenDeletesTheCopiesACrashLeftInTheMiddleOfMoves) {
  TempDir tmp;
  FakeClock clock;
  FileId moved, staying;
  const std::string data(300 * 1024, 'm');
  {
    Result<std::unique_ptr<fs::FileSystem>> fs = OpenStoreFs(tmp.path(), &clock);
    ASSERT_TRUE(fs.ok());
    moved = CreateFile(**fs, "moved");
    staying = CreateFile(**fs, "staying");
    ASSERT_TRUE((*fs)->Write(kRoot, moved, 0, data, Stability::kFileSync).ok());
    ASSERT_TRUE((*fs)->Write(kRoot, staying, 0, "stay", Stability::kFileSync).ok());
    fs::LifecyclePolicy policy;
    policy.to_ia_after = 86400;
    (*fs)->SetLifecycle(policy);
    clock.Advance(2 * 86400);
    ASSERT_TRUE((*fs)->Write(kRoot, staying, 0, "STAY", Stability::kFileSync).ok());
    ASSERT_EQ((*fs)->RunLifecyclePass([] { return true; })->files_moved, 1u);
  }
  ASSERT_FALSE(Exists(DataPath(tmp.path(), moved.ino)));
  ASSERT_TRUE(Exists(IaPath(tmp.path(), moved.ino)));
  // The leftovers: the old Standard copy of `moved`, and an IA copy of `staying`.
  { std::ofstream(DataPath(tmp.path(), moved.ino)) << "stale standard copy"; }
  std::filesystem::create_directories(
      std::filesystem::path(IaPath(tmp.path(), staying.ino)).parent_path());
  ASSERT_TRUE(std::filesystem::copy_file(IaPath(tmp.path(), moved.ino),
                                         IaPath(tmp.path(), staying.ino)));
  {
    auto db = Db::Open(tmp.Join("namespace.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO strays VALUES (" + std::to_string(moved.ino) +
                            ", 'STANDARD'), (" + std::to_string(staying.ino) + ", 'IA')")
                    .ok());
  }
  Result<std::unique_ptr<fs::FileSystem>> fs = OpenStoreFs(tmp.path(), &clock);
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  EXPECT_FALSE(Exists(DataPath(tmp.path(), moved.ino)));
  EXPECT_FALSE(Exists(IaPath(tmp.path(), staying.ino)));
  EXPECT_TRUE(Exists(IaPath(tmp.path(), moved.ino)));
  EXPECT_EQ((*fs)->Read(kRoot, moved, 0, static_cast<uint32_t>(data.size()))->data, data);
  EXPECT_EQ((*fs)->Read(kRoot, staying, 0, 4)->data, "STAY");
  EXPECT_EQ((*fs)->Storage(moved)->storage_class, fs::StorageClass::kIA);
  EXPECT_EQ((*fs)->Storage(staying)->storage_class, fs::StorageClass::kStandard);
}

// A missing or damaged IA copy is an I/O error, never zeros or wrong bytes.
TEST(StoreFs, ALostOrDamagedColdCopyFailsItsReads) {
  TempDir tmp;
  FakeClock clock;
  auto fs = OpenStoreFs(tmp.path(), &clock);
  ASSERT_TRUE(fs.ok());
  FileId f = CreateFile(**fs, "f");
  ASSERT_TRUE((*fs)->Write(kRoot, f, 0, std::string(200000, 'x'), Stability::kFileSync).ok());
  fs::LifecyclePolicy policy;
  policy.to_ia_after = 86400;
  (*fs)->SetLifecycle(policy);
  clock.Advance(2 * 86400);
  ASSERT_EQ((*fs)->RunLifecyclePass([] { return true; })->files_moved, 1u);
  {
    std::fstream object(IaPath(tmp.path(), f.ino), std::ios::in | std::ios::out | std::ios::binary);
    object.seekp(-8, std::ios::end);
    object << "garbage!";
  }
  Result<fs::ReadResult> damaged = (*fs)->Read(kRoot, f, 0, 4096);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), Code::kIOError);
  ASSERT_EQ(::unlink(IaPath(tmp.path(), f.ino).c_str()), 0);
  Result<fs::ReadResult> lost = (*fs)->Read(kRoot, f, 0, 4096);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), Code::kIOError);
}

TEST(StoreFs, KillNineMidBurstKeepsEveryAcknowledgedByte) {
  TempDir tmp;
  FileId f;
  {
    auto fs = OpenOrDie(tmp.path());
    f = CreateFile(*fs, "burst");
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    Result<std::unique_ptr<fs::FileSystem>> fs = OpenStoreFs(tmp.path());
    if (!fs.ok()) ::_exit(2);
    for (uint64_t i = 0; i < 100000; ++i) {
      Stability s = i % 2 == 0 ? Stability::kFileSync : Stability::kUnstable;
      if (!(*fs)->Write(kRoot, f, i * 4096, Block(i), s).ok()) ::_exit(3);
      if (s == Stability::kUnstable && !(*fs)->Commit(f).ok()) ::_exit(4);
      fs::CreateArgs args;
      if (!(*fs)->Create(kRoot, (*fs)->Root(), "n" + std::to_string(i), args).ok()) ::_exit(5);
      if (::write(fds[1], &i, sizeof(i)) != sizeof(i)) ::_exit(6);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::set<uint64_t> acked;
  uint64_t i;
  while (acked.size() < 150 && ::read(fds[0], &i, sizeof(i)) == sizeof(i)) acked.insert(i);
  ::kill(pid, SIGKILL);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child ended early with " << wstatus;
  while (::read(fds[0], &i, sizeof(i)) == sizeof(i)) acked.insert(i);
  ::close(fds[0]);
  ASSERT_GE(acked.size(), 150u);

  auto fs = OpenOrDie(tmp.path());
  ASSERT_NE(fs, nullptr);
  fs::Attributes a = *fs->GetAttr(f);
  EXPECT_GE(a.size, (*acked.rbegin() + 1) * 4096);
  for (uint64_t block : acked) {
    Result<fs::ReadResult> r = fs->Read(kRoot, f, block * 4096, 4096);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->data, Block(block)) << "block " << block;
    ASSERT_TRUE(fs->Lookup(kRoot, fs->Root(), "n" + std::to_string(block)).ok()) << block;
  }
  // The namespace is consistent: the root's listing matches lookups, and it takes new work.
  fs::ReadDirArgs args;
  args.max_entries = 100000;
  auto page = fs->ReadDir(kRoot, fs->Root(), args);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->eof);
  EXPECT_GE(page->entries.size(), acked.size() + 1);
  EXPECT_EQ(fs->StatFs()->used_files, page->entries.size() + 1);
  CreateFile(*fs, "after-crash");
}

}  // namespace
}  // namespace efs::store

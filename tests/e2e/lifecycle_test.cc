// Lifecycle management end to end: efsd --test-clock with its IA tier on a directory of its
// own (--tier-dir), a file system mounted through FUSE, files that move between classes as the
// clock moves, the bytes read back through the mount, metering by class, and kill -9 in the
// middle of moves.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "tests/e2e/e2e_util.h"
#include "testutil/eventually.h"

namespace efs::e2e {
namespace {

using testutil::RunResult;
namespace stdfs = std::filesystem;

constexpr uint64_t kKiB = 1024;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

std::string Random(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string Text(size_t n) {
  std::string s;
  while (s.size() < n) s += "line " + std::to_string(s.size()) + " of a file that compresses\n";
  s.resize(n);
  return s;
}

uint64_t RoundUp(uint64_t n) { return (n + 4095) / 4096 * 4096; }

// Regular files under `dir` (recursively), leaving out incoming/ (copies being written).
size_t FilesUnder(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(dir, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() == "incoming") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) ++n;
  }
  return n;
}

class Lifecycle : public E2eTest {
 protected:
  void SetUp() override {
    if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse on this machine";
    ia_root_ = daemon_.dir().Join("hdd-ia");
    ASSERT_TRUE(daemon_.Start(Flags())) << daemon_.log();
    fs_ = CreateFs({"--throughput-mode", "elastic"});
    CreateMountTarget(fs_, DefaultSubnet("local-1a"));
    mnt_ = MountFs();
  }

  void TearDown() override {
    if (!mnt_.empty() && daemon_.running() && daemon_.Efs({"umount", mnt_}).rc != 0) {
      ::umount2(mnt_.c_str(), MNT_DETACH);
    }
    E2eTest::TearDown();
  }

  std::vector<std::string> Flags() const {
    // A short lease: the grace period after the kill -9 below is as long.
    return {"--idle-timeout", "2", "--test-clock", "--tier-dir", "IA=" + ia_root_,
            "--lease-time",   "5"};
  }

  std::string MountFs() {
    std::string dir = daemon_.dir().Join("mnt" + std::to_string(mounts_++));
    ::mkdir(dir.c_str(), 0755);
    RunResult r = daemon_.Efs({"mount", fs_, dir});
    EXPECT_EQ(r.rc, 0) << r.err;
    return dir;
  }
  // Unmounts and mounts again: the next reads come from efsd, not from the page cache.
  void Remount() {
    ASSERT_EQ(daemon_.Efs({"umount", mnt_}).rc, 0);
    mnt_ = MountFs();
  }

  void Policy(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"set-lifecycle", "--file-system-id", fs_};
    argv.insert(argv.end(), args.begin(), args.end());
    EfsJson(argv);
  }
  void AdvanceDays(int days) {
    EfsJson({"debug", "advance-clock", "--days", std::to_string(days)});
  }
  Json RunPass() { return EfsJson({"debug", "run-lifecycle", "--file-system-id", fs_}); }
  Json Storage(const std::string& path = "/") {
    return EfsJson({"describe-storage", "--file-system-id", fs_, "--path", path});
  }
  // Path -> storage class of every file.
  std::map<std::string, std::string> Classes() {
    std::map<std::string, std::string> out;
    const Json storage = Storage();  // alive for the loop, unlike a member of a temporary
    for (const Json& f : storage["Files"]) {
      out[f["Path"].get<std::string>()] = f["StorageClass"].get<std::string>();
    }
    return out;
  }
  // Waits (at most 60 s) until every file in `paths` is in `storage_class`.
  bool EventuallyIn(const std::vector<std::string>& paths, const std::string& storage_class) {
    return testutil::Eventually(
        [&] {
          std::map<std::string, std::string> classes = Classes();
          for (const std::string& p : paths) {
            if (classes[p] != storage_class) return false;
          }
          return true;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(100));
  }
  Json SizeInBytes() {
    return EfsJson({"describe-fs", "--file-system-id", fs_})["FileSystems"][0]["SizeInBytes"];
  }
  std::string IaDir() const { return ia_root_ + "/" + fs_; }
  std::string StandardDir() const { return daemon_.state_dir() + "/fs/" + fs_ + "/data"; }

  std::string ia_root_;
  std::string fs_;
  std::string mnt_;
  int mounts_ = 0;
};

TEST_F(Lifecycle, IdleFilesMoveToIaAfterTheirPeriodAndNotBeforeAndReadBackIdentical) {
  ::mkdir((mnt_ + "/d").c_str(), 0755);
  const std::map<std::string, std::string> files = {{"/random", Random(3 * 1024 * kKiB + 17, 1)},
                                                    {"/d/text", Text(2 * 1024 * kKiB)},
                                                    {"/small", "ten bytes\n"}};
  for (const auto& [path, data] : files) WriteAll(mnt_ + path, data);
  Policy({"--transition-to-ia", "AFTER_7_DAYS"});

  AdvanceDays(6);
  EXPECT_EQ(RunPass()["FilesMoved"], 0);
  for (const auto& [path, cls] : Classes()) EXPECT_EQ(cls, "STANDARD") << path;

  AdvanceDays(2);  // wakes the mover
  ASSERT_TRUE(EventuallyIn({"/random", "/d/text", "/small"}, "IA")) << Storage().dump();
  // The IA tier is the directory --tier-dir named: one object per file there, no data left
  // in Standard, and the text compressed.
  EXPECT_EQ(FilesUnder(IaDir()), 3u);
  EXPECT_EQ(FilesUnder(StandardDir()), 0u);
  uint64_t ia_bytes = 0;
  for (const auto& entry : stdfs::recursive_directory_iterator(IaDir())) {
    if (entry.is_regular_file()) ia_bytes += entry.file_size();
  }
  EXPECT_LT(ia_bytes, 3 * 1024 * kKiB + 17 + 100 * kKiB) << "the text is stored compressed";

  // Without AFTER_1_ACCESS the bytes are read from IA, through the mount, unchanged.
  Remount();
  for (const auto& [path, data] : files) EXPECT_EQ(ReadAll(mnt_ + path), data) << path;
  for (const auto& [path, cls] : Classes()) EXPECT_EQ(cls, "IA") << path;

  // Metering: 2 KiB per inode in Standard, data in IA at least 128 KiB per file.
  const uint64_t expect_ia = RoundUp(3 * 1024 * kKiB + 17) + 2 * 1024 * kKiB + 128 * kKiB;
  Json storage = Storage();
  EXPECT_EQ(storage["SizeInBytes"]["ValueInIA"], expect_ia);
  // The root (2 entries) and d (1): 2 KiB + 4 KiB each; three files: 2 KiB each.
  EXPECT_EQ(storage["SizeInBytes"]["ValueInStandard"], 2 * 6 * kKiB + 3 * 2 * kKiB);
  ASSERT_TRUE(testutil::Eventually([&] { return SizeInBytes()["ValueInIA"] == expect_ia; },
                                   std::chrono::seconds(30), std::chrono::milliseconds(100)))
      << SizeInBytes().dump();
  Json size = SizeInBytes();
  EXPECT_EQ(size["Value"], storage["SizeInBytes"]["Value"]);
  EXPECT_EQ(size["ValueInStandard"], storage["SizeInBytes"]["ValueInStandard"]);
  EXPECT_EQ(size["ValueInArchive"], 0);
}

TEST_F(Lifecycle, AfterOneAccessReadsAndWritesBringFilesBackAndArchiveFollowsItsPeriod) {
  const std::string r = Random(600 * kKiB, 2), w = Text(300 * kKiB), cold = Random(200 * kKiB, 3);
  WriteAll(mnt_ + "/r", r);
  WriteAll(mnt_ + "/w", w);
  WriteAll(mnt_ + "/cold", cold);
  Policy({"--transition-to-ia", "AFTER_7_DAYS", "--transition-to-archive", "AFTER_30_DAYS",
          "--transition-to-primary-storage-class", "AFTER_1_ACCESS"});
  AdvanceDays(8);
  ASSERT_TRUE(EventuallyIn({"/r", "/w", "/cold"}, "IA")) << Storage().dump();
  Remount();

  EXPECT_EQ(ReadAll(mnt_ + "/r"), r);
  {
    std::ofstream out(mnt_ + "/w", std::ios::app | std::ios::binary);
    out << "appended";
  }
  std::map<std::string, std::string> classes = Classes();
  EXPECT_EQ(classes["/r"], "STANDARD") << "a read brings it back";
  EXPECT_EQ(classes["/w"], "STANDARD") << "a write lands in Standard";
  EXPECT_EQ(classes["/cold"], "IA");

  AdvanceDays(31);  // cold has been idle 39 days, r and w 31: all past Archive's 30
  ASSERT_TRUE(EventuallyIn({"/r", "/w", "/cold"}, "ARCHIVE")) << Storage().dump();
  Remount();
  EXPECT_EQ(ReadAll(mnt_ + "/w"), w + "appended");
  EXPECT_EQ(ReadAll(mnt_ + "/cold"), cold);
  classes = Classes();
  EXPECT_EQ(classes["/w"], "STANDARD");
  EXPECT_EQ(classes["/cold"], "STANDARD");
  EXPECT_EQ(classes["/r"], "ARCHIVE");
  Json storage = Storage();
  EXPECT_EQ(storage["SizeInBytes"]["ValueInArchive"], RoundUp(600 * kKiB));
  EXPECT_EQ(storage["FilesInArchive"], 1);
  EXPECT_EQ(storage["FilesInStandard"], 2);
}

TEST_F(Lifecycle, APolicyChangeHoldsFromTheNextPassAndNoPolicyStopsMovement) {
  WriteAll(mnt_ + "/a", Random(100 * kKiB, 4));
  Policy({"--transition-to-ia", "AFTER_30_DAYS"});
  AdvanceDays(8);
  EXPECT_EQ(RunPass()["FilesMoved"], 0);
  Policy({"--transition-to-ia", "AFTER_7_DAYS"});  // a change wakes the mover
  ASSERT_TRUE(EventuallyIn({"/a"}, "IA")) << Storage().dump();

  WriteAll(mnt_ + "/b", Random(100 * kKiB, 5));
  Policy({"--none"});
  AdvanceDays(100);
  EXPECT_EQ(RunPass()["FilesMoved"], 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the woken mover, if any
  EXPECT_EQ(Classes()["/b"], "STANDARD");
  EXPECT_EQ(Classes()["/a"], "IA") << "nothing moves back without an access";
}

TEST_F(Lifecycle, DescribeStorageNamesOneFileAndRefusesWhatIsNotThere) {
  ::mkdir((mnt_ + "/d").c_str(), 0755);
  WriteAll(mnt_ + "/d/f", "x");
  Json one = Storage("/d/f");
  ASSERT_EQ(one["Files"].size(), 1u);
  EXPECT_EQ(one["Files"][0]["Path"], "/d/f");
  EXPECT_EQ(one["Files"][0]["StorageClass"], "STANDARD");
  EXPECT_EQ(one["SizeInBytes"]["Value"], 2048 + 4096);
  EfsFails({"describe-storage", "--file-system-id", fs_, "--path", "/d/nothing"}, 1,
           "FileNotFound");
  EfsFails({"describe-storage", "--file-system-id", fs_, "--path", "/d/../d"}, 1, "BadRequest");
  EfsFails({"describe-storage", "--file-system-id", "fs-0123456789abcdef0"}, 1,
           "FileSystemNotFound");
}

TEST_F(Lifecycle, DeletingTheFileSystemRemovesItsTierOnTheOtherDisk) {
  WriteAll(mnt_ + "/f", Random(300 * kKiB, 6));
  Policy({"--transition-to-ia", "AFTER_1_DAY"});
  AdvanceDays(2);
  ASSERT_TRUE(EventuallyIn({"/f"}, "IA"));
  ASSERT_EQ(FilesUnder(IaDir()), 1u);
  ASSERT_EQ(daemon_.Efs({"umount", mnt_}).rc, 0);
  mnt_.clear();
  const Json targets = EfsJson({"describe-mount-targets", "--file-system-id", fs_});
  for (const Json& mt : targets["MountTargets"]) {
    EfsJson({"delete-mount-target", "--mount-target-id", mt["MountTargetId"].get<std::string>(),
             "--wait"});
  }
  EfsJson({"delete-fs", "--file-system-id", fs_, "--wait"});
  EXPECT_FALSE(stdfs::exists(IaDir()));
  EXPECT_FALSE(stdfs::exists(daemon_.state_dir() + "/fs/" + fs_));
  EXPECT_TRUE(stdfs::exists(ia_root_)) << "the root --tier-dir named stays";
}

// efsd is killed (-9) while the mover is in the middle of a pass. After a restart every file
// reads back whole, each is in exactly one tier, and the metered sizes follow the rules for
// the classes the files ended up in.
TEST_F(Lifecycle, KillNineInTheMiddleOfMovesLosesNothing) {
  constexpr int kFiles = 600;
  std::vector<std::string> data;
  for (int i = 0; i < kFiles; ++i) {
    data.push_back(Random(64 * kKiB + static_cast<size_t>(i) * 100, 100 + i));
    WriteAll(mnt_ + "/f" + std::to_string(i), data.back());
  }
  Policy({"--transition-to-ia", "AFTER_1_DAY"});
  AdvanceDays(2);
  // Kill as soon as the first copy lands in the IA tier (polling the directory, not efsd).
  size_t copies_at_kill = 0;
  ASSERT_TRUE(testutil::Eventually(
      [&] {
        copies_at_kill = FilesUnder(IaDir());
        return copies_at_kill > 0;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(1)));
  daemon_.Kill();
  ASSERT_LT(copies_at_kill, static_cast<size_t>(kFiles))
      << "the pass ended before the kill; the test needs more files";
  ::umount2(mnt_.c_str(), MNT_DETACH);

  ASSERT_TRUE(daemon_.Start(Flags())) << daemon_.log();
  mnt_ = MountFs();
  Json storage = EfsJson({"describe-storage", "--file-system-id", fs_, "--max-items", "100000"});
  uint64_t in_ia = 0, expect_ia = 0, expect_standard = 6 * kKiB;  // the root
  for (const Json& f : storage["Files"]) {
    const int i = std::stoi(f["Path"].get<std::string>().substr(2));
    EXPECT_EQ(ReadAll(mnt_ + "/f" + std::to_string(i)), data[i]) << i;
    expect_standard += 2 * kKiB;
    if (f["StorageClass"] == "IA") {
      ++in_ia;
      expect_ia += std::max(128 * kKiB, RoundUp(data[i].size()));
    } else {
      EXPECT_EQ(f["StorageClass"], "STANDARD");
      expect_standard += RoundUp(data[i].size());
    }
  }
  EXPECT_EQ(storage["Files"].size(), static_cast<size_t>(kFiles));
  // Exactly one copy of each file: the open after the crash deleted the copies not in use.
  EXPECT_EQ(FilesUnder(IaDir()), in_ia);
  EXPECT_EQ(FilesUnder(StandardDir()), kFiles - in_ia);
  EXPECT_EQ(storage["SizeInBytes"]["ValueInIA"], expect_ia);
  // The root's entries: 600 names of 2-4 bytes + 24 each, within 4 blocks.
  expect_standard += RoundUp(600 * 24 + 10 * 2 + 90 * 3 + 500 * 4) - 4 * kKiB;
  EXPECT_EQ(storage["SizeInBytes"]["ValueInStandard"], expect_standard);
  ASSERT_TRUE(testutil::Eventually(
      [&] { return SizeInBytes()["Value"] == storage["SizeInBytes"]["Value"]; },
      std::chrono::seconds(30), std::chrono::milliseconds(100)))
      << SizeInBytes().dump();
  // The next pass finishes what the crash interrupted (the reads above were accesses). On a
  // machine busy with other tests the mover, at a lower priority, may take a while.
  AdvanceDays(2);
  testutil::RunOptions patient;
  patient.timeout_seconds = 600;
  ASSERT_EQ(daemon_.Efs({"debug", "run-lifecycle", "--file-system-id", fs_}, patient).rc, 0);
  EXPECT_EQ(Storage()["FilesInIA"], kFiles);
  EXPECT_EQ(FilesUnder(StandardDir()), 0u);
}

}  // namespace
}  // namespace efs::e2e

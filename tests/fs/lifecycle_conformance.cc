// Storage classes and lifecycle passes (fs/lifecycle.h), for every fs::FileSystem: what moves
// when, what a move leaves unchanged, recalls, and metering by class. Time is a FakeClock.
#include "fs/lifecycle_conformance.h"

#include <algorithm>
#include <string>

#include "fs/backend.h"
#include "testutil/eventually.h"

namespace efs::fs {

namespace {

constexpr int64_t kDay = 86400;
constexpr uint64_t kKiB = 1024;

// Bytes that compress well and are not all alike (so a wrong offset shows).
std::string Pattern(size_t n, char salt = 'a') {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(salt + (i / 7 + i % 13) % 26);
  return s;
}

}  // namespace

void LifecycleConformance::SetUp() {
  fs_ = GetParam().open(tmp_.Join("fs"), &clock_);
  ASSERT_NE(fs_, nullptr);
  root_ = fs_->Root();
}

void LifecycleConformance::Policy(std::optional<int64_t> ia_days,
                                  std::optional<int64_t> archive_days, bool recall) {
  LifecyclePolicy policy;
  if (ia_days) policy.to_ia_after = *ia_days * kDay;
  if (archive_days) policy.to_archive_after = *archive_days * kDay;
  policy.recall_on_access = recall;
  fs_->SetLifecycle(policy);
}

TransitionReport LifecycleConformance::Pass() {
  Result<TransitionReport> r = fs_->RunLifecyclePass([] { return true; });
  EXPECT_TRUE(r.ok()) << StatusOf(r).ToString();
  return r.ok() ? *r : TransitionReport{};
}

StorageClass LifecycleConformance::ClassOf(FileId id) {
  Result<FileStorage> r = fs_->Storage(id);
  EXPECT_TRUE(r.ok()) << StatusOf(r).ToString();
  return r.ok() ? r->storage_class : StorageClass::kStandard;
}

FileId LifecycleConformance::File(const std::string& name, const std::string& data) {
  FileId id = Make(root_, name);
  if (!data.empty()) WriteAt(id, 0, data);
  return id;
}

TEST_P(LifecycleConformance, AFileIdlePastThePeriodMovesToIaAndNotBefore) {
  Policy(7);
  FileId idle = File("idle", Pattern(20000));
  FileId busy = File("busy", Pattern(20000, 'b'));
  clock_.Advance(7 * kDay - 3600);
  EXPECT_EQ(Pass().files_moved, 0u);
  EXPECT_EQ(ClassOf(idle), StorageClass::kStandard);
  ReadAt(busy, 0, 10);  // an access: its seven days start again
  Attr(busy);           // metadata is no access
  clock_.Advance(7200);
  TransitionReport report = Pass();
  EXPECT_EQ(report.files_moved, 1u);
  EXPECT_EQ(report.bytes_moved, 20000u);
  EXPECT_EQ(ClassOf(idle), StorageClass::kIA);
  EXPECT_EQ(ClassOf(busy), StorageClass::kStandard);
  EXPECT_EQ(ReadAt(idle, 0, 20000), Pattern(20000));
}

TEST_P(LifecycleConformance, AMoveChangesNoAttributeAndNoByte) {
  Policy(1);
  FileId f = File("f", Pattern(300 * kKiB));
  WriteAt(f, 600 * kKiB, "tail");  // a hole in the middle
  Attributes before = Attr(f);
  clock_.Advance(2 * kDay);
  ASSERT_EQ(Pass().files_moved, 1u);
  ASSERT_EQ(ClassOf(f), StorageClass::kIA);
  Attributes after = Attr(f);
  EXPECT_EQ(after.size, before.size);
  EXPECT_EQ(after.space_used, before.space_used);
  EXPECT_EQ(after.change, before.change);
  EXPECT_EQ(after.mtime, before.mtime);
  EXPECT_EQ(after.ctime, before.ctime);
  EXPECT_EQ(after.mode, before.mode);
  EXPECT_EQ(after.nlink, before.nlink);
  std::string expect = Pattern(300 * kKiB) + std::string(300 * kKiB, '\0') + "tail";
  EXPECT_EQ(ReadAt(f, 0, static_cast<uint32_t>(expect.size())), expect);
  EXPECT_EQ(ReadAt(f, 299 * kKiB, 2 * kKiB), expect.substr(299 * kKiB, 2 * kKiB));
}

TEST_P(LifecycleConformance, AfterOneAccessAReadBringsAFileBack) {
  Policy(7, std::nullopt, /*recall=*/true);
  FileId f = File("f", Pattern(50000));
  clock_.Advance(8 * kDay);
  ASSERT_EQ(Pass().files_moved, 1u);
  ASSERT_EQ(ClassOf(f), StorageClass::kIA);
  EXPECT_EQ(ReadAt(f, 100, 1000), Pattern(50000).substr(100, 1000));
  EXPECT_EQ(ClassOf(f), StorageClass::kStandard);
  EXPECT_EQ(ReadAt(f, 0, 50000), Pattern(50000));
  // Back in Standard, it is idle again only a full period after that read.
  clock_.Advance(6 * kDay);
  EXPECT_EQ(Pass().files_moved, 0u);
}

TEST_P(LifecycleConformance, AReadOfALargeColdFileIsServedAtOnceAndBringsItBackBehind) {
  Policy(7, std::nullopt, /*recall=*/true);
  const std::string data = Pattern(9 << 20);  // past the size a read waits to bring back
  FileId f = File("f", data);
  clock_.Advance(8 * kDay);
  ASSERT_EQ(Pass().files_moved, 1u);
  EXPECT_EQ(ReadAt(f, 5 << 20, 4096), data.substr(5 << 20, 4096));
  EXPECT_TRUE(testutil::Eventually([&] { return ClassOf(f) == StorageClass::kStandard; },
                                   std::chrono::seconds(30)));
  EXPECT_EQ(ReadAt(f, 0, static_cast<uint32_t>(data.size())), data);
}

TEST_P(LifecycleConformance, WithoutAfterOneAccessAReadLeavesTheFileCold) {
  Policy(7);
  FileId f = File("f", Pattern(50000));
  clock_.Advance(8 * kDay);
  ASSERT_EQ(Pass().files_moved, 1u);
  EXPECT_EQ(ReadAt(f, 0, 50000), Pattern(50000));
  EXPECT_EQ(ClassOf(f), StorageClass::kIA);
}

TEST_P(LifecycleConformance, AWriteToAColdFileLandsInStandard) {
  Policy(7);  // no AFTER_1_ACCESS: writes still land in Standard
  FileId f = File("f", Pattern(50000));
  clock_.Advance(8 * kDay);
  ASSERT_EQ(Pass().files_moved, 1u);
  WriteAt(f, 10, "XYZ");
  EXPECT_EQ(ClassOf(f), StorageClass::kStandard);
  std::string expect = Pattern(50000);
  expect.replace(10, 3, "XYZ");
  EXPECT_EQ(ReadAt(f, 0, 50000), expect);
  EXPECT_EQ(Attr(f).size, 50000u);
}

TEST_P(LifecycleConformance, TruncatingAColdFileBringsItBack) {
  Policy(7);
  FileId f = File("f", Pattern(50000));
  clock_.Advance(8 * kDay);
  ASSERT_EQ(Pass().files_moved, 1u);
  SetAttrs set;
  set.size = 1000;
  ASSERT_TRUE(fs_->SetAttr(kRoot, f, set).ok());
  EXPECT_EQ(ClassOf(f), StorageClass::kStandard);
  EXPECT_EQ(Attr(f).size, 1000u);
  EXPECT_EQ(ReadAt(f, 0, 1000), Pattern(1000));
  set.size = 3000;  // extending reads zeros, not the old bytes
  ASSERT_TRUE(fs_->SetAttr(kRoot, f, set).ok());
  EXPECT_EQ(ReadAt(f, 0, 3000), Pattern(1000) + std::string(2000, '\0'));
}

TEST_P(LifecycleConformance, ArchiveAfterItsPeriodFromIaOrStandard) {
  Policy(7, 30);
  FileId early = File("early", Pattern(10000));
  clock_.Advance(8 * kDay);
  ASSERT_EQ(Pass().files_moved, 1u);
  EXPECT_EQ(ClassOf(early), StorageClass::kIA);
  FileId late = File("late", Pattern(10000, 'q'));  // written on day 8
  clock_.Advance(23 * kDay);                        // day 31
  ASSERT_EQ(Pass().files_moved, 2u);                // early: IA -> Archive; late -> IA
  EXPECT_EQ(ClassOf(early), StorageClass::kArchive);
  EXPECT_EQ(ClassOf(late), StorageClass::kIA);
  // A file idle past both periods goes straight to Archive.
  FileId straight = File("straight", Pattern(10000, 'z'));
  clock_.Advance(31 * kDay);
  Pass();
  EXPECT_EQ(ClassOf(straight), StorageClass::kArchive);
  EXPECT_EQ(ReadAt(early, 0, 10000), Pattern(10000));
  EXPECT_EQ(ReadAt(straight, 0, 10000), Pattern(10000, 'z'));
}

TEST_P(LifecycleConformance, APolicyChangeHoldsFromTheNextPass) {
  Policy(30);
  FileId f = File("f", Pattern(10000));
  clock_.Advance(8 * kDay);
  EXPECT_EQ(Pass().files_moved, 0u);
  Policy(7);
  EXPECT_EQ(Pass().files_moved, 1u);
  EXPECT_EQ(ClassOf(f), StorageClass::kIA);
}

TEST_P(LifecycleConformance, WithoutAPolicyNothingMoves) {
  Policy(7);
  FileId f = File("f", Pattern(10000));
  fs_->SetLifecycle(LifecyclePolicy{});
  clock_.Advance(400 * kDay);
  EXPECT_EQ(Pass().files_moved, 0u);
  EXPECT_EQ(ClassOf(f), StorageClass::kStandard);
}

TEST_P(LifecycleConformance, FilesWithoutDataStayInStandard) {
  Policy(1);
  FileId empty = File("empty", "");
  FileId holes = Make(root_, "holes");
  SetAttrs set;
  set.size = 1 << 20;
  ASSERT_TRUE(fs_->SetAttr(kRoot, holes, set).ok());
  clock_.Advance(2 * kDay);
  EXPECT_EQ(Pass().files_moved, 0u);
  EXPECT_EQ(ClassOf(empty), StorageClass::kStandard);
  EXPECT_EQ(ClassOf(holes), StorageClass::kStandard);
}

TEST_P(LifecycleConformance, AnOpenFileMovesAndStaysReadableAfterItsLastLinkGoes) {
  Policy(1);
  FileId f = File("f", Pattern(40000));
  ASSERT_TRUE(fs_->Pin(f).ok());
  clock_.Advance(2 * kDay);
  ASSERT_EQ(Pass().files_moved, 1u);
  ASSERT_TRUE(fs_->Remove(kRoot, root_, "f").ok());
  EXPECT_EQ(ReadAt(f, 0, 40000), Pattern(40000));
  const uint64_t metered_open = fs_->MeteredSize();
  ASSERT_TRUE(fs_->Unpin(f).ok());
  EXPECT_EQ(fs_->MeteredSize(), metered_open - (2 * kKiB + 128 * kKiB));
  EXPECT_EQ(fs_->Metered()[StorageClass::kIA], 0u);
}

// EFS's rules: 2 KiB of metadata per inode in Standard; data in 4 KiB steps in its class, at
// least 128 KiB per file in IA and Archive; directories their entries (at least 4 KiB),
// symlinks 4 KiB.
TEST_P(LifecycleConformance, SizesOfATreeFollowTheMeteringRulesInEveryClass) {
  const StorageSizes empty = fs_->Metered();
  EXPECT_EQ(empty[StorageClass::kStandard], 6 * kKiB);  // the root alone
  FileId dir = MakeDir(root_, "d");
  Make(dir, "link", FileType::kSymlink);
  struct Sized {
    const char* name;
    uint64_t size;
    uint64_t standard_data;  // 4 KiB steps
    uint64_t cold_data;      // at least 128 KiB
  };
  const Sized files[] = {{"one", 1, 4 * kKiB, 128 * kKiB},
                         {"small", 5000, 8 * kKiB, 128 * kKiB},
                         {"edge", 128 * kKiB, 128 * kKiB, 128 * kKiB},
                         {"big", 200 * kKiB + 1, 204 * kKiB, 204 * kKiB},
                         {"huge", 3 * 1024 * kKiB, 3 * 1024 * kKiB, 3 * 1024 * kKiB}};
  std::vector<FileId> ids;
  uint64_t standard_data = 0;
  uint64_t cold_data = 0;
  for (const Sized& f : files) {
    FileId id = Make(dir, f.name);
    WriteAt(id, 0, Pattern(f.size));
    ids.push_back(id);
    standard_data += f.standard_data;
    cold_data += f.cold_data;
  }
  FileId nothing = Make(dir, "nothing");                     // empty: metadata only
  const uint64_t inodes = 1 + 1 + 1 + std::size(files) + 1;  // root, d, link, files, nothing
  // The root holds one entry and d seven: each within one 4 KiB block.
  const uint64_t dirs_and_link = 4 * kKiB + 4 * kKiB + 4 * kKiB;
  StorageSizes sizes = fs_->Metered();
  EXPECT_EQ(sizes[StorageClass::kStandard], inodes * 2 * kKiB + dirs_and_link + standard_data);
  EXPECT_EQ(sizes[StorageClass::kIA], 0u);
  EXPECT_EQ(sizes[StorageClass::kArchive], 0u);

  Policy(7, 30);
  clock_.Advance(8 * kDay);
  ASSERT_EQ(Pass().files_moved, std::size(files));
  sizes = fs_->Metered();
  EXPECT_EQ(sizes[StorageClass::kStandard], inodes * 2 * kKiB + dirs_and_link);
  EXPECT_EQ(sizes[StorageClass::kIA], cold_data);
  EXPECT_EQ(sizes[StorageClass::kArchive], 0u);
  for (size_t i = 0; i < ids.size(); ++i) {
    Result<FileStorage> one = fs_->Storage(ids[i]);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->metered[StorageClass::kStandard], 2 * kKiB) << files[i].name;
    EXPECT_EQ(one->metered[StorageClass::kIA], files[i].cold_data) << files[i].name;
  }
  EXPECT_EQ(fs_->Storage(nothing)->storage_class, StorageClass::kStandard);

  clock_.Advance(30 * kDay);
  ASSERT_EQ(Pass().files_moved, std::size(files));
  sizes = fs_->Metered();
  EXPECT_EQ(sizes[StorageClass::kIA], 0u);
  EXPECT_EQ(sizes[StorageClass::kArchive], cold_data);
  EXPECT_EQ(sizes.total(), inodes * 2 * kKiB + dirs_and_link + cold_data);

  // Recalled by a write: metered in Standard again, by its bytes.
  WriteAt(ids[0], 1, "x");
  sizes = fs_->Metered();
  EXPECT_EQ(sizes[StorageClass::kArchive], cold_data - 128 * kKiB);
  EXPECT_EQ(sizes[StorageClass::kStandard], inodes * 2 * kKiB + dirs_and_link + 4 * kKiB);
}

TEST_P(LifecycleConformance, RemovingAColdFileFreesItsMeteredBytes) {
  const uint64_t before = fs_->MeteredSize();
  Policy(1);
  File("f", Pattern(300 * kKiB));
  clock_.Advance(2 * kDay);
  ASSERT_EQ(Pass().files_moved, 1u);
  EXPECT_EQ(fs_->Metered()[StorageClass::kIA], 300 * kKiB);
  ASSERT_TRUE(fs_->Remove(kRoot, root_, "f").ok());
  EXPECT_EQ(fs_->MeteredSize(), before);
}

TEST_P(LifecycleConformance, APassStopsWhenAskedTo) {
  Policy(1);
  for (int i = 0; i < 5; ++i) File("f" + std::to_string(i), Pattern(5000));
  clock_.Advance(2 * kDay);
  int asked = 0;
  Result<TransitionReport> r = fs_->RunLifecyclePass([&] { return ++asked <= 2; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->files_moved, 2u);
  EXPECT_EQ(Pass().files_moved, 3u);
}

}  // namespace efs::fs

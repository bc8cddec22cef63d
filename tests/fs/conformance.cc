// The fs::FileSystem conformance suite (see conformance.h): every method and POSIX rule.
#include "fs/conformance.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

namespace efs::fs {

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    auto&& efs_r_ = (expr);                                  \
    ASSERT_TRUE(efs_r_.ok()) << StatusOf(efs_r_).ToString(); \
  } while (0)
#define EXPECT_CODE(expr, code_value) EXPECT_EQ(StatusOf(expr).code(), code_value)

void FsConformance::SetUp() {
  fs_ = GetParam().open(tmp_.Join("fs"), nullptr);
  ASSERT_NE(fs_, nullptr);
  root_ = fs_->Root();
}

FileId FsConformance::Make(FileId dir, const std::string& name, FileType type, uint32_t mode,
                           const Credentials& cred) {
  CreateArgs args;
  args.type = type;
  args.mode = mode;
  if (type == FileType::kSymlink) args.symlink_target = "target";
  Result<CreateResult> r = fs_->Create(cred, dir, name, args);
  EXPECT_TRUE(r.ok()) << name << ": " << StatusOf(r).ToString();
  return r.ok() ? r->attrs.id : FileId{};
}

Attributes FsConformance::Attr(FileId id) {
  Result<Attributes> r = fs_->GetAttr(id);
  EXPECT_TRUE(r.ok()) << StatusOf(r).ToString();
  return r.ok() ? *r : Attributes{};
}

void FsConformance::SetMode(FileId id, uint32_t mode) {
  SetAttrs set;
  set.mode = mode;
  EXPECT_TRUE(fs_->SetAttr(kRoot, id, set).ok());
}

void FsConformance::Chown(FileId id, uint32_t uid, uint32_t gid) {
  SetAttrs set;
  set.uid = uid;
  set.gid = gid;
  EXPECT_TRUE(fs_->SetAttr(kRoot, id, set).ok());
}

void FsConformance::WriteAt(FileId id, uint64_t offset, const std::string& data,
                            Stability stability) {
  Result<WriteResult> r = fs_->Write(kRoot, id, offset, data, stability);
  ASSERT_TRUE(r.ok()) << StatusOf(r).ToString();
  EXPECT_EQ(r->count, data.size());
}

std::string FsConformance::ReadAt(FileId id, uint64_t offset, uint32_t count) {
  Result<ReadResult> r = fs_->Read(kRoot, id, offset, count);
  EXPECT_TRUE(r.ok()) << StatusOf(r).ToString();
  return r.ok() ? r->data : std::string();
}

Code FsConformance::LookupCode(FileId dir, const std::string& name) {
  return StatusOf(fs_->Lookup(kRoot, dir, name)).code();
}

// ----------------------------------------------------------------------------- basics

TEST_P(FsConformance, RootIsARootOwnedDirectoryWithMode0755) {
  Attributes a = Attr(root_);
  EXPECT_EQ(a.type, FileType::kDirectory);
  EXPECT_EQ(a.mode, 0755u);
  EXPECT_EQ(a.uid, 0u);
  EXPECT_EQ(a.gid, 0u);
  EXPECT_EQ(a.nlink, 2u);
  EXPECT_EQ(a.id, root_);
  EXPECT_CODE(fs_->LookupParent(kRoot, root_), Code::kNotFound);
}

TEST_P(FsConformance, CreateSetsOwnerTimesAndUpdatesTheDirectory) {
  FileId dir = MakeDir(root_, "d", 0777);
  Attributes before = Attr(dir);
  CreateArgs args;
  args.mode = 0640;
  Result<CreateResult> r = fs_->Create(alice_, dir, "f", args);
  ASSERT_OK(r);
  EXPECT_TRUE(r->created);
  const Attributes& a = r->attrs;
  EXPECT_EQ(a.type, FileType::kRegular);
  EXPECT_EQ(a.mode, 0640u);
  EXPECT_EQ(a.uid, 1000u);
  EXPECT_EQ(a.gid, 1000u);
  EXPECT_EQ(a.nlink, 1u);
  EXPECT_EQ(a.size, 0u);
  EXPECT_EQ(a.atime, a.mtime);
  EXPECT_EQ(a.mtime, a.ctime);
  EXPECT_EQ(a.ctime, a.birth_time);
  EXPECT_NE(a.id.ino, 0u);
  EXPECT_EQ(r->dir.before, before.change);
  EXPECT_GT(r->dir.after, r->dir.before);
  Attributes after = Attr(dir);
  EXPECT_EQ(after.change, r->dir.after);
  EXPECT_GE(after.mtime, before.mtime);
  Result<Attributes> looked = fs_->Lookup(alice_, dir, "f");
  ASSERT_OK(looked);
  EXPECT_EQ(looked->id, a.id);
  EXPECT_CODE(fs_->Create(alice_, dir, "f", args), Code::kAlreadyExists);
  EXPECT_CODE(fs_->Lookup(alice_, dir, "missing"), Code::kNotFound);
}

TEST_P(FsConformance, CreatesEveryTypeButDevices) {
  FileId d = MakeDir(root_, "d");
  EXPECT_EQ(Attr(d).nlink, 2u);
  EXPECT_EQ(Attr(root_).nlink, 3u);
  CreateArgs link;
  link.type = FileType::kSymlink;
  link.symlink_target = "../some/where";
  Result<CreateResult> s = fs_->Create(kRoot, root_, "l", link);
  ASSERT_OK(s);
  EXPECT_EQ(s->attrs.type, FileType::kSymlink);
  EXPECT_EQ(s->attrs.size, link.symlink_target.size());
  Result<std::string> target = fs_->ReadLink(s->attrs.id);
  ASSERT_OK(target);
  EXPECT_EQ(*target, "../some/where");
  EXPECT_EQ(Attr(Make(root_, "fifo", FileType::kFifo)).type, FileType::kFifo);
  EXPECT_EQ(Attr(Make(root_, "sock", FileType::kSocket)).type, FileType::kSocket);
  for (FileType t : {FileType::kBlock, FileType::kChar}) {
    CreateArgs dev;
    dev.type = t;
    Result<CreateResult> r = fs_->Create(kRoot, root_, "dev", dev);
    EXPECT_CODE(r, Code::kInvalidArgument);
    if (!r.ok()) {
      EXPECT_EQ(r.status().reason(), "BadType");
    }
  }
  EXPECT_CODE(fs_->ReadLink(d), Code::kInvalidArgument);
  EXPECT_CODE(fs_->Create(kRoot, Make(root_, "file"), "x", CreateArgs{}), Code::kNotDir);
}

TEST_P(FsConformance, NamesAndSymlinkTargetsHaveEfsLimits) {
  EXPECT_TRUE(fs_->Create(kRoot, root_, std::string(255, 'n'), CreateArgs{}).ok());
  EXPECT_CODE(fs_->Create(kRoot, root_, std::string(256, 'n'), CreateArgs{}), Code::kNameTooLong);
  EXPECT_EQ(LookupCode(root_, std::string(256, 'n')), Code::kNameTooLong);
  for (const char* bad : {"", ".", "..", "a/b"}) {
    EXPECT_CODE(fs_->Create(kRoot, root_, bad, CreateArgs{}), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(LookupCode(root_, "."), Code::kInvalidArgument);
  EXPECT_EQ(LookupCode(root_, ".."), Code::kInvalidArgument);
  CreateArgs link;
  link.type = FileType::kSymlink;
  link.symlink_target = std::string(4080, 't');
  EXPECT_TRUE(fs_->Create(kRoot, root_, "ok", link).ok());
  link.symlink_target += "t";
  EXPECT_CODE(fs_->Create(kRoot, root_, "long", link), Code::kNameTooLong);
  link.symlink_target.clear();
  EXPECT_CODE(fs_->Create(kRoot, root_, "empty", link), Code::kInvalidArgument);
}

TEST_P(FsConformance, ExclusiveCreateIsIdempotentForItsVerifier) {
  CreateArgs args;
  args.how = CreateMode::kExclusive;
  args.verifier = 0x1122334455667788;
  Result<CreateResult> first = fs_->Create(alice_, MakeDir(root_, "d", 0777), "f", args);
  ASSERT_OK(first);
  EXPECT_TRUE(first->created);
  FileId dir = fs_->Lookup(kRoot, root_, "d")->id;
  Result<CreateResult> again = fs_->Create(alice_, dir, "f", args);
  ASSERT_OK(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->attrs.id, first->attrs.id);
  args.verifier++;
  EXPECT_CODE(fs_->Create(alice_, dir, "f", args), Code::kAlreadyExists);
  args.how = CreateMode::kUnchecked;
  Result<CreateResult> unchecked = fs_->Create(alice_, dir, "f", args);
  ASSERT_OK(unchecked);
  EXPECT_FALSE(unchecked->created);
  EXPECT_EQ(unchecked->attrs.id, first->attrs.id);
  args.how = CreateMode::kGuarded;
  EXPECT_CODE(fs_->Create(alice_, dir, "f", args), Code::kAlreadyExists);
  // A directory in the way of an exclusive create.
  MakeDir(dir, "sub");
  args.how = CreateMode::kExclusive;
  EXPECT_CODE(fs_->Create(alice_, dir, "sub", args), Code::kAlreadyExists);
}

TEST_P(FsConformance, StaleHandlesAfterRemoveOrWithAnotherGeneration) {
  FileId f = Make(root_, "f");
  FileId forged = f;
  forged.generation ^= 0x40;
  EXPECT_CODE(fs_->GetAttr(forged), Code::kStale);
  EXPECT_CODE(fs_->GetAttr(FileId{f.ino + 1000, f.generation}), Code::kStale);
  ASSERT_OK(fs_->Remove(kRoot, root_, "f"));
  EXPECT_CODE(fs_->GetAttr(f), Code::kStale);
  EXPECT_CODE(fs_->Read(kRoot, f, 0, 10), Code::kStale);
  EXPECT_CODE(fs_->Write(kRoot, f, 0, "x", Stability::kUnstable), Code::kStale);
  FileId again = Make(root_, "f");
  EXPECT_NE(again.ino, f.ino);  // inode numbers are never reused
}

// ----------------------------------------------------------------------------- permissions

TEST_P(FsConformance, AccessChecksOwnerGroupAndOtherBits) {
  FileId f = Make(root_, "f", FileType::kRegular, 0640);
  Chown(f, 1000, 1000);
  const uint32_t all = kAccessRead | kAccessWrite | kAccessExecute;
  EXPECT_EQ(*fs_->Access(alice_, f, all), kAccessRead | kAccessWrite);
  EXPECT_EQ(*fs_->Access(carol_, f, all), kAccessRead);  // supplementary group 1000
  EXPECT_EQ(*fs_->Access(bob_, f, all), 0u);
  EXPECT_EQ(*fs_->Access(kRoot, f, all), kAccessRead | kAccessWrite);  // no x bit anywhere
  SetMode(f, 0701);
  EXPECT_EQ(*fs_->Access(kRoot, f, all), all);
  EXPECT_EQ(*fs_->Access(bob_, f, all), kAccessExecute);
  FileId d = MakeDir(root_, "d", 0700);
  EXPECT_EQ(*fs_->Access(kRoot, d, all), all);
  SetMode(d, 0);
  EXPECT_EQ(*fs_->Access(kRoot, d, all), all);  // root searches any directory
}

TEST_P(FsConformance, LookupNeedsSearchOnTheDirectory) {
  FileId d = MakeDir(root_, "d", 0755);
  Make(d, "f");
  SetMode(d, 0644);
  EXPECT_CODE(fs_->Lookup(alice_, d, "f"), Code::kPermissionDenied);
  EXPECT_CODE(fs_->LookupParent(alice_, d), Code::kPermissionDenied);
  EXPECT_TRUE(fs_->Lookup(kRoot, d, "f").ok());
  SetMode(d, 0711);
  EXPECT_TRUE(fs_->Lookup(alice_, d, "f").ok());
  EXPECT_CODE(fs_->ReadDir(alice_, d, ReadDirArgs{}), Code::kPermissionDenied);
  Result<Attributes> parent = fs_->LookupParent(alice_, d);
  ASSERT_OK(parent);
  EXPECT_EQ(parent->id, root_);
  EXPECT_CODE(fs_->LookupParent(kRoot, Make(root_, "file")), Code::kNotDir);
}

TEST_P(FsConformance, CreateRemoveAndLinkNeedWriteAndSearchOnTheDirectory) {
  FileId f = Make(root_, "f", FileType::kRegular, 0666);
  EXPECT_CODE(fs_->Create(alice_, root_, "x", CreateArgs{}), Code::kPermissionDenied);
  EXPECT_CODE(fs_->Remove(alice_, root_, "f"), Code::kPermissionDenied);
  EXPECT_CODE(fs_->Link(alice_, f, root_, "g"), Code::kPermissionDenied);
  EXPECT_CODE(fs_->Rename(alice_, root_, "f", root_, "g"), Code::kPermissionDenied);
  FileId d = MakeDir(root_, "d", 0772);  // others may write but not search
  EXPECT_CODE(fs_->Create(alice_, d, "x", CreateArgs{}), Code::kPermissionDenied);
  SetMode(d, 0777);
  EXPECT_TRUE(fs_->Create(alice_, d, "x", CreateArgs{}).ok());
}

TEST_P(FsConformance, SetgidDirectoriesPassTheirGroupAndTheBit) {
  FileId d = MakeDir(root_, "shared", 02777);
  Chown(d, 0, 500);
  Attributes f = Attr(Make(d, "f", FileType::kRegular, 0644, alice_));
  EXPECT_EQ(f.uid, 1000u);
  EXPECT_EQ(f.gid, 500u);
  EXPECT_EQ(f.mode, 0644u);
  Attributes sub = Attr(MakeDir(d, "sub", 0755, alice_));
  EXPECT_EQ(sub.gid, 500u);
  EXPECT_EQ(sub.mode, 02755u);
  Attributes plain = Attr(Make(root_, "plain", FileType::kRegular, 0644, kRoot));
  EXPECT_EQ(plain.gid, 0u);
}

TEST_P(FsConformance, StickyDirectoriesProtectOtherUsersEntries) {
  FileId tmp = MakeDir(root_, "tmp", 01777);
  Make(tmp, "a", FileType::kRegular, 0644, alice_);
  Make(tmp, "a2", FileType::kRegular, 0644, alice_);
  Make(tmp, "a3", FileType::kRegular, 0644, alice_);
  EXPECT_CODE(fs_->Remove(bob_, tmp, "a"), Code::kNotPermitted);
  EXPECT_CODE(fs_->Rename(bob_, tmp, "a", tmp, "b"), Code::kNotPermitted);
  Make(tmp, "b", FileType::kRegular, 0644, bob_);
  EXPECT_CODE(fs_->Rename(bob_, tmp, "b", tmp, "a"), Code::kNotPermitted);  // over alice's
  EXPECT_TRUE(fs_->Rename(alice_, tmp, "a", tmp, "a1").ok());
  EXPECT_TRUE(fs_->Remove(alice_, tmp, "a1").ok());
  EXPECT_TRUE(fs_->Remove(kRoot, tmp, "a2").ok());
  Chown(tmp, 1001, 1001);  // bob owns the directory now
  EXPECT_TRUE(fs_->Remove(bob_, tmp, "a3").ok());
}

TEST_P(FsConformance, OnlyTheOwnerOrRootChangesTheMode) {
  FileId f = Make(root_, "f", FileType::kRegular, 0644);
  Chown(f, 1000, 1000);
  SetAttrs chmod;
  chmod.mode = 0600;
  EXPECT_CODE(fs_->SetAttr(bob_, f, chmod), Code::kNotPermitted);
  ASSERT_OK(fs_->SetAttr(alice_, f, chmod));
  EXPECT_EQ(Attr(f).mode, 0600u);
  chmod.mode = 010000;
  EXPECT_CODE(fs_->SetAttr(alice_, f, chmod), Code::kInvalidArgument);
  Chown(f, 1000, 500);  // a group alice is not in
  chmod.mode = 02755;
  ASSERT_OK(fs_->SetAttr(alice_, f, chmod));
  EXPECT_EQ(Attr(f).mode, 0755u);  // setgid dropped
  ASSERT_OK(fs_->SetAttr(kRoot, f, chmod));
  EXPECT_EQ(Attr(f).mode, 02755u);
}

TEST_P(FsConformance, ChownRules) {
  FileId f = Make(root_, "f", FileType::kRegular, 06755);
  Chown(f, 1002, 1002);
  EXPECT_EQ(Attr(f).mode, 0755u);  // as on Linux, even root's chown drops setuid/setgid
  SetAttrs to_alice;
  to_alice.uid = 1000;
  EXPECT_CODE(fs_->SetAttr(carol_, f, to_alice), Code::kNotPermitted);
  SetAttrs same_uid;
  same_uid.uid = 1002;
  EXPECT_TRUE(fs_->SetAttr(carol_, f, same_uid).ok());
  SetAttrs group;
  group.gid = 1001;
  EXPECT_CODE(fs_->SetAttr(carol_, f, group), Code::kNotPermitted);  // not her group
  EXPECT_CODE(fs_->SetAttr(bob_, f, group), Code::kNotPermitted);    // not his file
  SetMode(f, 06755);
  group.gid = 500;
  ASSERT_OK(fs_->SetAttr(carol_, f, group));
  Attributes a = Attr(f);
  EXPECT_EQ(a.gid, 500u);
  EXPECT_EQ(a.mode, 0755u);  // chown by non-root clears setuid and setgid
}

// As on Linux: a write by anyone but root drops setuid, and setgid unless the file is not
// group-executable and the writer is in its group.
TEST_P(FsConformance, WritingByAnyoneButRootClearsSetuidAndSetgid) {
  FileId f = Make(root_, "f", FileType::kRegular, 0666);
  Chown(f, 1000, 1000);
  SetMode(f, 06666);
  ASSERT_OK(fs_->Write(kRoot, f, 0, "root", Stability::kUnstable));
  EXPECT_EQ(Attr(f).mode, 06666u);
  ASSERT_OK(fs_->Write(alice_, f, 0, "own", Stability::kUnstable));
  EXPECT_EQ(Attr(f).mode, 02666u);
  ASSERT_OK(fs_->Write(bob_, f, 0, "other", Stability::kUnstable));
  EXPECT_EQ(Attr(f).mode, 0666u);
}

TEST_P(FsConformance, DataAccessChecksModeExceptForTheOwner) {
  FileId f = Make(root_, "f", FileType::kRegular, 0600);
  Chown(f, 1000, 1000);
  EXPECT_CODE(fs_->Read(bob_, f, 0, 1), Code::kPermissionDenied);
  EXPECT_CODE(fs_->Write(bob_, f, 0, "x", Stability::kUnstable), Code::kPermissionDenied);
  SetMode(f, 0);
  EXPECT_TRUE(fs_->Write(alice_, f, 0, "x", Stability::kUnstable).ok());
  EXPECT_TRUE(fs_->Read(alice_, f, 0, 1).ok());
  SetAttrs trunc;
  trunc.size = 0;
  EXPECT_CODE(fs_->SetAttr(bob_, f, trunc), Code::kPermissionDenied);
  EXPECT_TRUE(fs_->SetAttr(alice_, f, trunc).ok());
  SetMode(f, 0606);
  EXPECT_TRUE(fs_->Write(bob_, f, 0, "x", Stability::kUnstable).ok());
  EXPECT_CODE(fs_->Read(carol_, MakeDir(root_, "d"), 0, 1), Code::kIsDir);
}

TEST_P(FsConformance, SetAttrTimesAndTheChangeAttribute) {
  FileId f = Make(root_, "f", FileType::kRegular, 0644);
  Chown(f, 1000, 1000);
  Attributes before = Attr(f);
  SetAttrs times;
  times.atime = {SetTime::kClientTime, Time{1000, 5}};
  times.mtime = {SetTime::kClientTime, Time{2000, 999999999}};
  Result<Attributes> set = fs_->SetAttr(alice_, f, times);
  ASSERT_OK(set);
  EXPECT_EQ(set->atime, (Time{1000, 5}));
  EXPECT_EQ(set->mtime, (Time{2000, 999999999}));
  EXPECT_GE(set->ctime, before.ctime);
  EXPECT_GT(set->change, before.change);
  EXPECT_EQ(Attr(f).mtime, (Time{2000, 999999999}));
  EXPECT_CODE(fs_->SetAttr(bob_, f, times), Code::kNotPermitted);
  SetAttrs now;
  now.mtime.kind = SetTime::kServerTime;
  EXPECT_CODE(fs_->SetAttr(bob_, f, now), Code::kPermissionDenied);
  SetMode(f, 0666);
  Result<Attributes> touched = fs_->SetAttr(bob_, f, now);
  ASSERT_OK(touched);
  EXPECT_GT(touched->mtime, (Time{2000, 999999999}));
  uint64_t change = Attr(f).change;
  EXPECT_TRUE(fs_->SetAttr(bob_, f, SetAttrs{}).ok());  // empty: nothing changes
  EXPECT_EQ(Attr(f).change, change);
}

// ----------------------------------------------------------------------------- data

TEST_P(FsConformance, WriteAndReadBackWithoutTouchingAtime) {
  FileId f = Make(root_, "f");
  Attributes created = Attr(f);
  ASSERT_OK(fs_->Write(kRoot, f, 0, "hello, world", Stability::kFileSync));
  Attributes written = Attr(f);
  EXPECT_EQ(written.size, 12u);
  EXPECT_GT(written.change, created.change);
  EXPECT_GE(written.mtime, created.mtime);
  EXPECT_EQ(written.mtime, written.ctime);
  EXPECT_GT(written.space_used, 0u);
  Result<ReadResult> r = fs_->Read(kRoot, f, 7, 100);
  ASSERT_OK(r);
  EXPECT_EQ(r->data, "world");
  EXPECT_TRUE(r->eof);
  r = fs_->Read(kRoot, f, 0, 5);
  ASSERT_OK(r);
  EXPECT_EQ(r->data, "hello");
  EXPECT_FALSE(r->eof);
  r = fs_->Read(kRoot, f, 50, 5);
  ASSERT_OK(r);
  EXPECT_TRUE(r->data.empty());
  EXPECT_TRUE(r->eof);
  Attributes after_read = Attr(f);
  EXPECT_EQ(after_read.atime, written.atime);
  EXPECT_EQ(after_read.change, written.change);
  // Stability levels and Commit.
  for (Stability s : {Stability::kUnstable, Stability::kDataSync, Stability::kFileSync}) {
    Result<WriteResult> w = fs_->Write(kRoot, f, 12, "!", s);
    ASSERT_OK(w);
    EXPECT_GE(w->committed, s);
    EXPECT_EQ(w->attrs.size, 13u);
  }
  EXPECT_TRUE(fs_->Commit(f).ok());
  EXPECT_CODE(fs_->Commit(root_), Code::kIsDir);
  EXPECT_EQ(fs_->WriteVerifier(), fs_->WriteVerifier());
}

TEST_P(FsConformance, SparseFilesReadZerosAndUseLittleSpace) {
  FileId f = Make(root_, "sparse");
  const uint64_t gib = uint64_t{1} << 30;
  WriteAt(f, gib, "x");
  Attributes a = Attr(f);
  EXPECT_EQ(a.size, gib + 1);
  EXPECT_LT(a.space_used, uint64_t{1} << 20);
  EXPECT_EQ(ReadAt(f, 0, 4096), std::string(4096, '\0'));
  EXPECT_EQ(ReadAt(f, gib - 2, 10), std::string("\0\0x", 3));
  WriteAt(f, 5000, "mid");
  EXPECT_EQ(ReadAt(f, 4998, 7), std::string("\0\0mid\0\0", 7));
}

TEST_P(FsConformance, TruncateShrinksAndExtendsWithZeros) {
  FileId f = Make(root_, "f");
  WriteAt(f, 0, std::string(10000, 'a'));
  SetAttrs trunc;
  trunc.size = 100;
  Attributes before = Attr(f);
  Result<Attributes> t = fs_->SetAttr(kRoot, f, trunc);
  ASSERT_OK(t);
  EXPECT_EQ(t->size, 100u);
  EXPECT_GT(t->change, before.change);
  EXPECT_EQ(ReadAt(f, 0, 200), std::string(100, 'a'));
  trunc.size = 5000;
  ASSERT_OK(fs_->SetAttr(kRoot, f, trunc));
  std::string data = ReadAt(f, 0, 6000);
  EXPECT_EQ(data, std::string(100, 'a') + std::string(4900, '\0'));
  trunc.size = 0;
  ASSERT_OK(fs_->SetAttr(kRoot, f, trunc));
  WriteAt(f, 10, "z");
  EXPECT_EQ(ReadAt(f, 0, 100), std::string(10, '\0') + "z");
  FileId d = MakeDir(root_, "d");
  EXPECT_CODE(fs_->SetAttr(kRoot, d, trunc), Code::kIsDir);
}

TEST_P(FsConformance, FileSizeStopsAtTheEfsMaximum) {
  FileId f = Make(root_, "big");
  SetAttrs set;
  set.size = kMaxFileSize;
  ASSERT_OK(fs_->SetAttr(kRoot, f, set));
  EXPECT_EQ(Attr(f).size, kMaxFileSize);
  EXPECT_EQ(ReadAt(f, kMaxFileSize - 3, 10), std::string(3, '\0'));
  set.size = kMaxFileSize + 1;
  EXPECT_CODE(fs_->SetAttr(kRoot, f, set), Code::kFileTooBig);
  EXPECT_CODE(fs_->Write(kRoot, f, kMaxFileSize, "x", Stability::kFileSync), Code::kFileTooBig);
  EXPECT_CODE(fs_->Write(kRoot, f, kMaxFileSize - 1, "xy", Stability::kFileSync),
              Code::kFileTooBig);
  // The last byte: MemFs holds it; a store on ext4 (16 TiB files) answers kFileTooBig too.
  Result<WriteResult> last = fs_->Write(kRoot, f, kMaxFileSize - 1, "x", Stability::kFileSync);
  EXPECT_TRUE(last.ok() || last.status().code() == Code::kFileTooBig) << StatusOf(last).ToString();
  EXPECT_EQ(Attr(f).size, kMaxFileSize);
}

// ----------------------------------------------------------------------------- remove, link

TEST_P(FsConformance, RemoveFilesAndEmptyDirectories) {
  FileId d = MakeDir(root_, "d");
  Make(d, "f");
  EXPECT_EQ(Attr(root_).nlink, 3u);
  EXPECT_CODE(fs_->Remove(kRoot, root_, "d"), Code::kNotEmpty);
  EXPECT_CODE(fs_->Remove(kRoot, d, "missing"), Code::kNotFound);
  Attributes before = Attr(d);
  Result<DirChange> change = fs_->Remove(kRoot, d, "f");
  ASSERT_OK(change);
  EXPECT_EQ(change->before, before.change);
  EXPECT_GT(change->after, change->before);
  EXPECT_EQ(LookupCode(d, "f"), Code::kNotFound);
  ASSERT_OK(fs_->Remove(kRoot, root_, "d"));
  EXPECT_EQ(Attr(root_).nlink, 2u);
  EXPECT_CODE(fs_->GetAttr(d), Code::kStale);
}

TEST_P(FsConformance, HardLinksStopAt177) {
  FileId f = Make(root_, "f");
  FileId d = MakeDir(root_, "links");
  Attributes before = Attr(f);
  for (uint32_t i = 2; i <= kMaxLinks; ++i) {
    ASSERT_OK(fs_->Link(kRoot, f, d, "l" + std::to_string(i)));
  }
  Attributes a = Attr(f);
  EXPECT_EQ(a.nlink, 177u);
  EXPECT_GT(a.ctime, before.ctime);
  EXPECT_CODE(fs_->Link(kRoot, f, d, "one-too-many"), Code::kTooManyLinks);
  EXPECT_CODE(fs_->Link(kRoot, f, d, "l2"), Code::kAlreadyExists);
  EXPECT_CODE(fs_->Link(kRoot, d, root_, "dirlink"), Code::kIsDir);
  ASSERT_OK(fs_->Remove(kRoot, root_, "f"));
  EXPECT_EQ(Attr(f).nlink, 176u);
  Result<Attributes> via_link = fs_->Lookup(kRoot, d, "l100");
  ASSERT_OK(via_link);
  EXPECT_EQ(via_link->id, f);
}

TEST_P(FsConformance, AnUnlinkedFileStaysReadableWhilePinned) {
  FileId f = Make(root_, "f");
  WriteAt(f, 0, "still here");
  ASSERT_OK(fs_->Pin(f));
  ASSERT_OK(fs_->Pin(f));
  ASSERT_OK(fs_->Remove(kRoot, root_, "f"));
  EXPECT_EQ(LookupCode(root_, "f"), Code::kNotFound);
  EXPECT_EQ(Attr(f).nlink, 0u);
  EXPECT_EQ(ReadAt(f, 0, 100), "still here");
  WriteAt(f, 0, "STILL");
  EXPECT_CODE(fs_->Link(kRoot, f, root_, "back"), Code::kNotFound);
  ASSERT_OK(fs_->Unpin(f));
  EXPECT_EQ(ReadAt(f, 0, 100), "STILL here");
  ASSERT_OK(fs_->Unpin(f));
  EXPECT_CODE(fs_->GetAttr(f), Code::kStale);
  EXPECT_CODE(fs_->Unpin(f), Code::kStale);
  FileId g = Make(root_, "g");
  EXPECT_CODE(fs_->Unpin(g), Code::kInvalidArgument);
  // Renaming over a pinned file keeps it too.
  FileId h = Make(root_, "h");
  WriteAt(h, 0, "h data");
  ASSERT_OK(fs_->Pin(h));
  ASSERT_OK(fs_->Rename(kRoot, root_, "g", root_, "h"));
  EXPECT_EQ(ReadAt(h, 0, 10), "h data");
  ASSERT_OK(fs_->Unpin(h));
  EXPECT_CODE(fs_->GetAttr(h), Code::kStale);
}

// ----------------------------------------------------------------------------- rename

TEST_P(FsConformance, RenameReplacesAFileAtomically) {
  FileId a = Make(root_, "a");
  FileId b = Make(root_, "b");
  WriteAt(a, 0, "A");
  Attributes a_before = Attr(a);
  Attributes dir_before = Attr(root_);
  Result<RenameResult> r = fs_->Rename(kRoot, root_, "a", root_, "b");
  ASSERT_OK(r);
  EXPECT_EQ(r->source.before, dir_before.change);
  EXPECT_GT(r->source.after, r->source.before);
  EXPECT_EQ(r->target.after, r->source.after);
  EXPECT_EQ(LookupCode(root_, "a"), Code::kNotFound);
  EXPECT_EQ(fs_->Lookup(kRoot, root_, "b")->id, a);
  EXPECT_CODE(fs_->GetAttr(b), Code::kStale);
  Attributes a_after = Attr(a);
  EXPECT_GE(a_after.ctime, a_before.ctime);
  EXPECT_GT(a_after.change, a_before.change);
  EXPECT_EQ(a_after.mtime, a_before.mtime);
  EXPECT_GE(Attr(root_).mtime, dir_before.mtime);
  EXPECT_CODE(fs_->Rename(kRoot, root_, "a", root_, "c"), Code::kNotFound);
}

TEST_P(FsConformance, RenameDirectoriesFollowsPosix) {
  FileId x = MakeDir(root_, "x");
  FileId y = MakeDir(root_, "y");
  FileId sub = MakeDir(x, "sub");
  FileId deep = MakeDir(sub, "deep");
  Make(root_, "file");
  FileId full = MakeDir(root_, "full");
  Make(full, "inside");
  MakeDir(root_, "empty");
  EXPECT_CODE(fs_->Rename(kRoot, root_, "x", root_, "file"), Code::kNotDir);
  EXPECT_CODE(fs_->Rename(kRoot, root_, "file", root_, "empty"), Code::kIsDir);
  EXPECT_CODE(fs_->Rename(kRoot, root_, "x", root_, "full"), Code::kNotEmpty);
  EXPECT_CODE(fs_->Rename(kRoot, root_, "x", sub, "x"), Code::kInvalidArgument);
  EXPECT_CODE(fs_->Rename(kRoot, root_, "x", deep, "x"), Code::kInvalidArgument);
  EXPECT_CODE(fs_->Rename(kRoot, x, "sub", sub, "sub2"), Code::kInvalidArgument);
  EXPECT_CODE(fs_->Rename(kRoot, root_, "x", root_, "."), Code::kInvalidArgument);
  // Across parents: nlink moves, and LookupParent follows.
  EXPECT_EQ(Attr(x).nlink, 3u);
  Attributes y_before = Attr(y);
  ASSERT_OK(fs_->Rename(kRoot, x, "sub", y, "sub"));
  EXPECT_EQ(Attr(x).nlink, 2u);
  EXPECT_EQ(Attr(y).nlink, 3u);
  EXPECT_GT(Attr(y).change, y_before.change);
  EXPECT_EQ(fs_->LookupParent(kRoot, sub)->id, y);
  // A directory over an empty directory.
  uint32_t root_links = Attr(root_).nlink;
  ASSERT_OK(fs_->Rename(kRoot, root_, "x", root_, "empty"));
  EXPECT_EQ(Attr(root_).nlink, root_links - 1);
  EXPECT_EQ(fs_->Lookup(kRoot, root_, "empty")->id, x);
  // Two names of one inode: nothing happens.
  FileId f = Make(root_, "one");
  ASSERT_OK(fs_->Link(kRoot, f, root_, "two"));
  ASSERT_OK(fs_->Rename(kRoot, root_, "one", root_, "two"));
  EXPECT_EQ(fs_->Lookup(kRoot, root_, "one")->id, f);
  EXPECT_EQ(Attr(f).nlink, 2u);
  // Moving a directory to another parent needs write permission on it.
  FileId open = MakeDir(root_, "open", 0777);
  FileId mine = MakeDir(open, "mine", 0555, alice_);
  EXPECT_CODE(fs_->Rename(alice_, open, "mine", root_, "m"), Code::kPermissionDenied);
  EXPECT_TRUE(fs_->Rename(alice_, open, "mine", open, "renamed").ok());
  EXPECT_EQ(fs_->LookupParent(kRoot, mine)->id, open);
}

// ----------------------------------------------------------------------------- readdir

TEST_P(FsConformance, ReadDirPagesByCountAndBytes) {
  FileId d = MakeDir(root_, "d");
  std::set<std::string> made;
  for (int i = 0; i < 25; ++i) {
    std::string name = "file-" + std::to_string(i);
    Make(d, name);
    made.insert(name);
  }
  MakeDir(d, "subdir");
  made.insert("subdir");
  std::set<std::string> seen;
  ReadDirArgs args;
  args.max_entries = 7;
  args.with_attrs = true;
  int pages = 0;
  for (; pages < 100; ++pages) {
    Result<DirPage> page = fs_->ReadDir(kRoot, d, args);
    ASSERT_OK(page);
    EXPECT_LE(page->entries.size(), 7u);
    for (const DirEntry& e : page->entries) {
      EXPECT_TRUE(seen.insert(e.name).second) << e.name;
      EXPECT_GT(e.cookie, 2u);
      EXPECT_GT(e.cookie, args.cookie);
      ASSERT_TRUE(e.attrs.has_value());
      EXPECT_EQ(e.attrs->id, e.id);
      EXPECT_EQ(fs_->Lookup(kRoot, d, e.name)->id, e.id);
      args.cookie = e.cookie;
    }
    if (page->eof) break;
  }
  EXPECT_EQ(seen, made);
  EXPECT_EQ(pages, 3);
  // A byte budget of one small entry still returns one entry per page.
  ReadDirArgs tiny;
  tiny.max_bytes = 1;
  Result<DirPage> one = fs_->ReadDir(kRoot, d, tiny);
  ASSERT_OK(one);
  EXPECT_EQ(one->entries.size(), 1u);
  EXPECT_FALSE(one->eof);
  EXPECT_FALSE(one->entries[0].attrs.has_value());
  Result<DirPage> empty = fs_->ReadDir(kRoot, MakeDir(root_, "empty"), ReadDirArgs{});
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->entries.empty());
  EXPECT_TRUE(empty->eof);
  EXPECT_CODE(fs_->ReadDir(kRoot, Make(root_, "f"), ReadDirArgs{}), Code::kNotDir);
}

TEST_P(FsConformance, ReadDirCookiesSurviveInsertsAndRemoves) {
  FileId d = MakeDir(root_, "d");
  for (int i = 0; i < 30; ++i) Make(d, "keep-" + std::to_string(i));
  for (int i = 0; i < 30; ++i) Make(d, "gone-" + std::to_string(i));
  ReadDirArgs args;
  args.max_entries = 4;
  std::multiset<std::string> seen;
  for (int round = 0; round < 200; ++round) {
    Result<DirPage> page = fs_->ReadDir(kRoot, d, args);
    ASSERT_OK(page);
    for (const DirEntry& e : page->entries) {
      seen.insert(e.name);
      args.cookie = e.cookie;
    }
    if (page->eof) break;
    // Between pages: remove some entries and add new ones.
    if (round < 30) {
      (void)fs_->Remove(kRoot, d, "gone-" + std::to_string(29 - round));
      Make(d, "new-" + std::to_string(round));
    }
  }
  for (int i = 0; i < 30; ++i) EXPECT_EQ(seen.count("keep-" + std::to_string(i)), 1u) << i;
  for (const std::string& name : seen) EXPECT_EQ(seen.count(name), 1u) << name;
}

TEST_P(FsConformance, ReadDirUnderConcurrentChurnListsStableEntriesOnce) {
  FileId d = MakeDir(root_, "d");
  for (int i = 0; i < 40; ++i) Make(d, "stable-" + std::to_string(i));
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    for (int i = 0; i < 400 && !stop.load(); ++i) {
      std::string name = "churn-" + std::to_string(i % 20);
      if (!fs_->Create(kRoot, d, name, CreateArgs{}).ok()) (void)fs_->Remove(kRoot, d, name);
    }
  });
  for (int listing = 0; listing < 10; ++listing) {
    ReadDirArgs args;
    args.max_entries = 3;
    std::map<std::string, int> seen;
    for (int page = 0; page < 1000; ++page) {
      Result<DirPage> r = fs_->ReadDir(kRoot, d, args);
      ASSERT_OK(r);
      for (const DirEntry& e : r->entries) {
        seen[e.name]++;
        args.cookie = e.cookie;
      }
      if (r->eof) break;
    }
    for (int i = 0; i < 40; ++i) EXPECT_EQ(seen["stable-" + std::to_string(i)], 1);
  }
  stop = true;
  churn.join();
}

// ----------------------------------------------------------------------------- misc

TEST_P(FsConformance, StatFsCountsFiles) {
  Result<FsStat> before = fs_->StatFs();
  ASSERT_OK(before);
  EXPECT_GT(before->total_bytes, 0u);
  EXPECT_GE(before->total_bytes, before->free_bytes);
  EXPECT_GE(before->used_files, 1u);
  Make(root_, "a");
  Make(root_, "b");
  Result<FsStat> after = fs_->StatFs();
  ASSERT_OK(after);
  EXPECT_EQ(after->used_files, before->used_files + 2);
  EXPECT_EQ(after->free_files + after->used_files, after->total_files);
}

// EFS metering (EFS-REFERENCE.md s2.3): 2 KiB per inode plus data in 4 KiB steps; directories
// at least 4 KiB of entries; symlinks and special files 4 KiB; sparse files what they hold.
TEST_P(FsConformance, MeteredSizeFollowsWhatIsStored) {
  constexpr uint64_t kKiB = 1024;
  const uint64_t empty = fs_->MeteredSize();
  EXPECT_EQ(empty, 6 * kKiB);  // the root directory of a new file system, as on EFS

  FileId f = Make(root_, "file");
  EXPECT_EQ(fs_->MeteredSize(), empty + 2 * kKiB);
  WriteAt(f, 0, std::string(10000, 'a'));
  EXPECT_EQ(fs_->MeteredSize(), empty + 2 * kKiB + 12 * kKiB);
  WriteAt(f, 10000, std::string(2288, 'b'), Stability::kUnstable);  // exactly 12 KiB now
  EXPECT_EQ(fs_->MeteredSize(), empty + 2 * kKiB + 12 * kKiB);
  WriteAt(f, 12288, "c");
  EXPECT_EQ(fs_->MeteredSize(), empty + 2 * kKiB + 16 * kKiB);
  SetAttrs shrink;
  shrink.size = 4096;
  ASSERT_OK(fs_->SetAttr(kRoot, f, shrink));
  EXPECT_EQ(fs_->MeteredSize(), empty + 2 * kKiB + 4 * kKiB);

  FileId sparse = Make(root_, "sparse");
  WriteAt(sparse, uint64_t{1} << 30, "x");
  const uint64_t with_sparse = fs_->MeteredSize();
  EXPECT_GE(with_sparse, empty + 6 * kKiB + 2 * kKiB + 4 * kKiB);
  EXPECT_LT(with_sparse, empty + 6 * kKiB + 1024 * kKiB);  // not the 1 GiB of its size

  FileId dir = MakeDir(root_, "dir");
  Make(root_, "link", FileType::kSymlink);
  Make(root_, "fifo", FileType::kFifo);
  EXPECT_EQ(fs_->MeteredSize(), with_sparse + 3 * 6 * kKiB);

  // A directory counts its entries (name + 24 bytes each) in 4 KiB steps.
  const uint64_t before_entries = fs_->MeteredSize();
  for (int i = 0; i < 100; ++i) {
    Make(dir, std::string(100, 'n') + std::to_string(1000 + i));  // 104-byte names
  }
  // 100 files of 2 KiB, and the directory's 100 * 128 = 12,800 bytes: 16 KiB, 12 more than 4.
  EXPECT_EQ(fs_->MeteredSize(), before_entries + 100 * 2 * kKiB + 12 * kKiB);
  ASSERT_OK(fs_->Rename(kRoot, dir, std::string(100, 'n') + "1000", root_, "moved"));
  ASSERT_OK(fs_->Link(kRoot, f, dir, "hard"));
  for (int i = 1; i < 100; ++i) {
    ASSERT_OK(fs_->Remove(kRoot, dir, std::string(100, 'n') + std::to_string(1000 + i)));
  }
  ASSERT_OK(fs_->Remove(kRoot, dir, "hard"));
  for (const char* name : {"moved", "file", "sparse", "link", "fifo", "dir"}) {
    ASSERT_OK(fs_->Remove(kRoot, root_, name));
  }
  EXPECT_EQ(fs_->MeteredSize(), empty);
}

TEST_P(FsConformance, AnUnlinkedOpenFileIsMeteredUntilItsLastClose) {
  const uint64_t empty = fs_->MeteredSize();
  FileId f = Make(root_, "open");
  WriteAt(f, 0, std::string(8192, 'x'));
  ASSERT_OK(fs_->Pin(f));
  ASSERT_OK(fs_->Remove(kRoot, root_, "open"));
  EXPECT_EQ(fs_->MeteredSize(), empty + 2048 + 8192);
  ASSERT_OK(fs_->Unpin(f));
  EXPECT_EQ(fs_->MeteredSize(), empty);
}

TEST_P(FsConformance, ManyThreadsWriteTheirOwnFiles) {
  constexpr int kThreads = 4;
  constexpr int kBlocks = 32;
  std::vector<FileId> files;
  for (int t = 0; t < kThreads; ++t) files.push_back(Make(root_, "t" + std::to_string(t)));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBlocks; ++b) {
        std::string block(4096, static_cast<char>('a' + t));
        Stability s = b % 8 == 0 ? Stability::kFileSync : Stability::kUnstable;
        EXPECT_TRUE(fs_->Write(kRoot, files[t], uint64_t(b) * 4096, block, s).ok());
        (void)fs_->GetAttr(files[(t + 1) % kThreads]);
      }
      EXPECT_TRUE(fs_->Commit(files[t]).ok());
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(Attr(files[t]).size, uint64_t{kBlocks} * 4096);
    EXPECT_EQ(ReadAt(files[t], 4096 * 5, 4096), std::string(4096, static_cast<char>('a' + t)));
  }
}

}  // namespace efs::fs

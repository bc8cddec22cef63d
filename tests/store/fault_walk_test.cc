// Faults at every sync point, as SQLite tests itself: each operation below runs over a real
// store with a fault armed at its Nth sync point (store/io.h: every write, sync, rename, unlink
// and SQLite commit), for N = 1, 2, ... until it completes without reaching the fault. The fault
// is EIO, ENOSPC (in-process) or the end of the process (in a forked child, as kill -9). After
// each: what the caller was told holds (an acknowledged change is there after a reopen, a failed
// one is there whole or not at all), the error is the one the fault means (kNoSpace becomes
// NFS4ERR_NOSPC, kIOError NFS4ERR_IO, in nfs4/errors.cc), the check (efs fsck) finds nothing,
// and the file system works again once the fault is gone.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "base/clock.h"
#include "fs/check.h"
#include "store/io.h"
#include "store/store_fs.h"
#include "testutil/temp_dir.h"

namespace efs::store {
namespace {

using fs::Credentials;
using fs::FileId;
using fs::Stability;
using testutil::TempDir;

const Credentials kRoot = Credentials::Root();
constexpr uint64_t kMaxSyncPoints = 200;  // per operation: a bound, far above what any takes
constexpr double kDay = 86400;

// The files every operation starts from: /a (8 KiB), /d (a directory), on a clock that the
// lifecycle move advances.
struct World {
  FakeClock clock;
  std::unique_ptr<fs::FileSystem> fs;
  FileId a, d;
};

std::string Bytes(size_t n, char c) { return std::string(n, c); }

template <class T>
Status StatusOf(const Result<T>& r) {
  return r.ok() ? Status::Ok() : r.status();
}

// One operation: `run` does it (its Status is what a client is told), `done` says whether its
// effect is there (on a reopened store), `undone` whether the state before it is. `told` is
// false for the lifecycle move: the background mover tells no client, it logs and tries again.
struct Operation {
  const char* name;
  std::function<Status(World&)> run;
  std::function<bool(World&)> done;
  std::function<bool(World&)> undone;
  bool told = true;
};

bool Exists(World& w, FileId dir, const std::string& name) {
  return w.fs->Lookup(kRoot, dir, name).ok();
}

const std::vector<Operation>& Operations() {
  static const auto* ops = new std::vector<Operation>{
      {"create",
       [](World& w) { return StatusOf(w.fs->Create(kRoot, w.fs->Root(), "new", fs::CreateArgs{})); },
       [](World& w) { return Exists(w, w.fs->Root(), "new"); },
       [](World& w) { return !Exists(w, w.fs->Root(), "new"); }},
      {"write+commit",
       [](World& w) -> Status {
         Result<fs::WriteResult> r =
             w.fs->Write(kRoot, w.a, 4096, Bytes(65536, 'w'), Stability::kUnstable);
         if (!r.ok()) return r.status();
         return w.fs->Commit(w.a);
       },
       [](World& w) {
         auto r = w.fs->Read(kRoot, w.a, 0, 1 << 20);
         return r.ok() && r->data == Bytes(4096, 'a') + Bytes(65536, 'w');
       },
       [](World& w) {
         auto r = w.fs->Read(kRoot, w.a, 0, 1 << 20);
         return r.ok() && r->data.substr(0, 4096) == Bytes(4096, 'a');
       }},
      {"rename",
       [](World& w) { return StatusOf(w.fs->Rename(kRoot, w.fs->Root(), "a", w.d, "b")); },
       [](World& w) { return Exists(w, w.d, "b") && !Exists(w, w.fs->Root(), "a"); },
       [](World& w) { return Exists(w, w.fs->Root(), "a") && !Exists(w, w.d, "b"); }},
      {"unlink",
       [](World& w) { return StatusOf(w.fs->Remove(kRoot, w.fs->Root(), "a")); },
       [](World& w) { return !Exists(w, w.fs->Root(), "a"); },
       [](World& w) { return Exists(w, w.fs->Root(), "a"); }},
      {"setattr",
       [](World& w) {
         fs::SetAttrs attrs;
         attrs.size = 100;
         attrs.mode = 0600;
         return StatusOf(w.fs->SetAttr(kRoot, w.a, attrs));
       },
       [](World& w) {
         auto a = w.fs->GetAttr(w.a);
         return a.ok() && a->size == 100 && a->mode == 0600;
       },
       [](World& w) {
         auto a = w.fs->GetAttr(w.a);
         return a.ok() && a->size == 8192 && a->mode == 0644;
       }},
      {"link",
       [](World& w) { return StatusOf(w.fs->Link(kRoot, w.a, w.d, "l")); },
       [](World& w) { return Exists(w, w.d, "l") && w.fs->GetAttr(w.a)->nlink == 2; },
       [](World& w) { return !Exists(w, w.d, "l") && w.fs->GetAttr(w.a)->nlink == 1; }},
      {"lifecycle move",
       [](World& w) -> Status {
         fs::LifecyclePolicy policy;
         policy.to_ia_after = 1 * kDay;
         w.fs->SetLifecycle(policy);
         w.clock.Advance(2 * kDay);
         Result<fs::TransitionReport> r = w.fs->RunLifecyclePass([] { return true; });
         if (!r.ok()) return r.status();
         if (r->files_moved != 1) return IOError("the move failed (see the log)");
         return Status::Ok();
       },
       [](World& w) {
         auto s = w.fs->Storage(w.a);
         auto r = w.fs->Read(kRoot, w.a, 0, 8192);
         return s.ok() && s->storage_class == fs::StorageClass::kIA && r.ok() &&
                r->data == Bytes(8192, 'a');
       },
       [](World& w) {
         auto r = w.fs->Read(kRoot, w.a, 0, 8192);
         return r.ok() && r->data == Bytes(8192, 'a');
       },
       /*told=*/false},
  };
  return *ops;
}

void Open(const std::string& dir, World* w) {
  w->fs.reset();
  Result<std::unique_ptr<fs::FileSystem>> fs = OpenStoreFs(dir, &w->clock);
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  w->fs = std::move(fs).value();
}

// Makes /a and /d, durably.
void Populate(World* w) {
  fs::CreateArgs dir;
  dir.type = fs::FileType::kDirectory;
  Result<fs::CreateResult> d = w->fs->Create(kRoot, w->fs->Root(), "d", dir);
  Result<fs::CreateResult> a = w->fs->Create(kRoot, w->fs->Root(), "a", fs::CreateArgs{});
  ASSERT_TRUE(d.ok() && a.ok());
  w->d = d->attrs.id;
  w->a = a->attrs.id;
  ASSERT_TRUE(w->fs->Write(kRoot, w->a, 0, Bytes(8192, 'a'), Stability::kFileSync).ok());
}

// Disarms the fault when the test leaves, however it leaves.
struct Disarmed {
  ~Disarmed() { DisarmFault(); }
};

// The check finds nothing but, where a fault struck, bytes past an inode's size: a write whose
// size was never recorded (its client was not told it was written), a crash, or a shrink whose
// cut failed after its size was durable. No read shows them, and the next open of the store cuts
// them before a write or a size change could.
void ExpectConsistent(fs::FileSystem& fs, const std::string& where, bool may_be_longer) {
  Result<fs::CheckReport> r = fs.Check(false);
  ASSERT_TRUE(r.ok()) << where << ": " << r.status().ToString();
  for (const fs::CheckFinding& f : r->findings) {
    if (may_be_longer && f.kind == fs::kDataFileLonger) continue;
    ADD_FAILURE() << where << ": " << f.kind << " inode " << f.ino << " " << f.path << ": "
                  << f.detail;
  }
}

Code CodeOf(FaultAction action) {
  return action == FaultAction::kEnospc ? Code::kNoSpace : Code::kIOError;
}

// Runs `op` with an EIO or ENOSPC fault at sync point n; returns false once the operation
// reached no fault (the walk is over).
bool FailAt(const Operation& op, FaultAction action, uint64_t n) {
  const std::string where = std::string(op.name) + " fault " + std::to_string(n);
  TempDir tmp;
  World w;
  Open(tmp.path(), &w);
  Populate(&w);
  ArmFault(Fault{SyncOp::kAny, n, action, /*repeat=*/true});  // a disk that stays broken
  Status told = op.run(w);
  const bool fired = FaultFired();
  DisarmFault();
  if (!fired) {
    EXPECT_TRUE(told.ok()) << where << ": " << told.ToString();
    EXPECT_TRUE(op.done(w)) << where;
    return false;
  }
  if (!told.ok() && op.told) {
    EXPECT_EQ(told.code(), CodeOf(action)) << where << ": " << told.ToString();
  }
  // Still open, the file system is consistent, and takes changes again now that the fault is
  // gone (after a failed sync, by a recovery: GroupCommit), durably.
  ExpectConsistent(*w.fs, where + " (still open)", true);
  Status again = StatusOf(w.fs->Create(kRoot, w.fs->Root(), "again", fs::CreateArgs{}));
  EXPECT_TRUE(again.ok()) << where << ": " << again.ToString();
  Open(tmp.path(), &w);
  EXPECT_TRUE(Exists(w, w.fs->Root(), "again")) << where << ": acknowledged, then lost";
  if (told.ok()) {
    EXPECT_TRUE(op.done(w)) << where << ": acknowledged, then lost";
  } else {
    EXPECT_TRUE(op.done(w) || op.undone(w)) << where << ": torn";
  }
  ExpectConsistent(*w.fs, where + " (reopened)", true);
  // The fault is gone: the file system takes new work.
  Status after = StatusOf(w.fs->Create(kRoot, w.fs->Root(), "after", fs::CreateArgs{}));
  EXPECT_TRUE(after.ok()) << where << ": " << after.ToString();
  return true;
}

// Runs `op` in a child that ends at sync point n; returns false once the child finished without
// reaching it.
bool CrashAt(const Operation& op, uint64_t n) {
  const std::string where = std::string(op.name) + " exit " + std::to_string(n);
  TempDir tmp;
  World w;
  Open(tmp.path(), &w);
  Populate(&w);
  w.fs.reset();
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    World child;
    child.a = w.a;
    child.d = w.d;
    Result<std::unique_ptr<fs::FileSystem>> fs = OpenStoreFs(tmp.path(), &child.clock);
    if (!fs.ok()) ::_exit(2);
    child.fs = std::move(fs).value();
    ArmFault(Fault{SyncOp::kAny, n, FaultAction::kExit, false});
    const char told = op.run(child).ok() ? 'y' : 'n';
    if (::write(fds[1], &told, 1) != 1) ::_exit(3);
    DisarmFault();  // a clean close syncs too: it is not part of the operation
    ::_exit(0);
  }
  ::close(fds[1]);
  char told = 0;
  const bool answered = ::read(fds[0], &told, 1) == 1;
  ::close(fds[0]);
  int wstatus = 0;
  EXPECT_EQ(::waitpid(pid, &wstatus, 0), pid);
  EXPECT_TRUE(WIFEXITED(wstatus)) << where;
  const int code = WEXITSTATUS(wstatus);
  EXPECT_TRUE(code == 0 || code == kFaultExitCode) << where << ": exit " << code;
  Open(tmp.path(), &w);
  if (answered && told == 'y') {
    EXPECT_TRUE(op.done(w)) << where << ": acknowledged, then lost";
  }
  EXPECT_TRUE(op.done(w) || op.undone(w)) << where << ": torn";
  ExpectConsistent(*w.fs, where, true);
  EXPECT_TRUE(w.fs->Create(kRoot, w.fs->Root(), "after", fs::CreateArgs{}).ok()) << where;
  return code == kFaultExitCode;
}

class FaultWalk : public testing::TestWithParam<size_t> {
 protected:
  const Operation& op() const { return Operations()[GetParam()]; }
};

// Every sync point of each operation, with each fault. Prints how many were walked.
TEST_P(FaultWalk, EverySyncPointFailsOrEndsCleanly) {
  Disarmed disarmed;
  uint64_t walked = 0;
  for (FaultAction action : {FaultAction::kEio, FaultAction::kEnospc}) {
    uint64_t n = 1;
    while (n <= kMaxSyncPoints && FailAt(op(), action, n)) ++n;
    EXPECT_LE(n, kMaxSyncPoints) << op().name << ": the walk did not end";
    walked += n - 1;
  }
  uint64_t n = 1;
  while (n <= kMaxSyncPoints && CrashAt(op(), n)) ++n;
  walked += n - 1;
  std::printf("[ walked   ] %s: %llu sync points (EIO, ENOSPC, exit)\n", op().name,
              static_cast<unsigned long long>(walked));
}

INSTANTIATE_TEST_SUITE_P(Store, FaultWalk, testing::Range<size_t>(0, 7),
                         [](const testing::TestParamInfo<size_t>& info) {
                           std::string name = Operations()[info.param].name;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(Faults, SpecsParseAndBadOnesAreRefused) {
  Result<Fault> f = ParseFault("op=fsync,n=3,action=eio");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->op, SyncOp::kSync);
  EXPECT_EQ(f->n, 3u);
  EXPECT_EQ(f->action, FaultAction::kEio);
  EXPECT_FALSE(f->repeat);
  f = ParseFault("op=commit,action=enospc,repeat=1");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->n, 1u);
  EXPECT_TRUE(f->repeat);
  EXPECT_FALSE(ParseFault("op=read,n=1,action=eio").ok());
  EXPECT_FALSE(ParseFault("op=write,n=0,action=eio").ok());
  EXPECT_FALSE(ParseFault("op=write,n=1,action=explode").ok());
  EXPECT_FALSE(ParseFault("nonsense").ok());
}

TEST(Faults, OnlyTheNthOccurrenceOfTheOpFails) {
  Disarmed disarmed;
  TempDir tmp;
  World w;
  Open(tmp.path(), &w);
  Populate(&w);
  ArmFault(Fault{SyncOp::kCommit, 2, FaultAction::kEnospc, false});
  EXPECT_TRUE(w.fs->Create(kRoot, w.fs->Root(), "one", fs::CreateArgs{}).ok());
  Status second = StatusOf(w.fs->Create(kRoot, w.fs->Root(), "two", fs::CreateArgs{}));
  EXPECT_EQ(second.code(), Code::kNoSpace) << second.ToString();
  EXPECT_TRUE(w.fs->Create(kRoot, w.fs->Root(), "three", fs::CreateArgs{}).ok());
  EXPECT_TRUE(FaultFired());
  DisarmFault();
}

}  // namespace
}  // namespace efs::store

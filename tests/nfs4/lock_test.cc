// LOCK, LOCKT and LOCKU: POSIX byte-range semantics between lock owners (conflicts answer
// NFS4ERR_DENIED with the holder; splits, merges, upgrades) and their stateids.
#include "nfs4/nfs4_test_env.h"

namespace efs::nfs4::testing {
namespace {

class Lock : public Nfs4TestEnv {
 protected:
  void SetUp() override {
    Connect();
    open_a_ = CreateFile("f", "0123456789");
    CompoundBuilder b = Seq();
    b.PutRootFh().Open("owner-b", "f", -1, OPEN4_SHARE_ACCESS_BOTH);
    open_b_ = Ok(b).u(2).opopen.OPEN4res_u.resok4.stateid;
  }

  // Runs LOCK by a new lock owner on "f" and returns the reply.
  Reply LockNew(nfs_lock_type4 type, uint64_t off, uint64_t len, const stateid4& open,
                const std::string& owner) {
    CompoundBuilder b = Seq();
    b.PutRootFh().Lookup("f").LockNew(type, off, len, open, owner);
    return Run(b);
  }
  static stateid4 LockStateid(const Reply& r) {
    return r.u(3).oplock.LOCK4res_u.resok4.lock_stateid;
  }

  stateid4 open_a_{}, open_b_{};
};

TEST_P(Lock, AWriteLockDeniesAnotherOwnerAndNamesTheHolder) {
  Reply a = LockNew(WRITE_LT, 0, 100, open_a_, "lock-a");
  ASSERT_EQ(a.status(), NFS4_OK);
  EXPECT_EQ(LockStateid(a).seqid, 1u);
  Reply b = LockNew(READ_LT, 50, 10, open_b_, "lock-b");
  ASSERT_EQ(b.last(), NFS4ERR_DENIED);
  const LOCK4denied& d = b.u(3).oplock.LOCK4res_u.denied;
  EXPECT_EQ(d.offset, 0u);
  EXPECT_EQ(d.length, 100u);
  EXPECT_EQ(d.locktype, WRITE_LT);
  EXPECT_EQ(d.owner.clientid, clientid_);
  EXPECT_EQ(std::string(d.owner.owner.owner_val, d.owner.owner.owner_len), "lock-a");
  EXPECT_EQ(LockNew(WRITE_LT, 100, 10, open_b_, "lock-b").status(), NFS4_OK);
}

TEST_P(Lock, ReadLocksShare) {
  EXPECT_EQ(LockNew(READ_LT, 0, UINT64_MAX, open_a_, "lock-a").status(), NFS4_OK);
  EXPECT_EQ(LockNew(READ_LT, 5, 5, open_b_, "lock-b").status(), NFS4_OK);
  EXPECT_EQ(LockNew(WRITE_LT, 5, 5, open_b_, "lock-b").last(), NFS4ERR_DENIED);
}

TEST_P(Lock, LocktTestsWithoutLocking) {
  ASSERT_EQ(LockNew(WRITE_LT, 10, 10, open_a_, "lock-a").status(), NFS4_OK);
  CompoundBuilder other = Seq();
  other.PutRootFh().Lookup("f").LockT(READ_LT, 0, 15, "lock-b");
  Reply r = Run(other);
  ASSERT_EQ(r.last(), NFS4ERR_DENIED);
  EXPECT_EQ(r.u(3).oplockt.LOCKT4res_u.denied.offset, 10u);
  CompoundBuilder self = Seq();
  self.PutRootFh().Lookup("f").LockT(WRITE_LT, 0, 15, "lock-a");
  EXPECT_EQ(Run(self).status(), NFS4_OK);
  CompoundBuilder free_range = Seq();
  free_range.PutRootFh().Lookup("f").LockT(WRITE_LT, 20, 5, "lock-b");
  EXPECT_EQ(Run(free_range).status(), NFS4_OK);
}

TEST_P(Lock, UnlockingTheMiddleSplitsTheRange) {
  Reply a = LockNew(WRITE_LT, 0, 100, open_a_, "lock-a");
  CompoundBuilder u = Seq();
  u.PutRootFh().Lookup("f").LockU(LockStateid(a), 40, 20);
  Reply ru = Ok(u);
  EXPECT_EQ(ru.u(3).oplocku.LOCKU4res_u.lock_stateid.seqid, 2u);
  EXPECT_EQ(LockNew(WRITE_LT, 45, 10, open_b_, "lock-b").status(), NFS4_OK);
  EXPECT_EQ(LockNew(WRITE_LT, 30, 5, open_b_, "lock-b").last(), NFS4ERR_DENIED);
  EXPECT_EQ(LockNew(WRITE_LT, 60, 5, open_b_, "lock-b").last(), NFS4ERR_DENIED);
}

TEST_P(Lock, AnOwnerUpgradesPartOfItsReadLock) {
  Reply a = LockNew(READ_LT, 0, 20, open_a_, "lock-a");
  CompoundBuilder up = Seq();
  up.PutRootFh().Lookup("f").Lock(WRITE_LT, 10, 10, LockStateid(a));
  Reply r = Ok(up);
  EXPECT_EQ(LockStateid(r).seqid, 2u);
  EXPECT_EQ(LockNew(READ_LT, 5, 1, open_b_, "lock-b").status(), NFS4_OK);
  EXPECT_EQ(LockNew(READ_LT, 15, 1, open_b_, "lock-b").last(), NFS4ERR_DENIED);
}

TEST_P(Lock, AnOldLockStateidIsOld) {
  Reply a = LockNew(READ_LT, 0, 1, open_a_, "lock-a");
  stateid4 first = LockStateid(a);
  CompoundBuilder more = Seq();
  more.PutRootFh().Lookup("f").Lock(READ_LT, 5, 1, first);
  Ok(more);
  CompoundBuilder old = Seq();
  old.PutRootFh().Lookup("f").LockU(first, 0, 1);
  EXPECT_EQ(Run(old).last(), NFS4ERR_OLD_STATEID);
}

TEST_P(Lock, AWriteLockNeedsAnOpenForWriting) {
  CompoundBuilder b = Seq();
  b.PutRootFh().Open("reader", "f", -1, OPEN4_SHARE_ACCESS_READ);
  stateid4 ro = Ok(b).u(2).opopen.OPEN4res_u.resok4.stateid;
  EXPECT_EQ(LockNew(WRITE_LT, 0, 1, ro, "lock-r").last(), NFS4ERR_OPENMODE);
  EXPECT_EQ(LockNew(READ_LT, 0, 1, ro, "lock-r").status(), NFS4_OK);
}

TEST_P(Lock, BadRangesAndReclaimsAreRefused) {
  EXPECT_EQ(LockNew(WRITE_LT, 0, 0, open_a_, "lock-a").last(), NFS4ERR_INVAL);
  EXPECT_EQ(LockNew(WRITE_LT, 10, UINT64_MAX - 5, open_a_, "lock-a").last(), NFS4ERR_INVAL);
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").LockNew(WRITE_LT, 0, 1, open_a_, "lock-a");
  b.Build().argarray.argarray_val[3].nfs_argop4_u.oplock.reclaim = 1;
  EXPECT_EQ(Run(b).last(), NFS4ERR_NO_GRACE);
}

TEST_P(Lock, ClosingTheOpenReleasesItsLocks) {
  ASSERT_EQ(LockNew(WRITE_LT, 0, UINT64_MAX, open_a_, "lock-a").status(), NFS4_OK);
  CompoundBuilder c = Seq();
  c.PutRootFh().Lookup("f").Close(open_a_);
  Ok(c);
  EXPECT_EQ(LockNew(WRITE_LT, 0, 10, open_b_, "lock-b").status(), NFS4_OK);
}

TEST_P(Lock, ALockStateidCarriesIoAndIsFreedWhenEmpty) {
  Reply a = LockNew(WRITE_LT, 0, 4, open_a_, "lock-a");
  stateid4 lock = LockStateid(a);
  CompoundBuilder io = Seq();
  io.PutRootFh().Lookup("f").Write(lock, 0, "ab").Read(lock, 0, 4);
  Reply r = Ok(io);
  const READ4resok& rd = r.u(4).opread.READ4res_u.resok4;
  EXPECT_EQ(std::string(rd.data.data_val, rd.data.data_len), "ab23");
  CompoundBuilder held = Seq();
  held.FreeStateid(lock);
  EXPECT_EQ(Run(held).last(), NFS4ERR_LOCKS_HELD);
  CompoundBuilder u = Seq();
  u.PutRootFh().Lookup("f").LockU(lock, 0, 4);
  stateid4 after = Ok(u).u(3).oplocku.LOCKU4res_u.lock_stateid;
  CompoundBuilder test = Seq();
  test.TestStateid({after});
  EXPECT_EQ(
      Ok(test)
          .u(1)
          .optest_stateid.TEST_STATEID4res_u.tsr_resok4.tsr_status_codes.tsr_status_codes_val[0],
      NFS4_OK);
  CompoundBuilder free = Seq();
  free.FreeStateid(after);
  EXPECT_EQ(Run(free).status(), NFS4_OK);
}

TEST_P(Lock, AFileHoldsAtMost512LocksAcrossOwners) {
  // 256 disjoint ranges each for two owners: the file's 512.
  for (uint64_t i = 0; i < state::kMaxLocksPerFile / 2; ++i) {
    ASSERT_EQ(LockNew(READ_LT, 4 * i, 1, open_a_, "lock-a").status(), NFS4_OK) << i;
    ASSERT_EQ(LockNew(READ_LT, 4 * i + 2, 1, open_b_, "lock-b").status(), NFS4_OK) << i;
  }
  Reply over = LockNew(READ_LT, 10000, 1, open_b_, "lock-c");
  EXPECT_EQ(over.last(), NFS4ERR_DENIED);
  // A range that merges with one of the owner's own adds none and is granted.
  EXPECT_EQ(LockNew(READ_LT, 1, 1, open_a_, "lock-a").status(), NFS4_OK);
  // Once a range goes, another may come.
  Reply a = LockNew(READ_LT, 0, 1, open_a_, "lock-a");
  ASSERT_EQ(a.status(), NFS4_OK);
  CompoundBuilder unlock = Seq();
  unlock.PutRootFh().Lookup("f").LockU(LockStateid(a), 0, 2);
  ASSERT_EQ(Run(unlock).status(), NFS4_OK);
  EXPECT_EQ(LockNew(READ_LT, 10000, 1, open_b_, "lock-c").status(), NFS4_OK);
}

TEST_P(Lock, AnExpiredClientsLocksGo) {
  ASSERT_EQ(LockNew(WRITE_LT, 0, 10, open_a_, "lock-a").status(), NFS4_OK);
  clock_.Advance(state::kLeaseSeconds + 5);
  Connect("client-2");
  CompoundBuilder b = Seq();
  b.PutRootFh()
      .Open("o2", "f", -1, OPEN4_SHARE_ACCESS_BOTH)
      .LockNew(WRITE_LT, 0, 10, CurrentStateid(), "lock-2");
  EXPECT_EQ(Run(b).status(), NFS4_OK);
}

INSTANTIATE_TEST_SUITE_P(Backends, Lock, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing

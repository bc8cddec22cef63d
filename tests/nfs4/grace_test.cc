// The grace period after a restart (state/grace.h): the clients the last server confirmed
// reclaim their opens and locks (CLAIM_PREVIOUS, LOCK with reclaim) while new opens and locks
// wait (NFS4ERR_GRACE), until every one of them has said RECLAIM_COMPLETE or a lease has passed.
#include "nfs4/nfs4_test_env.h"

namespace efs::nfs4::testing {
namespace {

class Grace : public Nfs4TestEnv {
 protected:
  Reply ReclaimComplete() {
    CompoundBuilder b = Seq();
    b.ReclaimComplete();
    return Run(b);
  }
  // OPEN of "f" (by handle) as `owner`, reclaiming it or not.
  Reply OpenF(const std::string& owner, bool reclaim) {
    CompoundBuilder b = Seq();
    b.PutFh(fh_);
    if (reclaim) {
      b.OpenPrevious(owner, OPEN4_SHARE_ACCESS_BOTH);
    } else {
      b.OpenFh(owner, OPEN4_SHARE_ACCESS_BOTH);
    }
    return Run(b);
  }
  static stateid4 OpenStateid(const Reply& r) { return r.u(2).opopen.OPEN4res_u.resok4.stateid; }
  Reply LockF(const stateid4& open, const std::string& owner, uint64_t off, uint64_t len,
              bool reclaim) {
    CompoundBuilder b = Seq();
    b.PutFh(fh_).LockNew(WRITE_LT, off, len, open, owner, reclaim);
    return Run(b);
  }
  std::vector<state::ClientKey> Records() { return records_.Load().value(); }

  // client-1 holds "f" open with a write lock on [0, 10), then the server restarts.
  void HoldAndRestart() {
    Connect("client-1");
    CreateFile("f", "0123456789");
    fh_ = Handle("f");
    Reply open = OpenF("open-1", false);
    ASSERT_EQ(open.status(), NFS4_OK);
    ASSERT_EQ(LockF(OpenStateid(open), "lock-1", 0, 10, false).status(), NFS4_OK);
    ASSERT_EQ(Records().size(), 1u);
    Restart();
  }

  std::string fh_;
};

TEST_P(Grace, WithoutRecordedClientsThereIsNoGraceAndNothingToReclaim) {
  Connect();
  CreateFile("f", "x");
  fh_ = Handle("f");
  EXPECT_EQ(OpenF("o", true).last(), NFS4ERR_NO_GRACE);
  Reply open = OpenF("o", false);
  ASSERT_EQ(open.status(), NFS4_OK);
  EXPECT_EQ(LockF(OpenStateid(open), "l", 0, 1, true).last(), NFS4ERR_NO_GRACE);
  EXPECT_EQ(LockF(OpenStateid(open), "l", 0, 1, false).status(), NFS4_OK);
}

TEST_P(Grace, ARestartedServerLetsItsClientReclaimItsOpenAndLock) {
  HoldAndRestart();
  // The old session is gone; the client makes a new one with the same owner.
  CompoundBuilder old = Seq();
  EXPECT_EQ(Run(old).status(), NFS4ERR_BADSESSION);
  ConnectToReclaim("client-1");
  // Only reclaims while in grace.
  CompoundBuilder create = Seq();
  create.PutRootFh().Open("open-2", "g", UNCHECKED4);
  EXPECT_EQ(Run(create).last(), NFS4ERR_GRACE);
  EXPECT_EQ(OpenF("open-1", false).last(), NFS4ERR_GRACE);
  Reply open = OpenF("open-1", true);
  ASSERT_EQ(open.status(), NFS4_OK) << NfsStatName(open.last());
  EXPECT_EQ(LockF(OpenStateid(open), "lock-x", 20, 1, false).last(), NFS4ERR_GRACE);
  CompoundBuilder test = Seq();
  test.PutFh(fh_).LockT(WRITE_LT, 0, 1, "anyone");
  EXPECT_EQ(Run(test).last(), NFS4ERR_GRACE);
  CompoundBuilder remove = Seq();
  remove.PutRootFh().Remove("f");
  EXPECT_EQ(Run(remove).last(), NFS4ERR_GRACE);
  ASSERT_EQ(LockF(OpenStateid(open), "lock-1", 0, 10, true).status(), NFS4_OK);
  // Its RECLAIM_COMPLETE ends the grace period: it was the only client to wait for.
  ASSERT_EQ(ReclaimComplete().status(), NFS4_OK);
  EXPECT_EQ(OpenF("open-1", true).last(), NFS4ERR_NO_GRACE);
  CompoundBuilder again = Seq();
  again.PutRootFh().Open("open-2", "g", UNCHECKED4);
  EXPECT_EQ(Run(again).status(), NFS4_OK);
  // The reclaimed lock holds against another client.
  Connect("client-2");
  Reply theirs = OpenF("open-b", false);
  ASSERT_EQ(theirs.status(), NFS4_OK);
  EXPECT_EQ(LockF(OpenStateid(theirs), "lock-b", 5, 1, false).last(), NFS4ERR_DENIED);
}

TEST_P(Grace, NewClientsWaitOutTheGraceAndALateClientCannotReclaim) {
  HoldAndRestart();
  Connect("client-2");
  EXPECT_EQ(OpenF("open-2", false).last(), NFS4ERR_GRACE);
  // A lease later (client-2 renewing on the way), the grace period is over.
  for (int half = 0; half < 2; ++half) {
    clock_.Advance(state::kLeaseSeconds / 2 + 1);
    CompoundBuilder renew = Seq();
    ASSERT_EQ(Run(renew).status(), NFS4_OK);
  }
  Reply open = OpenF("open-2", false);
  ASSERT_EQ(open.status(), NFS4_OK);
  // The lock client-1 never reclaimed is free.
  EXPECT_EQ(LockF(OpenStateid(open), "lock-2", 0, 10, false).status(), NFS4_OK);
  Connect("client-1");
  EXPECT_EQ(OpenF("open-1", true).last(), NFS4ERR_NO_GRACE);
  // Its old record went when the grace period ended; both are recorded anew now.
  EXPECT_EQ(Records().size(), 2u);
}

TEST_P(Grace, AClientThatDidNotComeBackIsForgottenWhenTheGraceEnds) {
  HoldAndRestart();
  clock_.Advance(state::kLeaseSeconds + 1);
  Connect("client-2");  // any COMPOUND after the end of grace ends it
  ASSERT_EQ(Records().size(), 1u);
  EXPECT_EQ(Records()[0].owner, "client-2");
}

TEST_P(Grace, ARestartInTheGraceKeepsTheClientsThatHaveNotComeBack) {
  HoldAndRestart();
  Restart();  // again, before client-1 came back
  ConnectToReclaim("client-1");
  Reply open = OpenF("open-1", true);
  EXPECT_EQ(open.status(), NFS4_OK) << NfsStatName(open.last());
}

TEST_P(Grace, AnExpiredOrDestroyedClientIsForgotten) {
  Connect("client-1");
  ASSERT_EQ(Records().size(), 1u);
  clock_.Advance(state::kLeaseSeconds + 2);
  Connect("client-2");  // reaps client-1
  ASSERT_EQ(Records().size(), 1u);
  EXPECT_EQ(Records()[0].owner, "client-2");
  ASSERT_EQ(DestroySession(), NFS4_OK);
  ASSERT_EQ(DestroyClientid(), NFS4_OK);
  EXPECT_TRUE(Records().empty());
  Restart();
  Connect("client-3");
  CreateFile("after", "");  // no grace: nobody to wait for
}

INSTANTIATE_TEST_SUITE_P(Backends, Grace, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing

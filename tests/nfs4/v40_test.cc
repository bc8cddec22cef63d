// NFSv4.0 COMPOUNDs (RFC 3530, RFC 7530): SETCLIENTID and SETCLIENTID_CONFIRM in all their
// cases, RENEW and leases, open confirmation, owner seqids with their replies kept for
// retransmissions, 4.0's stateid rules, RELEASE_LOCKOWNER, and which ops each minor version
// knows.
#include <cstring>
#include <string>

#include "nfs4/nfs4_test_env.h"

namespace efs::nfs4::testing {
namespace {

struct ClientId {
  nfsstat4 status = NFS4ERR_SERVERFAULT;
  uint64_t clientid = 0;
  verifier4 confirm = {};
};

class V40 : public Nfs4TestEnv {
 protected:
  static CompoundBuilder V0() {
    CompoundBuilder b;
    b.MinorVersion(0);
    return b;
  }

  ClientId SetClientId(const std::string& id, const std::string& verifier,
                       const rpc::Credentials& cred = Cred(0, 0)) {
    CompoundBuilder b = V0();
    b.SetClientId(id, verifier);
    Reply r = Run(b, cred);
    ClientId out;
    out.status = r.status();
    if (out.status == NFS4_OK) {
      const SETCLIENTID4resok& ok = r.u(0).opsetclientid.SETCLIENTID4res_u.resok4;
      out.clientid = ok.clientid;
      std::memcpy(out.confirm, ok.setclientid_confirm, NFS4_VERIFIER_SIZE);
    }
    return out;
  }
  nfsstat4 Confirm(const ClientId& c, const rpc::Credentials& cred = Cred(0, 0)) {
    CompoundBuilder b = V0();
    b.SetClientIdConfirm(c.clientid, c.confirm);
    return Run(b, cred).status();
  }
  nfsstat4 Renew(uint64_t clientid) {
    CompoundBuilder b = V0();
    b.Renew(clientid);
    return Run(b).status();
  }
  // SETCLIENTID + SETCLIENTID_CONFIRM.
  ClientId Confirmed(const std::string& id, const std::string& verifier = "boot-1") {
    ClientId c = SetClientId(id, verifier);
    EXPECT_EQ(c.status, NFS4_OK);
    EXPECT_EQ(Confirm(c), NFS4_OK);
    return c;
  }
  uint64_t Connect40(const std::string& id) { return Confirmed(id).clientid; }

  // PUTROOTFH, OPEN root/`name` (created unless how < 0) by (clientid, owner) with `seqid`,
  // GETFH.
  Reply Open(uint64_t clientid, const std::string& owner, uint32_t seqid, const std::string& name,
             int how = UNCHECKED4) {
    CompoundBuilder b = V0();
    b.PutRootFh().Open(owner, name, how).Seqid(seqid, clientid).GetFh();
    return Run(b);
  }
  static stateid4 OpenStateid(const Reply& r) { return r.u(1).opopen.OPEN4res_u.resok4.stateid; }
  static uint32_t Rflags(const Reply& r) { return r.u(1).opopen.OPEN4res_u.resok4.rflags; }
  static std::string Fh(const Reply& r) {
    const nfs_fh4& fh = r.u(2).opgetfh.GETFH4res_u.resok4.object;
    return std::string(fh.nfs_fh4_val, fh.nfs_fh4_len);
  }

  // Opens root/`name` by a new owner with seqids 1 (OPEN) and 2 (OPEN_CONFIRM); returns the
  // confirmed stateid and sets *fh.
  stateid4 OpenConfirmed(uint64_t clientid, const std::string& owner, const std::string& name,
                         std::string* fh) {
    Reply o = Open(clientid, owner, 1, name);
    EXPECT_EQ(o.status(), NFS4_OK) << NfsStatName(o.last());
    EXPECT_NE(Rflags(o) & OPEN4_RESULT_CONFIRM, 0u);
    *fh = Fh(o);
    CompoundBuilder c = V0();
    c.PutFh(*fh).OpenConfirm(OpenStateid(o), 2);
    Reply r = Run(c);
    EXPECT_EQ(r.status(), NFS4_OK) << NfsStatName(r.last());
    return r.u(1).opopen_confirm.OPEN_CONFIRM4res_u.resok4.open_stateid;
  }

  // Runs `b` and then again, as a client retransmitting after a lost reply; expects the same
  // reply bytes both times and returns the first reply.
  Reply RunTwice(CompoundBuilder& b) {
    std::string request = b.Encode();
    Reply first = RunBytes(request);
    Reply again = RunBytes(request);
    EXPECT_EQ(again.bytes, first.bytes) << "the retransmission got another reply";
    return first;
  }

  Reply Read(const std::string& fh, const stateid4& sid) {
    CompoundBuilder b = V0();
    b.PutFh(fh).Read(sid, 0, 100);
    return Run(b);
  }

  // LOCK by a new lock owner under `open`.
  Reply LockNew(uint64_t clientid, const std::string& fh, const stateid4& open, uint32_t open_seqid,
                const std::string& lock_owner, uint64_t offset = 0, uint64_t length = 10) {
    CompoundBuilder b = V0();
    b.PutFh(fh).LockNew(WRITE_LT, offset, length, open, lock_owner).Seqid(open_seqid, clientid, 0);
    return Run(b);
  }
  static stateid4 LockStateid(const Reply& r) {
    return r.u(1).oplock.LOCK4res_u.resok4.lock_stateid;
  }
};

// --- which ops each minor version has

TEST_P(V40, ACompoundNeedsNoSequence) {
  CompoundBuilder b = V0();
  b.PutRootFh().GetFh().GetAttr({FATTR4_TYPE});
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4_OK);
  EXPECT_EQ(r.count(), 3u);
}

TEST_P(V40, ACompoundLongerThanTheServerTakesIsResourceBeforeAnythingRuns) {
  CompoundBuilder fits = V0();
  for (uint32_t i = 0; i < state::kMaxCompoundOps; ++i) fits.PutRootFh();
  EXPECT_EQ(Run(fits).status(), NFS4_OK);
  CompoundBuilder b = V0();
  b.PutRootFh().Create(NF4DIR, "never");
  for (uint32_t i = 0; i < state::kMaxCompoundOps; ++i) b.GetFh();
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4ERR_RESOURCE);
  EXPECT_EQ(r.count(), 1u);
  CompoundBuilder look = V0();
  look.PutRootFh().Lookup("never");
  EXPECT_EQ(Run(look).last(), NFS4ERR_NOENT);
}

TEST_P(V40, ARetransmittedChangeGetsItsFirstReplyInsteadOfRunningTwice) {
  CompoundBuilder b = V0();
  b.PutRootFh().Create(NF4DIR, "d");
  Reply first = Run(b);
  ASSERT_EQ(first.status(), NFS4_OK);
  --xid_;  // the same call again, as a client that reconnected sends it
  Reply again = Run(b);
  EXPECT_EQ(again.status(), NFS4_OK);
  EXPECT_EQ(again.bytes, first.bytes);
  // A new call of the same ops runs: the directory is there now.
  EXPECT_EQ(Run(b).last(), NFS4ERR_EXIST);
}

TEST_P(V40, AnOpenOwnerWithoutOpensIsForgottenALeaseAfterItsLastRequest) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c, "o", "f", &fh);  // seqids 1 and 2
  CompoundBuilder close = V0();
  close.PutFh(fh).Close(open).Seqid(3, c);
  ASSERT_EQ(Run(close).status(), NFS4_OK);
  // Remembered: its next seqid is 4.
  EXPECT_EQ(Open(c, "o", 9, "f").last(), NFS4ERR_BAD_SEQID);
  // A lease later (the client renewing on the way), the owner is forgotten: it starts afresh
  // with whatever seqid it sends, and confirms again.
  for (int half = 0; half < 3; ++half) {
    clock_.Advance(state::kLeaseSeconds / 2 + 1);
    ASSERT_EQ(Renew(c), NFS4_OK);
  }
  Reply again = Open(c, "o", 9, "f");
  ASSERT_EQ(again.status(), NFS4_OK) << NfsStatName(again.last());
  EXPECT_NE(Rflags(again) & OPEN4_RESULT_CONFIRM, 0u);
}

TEST_P(V40, OnlyItsPrincipalOrOneWithAnOpenFileRenewsAClient) {
  uint64_t c = Connect40("client-a");  // as root
  CompoundBuilder b = V0();
  b.Renew(c);
  EXPECT_EQ(Run(b, Cred(1000, 1000)).status(), NFS4ERR_ACCESS);
  // uid 1000 opens a file of the client's (its own directory, so it may create there).
  CompoundBuilder dir = V0();
  dir.PutRootFh().Create(NF4DIR, "pub", ModeAttr(0777));
  ASSERT_EQ(Run(dir).status(), NFS4_OK);
  CompoundBuilder open = V0();
  open.PutRootFh().Lookup("pub").Open("o", "f", UNCHECKED4).Seqid(1, c);
  ASSERT_EQ(Run(open, Cred(1000, 1000)).status(), NFS4_OK);
  EXPECT_EQ(Run(b, Cred(1000, 1000)).status(), NFS4_OK);
  EXPECT_EQ(Run(b, Cred(2000, 2000)).status(), NFS4ERR_ACCESS);
  EXPECT_EQ(Renew(c), NFS4_OK);
}

TEST_P(V40, OpsThatNfsv41AddedAreIllegal) {
  for (nfs_opnum4 op : {OP_SEQUENCE, OP_EXCHANGE_ID, OP_TEST_STATEID, OP_RECLAIM_COMPLETE}) {
    CompoundBuilder b = V0();
    b.PutRootFh().Op(op).GetFh();
    Reply r = Run(b);
    EXPECT_EQ(r.status(), NFS4ERR_OP_ILLEGAL) << op;
    ASSERT_EQ(r.count(), 2u) << op;
    EXPECT_EQ(r.op(1).resop, OP_ILLEGAL) << op;
  }
}

TEST_P(V40, Nfsv40OnlyOpsAreNotSupportedInNfsv41) {
  Connect();
  for (nfs_opnum4 op :
       {OP_SETCLIENTID, OP_SETCLIENTID_CONFIRM, OP_RENEW, OP_OPEN_CONFIRM, OP_RELEASE_LOCKOWNER}) {
    CompoundBuilder b = Seq();
    b.PutRootFh();
    if (op == OP_SETCLIENTID) {
      b.SetClientId("client-a");  // its callback address must encode
    } else {
      b.Op(op);
    }
    Reply r = Run(b);
    ASSERT_EQ(r.count(), 3u) << op;
    EXPECT_EQ(r.last(), NFS4ERR_NOTSUPP) << op;
    EXPECT_EQ(r.op(2).resop, op);
  }
}

TEST_P(V40, MinorVersionTwoIsStillAMismatch) {
  CompoundBuilder b;
  b.MinorVersion(2).PutRootFh();
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4ERR_MINOR_VERS_MISMATCH);
  EXPECT_EQ(r.count(), 0u);
}

// --- SETCLIENTID and SETCLIENTID_CONFIRM (RFC 3530 s14.2.33-34)

TEST_P(V40, ANewClientIsUsableOnceConfirmed) {
  ClientId c = SetClientId("client-a", "boot-1");
  ASSERT_EQ(c.status, NFS4_OK);
  EXPECT_EQ(Renew(c.clientid), NFS4ERR_STALE_CLIENTID) << "not confirmed yet";
  EXPECT_EQ(Open(c.clientid, "o", 1, "f").last(), NFS4ERR_STALE_CLIENTID);
  ASSERT_EQ(Confirm(c), NFS4_OK);
  EXPECT_EQ(Renew(c.clientid), NFS4_OK);
  EXPECT_EQ(Open(c.clientid, "o", 1, "f").status(), NFS4_OK);
}

TEST_P(V40, AConfirmOfUnknownIdsOrVerifiersIsStale) {
  ClientId c = SetClientId("client-a", "boot-1");
  ClientId wrong = c;
  wrong.confirm[0] ^= 1;
  EXPECT_EQ(Confirm(wrong), NFS4ERR_STALE_CLIENTID);
  ClientId unknown = c;
  unknown.clientid += 1000;
  EXPECT_EQ(Confirm(unknown), NFS4ERR_STALE_CLIENTID);
  EXPECT_EQ(Renew(12345), NFS4ERR_STALE_CLIENTID);
}

TEST_P(V40, AReplayedConfirmSucceedsAndKeepsTheState) {
  ClientId c = Confirmed("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c.clientid, "o", "f", &fh);
  EXPECT_EQ(Confirm(c), NFS4_OK);
  EXPECT_EQ(Read(fh, open).status(), NFS4_OK);
}

TEST_P(V40, TheSameVerifierUpdatesTheCallbackAndKeepsIdAndState) {
  ClientId c = Confirmed("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c.clientid, "o", "f", &fh);
  ClientId update = SetClientId("client-a", "boot-1");
  ASSERT_EQ(update.status, NFS4_OK);
  EXPECT_EQ(update.clientid, c.clientid);
  EXPECT_NE(std::memcmp(update.confirm, c.confirm, NFS4_VERIFIER_SIZE), 0);
  EXPECT_EQ(Confirm(update), NFS4_OK);
  EXPECT_EQ(Confirm(c), NFS4ERR_STALE_CLIENTID) << "the old confirm verifier was replaced";
  EXPECT_EQ(Renew(c.clientid), NFS4_OK);
  EXPECT_EQ(Read(fh, open).status(), NFS4_OK);
}

TEST_P(V40, ARebootedClientGetsANewIdAndItsOldStateGoesOnConfirm) {
  ClientId old = Confirmed("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(old.clientid, "o", "f", &fh);
  ASSERT_EQ(LockNew(old.clientid, fh, open, 3, "lock").status(), NFS4_OK);

  ClientId rebooted = SetClientId("client-a", "boot-2");
  ASSERT_EQ(rebooted.status, NFS4_OK);
  EXPECT_NE(rebooted.clientid, old.clientid);
  EXPECT_EQ(Renew(old.clientid), NFS4_OK) << "nothing goes before the confirm";
  EXPECT_EQ(Read(fh, open).status(), NFS4_OK);
  ASSERT_EQ(Confirm(rebooted), NFS4_OK);
  EXPECT_EQ(Renew(old.clientid), NFS4ERR_STALE_CLIENTID);
  EXPECT_EQ(Read(fh, open).status(), NFS4ERR_EXPIRED);  // the client learns its lease was lost
  // The old lock went with its client: the new incarnation locks the same range.
  stateid4 reopened = OpenConfirmed(rebooted.clientid, "o", "f", &fh);
  EXPECT_EQ(LockNew(rebooted.clientid, fh, reopened, 3, "lock").status(), NFS4_OK);
}

TEST_P(V40, AnotherPrincipalIsClidInUseWhileTheRecordHasState) {
  ClientId c = Confirmed("client-a");  // as root
  std::string fh;
  OpenConfirmed(c.clientid, "o", "f", &fh);
  CompoundBuilder b = V0();
  b.SetClientId("client-a", "boot-2");
  Reply r = Run(b, Cred(1000, 1000));
  EXPECT_EQ(r.status(), NFS4ERR_CLID_INUSE);
  EXPECT_EQ(Renew(c.clientid), NFS4_OK) << "the impostor changed nothing";
  // Nor may another principal confirm someone's record.
  ClientId fresh = SetClientId("client-b", "boot-1", Cred(0, 0));
  EXPECT_EQ(Confirm(fresh, Cred(1000, 1000)), NFS4ERR_CLID_INUSE);
  EXPECT_EQ(Confirm(fresh, Cred(0, 0)), NFS4_OK);
}

TEST_P(V40, AnotherPrincipalReplacesARecordWithoutStateAndItsStateidsAreExpired) {
  ClientId c = Confirmed("client-a");  // as root, no state
  ClientId other = SetClientId("client-a", "boot-1", Cred(1000, 1000));
  EXPECT_NE(other.clientid, c.clientid);
  EXPECT_EQ(Confirm(other, Cred(1000, 1000)), NFS4_OK);
  EXPECT_EQ(Renew(c.clientid), NFS4ERR_STALE_CLIENTID);
}

TEST_P(V40, TheStateidsOfARebootedClientAreExpired) {
  ClientId c = Confirmed("client-a", "boot-1");
  std::string fh;
  stateid4 open = OpenConfirmed(c.clientid, "o", "f", &fh);
  Confirmed("client-a", "boot-2");  // the client rebooted: its old state goes
  CompoundBuilder b = V0();
  b.PutFh(fh).Close(open);
  EXPECT_EQ(Run(b).last(), NFS4ERR_EXPIRED);
}

TEST_P(V40, AnUnconfirmedRecordIsReplacedByTheNextSetclientid) {
  ClientId first = SetClientId("client-a", "boot-1");
  ClientId second = SetClientId("client-a", "boot-1");
  ASSERT_EQ(second.status, NFS4_OK);
  EXPECT_NE(second.clientid, first.clientid);
  EXPECT_EQ(Confirm(first), NFS4ERR_STALE_CLIENTID);
  EXPECT_EQ(Confirm(second), NFS4_OK);
}

TEST_P(V40, Nfsv41DoesNotTakeA40ClientId) {
  ClientId c = Confirmed("client-a");
  CompoundBuilder b;
  b.CreateSession(c.clientid, 1);
  EXPECT_EQ(Run(b).status(), NFS4ERR_STALE_CLIENTID);
  Connect("client-a");  // the same owner string over 4.1 is another client
  EXPECT_NE(clientid_, c.clientid);
  EXPECT_EQ(Renew(c.clientid), NFS4_OK);
}

// --- RENEW and leases (RFC 3530 s8.5, s14.2.28)

TEST_P(V40, AnExpiredClientIsExpiredThenForgotten) {
  uint64_t c = Connect40("client-a");
  clock_.Advance(state::kLeaseSeconds + 2);
  EXPECT_EQ(Renew(c), NFS4ERR_EXPIRED);
  EXPECT_EQ(Open(c, "o", 1, "f").last(), NFS4ERR_EXPIRED);
  clock_.Advance(state::kLeaseSeconds * 20);
  EXPECT_EQ(Renew(c), NFS4ERR_STALE_CLIENTID);
}

TEST_P(V40, OpsWithItsStateidsRenewAClientsLease) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c, "o", "f", &fh);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(60);
    ASSERT_EQ(Read(fh, open).status(), NFS4_OK) << i;
  }
  EXPECT_EQ(Renew(c), NFS4_OK);
}

TEST_P(V40, LeaseExpiryReleasesALockToAnotherClient) {
  uint64_t a = Connect40("client-a");
  uint64_t b = Connect40("client-b");
  std::string fh;
  stateid4 open_a = OpenConfirmed(a, "oa", "f", &fh);
  stateid4 open_b = OpenConfirmed(b, "ob", "f", &fh);
  ASSERT_EQ(LockNew(a, fh, open_a, 3, "lock-a").status(), NFS4_OK);
  Reply denied = LockNew(b, fh, open_b, 3, "lock-b");
  ASSERT_EQ(denied.last(), NFS4ERR_DENIED);
  EXPECT_EQ(denied.u(1).oplock.LOCK4res_u.denied.owner.clientid, a);
  clock_.Advance(60);
  ASSERT_EQ(Renew(b), NFS4_OK);
  clock_.Advance(40);  // a has been silent for longer than a lease, b has not
  Reply granted = LockNew(b, fh, open_b, 4, "lock-b");
  EXPECT_EQ(granted.status(), NFS4_OK) << NfsStatName(granted.last());
  EXPECT_EQ(Renew(a), NFS4ERR_EXPIRED);
}

// --- open confirmation and owner seqids (RFC 3530 s8.1.5, s8.1.8, s14.2.18)

TEST_P(V40, AStateidOfAnUnconfirmedOpenIsGoodOnlyForOpenConfirm) {
  uint64_t c = Connect40("client-a");
  Reply o = Open(c, "o", 7, "f");
  ASSERT_EQ(o.status(), NFS4_OK);
  EXPECT_EQ(Rflags(o) & OPEN4_RESULT_CONFIRM, OPEN4_RESULT_CONFIRM);
  EXPECT_EQ(Rflags(o) & OPEN4_RESULT_PRESERVE_UNLINKED, 0u) << "a 4.1 flag";
  stateid4 sid = OpenStateid(o);
  EXPECT_EQ(Read(Fh(o), sid).status(), NFS4ERR_BAD_STATEID);
  CompoundBuilder bad = V0();
  bad.PutFh(Fh(o)).OpenConfirm(sid, 9);
  EXPECT_EQ(Run(bad).status(), NFS4ERR_BAD_SEQID);
  CompoundBuilder confirm = V0();
  confirm.PutFh(Fh(o)).OpenConfirm(sid, 8);
  Reply r = Run(confirm);
  ASSERT_EQ(r.status(), NFS4_OK);
  stateid4 confirmed = r.u(1).opopen_confirm.OPEN_CONFIRM4res_u.resok4.open_stateid;
  EXPECT_EQ(confirmed.seqid, sid.seqid + 1);
  EXPECT_EQ(Read(Fh(o), confirmed).status(), NFS4_OK);
  // Confirmed once and for all: the owner's next OPEN needs no confirmation.
  Reply next = Open(c, "o", 9, "g");
  ASSERT_EQ(next.status(), NFS4_OK);
  EXPECT_EQ(Rflags(next) & OPEN4_RESULT_CONFIRM, 0u);
}

TEST_P(V40, AnOpenOfAnUnconfirmedOwnerStartsItAfresh) {
  uint64_t c = Connect40("client-a");
  Reply first = Open(c, "o", 1, "f");
  ASSERT_EQ(first.status(), NFS4_OK);
  Reply second = Open(c, "o", 40, "f");  // not 2: the first OPEN is taken for a replay
  ASSERT_EQ(second.status(), NFS4_OK);
  EXPECT_NE(Rflags(second) & OPEN4_RESULT_CONFIRM, 0u);
  CompoundBuilder stale = V0();
  stale.PutFh(Fh(first)).OpenConfirm(OpenStateid(first), 2);
  EXPECT_EQ(Run(stale).status(), NFS4ERR_BAD_STATEID) << "the first open was undone";
  CompoundBuilder confirm = V0();
  confirm.PutFh(Fh(second)).OpenConfirm(OpenStateid(second), 41);
  EXPECT_EQ(Run(confirm).status(), NFS4_OK);
}

TEST_P(V40, ARetransmittedOpenGetsTheIdenticalReplyWithoutRunningAgain) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  OpenConfirmed(c, "o", "f", &fh);
  CompoundBuilder b = V0();
  b.PutRootFh().Open("o", "g", GUARDED4).Seqid(3, c).GetFh().GetAttr({FATTR4_FILEID});
  // GUARDED4 would fail with NFS4ERR_EXIST if the OPEN ran again.
  EXPECT_EQ(RunTwice(b).status(), NFS4_OK);
}

TEST_P(V40, ASeqidOtherThanTheNextOrTheLastIsBadAndMovesNothing) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  OpenConfirmed(c, "o", "f", &fh);  // last seqid 2
  EXPECT_EQ(Open(c, "o", 4, "g").last(), NFS4ERR_BAD_SEQID);
  EXPECT_EQ(Open(c, "o", 1, "g").last(), NFS4ERR_BAD_SEQID);
  EXPECT_EQ(Open(c, "o", 2, "g").last(), NFS4ERR_BAD_SEQID) << "the last was OPEN_CONFIRM";
  EXPECT_EQ(Open(c, "o", 3, "g").status(), NFS4_OK);
}

TEST_P(V40, ErrorsMoveTheSeqidOnAndAreReplayedToo) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  OpenConfirmed(c, "o", "f", &fh);
  EXPECT_EQ(Open(c, "o", 3, "missing", -1).last(), NFS4ERR_NOENT);
  EXPECT_EQ(Open(c, "o", 3, "missing", -1).last(), NFS4ERR_NOENT) << "a replay";
  EXPECT_EQ(Open(c, "o", 4, "f", -1).status(), NFS4_OK);
}

TEST_P(V40, SeqidsWrapThroughZero) {
  uint64_t c = Connect40("client-a");
  Reply o = Open(c, "o", UINT32_MAX - 1, "f");
  ASSERT_EQ(o.status(), NFS4_OK);
  CompoundBuilder confirm = V0();
  confirm.PutFh(Fh(o)).OpenConfirm(OpenStateid(o), UINT32_MAX);
  ASSERT_EQ(Run(confirm).status(), NFS4_OK);
  EXPECT_EQ(Open(c, "o", 0, "g").status(), NFS4_OK);
  EXPECT_EQ(Open(c, "o", 1, "h").status(), NFS4_OK);
}

TEST_P(V40, CloseAndItsRetransmission) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c, "o", "f", &fh);
  CompoundBuilder b = V0();
  b.PutFh(fh).Close(open).Seqid(3);
  // The open state is gone when the retransmission comes; the reply is kept.
  EXPECT_EQ(RunTwice(b).status(), NFS4_OK);
  EXPECT_EQ(Read(fh, open).status(), NFS4ERR_BAD_STATEID);
  CompoundBuilder next = V0();
  next.PutFh(fh).Close(open).Seqid(4);
  EXPECT_EQ(Run(next).status(), NFS4ERR_BAD_STATEID);
}

TEST_P(V40, OpenDowngradeIsSequenced) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  OpenConfirmed(c, "o", "f", &fh);
  // The open has READ alone once, so that it may go back to it.
  CompoundBuilder read = V0();
  read.PutFh(fh).OpenFh("o", OPEN4_SHARE_ACCESS_READ).Seqid(3, c);
  Reply r1 = Run(read);
  ASSERT_EQ(r1.count(), 2u);
  EXPECT_EQ(r1.last(), NFS4ERR_BADXDR) << "CLAIM_FH is 4.1's";
  CompoundBuilder reread = V0();
  reread.PutRootFh().Open("o", "f", -1, OPEN4_SHARE_ACCESS_READ).Seqid(3, c);
  Reply r2 = Run(reread);
  ASSERT_EQ(r2.status(), NFS4_OK) << "BADXDR moved no seqid";
  stateid4 open = OpenStateid(r2);
  CompoundBuilder bad = V0();
  bad.PutFh(fh).OpenDowngrade(open, OPEN4_SHARE_ACCESS_READ).Seqid(5);
  EXPECT_EQ(Run(bad).status(), NFS4ERR_BAD_SEQID);
  CompoundBuilder ok = V0();
  ok.PutFh(fh).OpenDowngrade(open, OPEN4_SHARE_ACCESS_READ).Seqid(4);
  Reply r = Run(ok);
  ASSERT_EQ(r.status(), NFS4_OK);
  EXPECT_EQ(r.u(1).opopen_downgrade.OPEN_DOWNGRADE4res_u.resok4.open_stateid.seqid, open.seqid + 1);
}

// --- stateids (RFC 3530 s8.1.3-8.1.4)

TEST_P(V40, StateidSeqidsMatchExactlyAndOnlyTwoStateidsAreSpecial) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c, "o", "f", &fh);
  stateid4 zero = open;
  zero.seqid = 0;
  EXPECT_EQ(Read(fh, zero).status(), NFS4ERR_BAD_STATEID) << "0 is no wildcard in 4.0";
  stateid4 old = open;
  old.seqid -= 1;
  EXPECT_EQ(Read(fh, old).status(), NFS4ERR_OLD_STATEID);
  stateid4 current{};
  current.seqid = 1;  // 4.1's current stateid
  EXPECT_EQ(Read(fh, current).status(), NFS4ERR_BAD_STATEID);
  stateid4 anonymous{};
  EXPECT_EQ(Read(fh, anonymous).status(), NFS4_OK);
  stateid4 bypass;
  bypass.seqid = UINT32_MAX;
  std::memset(bypass.other, 0xff, sizeof bypass.other);
  EXPECT_EQ(Read(fh, bypass).status(), NFS4_OK);
  stateid4 other_boot = open;
  other_boot.other[0] ^= 0x5a;
  EXPECT_EQ(Read(fh, other_boot).status(), NFS4ERR_STALE_STATEID);
}

// --- locks (RFC 3530 s14.2.10-12, s14.2.37)

TEST_P(V40, LocksAreSequencedByTheirOwnersAndReplayed) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c, "o", "f", &fh);
  CompoundBuilder b = V0();
  b.PutFh(fh).LockNew(WRITE_LT, 0, 10, open, "lock").Seqid(3, c, 0);
  Reply first = RunTwice(b);
  ASSERT_EQ(first.status(), NFS4_OK);
  stateid4 lock = LockStateid(first);
  // The lock owner's own seqids start at the lock_seqid it came with.
  CompoundBuilder more = V0();
  more.PutFh(fh).Lock(WRITE_LT, 20, 10, lock).Seqid(2);
  EXPECT_EQ(Run(more).status(), NFS4ERR_BAD_SEQID);
  CompoundBuilder next = V0();
  next.PutFh(fh).Lock(WRITE_LT, 20, 10, lock).Seqid(1);
  Reply locked = Run(next);
  ASSERT_EQ(locked.status(), NFS4_OK);
  CompoundBuilder unlock = V0();
  unlock.PutFh(fh).LockU(LockStateid(locked), 0, 30).Seqid(2);
  EXPECT_EQ(RunTwice(unlock).status(), NFS4_OK);
}

TEST_P(V40, LocktNamesTheClientInTheArguments) {
  uint64_t a = Connect40("client-a");
  uint64_t b = Connect40("client-b");
  std::string fh;
  stateid4 open = OpenConfirmed(a, "o", "f", &fh);
  ASSERT_EQ(LockNew(a, fh, open, 3, "lock").status(), NFS4_OK);
  CompoundBuilder self = V0();
  self.PutFh(fh).LockT(WRITE_LT, 0, 10, "lock").Seqid(0, a);
  EXPECT_EQ(Run(self).status(), NFS4_OK);
  CompoundBuilder other = V0();
  other.PutFh(fh).LockT(WRITE_LT, 0, 10, "lock").Seqid(0, b);
  EXPECT_EQ(Run(other).last(), NFS4ERR_DENIED);
  CompoundBuilder unknown = V0();
  unknown.PutFh(fh).LockT(WRITE_LT, 0, 10, "lock").Seqid(0, 4242);
  EXPECT_EQ(Run(unknown).last(), NFS4ERR_STALE_CLIENTID);
}

TEST_P(V40, ReleaseLockownerRefusesWhileLocksAreHeld) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c, "o", "f", &fh);
  Reply locked = LockNew(c, fh, open, 3, "lock");
  ASSERT_EQ(locked.status(), NFS4_OK);
  CompoundBuilder release = V0();
  release.ReleaseLockOwner(c, "lock");
  EXPECT_EQ(Run(release).status(), NFS4ERR_LOCKS_HELD);
  CompoundBuilder unlock = V0();
  unlock.PutFh(fh).LockU(LockStateid(locked), 0, UINT64_MAX).Seqid(1);
  Reply unlocked = Run(unlock);
  ASSERT_EQ(unlocked.status(), NFS4_OK);
  CompoundBuilder again = V0();
  again.ReleaseLockOwner(c, "lock");
  EXPECT_EQ(Run(again).status(), NFS4_OK);
  stateid4 gone = unlocked.u(1).oplocku.LOCKU4res_u.lock_stateid;
  EXPECT_EQ(Read(fh, gone).status(), NFS4ERR_BAD_STATEID);
  CompoundBuilder stale = V0();
  stale.ReleaseLockOwner(4242, "lock");
  EXPECT_EQ(Run(stale).status(), NFS4ERR_STALE_CLIENTID);
}

TEST_P(V40, DataWrittenOver40ReadsBack) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c, "o", "f", &fh);
  std::string data = "written over NFSv4.0";
  CompoundBuilder w = V0();
  w.PutFh(fh).Write(open, 0, data, FILE_SYNC4);
  ASSERT_EQ(Run(w).status(), NFS4_OK);
  Reply r = Read(fh, open);
  ASSERT_EQ(r.status(), NFS4_OK);
  const READ4resok& ok = r.u(1).opread.READ4res_u.resok4;
  EXPECT_EQ(std::string(ok.data.data_val, ok.data.data_len), data);
}

TEST_P(V40, AMebibyteReadFitsTheReplyBudgetWithoutASession) {
  uint64_t c = Connect40("client-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c, "o", "f", &fh);
  std::string data(kMaxIoSize, 'x');
  CompoundBuilder w = V0();
  w.PutFh(fh).Write(open, 0, data, FILE_SYNC4);
  ASSERT_EQ(Run(w).status(), NFS4_OK);
  CompoundBuilder r = V0();
  r.PutFh(fh).Read(open, 0, kMaxIoSize).GetAttr({FATTR4_SIZE});
  Reply got = Run(r);
  ASSERT_EQ(got.status(), NFS4_OK) << NfsStatName(got.last());
  EXPECT_EQ(got.u(1).opread.READ4res_u.resok4.data.data_len, kMaxIoSize);
}

// After a restart a 4.0 client, known from stable storage, reclaims its open (no
// OPEN_CONFIRM needed) and its lock in the grace period, which lasts its lease (4.0 has no
// RECLAIM_COMPLETE); new opens wait meanwhile, and the reclaimed lock holds afterwards.
TEST_P(V40, AClientReclaimsItsOpenAndLockInTheGraceAfterARestart) {
  uint64_t c = Connect40("host-a");
  std::string fh;
  stateid4 open = OpenConfirmed(c, "owner-a", "f", &fh);
  ASSERT_EQ(LockNew(c, fh, open, 3, "lock-a").status(), NFS4_OK);
  Restart();
  EXPECT_EQ(Renew(c), NFS4ERR_STALE_CLIENTID);
  uint64_t again = Connect40("host-a");
  CompoundBuilder reclaim = V0();
  reclaim.PutFh(fh).OpenPrevious("owner-a", OPEN4_SHARE_ACCESS_BOTH).Seqid(1, again);
  Reply r = Run(reclaim);
  ASSERT_EQ(r.status(), NFS4_OK) << NfsStatName(r.last());
  EXPECT_EQ(Rflags(r) & OPEN4_RESULT_CONFIRM, 0u);
  EXPECT_EQ(Open(again, "owner-b", 1, "g").last(), NFS4ERR_GRACE);
  CompoundBuilder relock = V0();
  relock.PutFh(fh)
      .LockNew(WRITE_LT, 0, 10, OpenStateid(r), "lock-a", /*reclaim=*/true)
      .Seqid(2, again, 0);
  Reply locked = Run(relock);
  ASSERT_EQ(locked.status(), NFS4_OK) << NfsStatName(locked.last());
  for (int half = 0; half < 2; ++half) {
    clock_.Advance(state::kLeaseSeconds / 2 + 1);
    ASSERT_EQ(Renew(again), NFS4_OK);
  }
  uint64_t other = Connect40("host-b");
  std::string fh_b;
  stateid4 theirs = OpenConfirmed(other, "owner-b", "f", &fh_b);
  EXPECT_EQ(LockNew(other, fh_b, theirs, 3, "lock-b").last(), NFS4ERR_DENIED);
}

INSTANTIATE_TEST_SUITE_P(Backends, V40, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing

// Session ops: EXCHANGE_ID, CREATE_SESSION, SEQUENCE with its slot table and reply cache,
// DESTROY_SESSION, DESTROY_CLIENTID, BIND_CONN_TO_SESSION, RECLAIM_COMPLETE, and leases.
#include "nfs4/nfs4_test_env.h"

namespace efs::nfs4::testing {
namespace {

// A new client record: its id and the sequence its CREATE_SESSION must carry.
struct NewClient {
  uint64_t clientid = 0;
  uint32_t sequence = 0;
};

class Session : public Nfs4TestEnv {
 protected:
  NewClient Exchange(const std::string& owner, const std::string& verifier,
                     const rpc::Credentials& cred);
};

const EXCHANGE_ID4resok& ExchangeOk(const Reply& r) {
  return r.u(0).opexchange_id.EXCHANGE_ID4res_u.eir_resok4;
}
const CREATE_SESSION4resok& SessionOk(const Reply& r) {
  return r.u(0).opcreate_session.CREATE_SESSION4res_u.csr_resok4;
}

NewClient Session::Exchange(const std::string& owner, const std::string& verifier,
                            const rpc::Credentials& cred) {
  CompoundBuilder x;
  x.ExchangeId(owner, verifier);
  Reply r = Run(x, cred);
  EXPECT_EQ(r.status(), NFS4_OK);
  return NewClient{ExchangeOk(r).eir_clientid, ExchangeOk(r).eir_sequenceid};
}

TEST_P(Session, ExchangeIdOfANewClientIsUnconfirmedUntilCreateSession) {
  CompoundBuilder x;
  x.ExchangeId("c1");
  Reply r = Run(x);
  ASSERT_EQ(r.status(), NFS4_OK);
  EXPECT_EQ(ExchangeOk(r).eir_flags & EXCHGID4_FLAG_CONFIRMED_R, 0u);
  EXPECT_NE(ExchangeOk(r).eir_flags & EXCHGID4_FLAG_USE_NON_PNFS, 0u);
  EXPECT_EQ(ExchangeOk(r).eir_state_protect.spr_how, SP4_NONE);
  Connect("c2");
  CompoundBuilder again;
  again.ExchangeId("c2");
  Reply r2 = Run(again);
  EXPECT_EQ(ExchangeOk(r2).eir_clientid, clientid_);
  EXPECT_NE(ExchangeOk(r2).eir_flags & EXCHGID4_FLAG_CONFIRMED_R, 0u);
}

TEST_P(Session, ExchangeIdUpdateOfAnUnknownClientIsNoent) {
  CompoundBuilder x;
  x.ExchangeId("nobody", "v", EXCHGID4_FLAG_UPD_CONFIRMED_REC_A);
  EXPECT_EQ(Run(x).status(), NFS4ERR_NOENT);
}

TEST_P(Session, ExchangeIdWithStateProtectionIsNotSupported) {
  CompoundBuilder x;
  x.ExchangeId("c");
  x.Build().argarray.argarray_val[0].nfs_argop4_u.opexchange_id.eia_state_protect.spa_how =
      SP4_MACH_CRED;
  EXPECT_EQ(Run(x).status(), NFS4ERR_NOTSUPP);
}

TEST_P(Session, CreateSessionReplayReturnsTheSameSession) {
  CompoundBuilder x;
  x.ExchangeId("c");
  Reply rx = Run(x);
  uint64_t id = ExchangeOk(rx).eir_clientid;
  uint32_t seq = ExchangeOk(rx).eir_sequenceid;
  CompoundBuilder c;
  c.CreateSession(id, seq);
  Reply a = Run(c);
  Reply b = Run(c);
  ASSERT_EQ(a.status(), NFS4_OK);
  ASSERT_EQ(b.status(), NFS4_OK);
  EXPECT_EQ(
      0, std::memcmp(SessionOk(a).csr_sessionid, SessionOk(b).csr_sessionid, NFS4_SESSIONID_SIZE));
  CompoundBuilder skip;
  skip.CreateSession(id, seq + 5);
  EXPECT_EQ(Run(skip).status(), NFS4ERR_SEQ_MISORDERED);
}

TEST_P(Session, CreateSessionOfAnUnknownClientIsStaleClientid) {
  CompoundBuilder c;
  c.CreateSession(12345, 1);
  EXPECT_EQ(Run(c).status(), NFS4ERR_STALE_CLIENTID);
}

TEST_P(Session, CreateSessionNegotiatesTheChannelDown) {
  CompoundBuilder x;
  x.ExchangeId("c");
  Reply rx = Run(x);
  CompoundBuilder c;
  c.CreateSession(ExchangeOk(rx).eir_clientid, ExchangeOk(rx).eir_sequenceid, 1000, 1000);
  Reply r = Run(c);
  ASSERT_EQ(r.status(), NFS4_OK);
  const channel_attrs4& f = SessionOk(r).csr_fore_chan_attrs;
  EXPECT_EQ(f.ca_maxoperations, 128u);
  EXPECT_EQ(f.ca_maxrequests, 64u);
  EXPECT_EQ(f.ca_maxrequestsize, 1u << 20);  // as asked, under the cap
  EXPECT_EQ(f.ca_maxresponsesize, (1u << 20) + 64 * 1024);
  const channel_attrs4& back = SessionOk(r).csr_back_chan_attrs;
  EXPECT_EQ(back.ca_maxoperations, 1000u);  // the unused back channel echoes the request
  EXPECT_EQ(back.ca_maxrequests, 1000u);
}

TEST_P(Session, SequenceReportsTheSlotTable) {
  ConnectToReclaim();
  CompoundBuilder b = Seq();
  Reply r = Ok(b);
  const SEQUENCE4resok& ok = r.u(0).opsequence.SEQUENCE4res_u.sr_resok4;
  EXPECT_EQ(ok.sr_sequenceid, 1u);
  EXPECT_EQ(ok.sr_highest_slotid, 3u);
  EXPECT_EQ(ok.sr_status_flags, 0u);
}

TEST_P(Session, ASlotBeyondTheTableIsBadSlot) {
  Connect();
  CompoundBuilder b;
  b.Sequence(sessionid_, 1, /*slot=*/4);
  EXPECT_EQ(Run(b).status(), NFS4ERR_BADSLOT);
}

TEST_P(Session, ASeqidThatSkipsAheadIsMisordered) {
  ConnectToReclaim();
  CompoundBuilder b;
  b.Sequence(sessionid_, 3);
  EXPECT_EQ(Run(b).status(), NFS4ERR_SEQ_MISORDERED);
}

TEST_P(Session, ARetransmittedCreateGetsTheCachedReplyNotExist) {
  Connect();
  CompoundBuilder b = Seq();
  b.PutRootFh().Create(NF4DIR, "d").GetFh();
  std::string args = b.Encode();
  Reply first = RunBytes(args);
  ASSERT_EQ(first.status(), NFS4_OK);
  Reply again = RunBytes(args);
  EXPECT_EQ(again.bytes, first.bytes);
  // A new request on the slot does run: now the name exists.
  CompoundBuilder c = Seq();
  c.PutRootFh().Create(NF4DIR, "d");
  EXPECT_EQ(Run(c).last(), NFS4ERR_EXIST);
}

TEST_P(Session, ARetransmissionWithoutCacheThisIsRetryUncachedRep) {
  ConnectToReclaim();
  CompoundBuilder b;
  b.Sequence(sessionid_, 1, 0, /*cachethis=*/false).PutRootFh();
  ASSERT_EQ(Run(b).status(), NFS4_OK);
  EXPECT_EQ(Run(b).status(), NFS4ERR_RETRY_UNCACHED_REP);
}

TEST_P(Session, SlotsCountSeqidsIndependently) {
  ConnectToReclaim();
  CompoundBuilder a;
  a.Sequence(sessionid_, 1, 0);
  CompoundBuilder b;
  b.Sequence(sessionid_, 1, 1, true, 1);
  EXPECT_EQ(Run(a).status(), NFS4_OK);
  EXPECT_EQ(Run(b).status(), NFS4_OK);
}

TEST_P(Session, AnUnknownSessionIsBadSession) {
  char bogus[NFS4_SESSIONID_SIZE] = {1, 2, 3};
  CompoundBuilder b;
  b.Sequence(bogus, 1);
  EXPECT_EQ(Run(b).status(), NFS4ERR_BADSESSION);
}

TEST_P(Session, SequenceRenewsTheLease) {
  Connect();
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(60);
    CompoundBuilder b = Seq();
    EXPECT_EQ(Run(b).status(), NFS4_OK);
  }
}

TEST_P(Session, AnExpiredClientLosesItsSessionAndClientId) {
  Connect();
  stateid4 open = CreateFile("f", "data");
  (void)open;
  clock_.Advance(state::kLeaseSeconds + 2);
  CompoundBuilder b = Seq();
  EXPECT_EQ(Run(b).status(), NFS4ERR_BADSESSION);
  CompoundBuilder c;
  c.CreateSession(clientid_, 2);
  EXPECT_EQ(Run(c).status(), NFS4ERR_STALE_CLIENTID);
}

TEST_P(Session, DestroySessionEndsTheSession) {
  Connect();
  CompoundBuilder d;
  d.DestroySession(sessionid_);
  EXPECT_EQ(Run(d).status(), NFS4_OK);
  CompoundBuilder b = Seq();
  EXPECT_EQ(Run(b).status(), NFS4ERR_BADSESSION);
}

TEST_P(Session, DestroySessionOfTheCurrentSessionMustBeLast) {
  Connect();
  CompoundBuilder d = Seq();
  d.DestroySession(sessionid_).PutRootFh();
  EXPECT_EQ(Run(d).op_status(1), NFS4ERR_NOT_ONLY_OP);
  CompoundBuilder e = Seq();
  e.DestroySession(sessionid_);
  EXPECT_EQ(Run(e).status(), NFS4_OK);
}

TEST_P(Session, DestroyClientidIsBusyWhileSessionsLive) {
  Connect();
  EXPECT_EQ(DestroyClientid(), NFS4ERR_CLIENTID_BUSY);
  ASSERT_EQ(DestroySession(), NFS4_OK);
  EXPECT_EQ(DestroyClientid(), NFS4_OK);
  EXPECT_EQ(DestroyClientid(), NFS4ERR_STALE_CLIENTID);
}

TEST_P(Session, ARebootedClientReplacesItsRecordOnCreateSession) {
  Connect("c");
  char old_session[NFS4_SESSIONID_SIZE];
  std::memcpy(old_session, sessionid_, sizeof old_session);
  CompoundBuilder x;
  x.ExchangeId("c", "rebooted");
  Reply rx = Run(x);
  ASSERT_EQ(rx.status(), NFS4_OK);
  EXPECT_NE(ExchangeOk(rx).eir_clientid, clientid_);
  CompoundBuilder c;
  c.CreateSession(ExchangeOk(rx).eir_clientid, ExchangeOk(rx).eir_sequenceid);
  ASSERT_EQ(Run(c).status(), NFS4_OK);
  CompoundBuilder b;
  b.Sequence(old_session, 1);
  EXPECT_EQ(Run(b).status(), NFS4ERR_BADSESSION);
}

TEST_P(Session, ReclaimCompleteTwiceIsCompleteAlready) {
  ConnectToReclaim();
  CompoundBuilder a = Seq();
  a.ReclaimComplete();
  EXPECT_EQ(Run(a).status(), NFS4_OK);
  CompoundBuilder b = Seq();
  b.ReclaimComplete();
  EXPECT_EQ(Run(b).last(), NFS4ERR_COMPLETE_ALREADY);
}

TEST_P(Session, BindConnToSessionBindsBothDirections) {
  Connect();
  CompoundBuilder b;
  b.BindConnToSession(sessionid_);
  Reply r = Run(b);
  ASSERT_EQ(r.status(), NFS4_OK);
  EXPECT_EQ(r.u(0).opbind_conn_to_session.BIND_CONN_TO_SESSION4res_u.bctsr_resok4.bctsr_dir,
            CDFS4_BOTH);
}

TEST_P(Session, AChannelTooSmallForAnyRequestOrReplyIsTooSmallAndUsesNoSequence) {
  NewClient c = Exchange("small", "v", Cred(0, 0));
  CompoundBuilder tiny_request;
  tiny_request.CreateSession(c.clientid, c.sequence, 16, 4, 8192, 8192, /*max_request=*/20);
  EXPECT_EQ(Run(tiny_request).status(), NFS4ERR_TOOSMALL);
  CompoundBuilder no_reply;
  no_reply.CreateSession(c.clientid, c.sequence, 16, 4, /*max_response=*/0, 8192, 8192);
  EXPECT_EQ(Run(no_reply).status(), NFS4ERR_TOOSMALL);
  CompoundBuilder tiny_back;
  tiny_back.CreateSession(c.clientid, c.sequence);
  tiny_back.Build().argarray.argarray_val[0].nfs_argop4_u.opcreate_session.csa_back_chan_attrs
      .ca_maxrequestsize = 10;
  EXPECT_EQ(Run(tiny_back).status(), NFS4ERR_TOOSMALL);
  // The refusals used nothing up: the same sequence makes a session of 400-byte messages.
  CompoundBuilder small;
  small.CreateSession(c.clientid, c.sequence, 16, 4, 400, 400, 400);
  Reply r = Run(small);
  ASSERT_EQ(r.status(), NFS4_OK);
  EXPECT_EQ(SessionOk(r).csr_fore_chan_attrs.ca_maxresponsesize, 400u);
}

TEST_P(Session, CreateSessionFlagsTheProtocolDoesNotDefineAreInval) {
  NewClient c = Exchange("flags", "v", Cred(0, 0));
  CompoundBuilder b;
  b.CreateSession(c.clientid, c.sequence);
  b.Build().argarray.argarray_val[0].nfs_argop4_u.opcreate_session.csa_flags = 0xf;
  EXPECT_EQ(Run(b).status(), NFS4ERR_INVAL);
}

TEST_P(Session, AnyPrincipalMayCreateSessionsOnceTheRecordIsConfirmed) {
  NewClient c = Exchange("princ", "v", Cred(1000, 1000));
  CompoundBuilder other_first;
  other_first.CreateSession(c.clientid, c.sequence);
  EXPECT_EQ(Run(other_first, Cred(2000, 2000)).status(), NFS4ERR_CLID_INUSE);
  CompoundBuilder first;
  first.CreateSession(c.clientid, c.sequence);
  ASSERT_EQ(Run(first, Cred(1000, 1000)).status(), NFS4_OK);
  CompoundBuilder second;
  second.CreateSession(c.clientid, c.sequence + 1);
  EXPECT_EQ(Run(second, Cred(2000, 2000)).status(), NFS4_OK);
}

TEST_P(Session, AnotherPrincipalsOwnerWithoutStateIsReplacedWhateverTheVerifier) {
  NewClient old = Exchange("shared-owner", "v1", Cred(1000, 1000));
  CompoundBuilder cs;
  cs.CreateSession(old.clientid, old.sequence);
  Reply session = Run(cs, Cred(1000, 1000));
  ASSERT_EQ(session.status(), NFS4_OK);
  CompoundBuilder busy_check;
  busy_check.ExchangeId("shared-owner", "v2");
  // While it has a session, the record stands.
  EXPECT_EQ(Run(busy_check, Cred(2000, 2000)).status(), NFS4ERR_CLID_INUSE);
  CompoundBuilder destroy;
  destroy.DestroySession(SessionOk(session).csr_sessionid);
  ASSERT_EQ(Run(destroy, Cred(1000, 1000)).status(), NFS4_OK);
  NewClient now = Exchange("shared-owner", "v2", Cred(2000, 2000));
  EXPECT_NE(now.clientid, old.clientid);
  CompoundBuilder stale;
  stale.CreateSession(old.clientid, old.sequence + 1);
  EXPECT_EQ(Run(stale, Cred(1000, 1000)).status(), NFS4ERR_STALE_CLIENTID);
}

TEST_P(Session, ARequestOverTheSessionsMaxRequestIsReqTooBig) {
  ConnectToReclaim("c", 16, 8192, 8192);
  CompoundBuilder small;
  small.CreateSession(clientid_, 2, 16, 4, 8192, 8192, /*max_request=*/512);
  Reply s = Run(small);
  ASSERT_EQ(s.status(), NFS4_OK);
  std::memcpy(sessionid_, SessionOk(s).csr_sessionid, NFS4_SESSIONID_SIZE);
  seqid_ = 0;
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup(std::string(500, 'x'));
  EXPECT_EQ(Run(b).status(), NFS4ERR_REQ_TOO_BIG);
}

TEST_P(Session, ASequenceWhoseReplyCannotBeCachedIsRepTooBigToCacheAndKeepsTheSlot) {
  ConnectToReclaim("c", 16, 8192, /*max_cached=*/10);
  CompoundBuilder cached;
  cached.Sequence(sessionid_, 1, 0, /*cachethis=*/true);
  EXPECT_EQ(Run(cached).status(), NFS4ERR_REP_TOO_BIG_TO_CACHE);
  // The slot was not used: seqid 1 is still the next request on it.
  CompoundBuilder uncached;
  uncached.Sequence(sessionid_, 1, 0, /*cachethis=*/false);
  EXPECT_EQ(Run(uncached).status(), NFS4_OK);
}

TEST_P(Session, ANewClientTakesNoOpenBeforeItsReclaimComplete) {
  ConnectToReclaim("c");
  CompoundBuilder open = Seq();
  open.PutRootFh().Open("o", "f", UNCHECKED4);
  EXPECT_EQ(Run(open).last(), NFS4ERR_GRACE);
  CompoundBuilder done = Seq();
  done.ReclaimComplete();
  ASSERT_EQ(Run(done).status(), NFS4_OK);
  CompoundBuilder again = Seq();
  again.PutRootFh().Open("o", "f", UNCHECKED4);
  EXPECT_EQ(Run(again).status(), NFS4_OK);
}

TEST_P(Session, TheCurrentStateidGoesWithTheHandleAndComesBackWithRestorefh) {
  Connect();
  // OPEN sets it; LOOKUP of another handle resets it, so CLOSE of it has no stateid.
  CompoundBuilder lost = Seq();
  lost.PutRootFh().Open("o", "f", UNCHECKED4).PutRootFh().Lookup("f").Close(CurrentStateid());
  EXPECT_EQ(Run(lost).last(), NFS4ERR_BAD_STATEID);
  // SAVEFH keeps it with the handle and RESTOREFH brings both back.
  CompoundBuilder kept = Seq();
  kept.PutRootFh().Open("o", "f", UNCHECKED4).SaveFh().PutRootFh().RestoreFh().Close(
      CurrentStateid());
  EXPECT_EQ(Run(kept).status(), NFS4_OK);
}

INSTANTIATE_TEST_SUITE_P(Backends, Session, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing

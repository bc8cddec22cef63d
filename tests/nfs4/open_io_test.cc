// OPEN, OPEN_DOWNGRADE, CLOSE, READ, WRITE, COMMIT, TEST_STATEID and FREE_STATEID.
#include <atomic>
#include <thread>
#include <vector>

#include "nfs4/nfs4_test_env.h"
#include "nfs4/state/stateid.h"

namespace efs::nfs4::testing {
namespace {

class OpenIo : public Nfs4TestEnv {
 protected:
  void SetUp() override { Connect(); }

  static const OPEN4resok& OpenOk(const Reply& r, uint32_t i) {
    return r.u(i).opopen.OPEN4res_u.resok4;
  }
};

TEST_P(OpenIo, CreateWriteCommitAndReadRoundTrip) {
  CompoundBuilder b = Seq();
  b.PutRootFh()
      .Open("owner", "f", GUARDED4)
      .Write(CurrentStateid(), 0, "hello, world")
      .Commit()
      .Read(CurrentStateid(), 7, 100);
  Reply r = Ok(b);
  const OPEN4resok& open = OpenOk(r, 2);
  EXPECT_EQ(open.delegation.delegation_type, OPEN_DELEGATE_NONE);
  EXPECT_NE(open.rflags & OPEN4_RESULT_PRESERVE_UNLINKED, 0u);
  EXPECT_EQ(open.stateid.seqid, 1u);
  const WRITE4resok& w = r.u(3).opwrite.WRITE4res_u.resok4;
  EXPECT_EQ(w.count, 12u);
  const COMMIT4resok& c = r.u(4).opcommit.COMMIT4res_u.resok4;
  EXPECT_EQ(0, std::memcmp(w.writeverf, c.writeverf, NFS4_VERIFIER_SIZE));
  const READ4resok& rd = r.u(5).opread.READ4res_u.resok4;
  EXPECT_EQ(std::string(rd.data.data_val, rd.data.data_len), "world");
  EXPECT_TRUE(rd.eof);
}

// A GETATTR right after the OPEN that created the file answers from what OPEN had in hand:
// the same attributes a GETATTR of its own returns, and never after another op changed them.
TEST_P(OpenIo, AGetattrAfterACreatingOpenMatchesOneOfItsOwn) {
  const std::vector<uint32_t> all = {FATTR4_TYPE,        FATTR4_CHANGE,        FATTR4_SIZE,
                                     FATTR4_FILEID,      FATTR4_MODE,          FATTR4_NUMLINKS,
                                     FATTR4_OWNER,       FATTR4_OWNER_GROUP,   FATTR4_SPACE_USED,
                                     FATTR4_TIME_ACCESS, FATTR4_TIME_METADATA, FATTR4_TIME_MODIFY};
  auto values = [](const Reply& r, uint32_t i) {
    const fattr4& f = r.u(i).opgetattr.GETATTR4res_u.resok4.obj_attributes;
    return std::string(f.attr_vals.attrlist4_val, f.attr_vals.attrlist4_len);
  };
  CompoundBuilder b = Seq();
  b.PutRootFh()
      .Open("owner", "f", GUARDED4, OPEN4_SHARE_ACCESS_BOTH, OPEN4_SHARE_DENY_NONE, ModeAttr(0640))
      .GetFh()
      .GetAttrs(all);
  Reply opened = Ok(b);
  CompoundBuilder again = Seq();
  again.PutRootFh().Lookup("f").GetAttrs(all);
  Reply looked = Ok(again);
  EXPECT_EQ(values(opened, 4), values(looked, 3));

  // A WRITE between OPEN and GETATTR: the GETATTR sees its size.
  const std::string data = "12345";
  CompoundBuilder w = Seq();
  w.PutRootFh()
      .Open("owner", "g", GUARDED4)
      .Write(CurrentStateid(), 0, data)
      .GetAttr({FATTR4_SIZE});
  Reply written = Ok(w);
  const fattr4& f = written.u(4).opgetattr.GETATTR4res_u.resok4.obj_attributes;
  ASSERT_EQ(f.attr_vals.attrlist4_len, 8u);
  EXPECT_EQ(static_cast<unsigned char>(f.attr_vals.attrlist4_val[7]), 5u);
}

// WRITE data is decoded in place, pointing into the call record: each WRITE of a COMPOUND must
// still write its own bytes, whatever the padding after them.
TEST_P(OpenIo, WritesOfOddLengthsInOneCompoundEachWriteTheirOwnBytes) {
  const std::string long_one(20001, 'z');
  CompoundBuilder b = Seq();
  b.PutRootFh()
      .Open("owner", "f", GUARDED4)
      .Write(CurrentStateid(), 0, "abcde")
      .Write(CurrentStateid(), 5, "")
      .Write(CurrentStateid(), 5, "XY")
      .Write(CurrentStateid(), 7, long_one)
      .Read(CurrentStateid(), 0, 30000);
  Reply r = Ok(b);
  EXPECT_EQ(r.u(3).opwrite.WRITE4res_u.resok4.count, 5u);
  EXPECT_EQ(r.u(4).opwrite.WRITE4res_u.resok4.count, 0u);
  EXPECT_EQ(r.u(6).opwrite.WRITE4res_u.resok4.count, 20001u);
  const READ4resok& rd = r.u(7).opread.READ4res_u.resok4;
  EXPECT_TRUE(std::string(rd.data.data_val, rd.data.data_len) == "abcdeXY" + long_one);
}

// A WRITE whose data is cut short, or whose length claims more than the call holds, is
// GARBAGE_ARGS, and nothing of it is written.
TEST_P(OpenIo, AWriteWhoseDataIsCutShortIsGarbage) {
  CreateFile("f", "keep");
  const std::string data(4096, 'w');
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").Write(CurrentStateid(), 0, data);
  const std::string whole = b.Encode();
  for (size_t cut : {size_t{1}, size_t{3}, size_t{4000}}) {
    std::string reply;
    Status s = HandleBytes(whole.substr(0, whole.size() - cut), &reply);
    EXPECT_FALSE(s.ok()) << "cut " << cut;
    EXPECT_TRUE(reply.empty()) << "cut " << cut;
  }
  --seqid_;  // the garbage calls never reached their SEQUENCE
  CompoundBuilder rd = Seq();
  rd.PutRootFh().Lookup("f").Read(stateid4{}, 0, 100);
  Reply read = Ok(rd);
  const READ4resok& got = read.u(3).opread.READ4res_u.resok4;
  EXPECT_EQ(std::string(got.data.data_val, got.data.data_len), "keep");
}

TEST_P(OpenIo, FileSyncWritesSayFileSync) {
  stateid4 sid = CreateFile("f");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").Write(sid, 0, "x", FILE_SYNC4);
  EXPECT_EQ(Ok(b).u(3).opwrite.WRITE4res_u.resok4.committed, FILE_SYNC4);
}

TEST_P(OpenIo, GuardedCreateOfAnExistingFileIsExist) {
  CreateFile("f");
  CompoundBuilder b = Seq();
  b.PutRootFh().Open("other", "f", GUARDED4);
  EXPECT_EQ(Run(b).last(), NFS4ERR_EXIST);
}

TEST_P(OpenIo, ExclusiveCreateRetransmissionWithTheSameVerifierSucceeds) {
  for (int i = 0; i < 2; ++i) {
    CompoundBuilder b = Seq();
    b.PutRootFh().Open("o", "x", EXCLUSIVE4_1, OPEN4_SHARE_ACCESS_BOTH, OPEN4_SHARE_DENY_NONE,
                       ModeAttr(0600), "verif-01");
    EXPECT_EQ(Run(b).status(), NFS4_OK) << "attempt " << i;
  }
  CompoundBuilder other = Seq();
  other.PutRootFh().Open("o", "x", EXCLUSIVE4_1, OPEN4_SHARE_ACCESS_BOTH, OPEN4_SHARE_DENY_NONE,
                         ModeAttr(0600), "verif-02");
  EXPECT_EQ(Run(other).last(), NFS4ERR_EXIST);
}

TEST_P(OpenIo, ShareDenyIsNotSupported) {
  CompoundBuilder b = Seq();
  b.PutRootFh().Open("o", "f", UNCHECKED4, OPEN4_SHARE_ACCESS_READ, OPEN4_SHARE_DENY_WRITE);
  EXPECT_EQ(Run(b).last(), NFS4ERR_NOTSUPP);
}

TEST_P(OpenIo, OpeningAMissingFileWithoutCreateIsNoent) {
  CompoundBuilder b = Seq();
  b.PutRootFh().Open("o", "nope", -1);
  EXPECT_EQ(Run(b).last(), NFS4ERR_NOENT);
}

TEST_P(OpenIo, OpeningADirectoryIsIsdir) {
  CompoundBuilder mk = Seq();
  mk.PutRootFh().Create(NF4DIR, "d");
  Ok(mk);
  CompoundBuilder b = Seq();
  b.PutRootFh().Open("o", "d", -1, OPEN4_SHARE_ACCESS_READ);
  EXPECT_EQ(Run(b).last(), NFS4ERR_ISDIR);
}

TEST_P(OpenIo, OpeningAnotherUsersFileForWriteIsAccess) {
  CreateFile("f", "data");  // root's, 0644
  CompoundBuilder b = Seq();
  b.PutRootFh().Open("u", "f", -1, OPEN4_SHARE_ACCESS_WRITE);
  EXPECT_EQ(Run(b, Cred(1000, 1000)).last(), NFS4ERR_ACCESS);
  CompoundBuilder r = Seq();
  r.PutRootFh().Open("u", "f", -1, OPEN4_SHARE_ACCESS_READ).Read(CurrentStateid(), 0, 10);
  Reply ok = Ok(r, Cred(1000, 1000));
  const READ4resok& rd = ok.u(3).opread.READ4res_u.resok4;
  EXPECT_EQ(std::string(rd.data.data_val, rd.data.data_len), "data");
}

TEST_P(OpenIo, ClaimFhOpensTheCurrentFile) {
  CreateFile("f", "abc");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").OpenFh("o2").Read(CurrentStateid(), 0, 3);
  EXPECT_EQ(Run(b).status(), NFS4_OK);
}

TEST_P(OpenIo, CloseWithABadStateidIsBadStateid) {
  CreateFile("f");
  stateid4 bogus{};
  bogus.seqid = 1;
  std::memset(bogus.other, 7, sizeof bogus.other);
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").Close(bogus);
  EXPECT_EQ(Run(b).last(), NFS4ERR_BAD_STATEID);
}

TEST_P(OpenIo, CloseEndsTheOpenAndReturnsTheInvalidStateid) {
  stateid4 sid = CreateFile("f");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").Close(sid);
  Reply r = Ok(b);
  EXPECT_EQ(r.u(3).opclose.CLOSE4res_u.open_stateid.seqid, UINT32_MAX);
  CompoundBuilder again = Seq();
  again.PutRootFh().Lookup("f").Close(sid);
  EXPECT_EQ(Run(again).last(), NFS4ERR_BAD_STATEID);
}

TEST_P(OpenIo, ASecondOpenBumpsTheSeqidAndOldOnesAreOld) {
  stateid4 first = CreateFile("f");
  CompoundBuilder b = Seq();
  b.PutRootFh().Open("owner", "f", -1, OPEN4_SHARE_ACCESS_READ);
  stateid4 second = OpenOk(Ok(b), 2).stateid;
  EXPECT_EQ(second.seqid, 2u);
  EXPECT_EQ(0, std::memcmp(first.other, second.other, sizeof first.other));
  CompoundBuilder old = Seq();
  old.PutRootFh().Lookup("f").Read(first, 0, 1);
  EXPECT_EQ(Run(old).last(), NFS4ERR_OLD_STATEID);
}

TEST_P(OpenIo, WritingThroughAReadOnlyOpenIsOpenmode) {
  CreateFile("f");
  CompoundBuilder b = Seq();
  b.PutRootFh().Open("reader", "f", -1, OPEN4_SHARE_ACCESS_READ).Write(CurrentStateid(), 0, "x");
  EXPECT_EQ(Run(b).last(), NFS4ERR_OPENMODE);
}

// RFC 5661 s18.18.3: the new access must be one some OPEN of the owner asked for.
TEST_P(OpenIo, OpenDowngradeGoesBackToAnAccessOpenedBefore) {
  stateid4 sid = CreateFile("f");  // ACCESS_BOTH
  CompoundBuilder never = Seq();
  never.PutRootFh().Lookup("f").OpenDowngrade(sid, OPEN4_SHARE_ACCESS_READ);
  EXPECT_EQ(Run(never).last(), NFS4ERR_INVAL);
  CompoundBuilder b = Seq();
  b.PutRootFh()
      .Open("owner", "f", -1, OPEN4_SHARE_ACCESS_READ)
      .OpenDowngrade(CurrentStateid(), OPEN4_SHARE_ACCESS_READ)
      .Write(CurrentStateid(), 0, "x");
  Reply r = Run(b);
  ASSERT_EQ(r.count(), 5u);
  EXPECT_EQ(r.op_status(3), NFS4_OK);
  stateid4 down = r.u(3).opopen_downgrade.OPEN_DOWNGRADE4res_u.resok4.open_stateid;
  EXPECT_EQ(down.seqid, 3u);
  EXPECT_EQ(r.last(), NFS4ERR_OPENMODE);
  CompoundBuilder up = Seq();
  up.PutRootFh().Lookup("f").OpenDowngrade(down, OPEN4_SHARE_ACCESS_BOTH);
  EXPECT_EQ(Run(up).last(), NFS4ERR_INVAL);
}

TEST_P(OpenIo, AnonymousStateidReadsWithPermissionChecks) {
  CreateFile("f", "public");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").Read(stateid4{}, 0, 6);
  Reply r = Ok(b, Cred(1000, 1000));
  EXPECT_EQ(r.u(3).opread.READ4res_u.resok4.data.data_len, 6u);
  CompoundBuilder w = Seq();
  w.PutRootFh().Lookup("f").Write(stateid4{}, 0, "x");
  EXPECT_EQ(Run(w, Cred(1000, 1000)).last(), NFS4ERR_ACCESS);
}

TEST_P(OpenIo, ARemovedOpenFileStaysReadableUntilClose) {
  stateid4 sid = CreateFile("f", "still here");
  std::string fh = Handle("f");
  CompoundBuilder rm = Seq();
  rm.PutRootFh().Remove("f");
  Ok(rm);
  CompoundBuilder rd = Seq();
  rd.PutFh(fh).Read(sid, 0, 100);
  Reply r = Ok(rd);
  const READ4resok& ok = r.u(2).opread.READ4res_u.resok4;
  EXPECT_EQ(std::string(ok.data.data_val, ok.data.data_len), "still here");
  CompoundBuilder close = Seq();
  close.PutFh(fh).Close(sid);
  Ok(close);
  CompoundBuilder after = Seq();
  after.PutFh(fh).GetAttr({FATTR4_SIZE});
  EXPECT_EQ(Run(after).last(), NFS4ERR_STALE);
}

TEST_P(OpenIo, TestStateidSaysWhichAreValid) {
  stateid4 sid = CreateFile("f");
  stateid4 bogus = sid;
  bogus.other[11] ^= 1;
  CompoundBuilder b = Seq();
  b.TestStateid({sid, bogus, stateid4{}});
  Reply r = Ok(b);
  const auto& codes = r.u(1).optest_stateid.TEST_STATEID4res_u.tsr_resok4.tsr_status_codes;
  ASSERT_EQ(codes.tsr_status_codes_len, 3u);
  EXPECT_EQ(codes.tsr_status_codes_val[0], NFS4_OK);
  EXPECT_EQ(codes.tsr_status_codes_val[1], NFS4ERR_BAD_STATEID);
  EXPECT_EQ(codes.tsr_status_codes_val[2], NFS4ERR_BAD_STATEID);
}

TEST_P(OpenIo, FreeStateidOfAnOpenIsLocksHeld) {
  stateid4 sid = CreateFile("f");
  CompoundBuilder b = Seq();
  b.FreeStateid(sid);
  EXPECT_EQ(Run(b).last(), NFS4ERR_LOCKS_HELD);
}

TEST_P(OpenIo, AnotherClientsStateidIsBad) {
  stateid4 sid = CreateFile("f");
  Connect("client-2");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").Read(sid, 0, 1);
  EXPECT_EQ(Run(b).last(), NFS4ERR_BAD_STATEID);
}

TEST_P(OpenIo, LeaseExpiryReleasesOpens) {
  stateid4 sid = CreateFile("f", "x");
  std::string fh = Handle("f");
  CompoundBuilder rm = Seq();
  rm.PutRootFh().Remove("f");
  Ok(rm);
  clock_.Advance(state::kLeaseSeconds + 5);
  Connect("client-2");  // any COMPOUND reaps
  CompoundBuilder b = Seq();
  b.PutFh(fh).GetAttr({FATTR4_SIZE});
  EXPECT_EQ(Run(b).last(), NFS4ERR_STALE);
  (void)sid;
}

INSTANTIATE_TEST_SUITE_P(Backends, OpenIo, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing

namespace efs::nfs4::testing {
namespace {

using Concurrency = Nfs4TestEnv;

// Four threads, one slot each, write and read their own files at once (a smoke test for the
// state tables' and slots' locking; run it under TSan to check races).
TEST_P(Concurrency, SlotsOfOneSessionRunInParallel) {
  Connect("c");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (uint32_t slot = 0; slot < 4; ++slot) {
    threads.emplace_back([this, slot, &failures] {
      std::string name = "file-" + std::to_string(slot);
      for (uint32_t seq = 1; seq <= 50; ++seq) {
        CompoundBuilder b;
        b.Sequence(sessionid_, seq, slot, true, 3)
            .PutRootFh()
            .Open("owner-" + name, name, UNCHECKED4)
            .Write(CurrentStateid(), seq, "x", UNSTABLE4)
            .Read(CurrentStateid(), 0, 64)
            .Close(CurrentStateid());
        if (Run(b).status() != NFS4_OK) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, Concurrency, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing

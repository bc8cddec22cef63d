// The COMPOUND loop's cross-cutting checks: minor version, op positions, op count, file handle
// presence, illegal and unsupported ops, read-only exports.
#include "nfs4/nfs4_test_env.h"

namespace efs::nfs4::testing {
namespace {

using Compound = Nfs4TestEnv;

TEST_P(Compound, MinorVersionTwoIsAMismatchWithNoResults) {
  CompoundBuilder b;
  b.MinorVersion(2).Tag("t").PutRootFh();
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4ERR_MINOR_VERS_MISMATCH);
  EXPECT_EQ(r.count(), 0u);
}

TEST_P(Compound, TheTagIsEchoed) {
  Connect();
  CompoundBuilder b = Seq();
  b.Tag("my tag");
  Reply r = Ok(b);
  EXPECT_EQ(std::string((*r.res)->tag.utf8string_val, (*r.res)->tag.utf8string_len), "my tag");
}

TEST_P(Compound, AnEmptyCompoundSucceeds) {
  CompoundBuilder b;
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4_OK);
  EXPECT_EQ(r.count(), 0u);
}

TEST_P(Compound, AnOpWithoutSequenceFirstIsNotInSession) {
  CompoundBuilder b;
  b.PutRootFh().GetFh();
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4ERR_OP_NOT_IN_SESSION);
  EXPECT_EQ(r.count(), 1u);
}

TEST_P(Compound, SequenceAfterTheFirstOpIsSequencePos) {
  Connect();
  CompoundBuilder b = Seq();
  b.PutRootFh().Sequence(sessionid_, 9);
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4ERR_SEQUENCE_POS);
  EXPECT_EQ(r.count(), 3u);
}

TEST_P(Compound, ExchangeIdWithoutSequenceMustBeAlone) {
  CompoundBuilder b;
  b.ExchangeId("c").PutRootFh();
  EXPECT_EQ(Run(b).status(), NFS4ERR_NOT_ONLY_OP);
}

TEST_P(Compound, CreateSessionWithoutSequenceMustBeAlone) {
  CompoundBuilder b;
  b.CreateSession(1, 1).PutRootFh();
  EXPECT_EQ(Run(b).status(), NFS4ERR_NOT_ONLY_OP);
}

TEST_P(Compound, DestroySessionWithoutSequenceMustBeAlone) {
  Connect();
  CompoundBuilder b;
  b.DestroySession(sessionid_).PutRootFh();
  EXPECT_EQ(Run(b).status(), NFS4ERR_NOT_ONLY_OP);
}

TEST_P(Compound, BindConnToSessionIsAlwaysAlone) {
  Connect();
  CompoundBuilder b = Seq();
  b.BindConnToSession(sessionid_);
  EXPECT_EQ(Run(b).last(), NFS4ERR_NOT_ONLY_OP);
}

TEST_P(Compound, MoreOpsThanTheSessionAllowsIsTooManyOps) {
  Connect("c", /*max_ops=*/4);
  CompoundBuilder b = Seq();
  b.PutRootFh().GetFh().GetFh().GetFh();
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4ERR_TOO_MANY_OPS);
  EXPECT_EQ(r.count(), 1u);
}

TEST_P(Compound, AReplyOverTheSessionLimitStopsWithRepTooBig) {
  Connect("c", 16, /*max_response=*/2048, /*max_cached=*/1024);
  CreateFile("big", std::string(4000, 'x'));
  CompoundBuilder b;
  b.Sequence(sessionid_, ++seqid_, 0, /*cachethis=*/false)
      .PutRootFh()
      .Lookup("big")
      .Read(stateid4{}, 0, 4000);
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4ERR_REP_TOO_BIG);
  EXPECT_EQ(r.count(), 4u);
  CompoundBuilder c;
  c.Sequence(sessionid_, ++seqid_, 0, /*cachethis=*/true)
      .PutRootFh()
      .Lookup("big")
      .Read(stateid4{}, 0, 1500);
  EXPECT_EQ(Run(c).last(), NFS4ERR_REP_TOO_BIG_TO_CACHE);
}

TEST_P(Compound, AnOpNeedingAFileHandleWithoutOneIsNoFileHandle) {
  Connect();
  CompoundBuilder b = Seq();
  b.GetAttr({FATTR4_SIZE});
  EXPECT_EQ(Run(b).last(), NFS4ERR_NOFILEHANDLE);
}

TEST_P(Compound, RenameWithoutASavedFileHandleIsNoFileHandle) {
  Connect();
  CompoundBuilder b = Seq();
  b.PutRootFh().Rename("a", "b");
  EXPECT_EQ(Run(b).last(), NFS4ERR_NOFILEHANDLE);
}

TEST_P(Compound, TheIllegalOpIsIllegal) {
  Connect();
  CompoundBuilder b = Seq();
  b.Op(OP_ILLEGAL);
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4ERR_OP_ILLEGAL);
  EXPECT_EQ(r.op(1).resop, OP_ILLEGAL);
}

// RFC 5661 s15.2: an op number the protocol does not have is answered NFS4ERR_OP_ILLEGAL (as
// OP_ILLEGAL) once the ops before it have run; whatever follows it cannot be parsed.
TEST_P(Compound, AnUnknownOpNumberIsIllegalAfterTheOpsBeforeIt) {
  Connect();
  for (uint32_t unknown : {0u, 2u, 59u, 10043u, 0xffffffffu}) {
    CompoundBuilder b = Seq();
    std::string name = "before-" + std::to_string(unknown);
    b.PutRootFh().Create(NF4DIR, name);
    std::string args = b.Encode();  // empty tag, minor version, then the op count at byte 8
    ASSERT_EQ(args.substr(8, 4), XdrU32(3));
    args.replace(8, 4, XdrU32(5));
    args += XdrU32(unknown) + "arguments nobody can parse" + XdrU32(OP_GETFH);
    Reply r = RunBytes(args);
    EXPECT_EQ(r.status(), NFS4ERR_OP_ILLEGAL) << unknown;
    ASSERT_EQ(r.count(), 4u) << unknown;
    EXPECT_EQ(r.op(3).resop, OP_ILLEGAL);
    EXPECT_EQ(r.op_status(2), NFS4_OK);
    CompoundBuilder look = Seq();
    look.PutRootFh().Lookup(name);
    EXPECT_EQ(Run(look).status(), NFS4_OK) << "the CREATE before the unknown op ran";
  }
}

TEST_P(Compound, OpsWithoutAHandlerAreNotSupported) {
  Connect();
  CompoundBuilder b = Seq();
  b.PutRootFh().Op(OP_LAYOUTGET);
  EXPECT_EQ(Run(b).last(), NFS4ERR_NOTSUPP);
  CompoundBuilder c = Seq();
  c.Op(OP_RENEW);  // NFSv4.0 only (v40_test.cc has the others)
  EXPECT_EQ(Run(c).last(), NFS4ERR_NOTSUPP);
}

TEST_P(Compound, ProcessingStopsAtTheFirstError) {
  Connect();
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("missing").GetFh();
  Reply r = Run(b);
  EXPECT_EQ(r.status(), NFS4ERR_NOENT);
  EXPECT_EQ(r.count(), 3u);
}

TEST_P(Compound, AReadOnlyExportRefusesChanges) {
  read_only_ = true;
  Connect();
  CompoundBuilder b = Seq();
  b.PutRootFh().Create(NF4DIR, "d");
  EXPECT_EQ(Run(b).last(), NFS4ERR_ROFS);
  CompoundBuilder o = Seq();
  o.PutRootFh().Open("o", "f", UNCHECKED4);
  EXPECT_EQ(Run(o).last(), NFS4ERR_ROFS);
  CompoundBuilder g = Seq();
  g.PutRootFh().GetAttr({FATTR4_TYPE});
  EXPECT_EQ(Run(g).status(), NFS4_OK);
}

TEST_P(Compound, ArgumentsThatDoNotDecodeAreGarbage) {
  rpc::CallHeader header;
  rpc::ConnectionInfo info;
  rpc::Credentials cred = Cred(0, 0);
  rpc::CallContext ctx{header, cred, info, nullptr};
  std::string junk = XdrU32(5) + "ab";  // a 5-byte tag with 2 bytes
  XDR xdrs;
  xdrmem_create(&xdrs, junk.data(), static_cast<u_int>(junk.size()), XDR_DECODE);
  std::string reply;
  Status s = server_->HandleCompound(ctx, &xdrs, &reply);
  xdr_destroy(&xdrs);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, Compound, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing

// DecodeReply: a COMPOUND reply must answer the ops that were sent (RFC 5661 s15.2), so that
// the client's callers may read any sent op's result of a successful reply. Found while writing
// fuzz/nfs4client_reply_fuzz.cc: a reply that said NFS4_OK without a GETATTR result ended the
// mount's process in Reply::Last's EFS_CHECK.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "nfs4client/client_impl.h"
#include "xdr/xdr_mem.h"

namespace efs::nfs4client {
namespace {

const std::vector<nfs_opnum4> kSent = {OP_SEQUENCE, OP_PUTFH, OP_GETATTR};

// The XDR of a COMPOUND4res with `status` and one result per op, each with `op_status` but the
// last, which has `status`.
std::string Res(nfsstat4 status, const std::vector<nfs_opnum4>& ops) {
  std::vector<nfs_resop4> results(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    results[i].resop = ops[i];
    nfsstat4 s = i + 1 == ops.size() ? status : NFS4_OK;
    // Every result starts with its status; those of the ops here hold nothing else when not OK.
    std::memcpy(&results[i].nfs_resop4_u, &s, sizeof s);
  }
  COMPOUND4res res{};
  res.status = status;
  res.resarray.resarray_len = static_cast<u_int>(results.size());
  res.resarray.resarray_val = results.data();
  std::string out;
  EXPECT_TRUE(xdr::EncodeAppend(xdr_COMPOUND4res, res, &out).ok());
  return out;
}

TEST(DecodeReply, AFailureStopsTheResultsAtTheFailingOp) {
  Result<Reply> r = DecodeReply(Res(NFS4ERR_STALE, {OP_SEQUENCE, OP_PUTFH}), kSent, 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status(), NFS4ERR_STALE);
  EXPECT_TRUE(r->StoppedAt(OP_PUTFH));
}

TEST(DecodeReply, AnUnknownOpEndsInAnIllegalResult) {
  EXPECT_TRUE(DecodeReply(Res(NFS4ERR_OP_ILLEGAL, {OP_SEQUENCE, OP_ILLEGAL}), kSent, 1 << 20).ok());
}

TEST(DecodeReply, NoResultsForAMinorVersionMismatch) {
  EXPECT_TRUE(DecodeReply(Res(NFS4ERR_MINOR_VERS_MISMATCH, {}), kSent, 1 << 20).ok());
}

TEST(DecodeReply, ASuccessMissingASentOpIsGarbage) {
  Result<Reply> r = DecodeReply(Res(NFS4_OK, {OP_SEQUENCE, OP_PUTFH}), kSent, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "GarbageReply");
  EXPECT_FALSE(DecodeReply(Res(NFS4_OK, {}), kSent, 1 << 20).ok());
}

TEST(DecodeReply, ResultsOfOtherOpsOrStatusesThatDisagreeAreGarbage) {
  EXPECT_FALSE(DecodeReply(Res(NFS4_OK, {OP_SEQUENCE, OP_PUTFH, OP_GETFH}), kSent, 1 << 20).ok());
  EXPECT_FALSE(
      DecodeReply(Res(NFS4_OK, {OP_SEQUENCE, OP_PUTFH, OP_GETATTR, OP_GETATTR}), kSent, 1 << 20)
          .ok());
  std::string bytes = Res(NFS4ERR_STALE, {OP_SEQUENCE, OP_PUTFH});
  bytes[3] = 0;  // the COMPOUND's status NFS4_OK, its last result's NFS4ERR_STALE
  EXPECT_FALSE(DecodeReply(bytes, kSent, 1 << 20).ok());
}

TEST(DecodeReply, BytesThatDoNotDecodeAreGarbage) {
  Result<Reply> r = DecodeReply("\0\0\0", kSent, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
}

}  // namespace
}  // namespace efs::nfs4client

// Nfs4Server registered in an rpc::ProgramTable: raw NULL and COMPOUND call records go through
// ProgramTable::Execute as the connection loop would pass them.
#include "nfs4/nfs4_test_env.h"

namespace efs::nfs4::testing {
namespace {

std::string Words(std::initializer_list<uint32_t> words) {
  std::string out;
  for (uint32_t w : words) out += XdrU32(w);
  return out;
}

// A call record body with AUTH_SYS uid 0 (stamp, machine "h", uid, gid, no gids).
std::string Call(uint32_t xid, uint32_t proc, const std::string& args) {
  std::string cred = Words({1, 1}) + std::string("h\0\0\0", 4) + Words({0, 0, 0});
  return Words({xid, 0, 2, kNfsProgram, kNfsVersion, proc, 1, static_cast<uint32_t>(cred.size())}) +
         cred + Words({0, 0}) + args;
}

// The accepted SUCCESS reply header after the record mark.
std::string SuccessHeader(uint32_t xid) { return Words({xid, 1, 0, 0, 0, 0}); }

using RpcWiring = Nfs4TestEnv;

TEST_P(RpcWiring, NullAndCompoundRunThroughTheProgramTable) {
  rpc::ProgramTable table;
  server_->Register(&table);
  rpc::ConnectionInfo info;
  info.mount_target_id = kMountTarget;

  rpc::CallOutcome null = table.Execute(Call(7, 0, ""), info, nullptr);
  ASSERT_EQ(null.kind, rpc::CallOutcome::kReply);
  EXPECT_EQ(null.reply.substr(4), SuccessHeader(7));

  CompoundBuilder b;
  b.ExchangeId("wired");
  rpc::CallOutcome out = table.Execute(Call(8, kProcCompound, b.Encode()), info, nullptr);
  ASSERT_EQ(out.kind, rpc::CallOutcome::kReply);
  std::string body = out.reply.substr(4);
  ASSERT_EQ(body.substr(0, 24), SuccessHeader(8));
  auto res = efs::xdr::Decode(xdr_COMPOUND4res, body.substr(24));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res.value()->status, NFS4_OK);
  EXPECT_EQ(res.value()->resarray.resarray_val[0].resop, OP_EXCHANGE_ID);

  // Version 3 is not served: PROG_MISMATCH(4, 4).
  std::string v3 = Call(9, 0, "");
  v3.replace(16, 4, XdrU32(3));
  rpc::CallOutcome mismatch = table.Execute(v3, info, nullptr);
  EXPECT_EQ(mismatch.reply.substr(4), Words({9, 1, 0, 0, 0, 2, 4, 4}));
}

TEST_P(RpcWiring, GarbageCompoundArgumentsAreGarbageArgs) {
  rpc::ProgramTable table;
  server_->Register(&table);
  rpc::ConnectionInfo info;
  info.mount_target_id = kMountTarget;
  rpc::CallOutcome out = table.Execute(Call(3, kProcCompound, Words({100})), info, nullptr);
  EXPECT_EQ(out.reply.substr(4), Words({3, 1, 0, 0, 0, 4}));
}

INSTANTIATE_TEST_SUITE_P(Backends, RpcWiring, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing

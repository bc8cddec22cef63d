// Call headers, every reply kind byte for byte, AUTH_SYS limits and ProgramTable dispatch.
#include "rpc/message.h"

#include <gtest/gtest.h>

#include "rpc/auth_sys.h"
#include "rpc/program_table.h"
#include "tests/rpc/rpc_test_util.h"
#include "xdr/xdr_mem.h"

namespace efs::rpc {
namespace {

// An AUTH_SYS body: stamp 7, machine "host", uid 1000, gid 100, gids 0..n-1.
std::string AuthSysBody(uint32_t ngids, std::string machine = "host") {
  std::string out = Words({7, static_cast<uint32_t>(machine.size())}) + machine;
  out.append((4 - machine.size() % 4) % 4, '\0');
  out += Words({1000, 100, ngids});
  for (uint32_t i = 0; i < ngids; ++i) out += Words({i});
  return out;
}

// A call of prog/vers/proc with AUTH_SYS and `args`, as a Linux client sends it.
std::string CallBytes(uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
                      std::string args = "", uint32_t rpcvers = 2) {
  std::string cred = AuthSysBody(2);
  return Words({xid, 0, rpcvers, prog, vers, proc, 1, static_cast<uint32_t>(cred.size())}) + cred +
         Words({0, 0}) + args;
}

HeaderStatus Decode(const std::string& bytes, CallHeader* h, uint32_t* pos = nullptr) {
  XDR xdrs;
  xdrmem_create(&xdrs, const_cast<char*>(bytes.data()), bytes.size(), XDR_DECODE);
  HeaderStatus s = DecodeCallHeader(&xdrs, h);
  if (pos != nullptr) *pos = xdr_getpos(&xdrs);
  xdr_destroy(&xdrs);
  return s;
}

TEST(Message, DecodesACallHeaderAndStopsAtTheArgs) {
  std::string bytes = CallBytes(0x1234, 100003, 4, 1, Words({0xabcd}));
  CallHeader h;
  uint32_t pos = 0;
  ASSERT_EQ(Decode(bytes, &h, &pos), HeaderStatus::kOk);
  EXPECT_EQ(h.xid, 0x1234u);
  EXPECT_EQ(h.prog, 100003u);
  EXPECT_EQ(h.vers, 4u);
  EXPECT_EQ(h.proc, 1u);
  EXPECT_EQ(h.cred.flavor, 1u);
  EXPECT_EQ(h.cred.body, AuthSysBody(2));
  EXPECT_EQ(h.verf.flavor, 0u);
  EXPECT_EQ(pos, bytes.size() - 4);
}

TEST(Message, OurCallBytesMatchLibtirpcsEncoding) {
  rpc_msg msg{};
  msg.rm_xid = 0x1234;
  msg.rm_direction = CALL;
  msg.rm_call.cb_rpcvers = 2;
  msg.rm_call.cb_prog = 100003;
  msg.rm_call.cb_vers = 4;
  msg.rm_call.cb_proc = 1;
  std::string cred = AuthSysBody(2);
  msg.rm_call.cb_cred = {1, cred.data(), static_cast<u_int>(cred.size())};
  msg.rm_call.cb_verf = {0, nullptr, 0};
  char buf[256];
  XDR xdrs;
  xdrmem_create(&xdrs, buf, sizeof(buf), XDR_ENCODE);
  ASSERT_TRUE(xdr_callmsg(&xdrs, &msg));
  EXPECT_EQ(std::string(buf, xdr_getpos(&xdrs)), CallBytes(0x1234, 100003, 4, 1));
  xdr_destroy(&xdrs);
}

TEST(Message, HeaderKinds) {
  CallHeader h;
  EXPECT_EQ(Decode(Words({1, 1, 0}), &h), HeaderStatus::kNotCall);
  EXPECT_EQ(Decode(CallBytes(9, 1, 1, 0, "", 3), &h), HeaderStatus::kRpcMismatch);
  EXPECT_EQ(h.xid, 9u);
  EXPECT_EQ(Decode(Words({9, 0, 2, 1, 1, 0, 1, 401}), &h), HeaderStatus::kBadAuth);
  EXPECT_EQ(Decode(Words({9, 0, 2, 1, 1, 0, 1, 8, 0}), &h), HeaderStatus::kBadAuth);
  EXPECT_EQ(Decode(Words({9, 0, 2, 1}), &h), HeaderStatus::kGarbage);
  EXPECT_EQ(Decode("abc", &h), HeaderStatus::kGarbage);
}

TEST(Message, EveryReplyKindIsByteExact) {
  EXPECT_EQ(AcceptedReply(5, AcceptStat::kSuccess), Words({5, 1, 0, 0, 0, 0}));
  EXPECT_EQ(AcceptedReply(5, AcceptStat::kProgUnavail), Words({5, 1, 0, 0, 0, 1}));
  EXPECT_EQ(ProgMismatchReply(5, 4, 4), Words({5, 1, 0, 0, 0, 2, 4, 4}));
  EXPECT_EQ(AcceptedReply(5, AcceptStat::kProcUnavail), Words({5, 1, 0, 0, 0, 3}));
  EXPECT_EQ(AcceptedReply(5, AcceptStat::kGarbageArgs), Words({5, 1, 0, 0, 0, 4}));
  EXPECT_EQ(AcceptedReply(5, AcceptStat::kSystemErr), Words({5, 1, 0, 0, 0, 5}));
  EXPECT_EQ(RpcMismatchReply(5), Words({5, 1, 1, 0, 2, 2}));
  EXPECT_EQ(AuthErrorReply(5, AuthStat::kBadCred), Words({5, 1, 1, 1, 1}));
  EXPECT_EQ(AuthErrorReply(5, AuthStat::kTooWeak), Words({5, 1, 1, 1, 5}));
}

TEST(Message, LibtirpcDecodesOurProgMismatch) {
  std::string bytes = ProgMismatchReply(77, 3, 4);
  rpc_msg msg{};
  msg.acpted_rply.ar_results.proc = VoidProc();
  XDR xdrs;
  xdrmem_create(&xdrs, bytes.data(), bytes.size(), XDR_DECODE);
  ASSERT_TRUE(xdr_replymsg(&xdrs, &msg));
  xdr_destroy(&xdrs);
  EXPECT_EQ(msg.rm_xid, 77u);
  EXPECT_EQ(msg.rm_reply.rp_stat, MSG_ACCEPTED);
  EXPECT_EQ(msg.acpted_rply.ar_stat, PROG_MISMATCH);
  EXPECT_EQ(msg.acpted_rply.ar_vers.low, 3u);
  EXPECT_EQ(msg.acpted_rply.ar_vers.high, 4u);
}

TEST(AuthSys, SixteenGidsAreAcceptedSeventeenAreBadCred) {
  Credentials c;
  ASSERT_EQ(ParseCredentials({kAuthSys, AuthSysBody(16)}, &c), AuthStat::kOk);
  EXPECT_EQ(c.uid, 1000u);
  EXPECT_EQ(c.gid, 100u);
  EXPECT_EQ(c.gids.size(), 16u);
  EXPECT_EQ(c.gids[15], 15u);
  EXPECT_EQ(c.machine, "host");
  EXPECT_EQ(ParseCredentials({kAuthSys, AuthSysBody(17)}, &c), AuthStat::kBadCred);
}

TEST(AuthSys, MachineNameLimitAndTrailingBytes) {
  Credentials c;
  EXPECT_EQ(ParseCredentials({kAuthSys, AuthSysBody(0, std::string(255, 'm'))}, &c), AuthStat::kOk);
  EXPECT_EQ(ParseCredentials({kAuthSys, AuthSysBody(0, std::string(256, 'm'))}, &c),
            AuthStat::kBadCred);
  EXPECT_EQ(ParseCredentials({kAuthSys, AuthSysBody(1) + Words({0})}, &c), AuthStat::kBadCred);
  EXPECT_EQ(ParseCredentials({kAuthSys, AuthSysBody(1).substr(0, 10)}, &c), AuthStat::kBadCred);
}

TEST(AuthSys, NoneIsNobodyOtherFlavorsAreTooWeak) {
  Credentials c;
  ASSERT_EQ(ParseCredentials({kAuthNone, ""}, &c), AuthStat::kOk);
  EXPECT_EQ(c.uid, kNobody);
  EXPECT_EQ(ParseCredentials({kAuthNone, "x"}, &c), AuthStat::kBadCred);
  EXPECT_EQ(ParseCredentials({6 /* RPCSEC_GSS */, "abcd"}, &c), AuthStat::kTooWeak);
}

// A test program: procedure 1 returns its u_int argument plus one; 2 fails internally.
constexpr uint32_t kProg = 0x20000101;
ProgramTable TestTable() {
  ProgramTable table;
  auto add_one = [](const CallContext&, XDR* args, std::string* reply) -> Status {
    uint32_t v = 0;
    if (!xdr_u_int32_t(args, &v)) return efs::xdr::InvalidArgumentGarbage();
    uint32_t r = v + 1;
    return efs::xdr::EncodeAppend<uint32_t>(xdr_u_int32_t, r, reply);
  };
  auto fail = [](const CallContext&, XDR*, std::string*) { return Internal("boom"); };
  table.Register(kProg, 1, {nullptr, add_one, fail});
  table.Register(kProg, 3, {nullptr, add_one});
  return table;
}

std::string Exec(const ProgramTable& t, const std::string& call) {
  CallOutcome out = t.Execute(call, ConnectionInfo{}, nullptr);
  EXPECT_EQ(out.kind, CallOutcome::kReply);
  return out.reply.size() >= 4 ? out.reply.substr(4) : "";
}

TEST(ProgramTable, DispatchesEveryOutcome) {
  ProgramTable t = TestTable();
  EXPECT_EQ(Exec(t, CallBytes(1, kProg, 1, 0)), AcceptedReply(1, AcceptStat::kSuccess));
  EXPECT_EQ(Exec(t, CallBytes(2, kProg, 1, 1, Words({41}))),
            AcceptedReply(2, AcceptStat::kSuccess) + Words({42}));
  EXPECT_EQ(Exec(t, CallBytes(3, 400123, 1, 0)), AcceptedReply(3, AcceptStat::kProgUnavail));
  EXPECT_EQ(Exec(t, CallBytes(4, kProg, 2, 0)), ProgMismatchReply(4, 1, 3));
  EXPECT_EQ(Exec(t, CallBytes(5, kProg, 1, 9)), AcceptedReply(5, AcceptStat::kProcUnavail));
  EXPECT_EQ(Exec(t, CallBytes(6, kProg, 1, 1)), AcceptedReply(6, AcceptStat::kGarbageArgs));
  EXPECT_EQ(Exec(t, CallBytes(7, kProg, 1, 2)), AcceptedReply(7, AcceptStat::kSystemErr));
  EXPECT_EQ(Exec(t, CallBytes(8, kProg, 1, 0, "", 3)), RpcMismatchReply(8));
  std::string gss = Words({9, 0, 2, kProg, 1, 0, 6, 0, 0, 0});
  EXPECT_EQ(Exec(t, gss), AuthErrorReply(9, AuthStat::kTooWeak));
}

TEST(ClientSide, CallHeaderWithAuthSysDecodesAsTheServerReadsIt) {
  Credentials c;
  c.flavor = kAuthSys;
  c.uid = 1000;
  c.gid = 100;
  c.gids = {1, 2, 3};
  c.machine = "host-a";
  std::string bytes;
  AppendCallHeader(77, 100003, 4, 1, EncodeAuthSys(c, 5), &bytes);
  bytes += Words({0xabcd});
  CallHeader h;
  uint32_t pos = 0;
  ASSERT_EQ(Decode(bytes, &h, &pos), HeaderStatus::kOk);
  EXPECT_EQ(h.xid, 77u);
  EXPECT_EQ(pos, bytes.size() - 4);
  Credentials parsed;
  ASSERT_EQ(ParseCredentials(h.cred, &parsed), AuthStat::kOk);
  EXPECT_EQ(parsed.uid, 1000u);
  EXPECT_EQ(parsed.gid, 100u);
  EXPECT_EQ(parsed.gids, (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(parsed.machine, "host-a");
}

TEST(ClientSide, SuccessResultsSkipTheHeaderAndRefuseOtherReplies) {
  Result<std::string_view> ok =
      SuccessResults(AcceptedReply(3, AcceptStat::kSuccess) + Words({42}));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, Words({42}));
  uint32_t xid = 0;
  ASSERT_TRUE(ReplyXid(AcceptedReply(3, AcceptStat::kSuccess), &xid));
  EXPECT_EQ(xid, 3u);
  EXPECT_EQ(SuccessResults(AcceptedReply(4, AcceptStat::kProgUnavail)).status().reason(),
            "ProgUnavail");
  EXPECT_EQ(SuccessResults(AuthErrorReply(5, AuthStat::kTooWeak)).status().reason(), "RpcDenied");
  EXPECT_EQ(SuccessResults(Words({1, 1})).status().code(), Code::kCorruption);
}

TEST(ProgramTable, RepliesAreIgnoredAndJunkCloses) {
  ProgramTable t = TestTable();
  EXPECT_EQ(t.Execute(Words({1, 1, 0, 0, 0, 0}), {}, nullptr).kind, CallOutcome::kIgnore);
  EXPECT_EQ(t.Execute("", {}, nullptr).kind, CallOutcome::kClose);
}

}  // namespace
}  // namespace efs::rpc

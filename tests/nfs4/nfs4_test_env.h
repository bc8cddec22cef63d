// Nfs4TestEnv: an Nfs4Server with a FakeClock over a file system of either backend (MemFs, or
// the real store in a temporary directory), and helpers that run COMPOUNDs through XDR (encode
// the args, HandleCompound, decode the reply) as the wire would. Every suite derived from it is
// instantiated for both backends: INSTANTIATE_TEST_SUITE_P(Backends, Suite, AllBackends(),
// BackendName).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "base/clock.h"
#include "fs/mem_fs.h"
#include "store/store_fs.h"
#include "testutil/temp_dir.h"
#include "nfs4/compound_builder.h"
#include "nfs4/errors.h"
#include "nfs4/nfs4_server.h"
#include "rpc/auth_sys.h"
#include "rpc/program_table.h"
#include "xdr/xdr_mem.h"

namespace efs::nfs4::testing {

inline constexpr char kMountTarget[] = "fsmt-0000000000000001";

enum class Backend { kMemFs, kStoreFs };

inline auto AllBackends() { return ::testing::Values(Backend::kMemFs, Backend::kStoreFs); }

inline const char* BackendLabel(Backend b) { return b == Backend::kMemFs ? "MemFs" : "StoreFs"; }
inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return BackendLabel(info.param);
}
inline void PrintTo(Backend b, std::ostream* os) { *os << BackendLabel(b); }

// A decoded COMPOUND4res and the bytes it came from.
struct Reply {
  std::string bytes;
  std::optional<efs::xdr::XdrOwned<COMPOUND4res>> res;

  nfsstat4 status() const { return res ? (*res)->status : NFS4ERR_BADXDR; }
  uint32_t count() const { return res ? (*res)->resarray.resarray_len : 0; }
  const nfs_resop4& op(uint32_t i) const { return (*res)->resarray.resarray_val[i]; }
  const decltype(nfs_resop4::nfs_resop4_u)& u(uint32_t i) const { return op(i).nfs_resop4_u; }
  // The status of op i (every result starts with it).
  nfsstat4 op_status(uint32_t i) const {
    nfsstat4 s;
    std::memcpy(&s, &op(i).nfs_resop4_u, sizeof s);
    return s;
  }
  // The last result's status.
  nfsstat4 last() const { return count() == 0 ? status() : op_status(count() - 1); }
};

inline rpc::Credentials Cred(uint32_t uid, uint32_t gid) {
  rpc::Credentials c;
  c.flavor = rpc::kAuthSys;
  c.uid = uid;
  c.gid = gid;
  c.machine = "client";
  return c;
}

class Nfs4TestEnv : public ::testing::TestWithParam<Backend> {
 protected:
  Nfs4TestEnv() : fs_(OpenBackend(GetParam())), server_(NewServer()) {}

  // The server, anew as after a restart: the file system and the stable storage of client
  // records (records_) are what survives.
  std::unique_ptr<Nfs4Server> NewServer() {
    return std::make_unique<Nfs4Server>(
        [this](const std::string& mt) -> std::optional<Export> {
          if (mt != kMountTarget) return std::nullopt;
          return Export{ExportIdFor("fs-0000000000000001"), fs_.get(), read_only_};
        },
        &clock_, state::kLeaseSeconds, &records_);
  }
  void Restart() {
    server_.reset();
    server_ = NewServer();
  }

  // Runs `b` as `cred` through the RPC handler and decodes the reply.
  Reply Run(CompoundBuilder& b, const rpc::Credentials& cred = Cred(0, 0)) {
    std::string args = b.Encode();
    return RunBytes(args, cred);
  }
  Reply RunBytes(const std::string& args, const rpc::Credentials& cred = Cred(0, 0)) {
    Reply r;
    Status s = HandleBytes(args, &r.bytes, cred);
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto decoded = efs::xdr::Decode(xdr_COMPOUND4res, r.bytes);
    EXPECT_TRUE(decoded.ok());
    if (decoded.ok()) r.res.emplace(std::move(decoded).value());
    return r;
  }

  // COMPOUND arguments `args` through the RPC handler, as a call record's body would go: the
  // handler's status (an error for arguments that do not decode) and the reply's bytes (none
  // if it answered late, through what `answer_later` gave it).
  Status HandleBytes(const std::string& args, std::string* reply,
                     const rpc::Credentials& cred = Cred(0, 0),
                     std::function<rpc::LateReply()> answer_later = nullptr) {
    rpc::CallHeader header;
    header.xid = ++xid_;  // each call its own, as a client's are (NFSv4.0 keeps replies by xid)
    header.prog = kNfsProgram;
    header.vers = kNfsVersion;
    header.proc = kProcCompound;
    rpc::ConnectionInfo info;
    info.mount_target_id = kMountTarget;
    rpc::CallContext ctx{header, cred, info, nullptr, std::move(answer_later)};
    XDR xdrs;
    xdrmem_create(&xdrs, const_cast<char*>(args.data()), static_cast<u_int>(args.size()),
                  XDR_DECODE);
    Status s = server_->HandleCompound(ctx, &xdrs, reply);
    xdr_destroy(&xdrs);
    return s;
  }

  // EXCHANGE_ID + CREATE_SESSION + RECLAIM_COMPLETE, as a client with nothing to reclaim
  // starts (RFC 5661 s18.51.3); leaves the session in sessionid_ and seqid_ at 1.
  void Connect(const std::string& owner = "client-1", uint32_t max_ops = 16,
               uint32_t max_response = 2 << 20, uint32_t max_cached = 64 * 1024) {
    ConnectToReclaim(owner, max_ops, max_response, max_cached);
    CompoundBuilder b = Seq();
    b.ReclaimComplete();
    ASSERT_EQ(Run(b).status(), NFS4_OK);
  }

  // EXCHANGE_ID + CREATE_SESSION only, as a client that reclaims state after a restart does
  // before its RECLAIM_COMPLETE; leaves the session in sessionid_ and seqid_ at 0.
  void ConnectToReclaim(const std::string& owner = "client-1", uint32_t max_ops = 16,
                        uint32_t max_response = 2 << 20, uint32_t max_cached = 64 * 1024) {
    CompoundBuilder x;
    x.ExchangeId(owner);
    Reply rx = Run(x);
    ASSERT_EQ(rx.status(), NFS4_OK);
    clientid_ = rx.u(0).opexchange_id.EXCHANGE_ID4res_u.eir_resok4.eir_clientid;
    uint32_t seq = rx.u(0).opexchange_id.EXCHANGE_ID4res_u.eir_resok4.eir_sequenceid;
    CompoundBuilder c;
    c.CreateSession(clientid_, seq, max_ops, 4, max_response, max_cached);
    Reply rc = Run(c);
    ASSERT_EQ(rc.status(), NFS4_OK);
    std::memcpy(sessionid_, rc.u(0).opcreate_session.CREATE_SESSION4res_u.csr_resok4.csr_sessionid,
                NFS4_SESSIONID_SIZE);
    seqid_ = 0;
  }

  // DESTROY_SESSION of the session, and DESTROY_CLIENTID of the client id (each alone).
  nfsstat4 DestroySession() {
    CompoundBuilder b;
    b.DestroySession(sessionid_);
    return Run(b).status();
  }
  nfsstat4 DestroyClientid() {
    CompoundBuilder b;
    b.DestroyClientid(clientid_);
    return Run(b).status();
  }

  // A builder that starts with the next SEQUENCE on slot 0.
  CompoundBuilder Seq() {
    CompoundBuilder b;
    b.Sequence(sessionid_, ++seqid_);
    return b;
  }

  // Runs SEQUENCE + PUTROOTFH + ops and expects every op to succeed.
  Reply Ok(CompoundBuilder& b, const rpc::Credentials& cred = Cred(0, 0)) {
    Reply r = Run(b, cred);
    EXPECT_EQ(r.status(), NFS4_OK) << NfsStatName(r.status()) << " at op " << r.count() - 1;
    return r;
  }

  // The handle of the file `name` in the root.
  std::string Handle(const std::string& name) {
    CompoundBuilder b = Seq();
    b.PutRootFh();
    if (!name.empty()) b.Lookup(name);
    b.GetFh();
    Reply r = Ok(b);
    const nfs_fh4& fh = r.u(r.count() - 1).opgetfh.GETFH4res_u.resok4.object;
    return std::string(fh.nfs_fh4_val, fh.nfs_fh4_len);
  }

  // Creates root/`name` with OPEN and writes `data`; returns the open stateid.
  stateid4 CreateFile(const std::string& name, const std::string& data = "",
                      const rpc::Credentials& cred = Cred(0, 0)) {
    CompoundBuilder b = Seq();
    b.PutRootFh().Open("owner", name, UNCHECKED4);
    if (!data.empty()) b.Write(CurrentStateid(), 0, data, FILE_SYNC4);
    Reply r = Ok(b, cred);
    return r.u(2).opopen.OPEN4res_u.resok4.stateid;
  }

  static stateid4 CurrentStateid() {
    stateid4 s{};
    s.seqid = 1;
    return s;
  }

  std::unique_ptr<fs::FileSystem> OpenBackend(Backend backend) {
    if (backend == Backend::kMemFs) return fs::NewMemFs(&clock_);
    auto store = store::OpenStoreFs(tmp_.Join("fs"), &clock_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : fs::NewMemFs(&clock_);
  }

  FakeClock clock_;
  testutil::TempDir tmp_;
  std::unique_ptr<fs::FileSystem> fs_;
  bool read_only_ = false;
  state::MemoryClientRecords records_;
  std::unique_ptr<Nfs4Server> server_;
  uint64_t clientid_ = 0;
  char sessionid_[NFS4_SESSIONID_SIZE] = {};
  uint32_t seqid_ = 0;
  uint32_t xid_ = 0;
};

}  // namespace efs::nfs4::testing

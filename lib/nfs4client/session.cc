// The client's session: connecting, the slot table, the call path, the renewer and recovery
// (RFC 5661 s2.10 sessions, s18.46 SEQUENCE, s8.4 state recovery). See client_impl.h.
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "base/log.h"
#include "base/macros.h"
#include "nfs4client/attrs.h"
#include "nfs4client/client_impl.h"
#include "rpc/auth_sys.h"
#include "xdr/xdr_mem.h"

namespace efs::nfs4client {
namespace {

constexpr uint32_t kNfsProgram = 100003;
constexpr uint32_t kNfsVersion = 4;
constexpr uint32_t kProcCompound = 1;
// Room for the ops around a READ's or WRITE's data in a request or reply.
constexpr uint32_t kHeaderRoom = 64 * 1024;
// ca_maxoperations asked for: LookupPath sends up to 32 LOOKUPs at once.
constexpr uint32_t kMaxOps = 64;
// How often a call the server answers NFS4ERR_GRACE is tried again.
constexpr std::chrono::milliseconds kGracePoll{250};

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "efs-client";
  return name;
}

std::string NewVerifier() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
               static_cast<uint64_t>(Clock::now().time_since_epoch().count());
  return XdrU64(v);
}

void Backoff(int attempt) {
  auto ms = std::min(1000, 10 << std::min(attempt, 7));
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

bool IsSessionLoss(nfsstat4 s) {
  return s == NFS4ERR_BADSESSION || s == NFS4ERR_DEADSESSION || s == NFS4ERR_STALE_CLIENTID;
}

}  // namespace

nfsstat4 Reply::op_status(uint32_t i) const {
  nfsstat4 s;
  std::memcpy(&s, &op(i).nfs_resop4_u, sizeof s);
  return s;
}

const decltype(nfs_resop4::nfs_resop4_u)& Reply::Last(nfs_opnum4 opnum) const {
  for (uint32_t i = count(); i > 0; --i) {
    if (op(i - 1).resop == opnum) return op(i - 1).nfs_resop4_u;
  }
  EFS_CHECK(false);
  return op(0).nfs_resop4_u;
}

Result<Reply> DecodeReply(std::string_view results, const std::vector<nfs_opnum4>& sent,
                          size_t max_size) {
  auto decoded = xdr::Decode(xdr_COMPOUND4res, results, max_size);
  if (!decoded.ok()) {
    return Error(Code::kCorruption, "GarbageReply", "a COMPOUND reply does not decode");
  }
  Reply reply(std::move(decoded).value());
  const uint32_t n = reply.count();
  bool answers = n <= sent.size() && (n == sent.size() || reply.status() != NFS4_OK) &&
                 (n == 0 || reply.op_status(n - 1) == reply.status());
  for (uint32_t i = 0; answers && i < n; ++i) {
    const bool last = i + 1 == n;
    answers = (reply.op(i).resop == sent[i] || (last && reply.op(i).resop == OP_ILLEGAL)) &&
              (last || reply.op_status(i) == NFS4_OK);
  }
  if (!answers) {
    return Error(Code::kCorruption, "GarbageReply",
                 "a COMPOUND reply does not answer the ops that were sent");
  }
  return reply;
}

Result<std::unique_ptr<Client>> Client::Connect(const Options& options) {
  auto client = std::make_unique<ClientImpl>(options);
  EFS_RETURN_IF_ERROR(client->Start());
  return std::unique_ptr<Client>(std::move(client));
}

ClientImpl::ClientImpl(const Options& options)
    : options_(options),
      machine_(HostName()),
      verifier_(NewVerifier()),
      max_reply_(options.max_io + 2 * kHeaderRoom),
      transport_(options.host, options.port, options.max_io + 2 * kHeaderRoom) {}

Status ClientImpl::Start() {
  Clock::time_point deadline = Clock::now() + options_.call_timeout;
  EFS_RETURN_IF_ERROR(transport_.Connect(deadline));
  EFS_RETURN_IF_ERROR(NewSession(deadline));
  EFS_RETURN_IF_ERROR(ReclaimComplete());  // a new client has nothing to reclaim
  EFS_ASSIGN_OR_RETURN(Reply r,
                       Run(kSessionIdentity, "getattr of the root", false,
                           [](CompoundBuilder& b) { b.PutRootFh().GetAttrs(ServerInfoMask()); }));
  DecodedAttrs info;
  EFS_RETURN_IF_ERROR(
      DecodeFattr(r.Last(OP_GETATTR).opgetattr.GETATTR4res_u.resok4.obj_attributes, &info));
  uint64_t io = options_.max_io;
  max_read_ = static_cast<uint32_t>(info.max_read == 0 ? io : std::min(io, info.max_read));
  max_write_ = static_cast<uint32_t>(info.max_write == 0 ? io : std::min(io, info.max_write));
  if (info.lease_time > 0) lease_ = info.lease_time;
  renewer_ = std::thread([this] { RenewLoop(); });
  return Status::Ok();
}

ClientImpl::~ClientImpl() {
  {
    MutexLock l(&mu_);
    stopping_ = true;
    stop_cv_.SignalAll();
    slot_cv_.SignalAll();
  }
  // RFC 5661 s18.37, s18.50: tell the server now rather than let the lease run out. Clients
  // that still hold opens keep their client id (NFS4ERR_CLIENTID_BUSY) until the lease ends.
  std::string sessionid;
  uint64_t clientid = 0;
  {
    MutexLock l(&mu_);
    sessionid = sessionid_;
    clientid = clientid_;
  }
  if (!sessionid.empty()) {
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(2);
    CompoundBuilder d;
    d.DestroySession(sessionid.data());
    (void)Transmit(kSessionIdentity, d, deadline);
    CompoundBuilder c;
    c.DestroyClientid(clientid);
    (void)Transmit(kSessionIdentity, c, deadline);
  }
  transport_.Shutdown();
  if (renewer_.joinable()) renewer_.join();
}

Result<Reply> ClientImpl::Transmit(const Identity& who, CompoundBuilder& b,
                                   Clock::time_point deadline) {
  const std::string args = b.Encode();
  rpc::Credentials cred;
  cred.flavor = rpc::kAuthSys;
  cred.uid = who.uid;
  cred.gid = who.gid;
  cred.gids = who.gids;
  cred.machine = machine_;
  rpc::OpaqueAuth auth = rpc::EncodeAuthSys(cred, stamp_++);
  for (int attempt = 0;; ++attempt) {
    uint64_t generation = 0;
    Clock::time_point call_deadline = std::min(deadline, Clock::now() + options_.call_timeout);
    Result<Transport::Reply> r = transport_.Call(auth, kNfsProgram, kNfsVersion, kProcCompound,
                                                 args, call_deadline, &generation);
    if (r.ok()) {
      EFS_ASSIGN_OR_RETURN(Reply reply, DecodeReply(r->results_bytes(), b.Ops(), max_reply_));
      // RFC 5661 s2.10.6.2: a retransmission that finds the original still running is
      // answered NFS4ERR_DELAY; send it again on the same slot and seqid.
      // A busy or throttled server answers NFS4ERR_DELAY too: like a hard mount, wait until
      // the call's deadline rather than a number of tries.
      if (reply.count() == 1 && reply.op_status(0) == NFS4ERR_DELAY && Clock::now() < deadline) {
        Backoff(attempt);
        continue;
      }
      return reply;
    }
    const std::string& why = r.status().reason();
    if (why != "ConnectionLost" && why != "Timeout") return r.status();
    if (Clock::now() >= deadline) {
      return Error(Code::kUnavailable, "RecoveryTimeout",
                   "the server did not answer: " + r.status().message());
    }
    // Retransmit the same bytes (same slot and seqid) on a new connection. efsd binds a
    // connection to the session with its first SEQUENCE (SP4_NONE, RFC 5661 s2.10.3.1), so
    // no BIND_CONN_TO_SESSION is needed.
    EFS_RETURN_IF_ERROR(transport_.Reconnect(generation, deadline));
  }
}

Result<ClientImpl::SlotTicket> ClientImpl::TakeSlot(Mode mode, Clock::time_point deadline) {
  MutexLock l(&mu_);
  for (;;) {
    if (stopping_) return Error(Code::kUnavailable, "Closing", "the client is closing");
    if (mode == Mode::kRecovery || !recovering_) {
      uint32_t limit = std::min<uint32_t>(target_highest_ + 1, slots_.size());
      for (uint32_t i = 0; i < limit; ++i) {
        Slot& s = slots_[i];
        if (s.busy || s.retired) continue;
        s.busy = true;
        SlotTicket t{i, s.seqid + 1, i, epoch_, sessionid_};
        for (uint32_t j = i + 1; j < slots_.size(); ++j) {
          if (slots_[j].busy) t.highest = j;
        }
        return t;
      }
    }
    if (!slot_cv_.WaitUntil(&mu_, deadline)) {
      return Error(Code::kUnavailable, "RecoveryTimeout", "no session slot became free in time");
    }
  }
}

void ClientImpl::ReleaseSlot(const SlotTicket& t, SlotEnd end, const SEQUENCE4resok* ok) {
  MutexLock l(&mu_);
  if (t.epoch != epoch_) return;  // a session that is gone
  Slot& s = slots_[t.slot];
  s.busy = false;
  if (end == SlotEnd::kAdvanced) s.seqid = t.seqid;
  // The server may or may not have run the request: its seqid is unknown, so the slot is
  // never used again rather than risk replaying another request's reply.
  if (end == SlotEnd::kUnknown) s.retired = true;
  // RFC 5661 s18.46.3: the server wants the client to use slots up to target_highest_slotid.
  if (ok != nullptr) {
    target_highest_ = std::min<uint32_t>(ok->sr_target_highest_slotid, slots_.size() - 1);
  }
  last_used_ = Clock::now();
  slot_cv_.SignalAll();
}

Result<Reply> ClientImpl::Exchange(const Identity& who, std::string_view what, bool cache,
                                   const BuildFn& build, Mode mode) {
  Clock::time_point deadline = Clock::now() + options_.recovery_timeout;
  for (int delays = 0;;) {
    EFS_ASSIGN_OR_RETURN(SlotTicket t, TakeSlot(mode, deadline));
    CompoundBuilder b;
    b.Sequence(t.sessionid.data(), t.seqid, t.slot, cache, t.highest);
    build(b);
    Result<Reply> r = Transmit(who, b, deadline);
    if (!r.ok()) {
      ReleaseSlot(t, SlotEnd::kUnknown);
      return r.status();
    }
    if (r->count() == 0) {  // e.g. NFS4ERR_MINOR_VERS_MISMATCH: nothing ran
      ReleaseSlot(t, SlotEnd::kUnused);
      return ToStatus(r->status(), what);
    }
    nfsstat4 seq = r->op_status(0);
    if (seq == NFS4_OK) {
      ReleaseSlot(t, SlotEnd::kAdvanced,
                  &r->op(0).nfs_resop4_u.opsequence.SEQUENCE4res_u.sr_resok4);
      // RFC 5661 s15.1.1.3: NFS4ERR_DELAY: the op did not run; try again a little later, until
      // the call's deadline (a throttled server may answer it for a while).
      if (r->status() == NFS4ERR_DELAY && Clock::now() < deadline) {
        Backoff(++delays);
        continue;
      }
      // NFS4ERR_GRACE: a restarted server lets clients reclaim first (at most a lease); the
      // op did not run. Recovery's own reclaims never get it.
      if (r->status() == NFS4ERR_GRACE && mode == Mode::kNormal && Clock::now() < deadline) {
        std::this_thread::sleep_for(kGracePoll);
        continue;
      }
      return r;
    }
    if (seq == NFS4ERR_RETRY_UNCACHED_REP) {
      // The lost original ran and its reply was not kept (an idempotent op): run it anew.
      ReleaseSlot(t, SlotEnd::kAdvanced);
      continue;
    }
    if (IsSessionLoss(seq)) {
      ReleaseSlot(t, SlotEnd::kUnused);
      if (mode == Mode::kRecovery) return ToStatus(seq, what);
      EFS_RETURN_IF_ERROR(Recover(t.epoch, deadline));
      continue;
    }
    ReleaseSlot(t, SlotEnd::kUnknown);
    return ToStatus(seq, what);
  }
}

Result<Reply> ClientImpl::Run(const Identity& who, std::string_view what, bool cache,
                              const BuildFn& build, Mode mode) {
  EFS_ASSIGN_OR_RETURN(Reply r, Exchange(who, what, cache, build, mode));
  if (r.status() != NFS4_OK) return ToStatus(r.status(), what);
  return r;
}

Status ClientImpl::NewSession(Clock::time_point deadline) {
  CompoundBuilder x;
  x.ExchangeId(options_.owner, verifier_);
  EFS_ASSIGN_OR_RETURN(Reply rx, Transmit(kSessionIdentity, x, deadline));
  EFS_RETURN_IF_ERROR(ToStatus(rx.status(), "EXCHANGE_ID"));
  const EXCHANGE_ID4resok& eir = rx.Last(OP_EXCHANGE_ID).opexchange_id.EXCHANGE_ID4res_u.eir_resok4;
  uint32_t room = options_.max_io + kHeaderRoom;
  CompoundBuilder c;
  c.CreateSession(eir.eir_clientid, eir.eir_sequenceid, kMaxOps, std::max(options_.slots, 1u), room,
                  /*max_cached=*/kHeaderRoom, room);
  EFS_ASSIGN_OR_RETURN(Reply rc, Transmit(kSessionIdentity, c, deadline));
  EFS_RETURN_IF_ERROR(ToStatus(rc.status(), "CREATE_SESSION"));
  const CREATE_SESSION4resok& csr =
      rc.Last(OP_CREATE_SESSION).opcreate_session.CREATE_SESSION4res_u.csr_resok4;
  {
    MutexLock l(&mu_);
    clientid_ = eir.eir_clientid;
    sessionid_.assign(csr.csr_sessionid, NFS4_SESSIONID_SIZE);
    slots_.assign(
        std::clamp(csr.csr_fore_chan_attrs.ca_maxrequests, 1u, std::max(options_.slots, 1u)),
        Slot());
    target_highest_ = static_cast<uint32_t>(slots_.size() - 1);
    ++epoch_;
    last_used_ = Clock::now();
    slot_cv_.SignalAll();
  }
  return Status::Ok();
}

Status ClientImpl::ReclaimComplete() {
  Result<Reply> r = Exchange(
      kSessionIdentity, "RECLAIM_COMPLETE", false, [](CompoundBuilder& b) { b.ReclaimComplete(); },
      Mode::kRecovery);
  if (!r.ok()) return r.status();
  if (r->status() != NFS4_OK && r->status() != NFS4ERR_COMPLETE_ALREADY) {
    return ToStatus(r->status(), "RECLAIM_COMPLETE");
  }
  return Status::Ok();
}

Status ClientImpl::Recover(uint64_t epoch, Clock::time_point deadline) {
  MutexLock r(&recover_mu_);
  {
    MutexLock l(&mu_);
    if (epoch_ != epoch) return Status::Ok();  // another caller recovered already
    // The destructor destroyed the session on purpose: no new one for a renewal racing it.
    if (stopping_) return Error(Code::kUnavailable, "Closing", "the client is closing");
    recovering_ = true;
  }
  EFS_LOG(kInfo) << "nfs4client: session lost; recovering client '" << options_.owner << "'";
  Status s;
  for (int attempt = 0; attempt < 3 && Clock::now() < deadline; ++attempt) {
    s = NewSession(deadline);
    if (s.ok()) s = ReclaimState();
    if (s.ok()) s = ReclaimComplete();  // RFC 5661 s18.51: the end of this client's reclaims
    if (s.ok()) break;
  }
  {
    MutexLock l(&mu_);
    recovering_ = false;
    slot_cv_.SignalAll();
  }
  if (!s.ok()) {
    return Error(Code::kUnavailable, "RecoveryFailed",
                 "cannot recover the session: " + s.ToString());
  }
  return s;
}

void ClientImpl::RenewLoop() {
  auto interval = std::chrono::milliseconds(std::max<int64_t>(1000, lease_ * 1000 / 3));
  for (;;) {
    {
      MutexLock l(&mu_);
      if (stopping_) return;
      Clock::time_point due = last_used_ + interval;
      if (Clock::now() < due) {
        stop_cv_.WaitUntil(&mu_, due);
        continue;
      }
      last_used_ = Clock::now();  // a failed renewal waits another interval
    }
    // RFC 5661 s8.3: any SEQUENCE renews the lease; an idle client sends one alone.
    Result<Reply> r = Exchange(kSessionIdentity, "SEQUENCE", false, [](CompoundBuilder&) {});
    if (!r.ok() && r.status().reason() != "Closing") {
      EFS_LOG(kWarn) << "nfs4client: lease renewal failed: " << r.status().ToString();
    }
  }
}

std::vector<std::shared_ptr<OpenFileImpl>> ClientImpl::LiveFiles() {
  MutexLock l(&mu_);
  std::vector<std::shared_ptr<OpenFileImpl>> out;
  std::vector<std::weak_ptr<OpenFileImpl>> keep;
  for (const auto& w : opens_) {
    std::shared_ptr<OpenFileImpl> f = w.lock();
    if (f == nullptr || f->closed()) continue;
    out.push_back(f);
    keep.push_back(w);
  }
  opens_ = std::move(keep);
  return out;
}

void ClientImpl::Register(const std::shared_ptr<OpenFileImpl>& f) {
  MutexLock l(&mu_);
  std::erase_if(opens_, [](const std::weak_ptr<OpenFileImpl>& w) { return w.expired(); });
  opens_.push_back(f);
}

std::string ClientImpl::NewOwner() {
  MutexLock l(&mu_);
  return "open-" + std::to_string(next_owner_++);
}

Status ClientImpl::ReclaimState() {
  for (const std::shared_ptr<OpenFileImpl>& f : LiveFiles()) {
    Status s = ReclaimFile(*f);
    if (s.ok()) continue;
    // A lost session or connection: start recovery over. Anything else loses this file only
    // (its stale stateid makes later calls through it fail).
    if (s.code() == Code::kUnavailable || s.reason() == "NFS4ERR_BADSESSION" ||
        s.reason() == "NFS4ERR_DEADSESSION" || s.reason() == "NFS4ERR_STALE_CLIENTID") {
      return s;
    }
    EFS_LOG(kWarn) << "nfs4client: cannot reopen a file after recovery: " << s.ToString();
  }
  return Status::Ok();
}

Status ClientImpl::ReclaimFile(OpenFileImpl& f) {
  // RFC 5661 s8.4.2.1: the open and its locks are reclaimed in the server's grace period; a
  // server that has none (NFS4ERR_NO_GRACE: it kept no record of this client, or the period
  // is over) gets them taken anew. Unstable data is written again either way.
  auto reopen = [this, &f](bool reclaim) {
    return Exchange(
        f.opener(), "reopen", true,
        [&f, reclaim](CompoundBuilder& b) {
          b.PutFh(f.fh());
          if (reclaim) {
            b.OpenPrevious(f.owner(), f.access());
          } else {
            b.OpenFh(f.owner(), f.access());
          }
          b.GetAttrs(AttrsMask());
        },
        Mode::kRecovery);
  };
  EFS_ASSIGN_OR_RETURN(Reply r, reopen(true));
  bool reclaim = r.status() != NFS4ERR_NO_GRACE;
  if (!reclaim) {
    EFS_ASSIGN_OR_RETURN(r, reopen(false));
  }
  EFS_RETURN_IF_ERROR(ToStatus(r.status(), "reopen"));
  f.SetStateid(r.Last(OP_OPEN).opopen.OPEN4res_u.resok4.stateid);
  DecodedAttrs d;
  if (DecodeFattr(r.Last(OP_GETATTR).opgetattr.GETATTR4res_u.resok4.obj_attributes, &d).ok()) {
    f.SetAttrs(d.attrs);
  }
  for (const auto& [owner, ranges] : locks_.TakeForReclaim(f.owner())) {
    for (const LockRange& range : ranges) {
      Result<std::optional<LockConflict>> relock =
          LockAs(f.opener(), f, owner, range, Mode::kRecovery, reclaim);
      if (reclaim && !relock.ok() && relock.status().reason() == "NFS4ERR_NO_GRACE") {
        relock = LockAs(f.opener(), f, owner, range, Mode::kRecovery, false);
      }
      EFS_ASSIGN_OR_RETURN(std::optional<LockConflict> denied, relock);
      if (denied) {
        EFS_LOG(kWarn) << "nfs4client: a lock was taken by another client during recovery";
      }
    }
  }
  for (const UnstableWrite& w : f.Unstable()) {
    EFS_RETURN_IF_ERROR(Rewrite(f.opener(), f, w, Mode::kRecovery));
  }
  return Status::Ok();
}

}  // namespace efs::nfs4client

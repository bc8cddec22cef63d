// Nfs4Server: RPC glue around Compound() (see nfs4_server.h).
#include "nfs4/nfs4_server.h"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "nfs4/compound.h"
#include "nfs4/compound_args.h"
#include "nfs4/op_table.h"
#include "qos/file_system_qos.h"
#include "xdr/xdr_mem.h"

namespace efs::nfs4 {
namespace {

uint32_t NewBootTag(const Clock* clock) {
  std::random_device rd;
  return static_cast<uint32_t>(clock->Now()) ^ rd();
}

// What a COMPOUND is charged before it runs: a data request by the bytes its WRITEs carry or
// its READs ask for, else a metadata request by its size; an update if an op changes the file
// system (the op budget's cost of 5).
qos::Charge EstimateCharge(const COMPOUND4args& args, size_t request_size) {
  qos::Charge c;
  uint64_t read = 0, written = 0;
  bool reads = false, writes = false;
  for (u_int i = 0; i < args.argarray.argarray_len; ++i) {
    const nfs_argop4& op = args.argarray.argarray_val[i];
    if (op.argop == OP_READ) {
      reads = true;
      read += std::min(op.nfs_argop4_u.opread.count, kMaxIoSize);
    } else if (op.argop == OP_WRITE) {
      writes = true;
      written += op.nfs_argop4_u.opwrite.data.data_len;
    }
    if (LookupOp(op.argop, args.minorversion).flags & kMutates) c.update = true;
    if (op.argop == OP_OPEN && op.nfs_argop4_u.opopen.openhow.opentype == OPEN4_CREATE) {
      c.update = true;  // OPEN changes the file system only when it creates
    }
  }
  c.kind = writes  ? qos::RequestKind::kWrite
           : reads ? qos::RequestKind::kRead
                   : qos::RequestKind::kMetadata;
  c.bytes = writes ? written : reads ? read : request_size;
  return c;
}

// What it moved, once it ran.
qos::Charge ActualCharge(const qos::Charge& estimate, const CompoundState& cs) {
  qos::Charge c = estimate;
  if (c.kind == qos::RequestKind::kWrite) c.bytes = cs.written_bytes;
  if (c.kind == qos::RequestKind::kRead) c.bytes = cs.read_bytes;
  return c;
}

// The answer to a COMPOUND turned away before it ran: NFS4ERR_DELAY on its first op (RFC 5661
// s15.1.1.3; for SEQUENCE, s2.10.6.2: the slot is untouched and the client resends the same
// request). REQUIRES: at least one op.
std::string DelayedResult(const COMPOUND4args& args) {
  COMPOUND4res res{};
  res.status = NFS4ERR_DELAY;
  res.tag = args.tag;  // borrowed for the encoding
  nfs_resop4 first{};
  first.resop = args.argarray.argarray_val[0].argop;
  SetOpStatus(&first, NFS4ERR_DELAY);
  res.resarray.resarray_len = 1;
  res.resarray.resarray_val = &first;
  std::string out;
  (void)efs::xdr::EncodeAppend(xdr_COMPOUND4res, res, &out);  // the args' own tag: it encodes
  return out;
}

// Whether a COMPOUND has an op that changes the file system or the server's state (and so
// must not run twice: the duplicate request cache keeps its reply).
bool ChangesSomething(const COMPOUND4args& args) {
  for (u_int i = 0; i < args.argarray.argarray_len; ++i) {
    const OpDesc& d = LookupOp(args.argarray.argarray_val[i].argop, args.minorversion);
    if ((d.flags & kMutates) != 0) return true;
  }
  return false;
}

std::string PeerAddress(const sockaddr_in& peer) {
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
  return ip;
}

}  // namespace

Nfs4Server::Nfs4Server(ExportResolver resolver, const Clock* clock, uint32_t lease_seconds,
                       state::ClientRecordStore* records)
    : resolver_(std::move(resolver)), state_(clock, NewBootTag(clock), lease_seconds, records) {}

void Nfs4Server::Register(rpc::ProgramTable* table) {
  rpc::RpcHandler compound = [this](const rpc::CallContext& ctx, XDR* args, std::string* reply) {
    return HandleCompound(ctx, args, reply);
  };
  table->Register(kNfsProgram, kNfsVersion, {nullptr, compound});
}

Status Nfs4Server::HandleCompound(const rpc::CallContext& ctx, XDR* args, std::string* reply) {
  efs::xdr::XdrOwned<COMPOUND4args> decoded(xdr_COMPOUND4args);
  LentWrites lent(decoded.get());  // destroyed first: takes back the loans before xdr_free
  if (!DecodeCompoundArgs(args, decoded.get(), &lent)) return efs::xdr::InvalidArgumentGarbage();
  // The request's size counts its RPC header, as a session's ca_maxrequestsize does (RFC 5661
  // s18.36.3): the stream holds the whole call.
  size_t size = xdr_getpos(args);
  const COMPOUND4args& compound = *decoded;
  std::optional<state::DuplicateCache::Key> key;
  if (compound.minorversion == 0 && ChangesSomething(compound)) {
    key = state::DuplicateCache::Key{ctx.info.peer.sin_addr.s_addr, ctx.info.peer.sin_port,
                                     ctx.header.xid, size, compound.argarray.argarray_val[0].argop};
    if (std::optional<std::string> kept = v40_replies_.Find(*key)) {
      reply->append(*kept);
      return Status::Ok();
    }
  }
  std::optional<std::string> results =
      Run(compound, ctx.cred, ctx.info.mount_target_id, size, &ctx, ctx.answer_later);
  if (results) {
    if (key) v40_replies_.Insert(*key, *results);
    reply->append(*results);
  }  // else it is answered late (4.1 only)
  return Status::Ok();
}

std::string Nfs4Server::Execute(const COMPOUND4args& args, const rpc::Credentials& cred,
                                const std::string& mount_target_id, size_t request_size) {
  return *Run(args, cred, mount_target_id, request_size, nullptr, nullptr);
}

std::optional<std::string> Nfs4Server::Run(const COMPOUND4args& args, const rpc::Credentials& cred,
                                           const std::string& mount_target_id, size_t request_size,
                                           const rpc::CallContext* ctx,
                                           const std::function<rpc::LateReply()>& answer_later) {
  Reap();
  fs::Credentials fc;
  fc.uid = cred.uid;
  fc.gid = cred.gid;
  fc.gids = cred.gids;
  std::string principal = std::to_string(cred.flavor) + ":" + std::to_string(cred.uid);
  CompoundState cs(&state_, resolver_(mount_target_id), std::move(fc), std::move(principal),
                   mount_target_id);
  cs.request_size = request_size;
  qos::FileSystemQos* qos = cs.exp() ? cs.exp()->qos : nullptr;
  if (qos == nullptr || args.argarray.argarray_len == 0) return Compound(cs, args, answer_later);
  const qos::Charge estimate = EstimateCharge(args, request_size);
  // Waits while the file system is over its limits; when too many requests wait already, the
  // client is told to send this one again (nothing of it ran).
  // Who sent it, worked out only for a file system with limits (not on every COMPOUND).
  const qos::Flow flow =
      ctx ? qos::Flow{PeerAddress(ctx->info.peer), reinterpret_cast<uintptr_t>(ctx->connection)}
          : qos::Flow{};
  if (!qos->Admit(flow, estimate)) return DelayedResult(args);
  std::optional<std::string> results = Compound(cs, args, answer_later);
  qos->Done(estimate, ActualCharge(estimate, cs));
  return results;
}

void Nfs4Server::Reap() {
  for (const state::ClientTable::Expired& e : state_.clients.Reap()) {
    state_.ReleaseClient(e.clientid);
    state_.grace.Forget(e.key);
  }
  (void)state_.grace.InGrace();  // ends a grace period whose time is up
  // NFSv4.0 open owners that hold no open are forgotten a lease after their last request (a
  // retransmission comes sooner than that).
  const double lease = state_.clients.lease_seconds();
  std::optional<std::set<std::pair<uint64_t, std::string>>> holding;
  state_.owners.Prune(lease, [&](const state::OwnerKey& key) {
    if (!holding) holding = state_.opens.OwnersWithOpens();
    return holding->contains({key.clientid, key.owner});
  });
}

}  // namespace efs::nfs4

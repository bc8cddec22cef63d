// Nfs4Server: RPC glue around Compound() (see nfs4_server.h).
#include "nfs4/nfs4_server.h"

#include <random>
#include <utility>

#include "nfs4/compound.h"
#include "xdr/xdr_mem.h"

namespace efs::nfs4 {
namespace {

uint32_t NewBootTag(const Clock* clock) {
  std::random_device rd;
  return static_cast<uint32_t>(clock->Now()) ^ rd();
}

}  // namespace

Nfs4Server::Nfs4Server(ExportResolver resolver, const Clock* clock)
    : resolver_(std::move(resolver)), state_(clock, NewBootTag(clock)) {}

void Nfs4Server::Register(rpc::ProgramTable* table) {
  rpc::RpcHandler compound = [this](const rpc::CallContext& ctx, XDR* args, std::string* reply) {
    return HandleCompound(ctx, args, reply);
  };
  table->Register(kNfsProgram, kNfsVersion, {nullptr, compound});
}

Status Nfs4Server::HandleCompound(const rpc::CallContext& ctx, XDR* args, std::string* reply) {
  u_int start = xdr_getpos(args);
  auto decoded = efs::xdr::DecodeFrom(xdr_COMPOUND4args, args);
  if (!decoded.ok()) return decoded.status();
  size_t size = xdr_getpos(args) - start;
  reply->append(Execute(*decoded.value(), ctx.cred, ctx.info.mount_target_id, size));
  return Status::Ok();
}

std::string Nfs4Server::Execute(const COMPOUND4args& args, const rpc::Credentials& cred,
                                const std::string& mount_target_id, size_t request_size) {
  Reap();
  fs::Credentials fc;
  fc.uid = cred.uid;
  fc.gid = cred.gid;
  fc.gids = cred.gids;
  std::string principal = std::to_string(cred.flavor) + ":" + std::to_string(cred.uid);
  CompoundState cs(&state_, resolver_(mount_target_id), std::move(fc), std::move(principal),
                   mount_target_id);
  cs.request_size = request_size;
  return Compound(cs, args);
}

void Nfs4Server::Reap() {
  for (uint64_t clientid : state_.clients.Reap()) state_.ReleaseClient(clientid);
}

}  // namespace efs::nfs4

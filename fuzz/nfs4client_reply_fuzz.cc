// Fuzz target: what the NFS client (lib/nfs4client, behind `efs mount`) decodes from a server.
// The first byte picks one of the COMPOUNDs the client sends; the rest is the server's RPC reply
// record. It goes through rpc::SuccessResults and DecodeReply as Transmit does, and what
// decodes is read as the client's callers read it: each sent op's result, the attributes of
// GETATTR (AttrsOf, NodeOf) and of every READDIR entry (DecodeFattr).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "nfs4client/attrs.h"
#include "nfs4client/client_impl.h"
#include "rpc/message.h"

namespace {

namespace nc = efs::nfs4client;

// The shapes of the client's COMPOUNDs (session.cc, ops_names.cc, ops_data.cc).
const std::vector<std::vector<nfs_opnum4>> kSent = {
    {OP_EXCHANGE_ID},
    {OP_CREATE_SESSION},
    {OP_SEQUENCE, OP_PUTROOTFH, OP_GETFH, OP_GETATTR},
    {OP_SEQUENCE, OP_PUTFH, OP_LOOKUP, OP_GETFH, OP_GETATTR},
    {OP_SEQUENCE, OP_PUTFH, OP_READDIR},
    {OP_SEQUENCE, OP_PUTFH, OP_READ},
    {OP_SEQUENCE, OP_PUTFH, OP_WRITE, OP_GETATTR},
    {OP_SEQUENCE, OP_PUTFH, OP_OPEN, OP_GETFH, OP_GETATTR},
    {OP_SEQUENCE, OP_PUTFH, OP_LOCK},
    {OP_SEQUENCE, OP_PUTFH, OP_READLINK},
    {OP_SEQUENCE, OP_PUTFH, OP_COMMIT},
};

bool Sent(const std::vector<nfs_opnum4>& sent, nfs_opnum4 op) {
  for (nfs_opnum4 s : sent) {
    if (s == op) return true;
  }
  return false;
}

void ReadAsCallersDo(const nc::Reply& reply, const std::vector<nfs_opnum4>& sent) {
  for (uint32_t i = 0; i < reply.count(); ++i) (void)reply.op_status(i);
  if (reply.status() != NFS4_OK) {
    if (reply.StoppedAt(OP_LOCK)) (void)reply.Last(OP_LOCK).oplock.LOCK4res_u.denied;
    return;
  }
  for (nfs_opnum4 op : sent) (void)reply.Last(op);
  if (Sent(sent, OP_GETATTR)) (void)nc::AttrsOf(reply);
  if (Sent(sent, OP_GETATTR) && Sent(sent, OP_GETFH)) (void)nc::NodeOf(reply);
  if (Sent(sent, OP_READDIR)) {
    const READDIR4resok& ok = reply.Last(OP_READDIR).opreaddir.READDIR4res_u.resok4;
    for (const entry4* e = ok.reply.entries; e != nullptr; e = e->nextentry) {
      nc::DecodedAttrs d;
      (void)nc::DecodeFattr(e->attrs, &d);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::vector<nfs_opnum4>& sent = kSent[data[0] % kSent.size()];
  std::string_view record(reinterpret_cast<const char*>(data) + 1, size - 1);
  efs::Result<std::string_view> results = efs::rpc::SuccessResults(record);
  if (!results.ok()) return 0;
  efs::Result<nc::Reply> reply = nc::DecodeReply(*results, sent, 1 << 20);
  if (reply.ok()) ReadAsCallersDo(*reply, sent);
  return 0;
}

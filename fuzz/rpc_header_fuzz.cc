// Fuzz target: ONC RPC message headers (RFC 5531 s9). Arbitrary bytes are decoded as a call
// header and its credential, as the server does with every record, and as a reply header, as
// the NFS client does with every reply. A credential that parses must survive being encoded
// again (the client's own AUTH_SYS encoder) unchanged.
#include <rpc/rpc.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rpc/auth_sys.h"
#include "rpc/message.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckCredentialsRoundTrip(const efs::rpc::Credentials& cred) {
  if (cred.flavor != efs::rpc::kAuthSys) return;
  efs::rpc::Credentials again;
  Check(efs::rpc::ParseCredentials(efs::rpc::EncodeAuthSys(cred, 7), &again) ==
        efs::rpc::AuthStat::kOk);
  Check(again.uid == cred.uid && again.gid == cred.gid && again.gids == cred.gids);
  Check(again.machine == cred.machine);
}

void DecodeCall(std::string_view bytes) {
  XDR xdrs;
  xdrmem_create(&xdrs, const_cast<char*>(bytes.data()), static_cast<u_int>(bytes.size()),
                XDR_DECODE);
  efs::rpc::CallHeader header;
  efs::rpc::HeaderStatus status = efs::rpc::DecodeCallHeader(&xdrs, &header);
  if (status == efs::rpc::HeaderStatus::kOk) {
    Check(xdr_getpos(&xdrs) <= bytes.size());
    Check(header.cred.body.size() <= efs::rpc::kMaxAuthBytes);
    Check(header.verf.body.size() <= efs::rpc::kMaxAuthBytes);
    efs::rpc::Credentials cred;
    if (efs::rpc::ParseCredentials(header.cred, &cred) == efs::rpc::AuthStat::kOk) {
      Check(cred.gids.size() <= efs::rpc::kMaxGids);
      Check(cred.machine.size() <= efs::rpc::kMaxMachineName);
      CheckCredentialsRoundTrip(cred);
    }
    // What the server would answer, for the header it read.
    (void)efs::rpc::AuthErrorReply(header.xid, efs::rpc::AuthStat::kBadCred);
  }
  xdr_destroy(&xdrs);
}

void DecodeReply(std::string_view bytes) {
  uint32_t xid = 0;
  Check(efs::rpc::ReplyXid(bytes, &xid) == (bytes.size() >= 4));
  efs::Result<std::string_view> results = efs::rpc::SuccessResults(bytes);
  if (results.ok()) {
    Check(results->data() >= bytes.data() &&
          results->data() + results->size() == bytes.data() + bytes.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  DecodeCall(bytes);
  DecodeReply(bytes);
  // The credential body alone, as every flavor the server knows.
  for (uint32_t flavor : {efs::rpc::kAuthNone, efs::rpc::kAuthSys, 6u}) {
    efs::rpc::Credentials cred;
    if (efs::rpc::ParseCredentials({flavor, std::string(bytes)}, &cred) ==
        efs::rpc::AuthStat::kOk) {
      CheckCredentialsRoundTrip(cred);
    }
  }
  return 0;
}

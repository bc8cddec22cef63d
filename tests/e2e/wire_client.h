// WireClient: a minimal NFSv4.1 client over one TCP connection, for tests and benchmarks that
// speak to the real efsd: RPC record marking (RFC 5531 s11), AUTH_SYS as root, one session
// whose COMPOUNDs all go through slot 0.
//
//   WireClient c;
//   if (!c.Connect(ip, port) || !c.StartSession("host")) ...
//   CompoundBuilder b = c.Seq();
//   b.PutRootFh().GetAttr({FATTR4_SIZE});
//   auto r = c.Compound(b);  // nullopt if the call failed; else check (*r)->status
//
// Not thread-safe: one caller at a time, one call in flight.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "base/unique_fd.h"
#include "tests/nfs4/compound_builder.h"
#include "xdr/xdr_owned.h"

namespace efs::e2e {

class WireClient {
 public:
  // Connects to ip:port; returns true iff the connection is up.
  bool Connect(const std::string& ip, int port);

  // One call; returns the accept_stat and, for SUCCESS, the result bytes. nullopt when the
  // connection fails or closes.
  std::optional<std::pair<uint32_t, std::string>> Call(uint32_t prog, uint32_t vers,
                                                       uint32_t proc, const std::string& args);

  // One NFSv4 COMPOUND; nullopt unless the call succeeded and the reply decodes.
  std::optional<xdr::XdrOwned<COMPOUND4res>> Compound(nfs4::testing::CompoundBuilder& b);

  // EXCHANGE_ID and CREATE_SESSION; returns true iff both succeed.
  bool StartSession(const std::string& owner);
  // The next SEQUENCE on slot 0; `cache` asks the server to keep the reply for a retransmission
  // (sa_cachethis), as clients do for requests that are not idempotent.
  nfs4::testing::CompoundBuilder Seq(bool cache = false);
  // The last SEQUENCE again, as a client retransmitting after a lost reply sends it.
  nfs4::testing::CompoundBuilder Retransmission();

 private:
  bool ReadExactly(size_t n, std::string* out);

  UniqueFd fd_;
  uint32_t xid_ = 0;
  char session_[NFS4_SESSIONID_SIZE] = {};
  uint32_t seqid_ = 0;
};

}  // namespace efs::e2e

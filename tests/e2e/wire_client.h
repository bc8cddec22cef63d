// WireClient: a minimal NFSv4.1 client over one TCP connection, for tests and benchmarks that
// speak to the real efsd: RPC record marking (RFC 5531 s11), AUTH_SYS as root, one session
// whose COMPOUNDs all go through slot 0. The session's requests and replies may be 1 MiB + 64 KiB,
// so a 1 MiB READ or WRITE fits; arguments and replies are copied no more than needed.
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
#include <string_view>
#include <utility>

#include "base/unique_fd.h"
#include "tests/nfs4/compound_builder.h"
#include "xdr/xdr_owned.h"

namespace efs::e2e {

class WireClient {
 public:
  // Connects to ip:port; returns true iff the connection is up.
  bool Connect(const std::string& ip, int port);
  // Uses `conn`, a TCP connection made elsewhere (inside another network namespace, say).
  void Adopt(UniqueFd conn);

  // One call; returns the accept_stat and, for SUCCESS, the result bytes. nullopt when the
  // connection fails or closes.
  std::optional<std::pair<uint32_t, std::string>> Call(uint32_t prog, uint32_t vers, uint32_t proc,
                                                       std::string_view args);

  // One NFSv4 COMPOUND; nullopt unless the call succeeded and the reply decodes.
  std::optional<xdr::XdrOwned<COMPOUND4res>> Compound(nfs4::testing::CompoundBuilder& b);

  // EXCHANGE_ID, CREATE_SESSION and RECLAIM_COMPLETE (this client reclaims nothing); returns
  // true iff all succeed.
  bool StartSession(const std::string& owner);
  // DESTROY_SESSION and DESTROY_CLIENTID, so the server forgets this client now rather than when
  // its lease runs out; returns true iff both succeed. REQUIRES: the client holds no open or
  // lock state (DESTROY_CLIENTID refuses a client that does).
  bool EndSession();
  // The next SEQUENCE on slot 0; `cache` asks the server to keep the reply for a retransmission
  // (sa_cachethis), as clients do for requests that are not idempotent.
  nfs4::testing::CompoundBuilder Seq(bool cache = false);
  // The last SEQUENCE again, as a client retransmitting after a lost reply sends it.
  nfs4::testing::CompoundBuilder Retransmission();

  // Writes `data` to `name` in the root, or in its directory `dir` (OPEN create, WRITE
  // FILE_SYNC, CLOSE); returns true iff that succeeded.
  bool WriteFile(const std::string& name, std::string_view data, const std::string& dir = "");
  // Reads up to 1 MiB of `name` in the root (OPEN, READ, CLOSE); nullopt if that failed.
  std::optional<std::string> ReadFile(const std::string& name);

 private:
  // Sends one call and reads its whole reply into *reply. Returns the accept_stat, with *results
  // the result bytes inside *reply; nullopt as Call.
  std::optional<uint32_t> Exchange(uint32_t prog, uint32_t vers, uint32_t proc,
                                   std::string_view args, std::string* reply,
                                   std::string_view* results);
  // Appends the next `n` bytes from the connection to *out; false if it fails or closes.
  bool ReadExactly(size_t n, std::string* out);

  UniqueFd fd_;
  uint32_t xid_ = 0;
  uint64_t clientid_ = 0;
  char session_[NFS4_SESSIONID_SIZE] = {};
  uint32_t seqid_ = 0;
};

}  // namespace efs::e2e

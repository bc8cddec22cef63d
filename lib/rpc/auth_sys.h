// AUTH_NONE and AUTH_SYS credentials (RFC 5531 s14 and appendix A): the caller's identity as the
// file-system layer checks permissions with it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rpc/message.h"

namespace efs::rpc {

inline constexpr uint32_t kAuthNone = 0;
inline constexpr uint32_t kAuthSys = 1;
// RFC 5531 appendix A: machinename<255> and gids<16>.
inline constexpr size_t kMaxMachineName = 255;
inline constexpr size_t kMaxGids = 16;
// The identity of an AUTH_NONE caller (nobody).
inline constexpr uint32_t kNobody = 65534;

struct Credentials {
  uint32_t flavor = kAuthNone;
  uint32_t uid = kNobody;
  uint32_t gid = kNobody;
  std::vector<uint32_t> gids;  // supplementary groups, at most kMaxGids
  std::string machine;         // AUTH_SYS machinename; empty for AUTH_NONE
};

// Parses a call's credential into *out. Returns AuthStat::kOk, or why to reject the call:
// kBadCred for an AUTH_SYS body that does not decode exactly (17 gids, a 256-byte name,
// trailing bytes) or a non-empty AUTH_NONE body; kTooWeak for any other flavor, such as
// RPCSEC_GSS, which efsd does not offer.
AuthStat ParseCredentials(const OpaqueAuth& cred, Credentials* out);

// Client side: `cred` (uid, gid, at most kMaxGids gids, machine name) as an AUTH_SYS opaque_auth
// with `stamp`. Extra gids are dropped and a longer machine name is cut at kMaxMachineName.
OpaqueAuth EncodeAuthSys(const Credentials& cred, uint32_t stamp);

}  // namespace efs::rpc

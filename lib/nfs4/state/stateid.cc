// Stateid encoding and the special stateids (see stateid.h for the format).
#include "nfs4/state/stateid.h"

#include <cstring>

namespace efs::nfs4::state {
namespace {

bool OtherIs(const stateid4& s, unsigned char byte) {
  for (char c : s.other) {
    if (static_cast<unsigned char>(c) != byte) return false;
  }
  return true;
}

uint32_t BootTagOf(const stateid4& s) {
  uint32_t tag = 0;
  for (int i = 0; i < 4; ++i) tag = (tag << 8) | static_cast<unsigned char>(s.other[i]);
  return tag;
}

}  // namespace

bool IsAnonymous(const stateid4& s) { return s.seqid == 0 && OtherIs(s, 0); }
bool IsBypass(const stateid4& s) { return s.seqid == UINT32_MAX && OtherIs(s, 0xff); }
bool IsCurrent(const stateid4& s) { return s.seqid == 1 && OtherIs(s, 0); }

stateid4 InvalidStateid() {
  stateid4 s{};
  s.seqid = UINT32_MAX;
  return s;
}

stateid4 StateIdCodec::Make(uint64_t number, uint32_t seqid) const {
  stateid4 s{};
  s.seqid = seqid;
  for (int i = 0; i < 4; ++i) s.other[i] = static_cast<char>(boot_tag_ >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i) s.other[4 + i] = static_cast<char>(number >> (56 - 8 * i));
  return s;
}

std::optional<uint64_t> StateIdCodec::Number(const stateid4& s) const {
  if (BootTagOf(s) != boot_tag_) return std::nullopt;
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = (n << 8) | static_cast<unsigned char>(s.other[4 + i]);
  if (n == 0) return std::nullopt;
  return n;
}

bool StateIdCodec::FromOtherBoot(const stateid4& s) const {
  return !OtherIs(s, 0) && !OtherIs(s, 0xff) && BootTagOf(s) != boot_tag_;
}

void RevokedStates::Add(const std::vector<uint64_t>& numbers, double now) {
  MutexLock lock(&mu_);
  std::erase_if(gone_, [&](const auto& g) { return now - g.second > keep_seconds_; });
  for (uint64_t n : numbers) gone_[n] = now;
  // Numbers only grow within a boot: the smallest went first.
  while (gone_.size() > kMaxRevoked) gone_.erase(gone_.begin());
}

bool RevokedStates::Contains(uint64_t number, double now) {
  MutexLock lock(&mu_);
  auto it = gone_.find(number);
  return it != gone_.end() && now - it->second <= keep_seconds_;
}

}  // namespace efs::nfs4::state

// Random resource ids.
#include "base/ids.h"

#include <cstdint>
#include <random>

#include "base/mutex.h"

namespace efs {

std::string NewId(std::string_view prefix) {
  static Mutex mu;
  static std::mt19937_64 rng GUARDED_BY(mu){std::random_device{}()};
  uint64_t bits;
  {
    MutexLock lock(&mu);
    bits = rng() >> 1;  // 63 bits, as AWS long ids
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  out += '-';
  // 17 hex digits hold 68 bits, so the first digit is always 0, as in AWS long ids.
  out += '0';
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(bits >> shift) & 0xf];
  return out;
}

bool IsValidId(std::string_view id, std::string_view prefix) {
  if (id.size() <= prefix.size() + 1 || id.substr(0, prefix.size()) != prefix ||
      id[prefix.size()] != '-') {
    return false;
  }
  std::string_view hex = id.substr(prefix.size() + 1);
  if (hex.size() < 8 || hex.size() > 40) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace efs

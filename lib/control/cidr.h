// IPv4 addresses and CIDR blocks: parsing, formatting and the arithmetic subnets and security
// group rules need. Addresses are host-order uint32_t.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace efs::control {

// Parses dotted-quad "a.b.c.d" (each part 0-255, no leading zeros except "0").
std::optional<uint32_t> ParseIpv4(std::string_view text);
std::string FormatIpv4(uint32_t ip);

struct Cidr {
  uint32_t base = 0;  // as written; equals network() iff aligned()
  int prefix = 0;     // 0..32

  uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
  uint32_t network() const { return base & mask(); }
  uint64_t size() const { return uint64_t{1} << (32 - prefix); }
  uint32_t last() const { return network() | ~mask(); }
  // True iff the address part has no bits below the prefix ("10.0.0.0/8", not "10.0.0.1/8").
  bool aligned() const { return base == network(); }
  bool Contains(uint32_t ip) const { return (ip & mask()) == network(); }
  bool Contains(const Cidr& inner) const {
    return inner.prefix >= prefix && Contains(inner.network());
  }
  bool Overlaps(const Cidr& other) const { return Contains(other) || other.Contains(*this); }
  std::string ToString() const { return FormatIpv4(base) + "/" + std::to_string(prefix); }
};

// Parses "a.b.c.d/n" with n in 0..32. Does not require alignment (see Cidr::aligned).
std::optional<Cidr> ParseCidr(std::string_view text);

}  // namespace efs::control

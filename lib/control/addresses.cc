// Free addresses and prefixes of a subnet (see addresses.h).
#include "control/addresses.h"

#include <algorithm>

#include "control/errors.h"

namespace efs::control {
namespace {

// AWS reserves the first four addresses of a subnet and its last one.
constexpr uint32_t kReservedAtStart = 4;
constexpr int kPrefixLength = 28;  // EC2's Ipv4PrefixCount hands out /28s

}  // namespace

SubnetAddresses::SubnetAddresses(const std::string& subnet_id, const Cidr& subnet,
                                 const std::vector<std::string>& used)
    : subnet_id_(subnet_id),
      subnet_(subnet),
      first_(subnet.network() + kReservedAtStart),
      last_(subnet.last() - 1) {
  for (const std::string& text : used) {
    std::optional<Cidr> block =
        text.find('/') == std::string::npos ? ParseCidr(text + "/32") : ParseCidr(text);
    if (!block || !subnet_.Overlaps(*block)) continue;
    for (uint64_t ip = block->network(); ip <= block->last(); ++ip) {
      used_.insert(static_cast<uint32_t>(ip));
    }
  }
}

bool SubnetAddresses::Free(uint32_t ip) const {
  return ip >= first_ && ip <= last_ && !used_.count(ip);
}

int64_t SubnetAddresses::FreeCount() const {
  int64_t usable = static_cast<int64_t>(last_) - static_cast<int64_t>(first_) + 1;
  int64_t taken = 0;
  for (uint32_t ip : used_) taken += (ip >= first_ && ip <= last_) ? 1 : 0;
  return std::max<int64_t>(0, usable - taken);
}

Result<std::string> SubnetAddresses::Pick(const std::optional<std::string>& requested,
                                          const char* in_use_code, const char* full_code) {
  if (requested) {
    std::optional<uint32_t> ip = ParseIpv4(*requested);
    if (!ip) return InvalidParameterValue("'" + *requested + "' is not a valid IPv4 address");
    if (!subnet_.Contains(*ip)) {
      return InvalidParameterValue("ip address '" + *requested + "' is not in subnet '" +
                                   subnet_id_ + "' (" + subnet_.ToString() + ")");
    }
    if (*ip < first_ || *ip > last_) {
      return InvalidParameterValue("ip address '" + *requested + "' is reserved in subnet '" +
                                   subnet_id_ + "'");
    }
    if (used_.count(*ip)) {
      return Error(Code::kAlreadyExists, in_use_code,
                   "ip address '" + *requested + "' is already in use");
    }
    used_.insert(*ip);
    return *requested;
  }
  for (uint64_t ip = first_; ip <= last_; ++ip) {
    if (Free(static_cast<uint32_t>(ip))) {
      used_.insert(static_cast<uint32_t>(ip));
      return FormatIpv4(static_cast<uint32_t>(ip));
    }
  }
  return Error(Code::kResourceExhausted, full_code,
               "subnet '" + subnet_id_ + "' has no free addresses");
}

Status SubnetAddresses::TakePrefix(const std::string& text) {
  std::optional<Cidr> cidr = ParseCidr(text);
  if (!cidr || !cidr->aligned() || cidr->prefix < 16 || cidr->prefix > kPrefixLength) {
    return InvalidParameterValue("'" + text + "' is not an aligned IPv4 prefix from /16 to /28");
  }
  if (!subnet_.Contains(*cidr)) {
    return InvalidParameterValue("prefix '" + text + "' is not in subnet '" + subnet_id_ + "' (" +
                                 subnet_.ToString() + ")");
  }
  for (uint64_t ip = cidr->network(); ip <= cidr->last(); ++ip) {
    if (!Free(static_cast<uint32_t>(ip))) {
      return Error(Code::kAlreadyExists, "InvalidIPAddress.InUse",
                   "prefix '" + text + "' holds addresses that are reserved or in use");
    }
  }
  for (uint64_t ip = cidr->network(); ip <= cidr->last(); ++ip) {
    used_.insert(static_cast<uint32_t>(ip));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> SubnetAddresses::TakePrefixes(int count) {
  std::vector<std::string> taken;
  const uint64_t block = uint64_t{1} << (32 - kPrefixLength);
  for (uint64_t base = subnet_.network();
       base + block - 1 <= subnet_.last() && static_cast<int>(taken.size()) < count;
       base += block) {
    std::string cidr =
        FormatIpv4(static_cast<uint32_t>(base)) + "/" + std::to_string(kPrefixLength);
    if (TakePrefix(cidr).ok()) taken.push_back(cidr);
  }
  if (static_cast<int>(taken.size()) < count) {
    return Error(Code::kResourceExhausted, "InsufficientFreeAddressesInSubnet",
                 "subnet '" + subnet_id_ + "' has fewer than " + std::to_string(count) +
                     " free /28 prefixes");
  }
  return taken;
}

}  // namespace efs::control

// Addresses of a subnet: which are reserved, which are used (by mount targets, client network
// interfaces and their prefixes), and the choice of a free address or free /28 prefixes.
// Private to lib/control.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "control/cidr.h"

namespace efs::control {

class SubnetAddresses {
 public:
  // `used`: the addresses (and CIDRs) in use in the subnet's VPC; those outside `subnet` are
  // ignored. AWS reserves the first four addresses of a subnet and its last.
  SubnetAddresses(const std::string& subnet_id, const Cidr& subnet,
                  const std::vector<std::string>& used);

  // How many addresses are neither reserved nor used.
  int64_t FreeCount() const;
  // `requested` if it is a free address of the subnet, else the first free one. Errors as EC2:
  // InvalidParameterValue (not an address, outside the subnet, reserved), `in_use_code`
  // (IpAddressInUse for EFS, InvalidIPAddress.InUse for EC2), and `full_code` when none is free.
  Result<std::string> Pick(const std::optional<std::string>& requested, const char* in_use_code,
                           const char* full_code);
  // Checks that `cidr` is a prefix (/16../28, aligned) inside the subnet whose addresses are all
  // free and unreserved, and marks it used.
  Status TakePrefix(const std::string& cidr);
  // The first `count` free /28 prefixes, marked used; InsufficientFreeAddressesInSubnet if
  // there are not that many.
  Result<std::vector<std::string>> TakePrefixes(int count);

 private:
  bool Free(uint32_t ip) const;

  std::string subnet_id_;
  Cidr subnet_;
  uint32_t first_ = 0;  // the first and last address that may be used
  uint32_t last_ = 0;
  std::set<uint32_t> used_;
};

}  // namespace efs::control

// Network interfaces from the CLI's side: waiting for one to settle, and how a process on this
// host reaches a mount target of a VPC (netns network backend).
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "cmd/context.h"

namespace efs::cli {

// One request to efsd (Context::Call, or api::Client::Call in mount.efs).
using ApiCall = std::function<Result<Json>(const std::string& action, const Json& params)>;

// Polls DescribeNetworkInterfaces for `eni_id` until its Status is `status`, for at most
// `timeout_seconds` (WaitTimeout after that), and returns its description.
Result<Json> WaitForInterface(const ApiCall& call, const std::string& eni_id,
                              const std::string& status, double timeout_seconds);
Result<Json> WaitForInterface(Context& ctx, const std::string& eni_id, const std::string& status,
                              double timeout_seconds);

// True iff this process's network namespace has a route to IPv4 address `ip` (a route lookup
// only: nothing is sent). The host routes a VPC's CIDR unreachable, so false there.
bool Routable(const std::string& ip);

// The network namespace to reach mount target address `ip` of subnet `subnet_id` from: "" if
// this namespace routes to it (loopback, or inside the VPC already), else the namespace of
// this host's own interface in that subnet (EnsureHostInterface), made on first use and waited
// for.
Result<std::string> NetnsToReach(const ApiCall& call, const std::string& ip,
                                 const std::string& subnet_id);

}  // namespace efs::cli

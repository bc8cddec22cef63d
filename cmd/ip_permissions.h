// The options authorize- and revoke-security-group-ingress share: the AWS CLI shorthand
// (--protocol --port --cidr) or the JSON form (--ip-permissions).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <CLI/CLI.hpp>

#include "api/messages.h"
#include "base/status.h"

namespace efs::cli {

struct IngressOptions {
  std::string group_id;
  std::optional<std::string> protocol;        // tcp | udp | icmp | -1
  std::optional<std::string> port;            // "N" or "N-M"
  std::optional<std::string> cidr;            // e.g. 10.0.0.0/16
  std::optional<std::string> ip_permissions;  // JSON array of IpPermission
};

// Adds --group-id, --protocol, --port, --cidr and --ip-permissions.
void AddIngressOptions(CLI::App& app, IngressOptions* options);

// Parses "N" or "N-M" into a port range; each end 0-65535 (or -1 for all), first <= last.
Result<std::pair<int, int>> ParsePortRange(std::string_view text);

// Builds the request from either form; a missing or malformed piece is a UsageError.
Result<api::SecurityGroupIngressRequest> BuildIngressRequest(const IngressOptions& options);

}  // namespace efs::cli

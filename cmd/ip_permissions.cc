// Shorthand and JSON forms of security group inbound rules.
#include "cmd/ip_permissions.h"

#include <charconv>

#include "cmd/exit_codes.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

using api::Json;

std::optional<int> ParsePort(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < -1 || value > 65535) return std::nullopt;
  return value;
}

Result<api::SecurityGroupIngressRequest> FromJsonForm(const std::string& group_id,
                                                     const std::string& text) {
  api::SecurityGroupIngressRequest request{.group_id = group_id, .ip_permissions = {}};
  Json list = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (list.is_object()) list = Json::array({list});
  if (list.is_discarded() || !list.is_array() || list.empty()) {
    return UsageError("bad --ip-permissions: expected a JSON array of IpPermission objects");
  }
  for (const Json& item : list) {
    api::IpPermission permission;
    Status status = api::FromJson(item, &permission);
    if (!status.ok()) return UsageError("bad --ip-permissions: " + status.message());
    request.ip_permissions.push_back(std::move(permission));
  }
  return request;
}

}  // namespace

void AddIngressOptions(CLI::App& app, IngressOptions* options) {
  app.add_option("--group-id", options->group_id, "the security group")
      ->required()
      ->type_name("ID");
  CLI::Option* protocol = AddEnum(app, "--protocol", &options->protocol, kIpProtocols,
                                  "tcp, udp, icmp or -1 (all)");
  CLI::Option* port = AddOptional(app, "--port", &options->port, "a port N or a range N-M")
                          ->type_name("PORTS");
  CLI::Option* cidr = AddOptional(app, "--cidr", &options->cidr, "the source range, e.g. "
                                                                 "10.0.0.0/16")
                          ->type_name("CIDR");
  AddOptional(app, "--ip-permissions", &options->ip_permissions,
              "the rules as AWS JSON, e.g. '[{\"IpProtocol\":\"tcp\",...}]'")
      ->type_name("JSON")
      ->excludes(protocol)
      ->excludes(port)
      ->excludes(cidr);
}

Result<std::pair<int, int>> ParsePortRange(std::string_view text) {
  size_t dash = text.find('-', 1);  // a leading '-' is the sign of -1
  std::optional<int> from = ParsePort(text.substr(0, dash));
  std::optional<int> to = dash == std::string_view::npos ? from : ParsePort(text.substr(dash + 1));
  if (!from || !to || *from > *to) {
    return UsageError("bad --port '" + std::string(text) + "': expected N or N-M, 0-65535");
  }
  return std::make_pair(*from, *to);
}

Result<api::SecurityGroupIngressRequest> BuildIngressRequest(const IngressOptions& options) {
  if (options.ip_permissions) return FromJsonForm(options.group_id, *options.ip_permissions);
  if (!options.protocol || !options.cidr) {
    return UsageError("give --protocol and --cidr (and --port), or --ip-permissions");
  }
  api::IpPermission permission;
  permission.ip_protocol = *options.protocol;
  permission.ip_ranges.push_back({.cidr_ip = *options.cidr, .description = std::nullopt});
  if (*options.protocol == "tcp" || *options.protocol == "udp") {
    if (!options.port) return UsageError("--protocol " + *options.protocol + " needs --port");
    Result<std::pair<int, int>> range = ParsePortRange(*options.port);
    if (!range.ok()) return range.status();
    permission.from_port = range->first;
    permission.to_port = range->second;
  } else if (*options.protocol == "icmp") {
    // As in EC2: FromPort is the ICMP type and ToPort the code; -1 means all.
    permission.from_port = -1;
    permission.to_port = -1;
    if (options.port) {
      Result<std::pair<int, int>> range = ParsePortRange(*options.port);
      if (!range.ok()) return range.status();
      permission.from_port = range->first;
      permission.to_port = range->second;
    }
  }  // -1: every protocol and port; ports are omitted.
  return api::SecurityGroupIngressRequest{.group_id = options.group_id,
                                          .ip_permissions = {std::move(permission)}};
}

}  // namespace efs::cli

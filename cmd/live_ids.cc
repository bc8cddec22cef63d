// ListLiveIds: the ids efsd knows for an id-valued option, for `efs __complete`.
#include "cmd/live_ids.h"

#include <algorithm>

namespace efs::cli {
namespace {

// An id-valued option whose ids one describe action lists: reply[list][*][id].
struct Listing {
  const char* option;
  const char* action;
  const char* list;
  const char* id;
};

const Listing kListings[] = {
    {"--file-system-id", "DescribeFileSystems", "FileSystems", "FileSystemId"},
    {"--resource-id", "DescribeFileSystems", "FileSystems", "FileSystemId"},
    {"--subnet-id", "DescribeSubnets", "Subnets", "SubnetId"},
    {"--subnet-ids", "DescribeSubnets", "Subnets", "SubnetId"},
    {"--security-groups", "DescribeSecurityGroups", "SecurityGroups", "GroupId"},
    {"--group-id", "DescribeSecurityGroups", "SecurityGroups", "GroupId"},
    {"--group-ids", "DescribeSecurityGroups", "SecurityGroups", "GroupId"},
    {"--vpc-id", "DescribeVpcs", "Vpcs", "VpcId"},
    {"--vpc-ids", "DescribeVpcs", "Vpcs", "VpcId"},
    {"--peer-vpc-id", "DescribeVpcs", "Vpcs", "VpcId"},
    {"--network-interface-id", "DescribeNetworkInterfaces", "NetworkInterfaces",
     "NetworkInterfaceId"},
    {"--network-interface-ids", "DescribeNetworkInterfaces", "NetworkInterfaces",
     "NetworkInterfaceId"},
    {"--vpc-peering-connection-id", "DescribeVpcPeeringConnections", "VpcPeeringConnections",
     "VpcPeeringConnectionId"},
    {"--vpc-peering-connection-ids", "DescribeVpcPeeringConnections", "VpcPeeringConnections",
     "VpcPeeringConnectionId"},
    {"--route-table-id", "DescribeRouteTables", "RouteTables", "RouteTableId"},
    {"--route-table-ids", "DescribeRouteTables", "RouteTables", "RouteTableId"},
    {"--vpn-gateway-id", "DescribeVpnGateways", "VpnGateways", "VpnGatewayId"},
    {"--vpn-gateway-ids", "DescribeVpnGateways", "VpnGateways", "VpnGatewayId"},
    {"--gateway-id", "DescribeVpnGateways", "VpnGateways", "VpnGatewayId"},
};

// The items of reply[list] for `action` with `params`, or none on any failure.
std::vector<Json> Items(Context& ctx, const char* action, const Json& params, const char* list) {
  Result<Json> reply = ctx.Call(action, params);
  if (!reply.ok() || !reply->is_object()) return {};
  auto items = reply->find(list);
  if (items == reply->end() || !items->is_array()) return {};
  return std::vector<Json>(items->begin(), items->end());
}

std::vector<std::string> Collect(Context& ctx, const char* action, const Json& params,
                                 const char* list, const char* id) {
  std::vector<std::string> ids;
  for (const Json& item : Items(ctx, action, params, list)) {
    std::string value = StringField(item, id);
    if (!value.empty()) ids.push_back(value);
  }
  return ids;
}

// Attachment ids live inside the interfaces that hold them.
std::vector<std::string> AttachmentIds(Context& ctx) {
  std::vector<std::string> ids;
  for (const Json& eni :
       Items(ctx, "DescribeNetworkInterfaces", Json::object(), "NetworkInterfaces")) {
    auto attachment = eni.is_object() ? eni.find("Attachment") : eni.end();
    if (attachment == eni.end()) continue;
    std::string value = StringField(*attachment, "AttachmentId");
    if (!value.empty()) ids.push_back(value);
  }
  return ids;
}

// Mount targets are listed per file system: the one on the line, else every one.
std::vector<std::string> MountTargetIds(Context& ctx, const std::vector<std::string>& words) {
  std::vector<std::string> file_systems;
  auto given = std::find(words.begin(), words.end(), "--file-system-id");
  if (given != words.end() && given + 2 < words.end()) {
    file_systems.push_back(*(given + 1));
  } else {
    file_systems =
        Collect(ctx, "DescribeFileSystems", Json::object(), "FileSystems", "FileSystemId");
  }
  std::vector<std::string> ids;
  for (const std::string& fs : file_systems) {
    for (std::string& id : Collect(ctx, "DescribeMountTargets", Json{{"FileSystemId", fs}},
                                   "MountTargets", "MountTargetId")) {
      ids.push_back(std::move(id));
    }
  }
  return ids;
}

}  // namespace

bool HasLiveIds(const std::string& option) {
  if (option == "--mount-target-id" || option == "--attachment-id") return true;
  return std::any_of(std::begin(kListings), std::end(kListings),
                     [&](const Listing& l) { return option == l.option; });
}

std::vector<std::string> ListLiveIds(Context& ctx, const std::string& option,
                                     const std::vector<std::string>& words) {
  if (option == "--mount-target-id") return MountTargetIds(ctx, words);
  if (option == "--attachment-id") return AttachmentIds(ctx);
  for (const Listing& l : kListings) {
    if (option == l.option) return Collect(ctx, l.action, Json::object(), l.list, l.id);
  }
  return {};
}

}  // namespace efs::cli

// Security-group admission of TCP connections to mount targets.
#include "control/admission.h"

#include "base/macros.h"
#include "control/cidr.h"

namespace efs::control {
namespace {

bool RuleAdmits(const api::IpPermission& rule, uint32_t peer_ip, int port) {
  bool all = rule.ip_protocol == "-1" || rule.ip_protocol == "all";
  bool tcp = rule.ip_protocol == "tcp" || rule.ip_protocol == "6";
  if (!all && !tcp) return false;
  if (tcp && (port < rule.from_port.value_or(0) || port > rule.to_port.value_or(65535))) {
    return false;
  }
  for (const api::IpRange& range : rule.ip_ranges) {
    std::optional<Cidr> cidr = ParseCidr(range.cidr_ip);
    if (cidr && cidr->Contains(peer_ip)) return true;
  }
  return false;
}

}  // namespace

bool AdmitsTcp(const std::vector<api::SecurityGroup>& groups, uint32_t peer_ip, int port) {
  for (const api::SecurityGroup& group : groups) {
    for (const api::IpPermission& rule : group.ip_permissions) {
      if (RuleAdmits(rule, peer_ip, port)) return true;
    }
  }
  return false;
}

Result<bool> AdmitsConnection(ControlPlane& control, const std::string& mount_target_id,
                              uint32_t peer_ip, int port) {
  api::DescribeMountTargetSecurityGroupsRequest ids_request;
  ids_request.mount_target_id = mount_target_id;
  EFS_ASSIGN_OR_RETURN(api::DescribeMountTargetSecurityGroupsResponse ids,
                       control.DescribeMountTargetSecurityGroups(ids_request));
  api::DescribeSecurityGroupsRequest groups_request;
  groups_request.group_ids = ids.security_groups;
  EFS_ASSIGN_OR_RETURN(api::DescribeSecurityGroupsResponse groups,
                       control.DescribeSecurityGroups(groups_request));
  return AdmitsTcp(groups.security_groups, peer_ip, port);
}

}  // namespace efs::control

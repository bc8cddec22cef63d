// Security group actions shaped as EC2 shapes them: CreateSecurityGroup,
// DescribeSecurityGroups, AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress,
// DeleteSecurityGroup. A group is a list of inbound rules (protocol, ports, source CIDR).
#include "base/ids.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/cidr.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr size_t kMaxNameLength = 255;

Result<std::string> NormalizeProtocol(const std::string& protocol) {
  if (protocol == "tcp" || protocol == "6") return std::string("tcp");
  if (protocol == "udp" || protocol == "17") return std::string("udp");
  if (protocol == "icmp" || protocol == "1") return std::string("icmp");
  if (protocol == "-1" || protocol == "all") return std::string("-1");
  return InvalidParameterValue("ip protocol '" + protocol + "' is not one of tcp, udp, icmp, -1");
}

// Fills rule.from_port/to_port from a permission, checking the ranges its protocol allows.
Status PortsOf(const api::IpPermission& p, store::IngressRuleRow& rule) {
  if (rule.protocol == "-1") return Status::Ok();  // all traffic: ports do not apply
  if (rule.protocol == "icmp") {
    rule.from_port = p.from_port.value_or(-1);
    rule.to_port = p.to_port.value_or(-1);
    if (rule.from_port < -1 || rule.from_port > 255 || rule.to_port < -1 || rule.to_port > 255) {
      return InvalidParameterValue("icmp type and code must be between -1 and 255");
    }
    return Status::Ok();
  }
  if (!p.from_port || !p.to_port) {
    return InvalidParameterValue("protocol '" + rule.protocol + "' requires FromPort and ToPort");
  }
  rule.from_port = *p.from_port;
  rule.to_port = *p.to_port;
  if (rule.from_port < 0 || rule.to_port > 65535 || rule.from_port > rule.to_port) {
    return InvalidParameterValue("port range " + std::to_string(rule.from_port) + "-" +
                                 std::to_string(rule.to_port) + " is invalid");
  }
  return Status::Ok();
}

// Expands permissions into one rule per source range, validating each.
Result<std::vector<store::IngressRuleRow>> RuleRows(const std::vector<api::IpPermission>& perms) {
  if (perms.empty()) return InvalidParameterValue("IpPermissions must not be empty");
  std::vector<store::IngressRuleRow> rows;
  for (const api::IpPermission& p : perms) {
    store::IngressRuleRow rule;
    EFS_ASSIGN_OR_RETURN(rule.protocol, NormalizeProtocol(p.ip_protocol));
    EFS_RETURN_IF_ERROR(PortsOf(p, rule));
    if (p.ip_ranges.empty()) return InvalidParameterValue("IpRanges must not be empty");
    for (const api::IpRange& range : p.ip_ranges) {
      std::optional<Cidr> cidr = ParseCidr(range.cidr_ip);
      if (!cidr || !cidr->aligned()) {
        return InvalidParameterValue("cidr block '" + range.cidr_ip + "' is malformed");
      }
      if (range.description && range.description->size() > kMaxNameLength) {
        return InvalidParameterValue("a rule description must be at most 255 characters");
      }
      rule.cidr = range.cidr_ip;
      rule.description = range.description;
      rows.push_back(rule);
    }
  }
  return rows;
}

Status CheckGroupFields(const api::CreateSecurityGroupRequest& req) {
  if (req.group_name.empty() || req.group_name.size() > kMaxNameLength) {
    return InvalidParameterValue("GroupName must be 1 to 255 characters long");
  }
  if (req.group_name.rfind("sg-", 0) == 0) {
    return InvalidParameterValue("GroupName '" + req.group_name + "' must not start with 'sg-'");
  }
  if (req.description.empty() || req.description.size() > kMaxNameLength) {
    return InvalidParameterValue("Description must be 1 to 255 characters long");
  }
  return Status::Ok();
}

}  // namespace

api::SecurityGroup CatalogControlPlane::DescribeRow(const store::SecurityGroupRow& row) const {
  api::SecurityGroup g{row.id, row.name, row.description, row.vpc_id, options().owner_id, {}};
  // Rules with the same protocol and ports form one permission with several ranges.
  for (const store::IngressRuleRow& rule : row.rules) {
    std::optional<int> from = rule.protocol == "-1" ? std::nullopt : std::optional(rule.from_port);
    std::optional<int> to = rule.protocol == "-1" ? std::nullopt : std::optional(rule.to_port);
    api::IpPermission* perm = nullptr;
    for (api::IpPermission& p : g.ip_permissions) {
      if (p.ip_protocol == rule.protocol && p.from_port == from && p.to_port == to) perm = &p;
    }
    if (perm == nullptr) {
      g.ip_permissions.push_back(api::IpPermission{rule.protocol, from, to, {}});
      perm = &g.ip_permissions.back();
    }
    perm->ip_ranges.push_back(api::IpRange{rule.cidr, rule.description});
  }
  return g;
}

Result<store::SecurityGroupRow> CatalogControlPlane::FindGroupLocked(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(std::optional<store::SecurityGroupRow> group,
                       catalog_->FindSecurityGroup(id));
  if (!group) return Ec2NotFound("InvalidGroup.NotFound", "security group", id);
  return std::move(*group);
}

Result<api::CreateSecurityGroupResponse> CatalogControlPlane::CreateSecurityGroup(
    const api::CreateSecurityGroupRequest& req) {
  EFS_RETURN_IF_ERROR(CheckGroupFields(req));
  std::string id = NewId("sg");
  MutexLock lock(&mu_);
  EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(store::VpcRow vpc, ResolveVpcLocked(req.vpc_id));
    Status status = catalog_->InsertSecurityGroup(
        store::SecurityGroupRow{id, vpc.id, req.group_name, req.description, false, {}});
    if (status.code() == Code::kAlreadyExists) {
      return Error(
          Code::kAlreadyExists, "InvalidGroup.Duplicate",
          "the security group '" + req.group_name + "' already exists in vpc '" + vpc.id + "'");
    }
    return status;
  }));
  return api::CreateSecurityGroupResponse{id};
}

Result<api::DescribeSecurityGroupsResponse> CatalogControlPlane::DescribeSecurityGroups(
    const api::DescribeSecurityGroupsRequest& req) {
  std::vector<store::SecurityGroupRow> rows;
  {
    MutexLock lock(&mu_);
    if (req.group_ids.empty()) {
      EFS_ASSIGN_OR_RETURN(rows, catalog_->ListSecurityGroups());
    }
    for (const std::string& id : req.group_ids) {
      EFS_ASSIGN_OR_RETURN(store::SecurityGroupRow row, FindGroupLocked(id));
      rows.push_back(std::move(row));
    }
  }
  api::DescribeSecurityGroupsResponse resp;
  for (const store::SecurityGroupRow& row : rows) resp.security_groups.push_back(DescribeRow(row));
  return resp;
}

Status CatalogControlPlane::AuthorizeSecurityGroupIngress(
    const api::SecurityGroupIngressRequest& req) {
  EFS_ASSIGN_OR_RETURN(std::vector<store::IngressRuleRow> rules, RuleRows(req.ip_permissions));
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(store::SecurityGroupRow group, FindGroupLocked(req.group_id));
    for (const store::IngressRuleRow& rule : rules) {
      Status status = catalog_->InsertRule(group.id, rule);
      if (status.code() == Code::kAlreadyExists) {
        return Error(Code::kAlreadyExists, "InvalidPermission.Duplicate",
                     "the rule '" + rule.protocol + " " + std::to_string(rule.from_port) + "-" +
                         std::to_string(rule.to_port) + " from " + rule.cidr +
                         "' already exists in security group '" + group.id + "'");
      }
      EFS_RETURN_IF_ERROR(status);
    }
    return Status::Ok();
  });
}

Status CatalogControlPlane::RevokeSecurityGroupIngress(
    const api::SecurityGroupIngressRequest& req) {
  EFS_ASSIGN_OR_RETURN(std::vector<store::IngressRuleRow> rules, RuleRows(req.ip_permissions));
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(store::SecurityGroupRow group, FindGroupLocked(req.group_id));
    for (const store::IngressRuleRow& rule : rules) {
      EFS_ASSIGN_OR_RETURN(bool removed, catalog_->DeleteRule(group.id, rule));
      if (!removed) {
        return Error(Code::kNotFound, "InvalidPermission.NotFound",
                     "the rule '" + rule.protocol + " " + std::to_string(rule.from_port) + "-" +
                         std::to_string(rule.to_port) + " from " + rule.cidr +
                         "' does not exist in security group '" + group.id + "'");
      }
    }
    return Status::Ok();
  });
}

Status CatalogControlPlane::DeleteSecurityGroup(const api::DeleteSecurityGroupRequest& req) {
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(store::SecurityGroupRow group, FindGroupLocked(req.group_id));
    if (group.is_default) {
      return Error(Code::kFailedPrecondition, "CannotDelete",
                   "the default security group '" + group.id + "' cannot be deleted");
    }
    EFS_ASSIGN_OR_RETURN(bool in_use, catalog_->SecurityGroupInUse(group.id));
    if (in_use) {
      return DependencyViolation("security group '" + group.id + "' is used by a mount target");
    }
    return catalog_->DeleteSecurityGroup(group.id);
  });
}

}  // namespace efs::control

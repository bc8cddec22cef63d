// Catalog rows, part 2: subnets, security groups with their inbound rules, and mount targets
// with their security groups. VPCs and what joins them are in catalog_vpc.cc.
#include <utility>

#include "base/macros.h"
#include "store/catalog.h"
#include "store/catalog_read.h"

namespace efs::store {

namespace {

using internal::Count;
using internal::First;
using internal::ReadAll;
using internal::StringFrom;

#define EFS_SUBNET_SELECT                                                 \
  "SELECT s.id, s.vpc_id, s.cidr, s.az_name, s.az_id, s.default_for_az, " \
  "(SELECT COUNT(*) FROM mount_targets m WHERE m.subnet_id = s.id) FROM subnets s "

SubnetRow SubnetFrom(const Stmt& s) {
  return SubnetRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5) != 0, s.Int(6)};
}

#define EFS_GROUP_SELECT "SELECT id, vpc_id, name, description, is_default FROM security_groups "

SecurityGroupRow GroupFrom(const Stmt& s) {
  return SecurityGroupRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4) != 0, {}};
}

#define EFS_MOUNT_TARGET_SELECT                                                          \
  "SELECT m.seq, m.id, m.fs_id, m.subnet_id, m.ip, m.eni_id, m.state, m.creation_time, " \
  "s.vpc_id, s.az_name, s.az_id FROM mount_targets m JOIN subnets s ON s.id = m.subnet_id "

MountTargetRow MountTargetFrom(const Stmt& s) {
  return MountTargetRow{s.Int(0),  s.Text(1),   s.Text(2), s.Text(3), s.Text(4), s.Text(5),
                        s.Text(6), s.Double(7), s.Text(8), s.Text(9), s.Text(10)};
}

}  // namespace

// ----------------------------------------------------------------------------- subnets

Status Catalog::InsertSubnet(const SubnetRow& r) {
  return db_->Run(
      "INSERT INTO subnets(id, vpc_id, cidr, az_name, az_id, default_for_az) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
      r.id, r.vpc_id, r.cidr, r.az_name, r.az_id, r.default_for_az);
}

Result<std::optional<SubnetRow>> Catalog::FindSubnet(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_SUBNET_SELECT "WHERE s.id = ?1", id));
  EFS_ASSIGN_OR_RETURN(std::vector<SubnetRow> rows, ReadAll<SubnetRow>(s, SubnetFrom));
  return First(rows);
}

Result<std::vector<SubnetRow>> Catalog::ListSubnets(const std::optional<std::string>& vpc_id) {
  if (vpc_id) {
    EFS_ASSIGN_OR_RETURN(
        Stmt s, db_->Query(EFS_SUBNET_SELECT "WHERE s.vpc_id = ?1 ORDER BY s.seq", *vpc_id));
    return ReadAll<SubnetRow>(s, SubnetFrom);
  }
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_SUBNET_SELECT "ORDER BY s.seq"));
  return ReadAll<SubnetRow>(s, SubnetFrom);
}

Status Catalog::DeleteSubnet(const std::string& id) {
  return db_->Run("DELETE FROM subnets WHERE id = ?1", id);
}

// ----------------------------------------------------------------------------- security groups

Status Catalog::InsertSecurityGroup(const SecurityGroupRow& g) {
  EFS_RETURN_IF_ERROR(
      db_->Run("INSERT INTO security_groups(id, vpc_id, name, description, is_default) "
               "VALUES(?1, ?2, ?3, ?4, ?5)",
               g.id, g.vpc_id, g.name, g.description, g.is_default));
  for (const IngressRuleRow& rule : g.rules) EFS_RETURN_IF_ERROR(InsertRule(g.id, rule));
  return Status::Ok();
}

Result<std::vector<SecurityGroupRow>> Catalog::ReadGroups(Stmt& s) {
  EFS_ASSIGN_OR_RETURN(std::vector<SecurityGroupRow> groups,
                       ReadAll<SecurityGroupRow>(s, GroupFrom));
  EFS_RETURN_IF_ERROR(AttachRules(groups));
  return groups;
}

Status Catalog::AttachRules(std::vector<SecurityGroupRow>& groups) {
  for (SecurityGroupRow& g : groups) {
    EFS_ASSIGN_OR_RETURN(Stmt s,
                         db_->Query("SELECT protocol, from_port, to_port, cidr, description "
                                    "FROM security_group_rules WHERE group_id = ?1 ORDER BY seq",
                                    g.id));
    auto from = [](const Stmt& r) {
      return IngressRuleRow{r.Text(0), static_cast<int>(r.Int(1)), static_cast<int>(r.Int(2)),
                            r.Text(3), r.OptText(4)};
    };
    EFS_ASSIGN_OR_RETURN(g.rules, ReadAll<IngressRuleRow>(s, from));
  }
  return Status::Ok();
}

Result<std::optional<SecurityGroupRow>> Catalog::FindSecurityGroup(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_GROUP_SELECT "WHERE id = ?1", id));
  EFS_ASSIGN_OR_RETURN(std::vector<SecurityGroupRow> rows, ReadGroups(s));
  return First(rows);
}

Result<std::optional<SecurityGroupRow>> Catalog::DefaultSecurityGroup(const std::string& vpc_id) {
  EFS_ASSIGN_OR_RETURN(Stmt s,
                       db_->Query(EFS_GROUP_SELECT "WHERE vpc_id = ?1 AND is_default = 1", vpc_id));
  EFS_ASSIGN_OR_RETURN(std::vector<SecurityGroupRow> rows, ReadGroups(s));
  return First(rows);
}

Result<std::vector<SecurityGroupRow>> Catalog::ListSecurityGroups() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_GROUP_SELECT "ORDER BY seq"));
  return ReadGroups(s);
}

Status Catalog::DeleteSecurityGroup(const std::string& id) {
  return db_->Run("DELETE FROM security_groups WHERE id = ?1", id);
}

Status Catalog::InsertRule(const std::string& group_id, const IngressRuleRow& r) {
  return db_->Run(
      "INSERT INTO security_group_rules(group_id, protocol, from_port, to_port, cidr, "
      "description) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
      group_id, r.protocol, r.from_port, r.to_port, r.cidr, r.description);
}

Result<bool> Catalog::DeleteRule(const std::string& group_id, const IngressRuleRow& r) {
  EFS_RETURN_IF_ERROR(
      db_->Run("DELETE FROM security_group_rules WHERE group_id = ?1 AND protocol = ?2 AND "
               "from_port = ?3 AND to_port = ?4 AND cidr = ?5",
               group_id, r.protocol, r.from_port, r.to_port, r.cidr));
  return db_->Changes() > 0;
}

Result<bool> Catalog::SecurityGroupInUse(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(
      int64_t n,
      Count(*db_, "SELECT COUNT(*) FROM mount_target_security_groups WHERE group_id = ?1", id));
  return n > 0;
}

// ----------------------------------------------------------------------------- mount targets

Status Catalog::InsertMountTarget(MountTargetRow& r, const std::vector<std::string>& group_ids) {
  EFS_ASSIGN_OR_RETURN(
      r.seq,
      db_->QueryInt(
          "INSERT INTO mount_targets(id, fs_id, subnet_id, ip, eni_id, state, creation_time) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING seq",
          r.id, r.fs_id, r.subnet_id, r.ip, r.eni_id, r.state, r.creation_time));
  return ReplaceMountTargetSecurityGroups(r.id, group_ids);
}

Result<std::vector<MountTargetRow>> Catalog::ReadMountTargets(Stmt& s) {
  return ReadAll<MountTargetRow>(s, MountTargetFrom);
}

Result<std::optional<MountTargetRow>> Catalog::FindMountTarget(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_MOUNT_TARGET_SELECT "WHERE m.id = ?1", id));
  EFS_ASSIGN_OR_RETURN(std::vector<MountTargetRow> rows, ReadMountTargets(s));
  return First(rows);
}

Result<std::vector<MountTargetRow>> Catalog::ListMountTargets(const MountTargetQuery& q) {
  if (q.id) {
    EFS_ASSIGN_OR_RETURN(
        Stmt s, db_->Query(EFS_MOUNT_TARGET_SELECT "WHERE m.id = ?1 AND m.seq >= ?2 LIMIT ?3",
                           *q.id, q.from_seq, q.limit));
    return ReadMountTargets(s);
  }
  if (q.fs_id) {
    EFS_ASSIGN_OR_RETURN(Stmt s,
                         db_->Query(EFS_MOUNT_TARGET_SELECT
                                    "WHERE m.fs_id = ?1 AND m.seq >= ?2 ORDER BY m.seq LIMIT ?3",
                                    *q.fs_id, q.from_seq, q.limit));
    return ReadMountTargets(s);
  }
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query(EFS_MOUNT_TARGET_SELECT "WHERE m.seq >= ?1 ORDER BY m.seq LIMIT ?2",
                         q.from_seq, q.limit));
  return ReadMountTargets(s);
}

Result<std::vector<MountTargetRow>> Catalog::MountTargetsInState(const std::string& state,
                                                                 int limit) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query(EFS_MOUNT_TARGET_SELECT "WHERE m.state = ?1 ORDER BY m.seq LIMIT ?2",
                         state, limit));
  return ReadMountTargets(s);
}

Result<std::vector<std::string>> Catalog::IpsInSubnet(const std::string& subnet_id) {
  EFS_ASSIGN_OR_RETURN(Stmt s,
                       db_->Query("SELECT ip FROM mount_targets WHERE subnet_id = ?1", subnet_id));
  return ReadAll<std::string>(s, StringFrom);
}

Result<int64_t> Catalog::CountMountTargets() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query("SELECT COUNT(*) FROM mount_targets"));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : int64_t{0};
}

Result<int64_t> Catalog::CountMountTargetsInVpc(const std::string& vpc_id) {
  return Count(*db_,
               "SELECT COUNT(*) FROM mount_targets m JOIN subnets s ON s.id = m.subnet_id "
               "WHERE s.vpc_id = ?1",
               vpc_id);
}

Result<bool> Catalog::SetMountTargetState(const std::string& id, const std::string& from,
                                          const std::string& to) {
  EFS_RETURN_IF_ERROR(
      db_->Run("UPDATE mount_targets SET state = ?3 WHERE id = ?1 AND state = ?2", id, from, to));
  return db_->Changes() > 0;
}

Status Catalog::DeleteMountTarget(const std::string& id) {
  return db_->Run("DELETE FROM mount_targets WHERE id = ?1", id);
}

Result<std::vector<std::string>> Catalog::MountTargetSecurityGroups(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query("SELECT group_id FROM mount_target_security_groups "
                                          "WHERE mount_target_id = ?1 ORDER BY group_id",
                                          id));
  return ReadAll<std::string>(s, StringFrom);
}

Status Catalog::ReplaceMountTargetSecurityGroups(const std::string& id,
                                                 const std::vector<std::string>& group_ids) {
  EFS_RETURN_IF_ERROR(
      db_->Run("DELETE FROM mount_target_security_groups WHERE mount_target_id = ?1", id));
  for (const std::string& group : group_ids) {
    EFS_RETURN_IF_ERROR(
        db_->Run("INSERT INTO mount_target_security_groups(mount_target_id, group_id) "
                 "VALUES(?1, ?2) ON CONFLICT DO NOTHING",
                 id, group));
  }
  return Status::Ok();
}

}  // namespace efs::store

// Catalog: typed rows of the control-plane database (format in store/schema.h).
//
// The Catalog knows tables, not AWS rules: it stores and fetches rows and reports constraint
// violations (kAlreadyExists for a UNIQUE clash, kFailedPrecondition for a foreign key); the
// control plane validates requests and decides what a change means. Group several calls into
// one atomic change with InTransaction().
//
// Thread safety: none; the owner serializes every call (the control plane holds a mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/db.h"

namespace efs::store {

struct TagRow {
  std::string key;
  std::string value;
  friend bool operator==(const TagRow&, const TagRow&) = default;
};

struct VpcRow {
  std::string id;
  std::string cidr;
  bool is_default = false;
  std::string state = "available";  // pending|available|deleting
  std::string route_table_id;       // its main route table, "rtb-..."
};

struct SubnetRow {
  std::string id;
  std::string vpc_id;
  std::string cidr;
  std::string az_name;
  std::string az_id;
  bool default_for_az = false;
  int64_t mount_target_count = 0;  // filled by reads
};

struct IngressRuleRow {
  std::string protocol;  // "tcp", "udp", "icmp" or "-1"
  int from_port = -1;    // -1 when the protocol has no ports
  int to_port = -1;
  std::string cidr;
  std::optional<std::string> description;
};

struct SecurityGroupRow {
  std::string id;
  std::string vpc_id;
  std::string name;
  std::string description;
  bool is_default = false;
  std::vector<IngressRuleRow> rules;  // filled by reads, in insertion order
};

struct FileSystemRow {
  int64_t seq = 0;  // creation order, assigned by InsertFileSystem
  std::string id;
  std::string creation_token;
  std::string arn;
  double creation_time = 0;
  std::string state;
  std::string performance_mode;
  bool encrypted = false;                 // kept from older efsd; new rows: false
  std::optional<std::string> kms_key_id;  // kept from older efsd; new rows: none
  std::string throughput_mode;
  std::optional<double> provisioned_mibps;
  std::optional<std::string> az_name;
  std::optional<std::string> az_id;
  bool backup = false;  // kept from older efsd; new rows: false
  std::optional<double> throughput_changed_at;
  int64_t size_value = 0;
  int64_t size_standard = 0;
  int64_t size_ia = 0;
  int64_t size_archive = 0;
  double size_timestamp = 0;
  // Filled by reads.
  int64_t mount_target_count = 0;
  std::vector<TagRow> tags;  // by key
};

struct MountTargetRow {
  int64_t seq = 0;  // creation order, assigned by InsertMountTarget
  std::string id;
  std::string fs_id;
  std::string subnet_id;
  std::string ip;
  std::string eni_id;
  std::string state;
  double creation_time = 0;
  // From the subnet, filled by reads.
  std::string vpc_id;
  std::string az_name;
  std::string az_id;
};

struct NetworkInterfaceRow {
  int64_t seq = 0;  // creation order, assigned by InsertNetworkInterface
  std::string id;
  std::string subnet_id;
  std::string ip;
  std::vector<std::string> prefixes;  // Ipv4Prefixes
  std::string description;
  std::optional<std::string> requester;  // "efs-host": efs mount's interface on this host
  std::string state;                     // available|attaching|in-use|detaching|deleting
  // The attachment, while there is one.
  std::optional<std::string> attachment_id;
  std::optional<std::string> attach_kind;  // netns|new-netns|device
  std::optional<std::string> attach_target;
  std::optional<std::string> ifname;
  std::optional<double> attach_time;
  std::optional<int64_t> owner_pid;
  std::optional<int64_t> owner_start;
  double creation_time = 0;
  // From the subnet, filled by reads.
  std::string vpc_id;
  std::string az_name;
  std::string az_id;
};

struct AccessKeyRow {
  int64_t seq = 0;
  std::string id;  // AKIA...
  std::string secret;
  std::string user_name;
  int64_t uid = 0;
  double creation_time = 0;
};

struct PeeringRow {
  int64_t seq = 0;
  std::string id;
  std::string requester_vpc_id;
  std::string accepter_vpc_id;
  std::string state;  // pending-acceptance|active|deleting|failed|rejected
  std::string message;
  double creation_time = 0;
  std::optional<double> expiration_time;
};

struct RouteRow {
  std::string vpc_id;
  std::string cidr;
  std::string target_kind;  // pcx|vgw
  std::string target_id;
};

struct VpnGatewayRow {
  int64_t seq = 0;
  std::string id;
  std::string type;
  int64_t amazon_side_asn = 0;
  std::string device;
  std::string state;  // available|deleting
  std::optional<std::string> vpc_id;
  std::optional<std::string> attachment_state;  // attaching|attached|detaching|detached
  double creation_time = 0;
};

struct LifecyclePolicyRow {
  std::string kind;  // TransitionToIA | TransitionToArchive | TransitionToPrimaryStorageClass
  std::string value;
  friend bool operator==(const LifecyclePolicyRow&, const LifecyclePolicyRow&) = default;
};

// Which file systems / mount targets a paged read returns: rows with seq >= from_seq, in seq
// order, at most `limit` of them, optionally narrowed to one id (or token).
struct FileSystemQuery {
  std::optional<std::string> id = std::nullopt;
  std::optional<std::string> creation_token = std::nullopt;
  int64_t from_seq = 0;
  int limit = 100;
};
struct MountTargetQuery {
  std::optional<std::string> id = std::nullopt;
  std::optional<std::string> fs_id = std::nullopt;
  int64_t from_seq = 0;
  int limit = 10;
};

class Catalog {
 public:
  // Opens or creates the catalog at `path` (":memory:" for a private in-memory one) and
  // migrates it to the current schema.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);
  // The same on a database of any engine (a PostgreSQL schema, store/pg_db.h).
  static Result<std::unique_ptr<Catalog>> Open(std::unique_ptr<Db> db);

  // Runs `body` in one IMMEDIATE transaction: commits iff it returns ok, else rolls back and
  // returns its Status. REQUIRES: not already inside InTransaction().
  Status InTransaction(const std::function<Status()>& body);

  // --- settings
  Result<std::optional<std::string>> GetSetting(const std::string& key);
  Status PutSetting(const std::string& key, const std::string& value);

  // --- VPCs and subnets
  Status InsertVpc(const VpcRow& vpc);
  Result<std::vector<VpcRow>> ListVpcs();
  Result<std::optional<VpcRow>> FindVpc(const std::string& id);
  Result<std::optional<VpcRow>> DefaultVpc();
  Result<bool> SetVpcState(const std::string& id, const std::string& from, const std::string& to);
  // Deletes the VPC with its security groups and routes. kFailedPrecondition while subnets or
  // peering connections reference it.
  Status DeleteVpc(const std::string& id);
  // Every address in use in VPC `vpc_id`: mount targets', network interfaces' and their
  // prefixes (CIDRs), with the subnet each is in.
  Result<std::vector<std::pair<std::string, std::string>>> AddressesInVpc(
      const std::string& vpc_id);

  Status InsertSubnet(const SubnetRow& subnet);
  Result<std::optional<SubnetRow>> FindSubnet(const std::string& id);
  // All subnets (of one VPC if given), in creation order.
  Result<std::vector<SubnetRow>> ListSubnets(const std::optional<std::string>& vpc_id);
  // Returns kFailedPrecondition if a mount target still uses it.
  Status DeleteSubnet(const std::string& id);

  // --- security groups
  Status InsertSecurityGroup(const SecurityGroupRow& group);  // rules included
  Result<std::optional<SecurityGroupRow>> FindSecurityGroup(const std::string& id);
  Result<std::optional<SecurityGroupRow>> DefaultSecurityGroup(const std::string& vpc_id);
  Result<std::vector<SecurityGroupRow>> ListSecurityGroups();
  Status DeleteSecurityGroup(const std::string& id);
  // kAlreadyExists if the same rule is present.
  Status InsertRule(const std::string& group_id, const IngressRuleRow& rule);
  // Returns true iff a rule was removed.
  Result<bool> DeleteRule(const std::string& group_id, const IngressRuleRow& rule);
  Result<bool> SecurityGroupInUse(const std::string& id);

  // --- file systems
  // Assigns row.seq. kAlreadyExists if the id or creation token is taken.
  Status InsertFileSystem(FileSystemRow& row, const std::vector<TagRow>& tags);
  Result<std::optional<FileSystemRow>> FindFileSystem(const std::string& id);
  Result<std::vector<FileSystemRow>> ListFileSystems(const FileSystemQuery& query);
  // Ids of file systems in `state`, oldest first, at most `limit`.
  Result<std::vector<std::string>> FileSystemIdsInState(const std::string& state, int limit);
  Result<int64_t> CountFileSystems();
  // Changes the state only if it is `from`; returns true iff it did.
  Result<bool> SetFileSystemState(const std::string& id, const std::string& from,
                                  const std::string& to);
  Status SetFileSystemSize(const std::string& id, int64_t standard, int64_t ia, int64_t archive,
                           double timestamp);
  Status SetThroughput(const std::string& id, const std::string& mode,
                       std::optional<double> provisioned_mibps,
                       std::optional<double> throughput_changed_at);
  // Deletes the row with its tags and lifecycle policies. kFailedPrecondition while mount
  // targets reference it.
  Status DeleteFileSystem(const std::string& id);

  // --- tags (any resource id)
  Result<std::vector<TagRow>> ListTags(const std::string& resource_id);
  Status PutTags(const std::string& resource_id, const std::vector<TagRow>& tags);  // upsert
  Status DeleteTags(const std::string& resource_id, const std::vector<std::string>& keys);

  // --- lifecycle
  // Policies of a file system ordered TransitionToIA, TransitionToArchive, ...PrimaryStorageClass.
  Result<std::vector<LifecyclePolicyRow>> LifecyclePolicies(const std::string& fs_id);
  Status ReplaceLifecyclePolicies(const std::string& fs_id,
                                  const std::vector<LifecyclePolicyRow>& policies);

  // --- mount targets
  // Assigns row.seq. kAlreadyExists if the id, ip or eni is taken.
  Status InsertMountTarget(MountTargetRow& row, const std::vector<std::string>& group_ids);
  Result<std::optional<MountTargetRow>> FindMountTarget(const std::string& id);
  Result<std::vector<MountTargetRow>> ListMountTargets(const MountTargetQuery& query);
  Result<std::vector<MountTargetRow>> MountTargetsInState(const std::string& state, int limit);
  Result<std::vector<std::string>> IpsInSubnet(const std::string& subnet_id);
  Result<int64_t> CountMountTargets();
  Result<int64_t> CountMountTargetsInVpc(const std::string& vpc_id);
  Result<bool> SetMountTargetState(const std::string& id, const std::string& from,
                                   const std::string& to);
  Status DeleteMountTarget(const std::string& id);
  Result<std::vector<std::string>> MountTargetSecurityGroups(const std::string& id);
  Status ReplaceMountTargetSecurityGroups(const std::string& id,
                                          const std::vector<std::string>& group_ids);

  // --- client network interfaces (network_interfaces)
  // Assigns row.seq.
  Status InsertNetworkInterface(NetworkInterfaceRow& row);
  Result<std::optional<NetworkInterfaceRow>> FindNetworkInterface(const std::string& id);
  // All, of one subnet or of one VPC (at most one filter), in creation order.
  Result<std::vector<NetworkInterfaceRow>> ListNetworkInterfaces(
      const std::optional<std::string>& subnet_id, const std::optional<std::string>& vpc_id);
  // Writes every field but seq, id, subnet_id and creation_time.
  Status UpdateNetworkInterface(const NetworkInterfaceRow& row);
  Status DeleteNetworkInterface(const std::string& id);

  // --- VPC peering connections
  Status InsertPeering(PeeringRow& row);
  Result<std::optional<PeeringRow>> FindPeering(const std::string& id);
  // All, or those with `vpc_id` on either side.
  Result<std::vector<PeeringRow>> ListPeerings(const std::optional<std::string>& vpc_id);
  Status SetPeeringState(const std::string& id, const std::string& state,
                         const std::string& message);
  Status DeletePeering(const std::string& id);

  // --- routes of each VPC's main route table
  // kAlreadyExists if the VPC has a route to the CIDR.
  Status InsertRoute(const RouteRow& row);
  Result<bool> DeleteRoute(const std::string& vpc_id, const std::string& cidr);
  // Of one VPC, or all; by VPC and CIDR.
  Result<std::vector<RouteRow>> ListRoutes(const std::optional<std::string>& vpc_id);

  // --- VPN gateways
  Status InsertVpnGateway(VpnGatewayRow& row);
  Result<std::optional<VpnGatewayRow>> FindVpnGateway(const std::string& id);
  Result<std::vector<VpnGatewayRow>> ListVpnGateways();
  // Writes state, vpc_id and attachment_state.
  Status UpdateVpnGateway(const VpnGatewayRow& row);
  Status DeleteVpnGateway(const std::string& id);

  // --- access keys
  Status InsertAccessKey(AccessKeyRow& row);
  Result<std::optional<AccessKeyRow>> FindAccessKey(const std::string& id);
  // Of one user, or all; in the order they were made.
  Result<std::vector<AccessKeyRow>> ListAccessKeys(const std::optional<std::string>& user_name);
  Status DeleteAccessKey(const std::string& id);

  // --- zones taken down (efs debug fail-az)
  Result<std::vector<std::string>> FailedZones();
  Status SetZoneFailed(const std::string& az_id, bool failed);

  Db& db() { return *db_; }

 private:
  explicit Catalog(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  Result<std::vector<FileSystemRow>> ReadFileSystems(Stmt& stmt);
  Status AttachTags(std::vector<FileSystemRow>& rows);
  Status AttachRules(std::vector<SecurityGroupRow>& groups);
  Result<std::vector<SecurityGroupRow>> ReadGroups(Stmt& stmt);
  Result<std::vector<MountTargetRow>> ReadMountTargets(Stmt& stmt);

  std::unique_ptr<Db> db_;
};

}  // namespace efs::store

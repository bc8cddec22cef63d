// CatalogControlPlane: the ControlPlane over a store::Catalog. Private to lib/control; the
// rest of the program sees only ControlPlane::Open().
//
// One action group per file: file_systems.cc, mount_targets.cc, lifecycle.cc, tags.cc,
// network.cc (VPCs, subnets, security groups); reconcile.cc moves resources through their
// states; control_plane.cc opens, bootstraps and reports status.
//
// Concurrency: every action holds mu_ while it reads or changes the catalog (one SQLite
// connection), so each change is one transaction and no two interleave. Reconcile passes are
// serialized by reconcile_mu_ and take mu_ only to read work and to record results, never while
// they create directories or open listeners.
// Lambdas given to Catalog::InTransaction run at once on the caller's thread, under the caller's
// locks, and say so with REQUIRES(mu_) for clang's -Wthread-safety (tests/thread_safety).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "control/addresses.h"
#include "control/control_plane.h"
#include "net/vpc_network.h"
#include "store/catalog.h"

namespace efs::control {

struct Zone {
  std::string name;  // "local-1a"
  std::string id;    // "lcl1-az1"
};

// The three availability zones of `region`: names region + "a".."c", ids "<p>-az1".."<p>-az3"
// where <p> is the region name without vowels and dashes ("local-1" -> "lcl1").
std::vector<Zone> ZonesOf(const std::string& region);

// Paging markers are opaque to callers: 16 hex digits of the next row's seq.
std::string EncodeMarker(int64_t seq);
// Returns false if `marker` is not one EncodeMarker made.
bool DecodeMarker(const std::string& marker, int64_t* seq);

// The page a Describe action asks for: MaxItems (default `default_items`, 1..1000) rows from
// the row its Marker names (the first row without one). BadRequest for values out of range.
struct Page {
  int max_items = 0;
  int64_t from_seq = 0;
};
Result<Page> ParsePage(const std::optional<int>& max_items,
                       const std::optional<std::string>& marker, int default_items);

// The Status of a Result, dropping its value.
template <class T>
Status StatusOf(const Result<T>& result) {
  return result.ok() ? Status::Ok() : result.status();
}

// Checks the EFS tag rules: at most 50, keys 1-128 chars not starting "aws:", values at most
// 256 chars, no key twice. BadRequest otherwise.
Status ValidateTags(const std::vector<api::Tag>& tags);

// The requester of efs mount's own interfaces (EnsureHostInterface).
inline constexpr char kHostRequester[] = "efs-host";

// Whether process `pid` still runs and started at `start` (its /proc stat start time).
bool OwnerAlive(int64_t pid, int64_t start);

// The addresses of peering `row`'s link seen from VPC `vpc_id`: this side's ("a.b.c.d/30") and
// the other side's ("a.b.c.d").
std::string PeeringLocalIp(const store::PeeringRow& row, const std::string& vpc_id);
std::string PeeringPeerIp(const store::PeeringRow& row, const std::string& vpc_id);

class CatalogControlPlane final : public ControlPlane {
 public:
  CatalogControlPlane(Options options, const Clock* clock, Endpoints* endpoints,
                      std::unique_ptr<store::Catalog> catalog);
  ~CatalogControlPlane() override;

  // Creates the default VPC, its subnets and default security group unless they exist.
  Status Bootstrap() EXCLUDES(mu_);

  Result<api::FileSystemDescription> CreateFileSystem(const api::CreateFileSystemRequest&)
      EXCLUDES(mu_) override;
  Result<api::DescribeFileSystemsResponse> DescribeFileSystems(
      const api::DescribeFileSystemsRequest&) EXCLUDES(mu_) override;
  Result<api::FileSystemDescription> UpdateFileSystem(const api::UpdateFileSystemRequest&)
      EXCLUDES(mu_) override;
  Status DeleteFileSystem(const api::DeleteFileSystemRequest&) EXCLUDES(mu_) override;

  Result<api::MountTargetDescription> CreateMountTarget(const api::CreateMountTargetRequest&)
      EXCLUDES(mu_) override;
  Result<api::DescribeMountTargetsResponse> DescribeMountTargets(
      const api::DescribeMountTargetsRequest&) EXCLUDES(mu_) override;
  Status DeleteMountTarget(const api::DeleteMountTargetRequest&) EXCLUDES(mu_) override;
  Result<api::DescribeMountTargetSecurityGroupsResponse> DescribeMountTargetSecurityGroups(
      const api::DescribeMountTargetSecurityGroupsRequest&) EXCLUDES(mu_) override;
  Status ModifyMountTargetSecurityGroups(const api::ModifyMountTargetSecurityGroupsRequest&)
      EXCLUDES(mu_) override;

  Result<api::LifecycleConfigurationDescription> PutLifecycleConfiguration(
      const api::PutLifecycleConfigurationRequest&) EXCLUDES(mu_) override;
  Result<api::LifecycleConfigurationDescription> DescribeLifecycleConfiguration(
      const api::DescribeLifecycleConfigurationRequest&) EXCLUDES(mu_) override;

  Result<api::BackupPolicyDescription> PutBackupPolicy(const api::PutBackupPolicyRequest&)
      EXCLUDES(mu_) override;
  Result<api::BackupPolicyDescription> DescribeBackupPolicy(
      const api::DescribeBackupPolicyRequest&) EXCLUDES(mu_) override;
  Result<api::FileSystemProtectionDescription> UpdateFileSystemProtection(
      const api::UpdateFileSystemProtectionRequest&) EXCLUDES(mu_) override;
  Result<api::DescribeAccountPreferencesResponse> DescribeAccountPreferences(
      const api::DescribeAccountPreferencesRequest&) override;
  Result<api::PutAccountPreferencesResponse> PutAccountPreferences(
      const api::PutAccountPreferencesRequest&) override;

  Status TagResource(const api::TagResourceRequest&) EXCLUDES(mu_) override;
  Status UntagResource(const api::UntagResourceRequest&) EXCLUDES(mu_) override;
  Result<api::ListTagsForResourceResponse> ListTagsForResource(
      const api::ListTagsForResourceRequest&) EXCLUDES(mu_) override;

  Result<api::DescribeVpcsResponse> DescribeVpcs(const api::DescribeVpcsRequest&)
      EXCLUDES(mu_) override;
  Result<api::CreateVpcResponse> CreateVpc(const api::CreateVpcRequest&) EXCLUDES(mu_) override;
  Status DeleteVpc(const api::DeleteVpcRequest&) EXCLUDES(mu_) override;
  Result<api::DescribeSubnetsResponse> DescribeSubnets(const api::DescribeSubnetsRequest&)
      EXCLUDES(mu_) override;
  Result<api::CreateSubnetResponse> CreateSubnet(const api::CreateSubnetRequest&)
      EXCLUDES(mu_) override;
  Status DeleteSubnet(const api::DeleteSubnetRequest&) EXCLUDES(mu_) override;
  Result<api::CreateSecurityGroupResponse> CreateSecurityGroup(
      const api::CreateSecurityGroupRequest&) EXCLUDES(mu_) override;
  Result<api::DescribeSecurityGroupsResponse> DescribeSecurityGroups(
      const api::DescribeSecurityGroupsRequest&) EXCLUDES(mu_) override;
  Status AuthorizeSecurityGroupIngress(const api::SecurityGroupIngressRequest&)
      EXCLUDES(mu_) override;
  Status RevokeSecurityGroupIngress(const api::SecurityGroupIngressRequest&) EXCLUDES(mu_) override;
  Status DeleteSecurityGroup(const api::DeleteSecurityGroupRequest&) EXCLUDES(mu_) override;

  Result<api::CreateNetworkInterfaceResponse> CreateNetworkInterface(
      const api::CreateNetworkInterfaceRequest&) EXCLUDES(mu_) override;
  Result<api::DescribeNetworkInterfacesResponse> DescribeNetworkInterfaces(
      const api::DescribeNetworkInterfacesRequest&) EXCLUDES(mu_) override;
  Result<api::AttachNetworkInterfaceResponse> AttachNetworkInterface(
      const api::AttachNetworkInterfaceRequest&) EXCLUDES(mu_) override;
  Status DetachNetworkInterface(const api::DetachNetworkInterfaceRequest&) EXCLUDES(mu_) override;
  Status DeleteNetworkInterface(const api::DeleteNetworkInterfaceRequest&) EXCLUDES(mu_) override;
  Result<api::CreateNetworkInterfaceResponse> EnsureHostInterface(
      const api::EnsureHostInterfaceRequest&) EXCLUDES(mu_) override;

  Result<api::VpcPeeringConnectionResponse> CreateVpcPeeringConnection(
      const api::CreateVpcPeeringConnectionRequest&) EXCLUDES(mu_) override;
  Result<api::VpcPeeringConnectionResponse> AcceptVpcPeeringConnection(
      const api::VpcPeeringConnectionIdRequest&) EXCLUDES(mu_) override;
  Status RejectVpcPeeringConnection(const api::VpcPeeringConnectionIdRequest&)
      EXCLUDES(mu_) override;
  Status DeleteVpcPeeringConnection(const api::VpcPeeringConnectionIdRequest&)
      EXCLUDES(mu_) override;
  Result<api::DescribeVpcPeeringConnectionsResponse> DescribeVpcPeeringConnections(
      const api::DescribeVpcPeeringConnectionsRequest&) EXCLUDES(mu_) override;
  Status CreateRoute(const api::CreateRouteRequest&) EXCLUDES(mu_) override;
  Status DeleteRoute(const api::DeleteRouteRequest&) EXCLUDES(mu_) override;
  Result<api::DescribeRouteTablesResponse> DescribeRouteTables(
      const api::DescribeRouteTablesRequest&) EXCLUDES(mu_) override;

  Result<api::CreateVpnGatewayResponse> CreateVpnGateway(const api::CreateVpnGatewayRequest&)
      EXCLUDES(mu_) override;
  Result<api::AttachVpnGatewayResponse> AttachVpnGateway(const api::VpnGatewayAttachmentRequest&)
      EXCLUDES(mu_) override;
  Status DetachVpnGateway(const api::VpnGatewayAttachmentRequest&) EXCLUDES(mu_) override;
  Status DeleteVpnGateway(const api::DeleteVpnGatewayRequest&) EXCLUDES(mu_) override;
  Result<api::DescribeVpnGatewaysResponse> DescribeVpnGateways(
      const api::DescribeVpnGatewaysRequest&) EXCLUDES(mu_) override;

  Result<api::CreateAccessKeyResponse> CreateAccessKey(const api::CreateAccessKeyRequest&)
      EXCLUDES(mu_) override;
  Result<api::ListAccessKeysResponse> ListAccessKeys(const api::ListAccessKeysRequest&)
      EXCLUDES(mu_) override;
  Status DeleteAccessKey(const api::DeleteAccessKeyRequest&) EXCLUDES(mu_) override;
  Result<std::optional<AccessKeyIdentity>> FindAccessKey(const std::string& access_key_id)
      EXCLUDES(mu_) override;

  Result<api::FailedAvailabilityZones> FailAvailabilityZone(const api::AvailabilityZoneRequest&)
      EXCLUDES(mu_) override;
  Result<api::FailedAvailabilityZones> RestoreAvailabilityZone(const api::AvailabilityZoneRequest&)
      EXCLUDES(mu_) override;

  Result<api::DaemonStatus> GetDaemonStatus() EXCLUDES(mu_) override;
  Result<api::ClockReading> AdvanceClock(const api::AdvanceClockRequest&) override;
  Result<api::DescribeStorageResponse> DescribeStorage(const api::DescribeStorageRequest&,
                                                       const fs::Credentials& as)
      EXCLUDES(mu_) override;
  Result<api::BurstCreditBalance> SetBurstCreditBalance(
      const api::SetBurstCreditBalanceRequest&) override;
  Result<api::LifecyclePassReport> RunLifecyclePass(const api::RunLifecyclePassRequest&)
      EXCLUDES(mu_) override;
  Result<api::FileSystemCheck> CheckFileSystem(const api::CheckFileSystemRequest&)
      EXCLUDES(mu_) override;
  Status RecordSize(const std::string& id, uint64_t standard, uint64_t ia, uint64_t archive,
                    double timestamp) EXCLUDES(mu_) override;

  void Reconcile() EXCLUDES(reconcile_mu_, mu_) override;
  Result<std::vector<net::VpcSpec>> NetworkSpecs() EXCLUDES(mu_) override;
  void StartReconciler() EXCLUDES(wake_mu_) override;
  void StopReconciler() EXCLUDES(wake_mu_) override;

 private:
  // --- file_systems.cc
  api::FileSystemDescription DescribeRow(const store::FileSystemRow& row) const;
  // The store of file system `id` if it is available (Endpoints::Store).
  Result<std::shared_ptr<fs::FileSystem>> AvailableStore(const std::string& id) EXCLUDES(mu_);
  Result<store::FileSystemRow> FindFileSystemLocked(const std::string& id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The same, and IncorrectFileSystemLifeCycleState unless it is available.
  Result<store::FileSystemRow> FindAvailableFileSystemLocked(const std::string& id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status InsertFileSystemLocked(store::FileSystemRow& row, const std::vector<store::TagRow>& tags)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status UpdateFileSystemLocked(const api::UpdateFileSystemRequest& req, store::FileSystemRow& row)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<store::FileSystemRow> NewFileSystemRow(const api::CreateFileSystemRequest& req) const;
  const Zone* FindZone(const std::string& name_or_id) const;

  // --- mount_targets.cc
  api::MountTargetDescription DescribeRow(const store::MountTargetRow& row) const;
  Result<store::MountTargetRow> FindMountTargetLocked(const std::string& id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status CheckPlacementLocked(const store::FileSystemRow& fs, const store::SubnetRow& subnet)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<std::vector<std::string>> ResolveGroupsLocked(
      const std::optional<std::vector<std::string>>& requested, const std::string& vpc_id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<store::MountTargetRow> InsertMountTargetLocked(const api::CreateMountTargetRequest& req)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- tags.cc
  Result<std::string> ResolveTaggableLocked(const std::string& resource_id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- network.cc (subnets) and security_groups.cc
  api::Subnet DescribeRow(const store::SubnetRow& row, int64_t free_addresses) const;
  api::SecurityGroup DescribeRow(const store::SecurityGroupRow& row) const;
  Result<store::VpcRow> ResolveVpcLocked(const std::optional<std::string>& vpc_id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<store::SecurityGroupRow> FindGroupLocked(const std::string& id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The free and used addresses of `subnet` (mount targets', interfaces', their prefixes).
  Result<SubnetAddresses> AddressesOfLocked(const store::SubnetRow& subnet)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- vpcs.cc
  api::Vpc DescribeRow(const store::VpcRow& row) const;
  // InvalidVpcID.NotFound for an unknown VPC or one being deleted.
  Result<store::VpcRow> FindVpcLocked(const std::string& id) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status SettleBackendLocked() EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status CreateDefaultNetworkLocked() EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inserts `vpc` with its default security group (inbound NFS from `sg_cidr`).
  Status InsertVpcLocked(const store::VpcRow& vpc, const std::string& sg_cidr)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<Cidr> CheckVpcCidrLocked(const std::string& text) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<bool> VpcHasDependenciesLocked(const std::string& vpc_id) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<api::FailedAvailabilityZones> SetZoneFailed(const std::string& name, bool failed)
      EXCLUDES(mu_);

  // --- network_interfaces.cc
  api::NetworkInterface InterfaceBase(const std::string& id, const std::string& ip,
                                      const std::string& subnet_id, const std::string& vpc_id,
                                      const std::string& az_name, const std::string& az_id) const;
  api::NetworkInterface DescribeRow(const store::NetworkInterfaceRow& row) const;
  api::NetworkInterface InterfaceOfMountTargetLocked(const store::MountTargetRow& row)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<store::NetworkInterfaceRow> FindInterfaceLocked(const std::string& id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<store::NetworkInterfaceRow> InsertInterfaceLocked(
      const api::CreateNetworkInterfaceRequest& req, std::optional<std::string> requester)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status FillAttachmentLocked(const api::AttachNetworkInterfaceRequest& req,
                              store::NetworkInterfaceRow& row) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status CheckDeviceFreeLocked(const std::string& device) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static Status NotYours(const std::string& id);

  // --- peering.cc
  api::VpcPeeringConnection DescribePeeringLocked(const store::PeeringRow& row)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<store::PeeringRow> FindPeeringLocked(const std::string& id) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<store::VpcRow> VpcOfRouteTableLocked(const std::string& rtb) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool RouteActiveLocked(const store::RouteRow& route) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status CheckRouteTargetLocked(const api::CreateRouteRequest& req, const store::VpcRow& vpc,
                                store::RouteRow& row) EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- vpn_gateways.cc
  api::VpnGateway DescribeRow(const store::VpnGatewayRow& row) const;
  Result<store::VpnGatewayRow> FindGatewayLocked(const std::string& id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- network_reconcile.cc
  std::string EfsDnsName(const std::string& fs_id) const;
  void AddDnsLocked(const std::vector<store::MountTargetRow>& targets, net::VpcSpec& spec)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  net::EniSpec ClientSpec(const store::NetworkInterfaceRow& row, const store::SubnetRow& subnet,
                          const net::VpcSpec& vpc) const;
  Result<net::VpcSpec> SpecOfLocked(const store::VpcRow& vpc) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status AddZonesLocked(const std::vector<store::SubnetRow>& subnets, net::VpcSpec& spec)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status AddExternalLocked(const store::VpcRow& vpc, net::VpcSpec& spec)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status AddInterfacesLocked(const store::VpcRow& vpc,
                             const std::vector<store::SubnetRow>& subnets, net::VpcSpec& spec)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReconcileNetwork(bool all) REQUIRES(reconcile_mu_) EXCLUDES(mu_, wake_mu_);
  void FinishDetaching() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  void ApplyVpcs(bool all) REQUIRES(reconcile_mu_) EXCLUDES(mu_, wake_mu_);
  void RecordNetworkResults() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  void FinishDeletingLoopbackVpcs() EXCLUDES(mu_);
  // True iff the last ApplyVpc of its VPC made interface `eni_id`.
  bool InterfaceUp(const std::string& eni_id) REQUIRES(reconcile_mu_);
  // VPC `vpc_id`'s network must be applied again (and the reconciler woken, if `wake`).
  void MarkVpcDirty(const std::string& vpc_id, bool wake = true) EXCLUDES(wake_mu_);
  void MarkAllVpcsDirty() EXCLUDES(wake_mu_);
  // The VPCs marked dirty since the last call; sets *all if every VPC was.
  std::set<std::string> TakeDirtyVpcs(bool* all) EXCLUDES(wake_mu_);

  // --- reconcile.cc
  // One pass over the transitional states; `ensure_listeners` also reopens listeners of
  // available mount targets not known to be open.
  void ReconcilePass(bool ensure_listeners) EXCLUDES(reconcile_mu_, mu_);
  bool FinishCreatingFileSystems() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  bool FinishDeletingFileSystems() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  bool FinishCreatingMountTargets() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  bool FinishDeletingMountTargets() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  void EnsureListeners() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  Status OpenListener(const store::MountTargetRow& row) EXCLUDES(mu_);
  void ReconcilerLoop() EXCLUDES(wake_mu_);
  // Wakes the reconciler and waits (at most 30 s) until a whole pass has run after this call,
  // so that what the caller changed is made. Returns at once without a reconciler thread.
  void WaitForReconcile() EXCLUDES(wake_mu_, mu_);
  // Tells the reconciler thread (if running) that something changed.
  void Wake() EXCLUDES(wake_mu_);

  const Clock* clock_;
  Endpoints* endpoints_;
  std::vector<Zone> zones_;

  Mutex mu_;
  std::unique_ptr<store::Catalog> catalog_ GUARDED_BY(mu_);

  Mutex reconcile_mu_;
  std::set<std::string> open_listeners_ GUARDED_BY(reconcile_mu_);
  // One network pass's findings (network_reconcile.cc).
  std::set<std::string> dirty_by_reconciler_ GUARDED_BY(reconcile_mu_);
  std::set<std::string> applied_vpcs_ GUARDED_BY(reconcile_mu_);
  std::set<std::string> applied_devices_ GUARDED_BY(reconcile_mu_);   // VPN devices moved in
  std::set<std::string> applied_peerings_ GUARDED_BY(reconcile_mu_);  // peerings still linked
  uint64_t periodic_passes_ GUARDED_BY(reconcile_mu_) = 0;
  bool retry_ GUARDED_BY(reconcile_mu_) = false;  // something could not be made: apply all
  std::set<std::string> removed_vpcs_ GUARDED_BY(reconcile_mu_);
  std::set<std::string> detached_ GUARDED_BY(reconcile_mu_);  // interfaces and gateways
  // Interfaces (mount targets' and clients') that the last apply of their VPC made: id -> VPC.
  std::map<std::string, std::string> made_ GUARDED_BY(reconcile_mu_);

  Mutex wake_mu_;
  CondVar wake_cv_;
  bool wake_ GUARDED_BY(wake_mu_) = false;
  std::set<std::string> dirty_vpcs_ GUARDED_BY(wake_mu_);
  bool all_vpcs_dirty_ GUARDED_BY(wake_mu_) = true;  // the first pass applies every VPC
  uint64_t passes_ GUARDED_BY(wake_mu_) = 0;         // reconciler passes done
  CondVar pass_cv_;                                  // signalled after each
  bool stopping_ GUARDED_BY(wake_mu_) = false;
  std::thread reconciler_;  // touched only by Start/StopReconciler
};

}  // namespace efs::control

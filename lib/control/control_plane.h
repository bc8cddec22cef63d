// ControlPlane: the AWS EFS actions over the catalog, and the state machine that moves file
// systems and mount targets through creating -> available -> deleting -> gone.
//
// Every action validates its request as EFS does and changes the catalog in one transaction.
// Transitions that need work outside the catalog (the storage directory, a listener) are done
// by Reconcile(), which a background thread runs after each change and the daemon runs once at
// start, so that a crash at any moment is finished on the next start.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "api/messages.h"
#include "api/vpc_messages.h"
#include "base/clock.h"
#include "base/status.h"
#include "control/endpoints.h"

namespace efs::control {

struct Options {
  std::string state_dir;                // file system data lives in state_dir/fs/<fs-id>/
  std::vector<std::string> tier_roots;  // ... and in root/<fs-id>/ for each (efsd --tier-dir)
  std::string catalog_path;             // usually state_dir/catalog.db; ":memory:" in tests
  // With a libpq connection string (efsd --postgres), the catalog (schema efs_catalog) and
  // every file system's namespace (schema <fs-id>) live in that PostgreSQL database instead.
  std::string postgres;
  std::string region = "local-1";       // AZs are region + "a".."c", ids "lcl1-az1".."lcl1-az3"
  std::string owner_id = "000000000000";
  int nfs_port = 12049;  // the port every loopback mount target listens on
  // The network backend: "netns" (a VPC is network namespaces; mount targets listen on their
  // own addresses on port 2049) or "loopback" (addresses in 127.0.0.0/8, port nfs_port). A
  // catalog keeps the backend it was made with; another one is refused when
  // network_backend_explicit (efsd --network-backend), else the catalog's is used.
  std::string network_backend = "loopback";
  bool network_backend_explicit = false;
  uid_t admin_uid = 0;                  // besides root, the only uid allowed mutating actions
  // For GetDaemonStatus.
  std::string version;
  std::string socket_path;
  std::string http_endpoint;  // "http://IP:PORT" (efsd --http-listen), "" if none
  double start_time = 0;
};

// An access key as the HTTP endpoint checks and uses it.
struct AccessKeyIdentity {
  std::string access_key_id;
  std::string secret;
  std::string user_name;
  uid_t uid = 0;
};

// What a lifecycle configuration asks of a file system's store (periods in seconds).
fs::LifecyclePolicy LifecyclePolicyOf(const api::LifecycleConfigurationDescription& config);
class ControlPlane;
// The same for file system `fs_id`'s configuration in `control`'s catalog.
Result<fs::LifecyclePolicy> LifecyclePolicyOf(ControlPlane& control, const std::string& fs_id);

class ControlPlane {
 public:
  // Opens the catalog (creating it, or migrating an older schema forward). On first open it
  // creates the default VPC (netns: 172.31.0.0/16, loopback: 127.80.0.0/16), one default subnet
  // per availability zone (/20 each) and the VPC's default security group (inbound tcp 2049
  // from the VPC's CIDR; loopback: from 127.0.0.0/8).
  // `clock` and `endpoints` must outlive the ControlPlane.
  static Result<std::unique_ptr<ControlPlane>> Open(const Options& options, const Clock* clock,
                                                   Endpoints* endpoints);
  virtual ~ControlPlane() = default;

  // --- file systems
  virtual Result<api::FileSystemDescription> CreateFileSystem(
      const api::CreateFileSystemRequest&) = 0;
  virtual Result<api::DescribeFileSystemsResponse> DescribeFileSystems(
      const api::DescribeFileSystemsRequest&) = 0;
  virtual Result<api::FileSystemDescription> UpdateFileSystem(
      const api::UpdateFileSystemRequest&) = 0;
  virtual Status DeleteFileSystem(const api::DeleteFileSystemRequest&) = 0;
  // --- mount targets
  virtual Result<api::MountTargetDescription> CreateMountTarget(
      const api::CreateMountTargetRequest&) = 0;
  virtual Result<api::DescribeMountTargetsResponse> DescribeMountTargets(
      const api::DescribeMountTargetsRequest&) = 0;
  virtual Status DeleteMountTarget(const api::DeleteMountTargetRequest&) = 0;
  virtual Result<api::DescribeMountTargetSecurityGroupsResponse> DescribeMountTargetSecurityGroups(
      const api::DescribeMountTargetSecurityGroupsRequest&) = 0;
  virtual Status ModifyMountTargetSecurityGroups(
      const api::ModifyMountTargetSecurityGroupsRequest&) = 0;
  // --- lifecycle
  virtual Result<api::LifecycleConfigurationDescription> PutLifecycleConfiguration(
      const api::PutLifecycleConfigurationRequest&) = 0;
  virtual Result<api::LifecycleConfigurationDescription> DescribeLifecycleConfiguration(
      const api::DescribeLifecycleConfigurationRequest&) = 0;
  // --- settings (fs_settings.cc)
  virtual Result<api::BackupPolicyDescription> PutBackupPolicy(
      const api::PutBackupPolicyRequest&) = 0;
  virtual Result<api::BackupPolicyDescription> DescribeBackupPolicy(
      const api::DescribeBackupPolicyRequest&) = 0;
  virtual Result<api::FileSystemProtectionDescription> UpdateFileSystemProtection(
      const api::UpdateFileSystemProtectionRequest&) = 0;
  virtual Result<api::DescribeAccountPreferencesResponse> DescribeAccountPreferences(
      const api::DescribeAccountPreferencesRequest&) = 0;
  virtual Result<api::PutAccountPreferencesResponse> PutAccountPreferences(
      const api::PutAccountPreferencesRequest&) = 0;
  // --- tags
  virtual Status TagResource(const api::TagResourceRequest&) = 0;
  virtual Status UntagResource(const api::UntagResourceRequest&) = 0;
  virtual Result<api::ListTagsForResourceResponse> ListTagsForResource(
      const api::ListTagsForResourceRequest&) = 0;
  // --- network
  virtual Result<api::DescribeVpcsResponse> DescribeVpcs(const api::DescribeVpcsRequest&) = 0;
  virtual Result<api::CreateVpcResponse> CreateVpc(const api::CreateVpcRequest&) = 0;
  virtual Status DeleteVpc(const api::DeleteVpcRequest&) = 0;
  virtual Result<api::DescribeSubnetsResponse> DescribeSubnets(
      const api::DescribeSubnetsRequest&) = 0;
  virtual Result<api::CreateSubnetResponse> CreateSubnet(const api::CreateSubnetRequest&) = 0;
  virtual Status DeleteSubnet(const api::DeleteSubnetRequest&) = 0;
  virtual Result<api::CreateSecurityGroupResponse> CreateSecurityGroup(
      const api::CreateSecurityGroupRequest&) = 0;
  virtual Result<api::DescribeSecurityGroupsResponse> DescribeSecurityGroups(
      const api::DescribeSecurityGroupsRequest&) = 0;
  virtual Status AuthorizeSecurityGroupIngress(const api::SecurityGroupIngressRequest&) = 0;
  virtual Status RevokeSecurityGroupIngress(const api::SecurityGroupIngressRequest&) = 0;
  virtual Status DeleteSecurityGroup(const api::DeleteSecurityGroupRequest&) = 0;
  // --- network interfaces (clients joining a subnet; the netns backend)
  virtual Result<api::CreateNetworkInterfaceResponse> CreateNetworkInterface(
      const api::CreateNetworkInterfaceRequest&) = 0;
  virtual Result<api::DescribeNetworkInterfacesResponse> DescribeNetworkInterfaces(
      const api::DescribeNetworkInterfacesRequest&) = 0;
  virtual Result<api::AttachNetworkInterfaceResponse> AttachNetworkInterface(
      const api::AttachNetworkInterfaceRequest&) = 0;
  virtual Status DetachNetworkInterface(const api::DetachNetworkInterfaceRequest&) = 0;
  virtual Status DeleteNetworkInterface(const api::DeleteNetworkInterfaceRequest&) = 0;
  // efs mount's interface in a subnet for this host's mounts (made on first use).
  virtual Result<api::CreateNetworkInterfaceResponse> EnsureHostInterface(
      const api::EnsureHostInterfaceRequest&) = 0;
  // --- peering and routes
  virtual Result<api::VpcPeeringConnectionResponse> CreateVpcPeeringConnection(
      const api::CreateVpcPeeringConnectionRequest&) = 0;
  virtual Result<api::VpcPeeringConnectionResponse> AcceptVpcPeeringConnection(
      const api::VpcPeeringConnectionIdRequest&) = 0;
  virtual Status RejectVpcPeeringConnection(const api::VpcPeeringConnectionIdRequest&) = 0;
  virtual Status DeleteVpcPeeringConnection(const api::VpcPeeringConnectionIdRequest&) = 0;
  virtual Result<api::DescribeVpcPeeringConnectionsResponse> DescribeVpcPeeringConnections(
      const api::DescribeVpcPeeringConnectionsRequest&) = 0;
  virtual Status CreateRoute(const api::CreateRouteRequest&) = 0;
  virtual Status DeleteRoute(const api::DeleteRouteRequest&) = 0;
  virtual Result<api::DescribeRouteTablesResponse> DescribeRouteTables(
      const api::DescribeRouteTablesRequest&) = 0;
  // --- VPN gateways
  virtual Result<api::CreateVpnGatewayResponse> CreateVpnGateway(
      const api::CreateVpnGatewayRequest&) = 0;
  virtual Result<api::AttachVpnGatewayResponse> AttachVpnGateway(
      const api::VpnGatewayAttachmentRequest&) = 0;
  virtual Status DetachVpnGateway(const api::VpnGatewayAttachmentRequest&) = 0;
  virtual Status DeleteVpnGateway(const api::DeleteVpnGatewayRequest&) = 0;
  virtual Result<api::DescribeVpnGatewaysResponse> DescribeVpnGateways(
      const api::DescribeVpnGatewaysRequest&) = 0;
  // --- access keys of the HTTP endpoint (efsd's own, shaped as IAM's; root only)
  virtual Result<api::CreateAccessKeyResponse> CreateAccessKey(
      const api::CreateAccessKeyRequest&) = 0;
  virtual Result<api::ListAccessKeysResponse> ListAccessKeys(const api::ListAccessKeysRequest&) = 0;
  virtual Status DeleteAccessKey(const api::DeleteAccessKeyRequest&) = 0;
  // Not an action: the key `access_key_id` with its secret (for SigV4) and user, or nullopt.
  virtual Result<std::optional<AccessKeyIdentity>> FindAccessKey(
      const std::string& access_key_id) = 0;
  // --- zone failure (efsd's own, for tests and demonstrations; the netns backend)
  virtual Result<api::FailedAvailabilityZones> FailAvailabilityZone(
      const api::AvailabilityZoneRequest&) = 0;
  virtual Result<api::FailedAvailabilityZones> RestoreAvailabilityZone(
      const api::AvailabilityZoneRequest&) = 0;
  // --- daemon
  virtual Result<api::DaemonStatus> GetDaemonStatus() = 0;
  // Moves the daemon's clock ahead (Endpoints::AdvanceClock): BadRequest unless 0 < Seconds
  // <= 10 years; TestClockDisabled (kFailedPrecondition) unless efsd runs with --test-clock.
  virtual Result<api::ClockReading> AdvanceClock(const api::AdvanceClockRequest&) = 0;

  // --- storage classes (efsd's own actions)
  // Which class holds the file at Path, or each file under the directory at Path, and what
  // the tree is metered at, as `as` may see it: only the entries of directories it may read
  // and search, as through a mount (the others count in DirectoriesSkipped). BadRequest for a
  // bad Path or MaxItems, FileNotFound, AccessDenied for a Path it may not search.
  virtual Result<api::DescribeStorageResponse> DescribeStorage(const api::DescribeStorageRequest&,
                                                               const fs::Credentials& as) = 0;
  // Runs one lifecycle pass over the file system now (with its current configuration).
  virtual Result<api::LifecyclePassReport> RunLifecyclePass(
      const api::RunLifecyclePassRequest&) = 0;
  // The consistency check of an available file system (efs fsck; lib/fs/check.h), with
  // repairs if asked. FileSystemNotFound, IncorrectFileSystemLifeCycleState.
  virtual Result<api::FileSystemCheck> CheckFileSystem(const api::CheckFileSystemRequest&) = 0;
  // Sets a bursting file system's burst credit balance (Endpoints::SetBurstCredits):
  // FileSystemNotFound, BadRequest for a file system not in bursting mode or a balance
  // outside 0 to its credit cap.
  virtual Result<api::BurstCreditBalance> SetBurstCreditBalance(
      const api::SetBurstCreditBalanceRequest&) = 0;

  // Records file system `id`'s metered size in bytes per storage class, measured at
  // `timestamp` (epoch seconds), for DescribeFileSystems' SizeInBytes. Not an API action: the
  // daemon calls it as stored data changes. A file system that is gone is ignored.
  virtual Status RecordSize(const std::string& id, uint64_t standard, uint64_t ia, uint64_t archive,
                            double timestamp) = 0;

  // Moves every resource in a transitional state as far as it can go: a creating file system
  // gets its directory and becomes available; a deleting one loses its directory and its row; a
  // creating mount target gets its listener and becomes available (error if the bind fails); a
  // deleting one loses its listener and its row; every available mount target has its listener
  // open. Idempotent. Thread-safe (calls are serialized).
  virtual void Reconcile() = 0;

  // The netns backend: what every VPC of the catalog is made of (net::VpcSpec), devices and
  // client namespaces included, for efsd --remove-network. Empty with loopback.
  virtual Result<std::vector<net::VpcSpec>> NetworkSpecs() = 0;

  // Starts a background thread that runs Reconcile() whenever an action changed something (and
  // every few seconds, to retry). StopReconciler() joins it. Without it, callers (tests) run
  // Reconcile() themselves.
  virtual void StartReconciler() = 0;
  virtual void StopReconciler() = 0;

  const Options& options() const { return options_; }
  // The backend in effect (the catalog's; see Options::network_backend).
  const std::string& network_backend() const { return options_.network_backend; }
  bool netns() const { return options_.network_backend == "netns"; }
  // The port mount targets listen on: 2049 with netns, Options::nfs_port on loopback.
  int ListenPort() const { return netns() ? 2049 : options_.nfs_port; }

 protected:
  explicit ControlPlane(Options options) : options_(std::move(options)) {}
  // Open() settles the backend once, before any action runs.
  void SetNetworkBackend(const std::string& backend) { options_.network_backend = backend; }

 private:
  Options options_;
};

}  // namespace efs::control

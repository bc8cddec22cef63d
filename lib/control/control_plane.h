// ControlPlane: the AWS EFS actions over the catalog, and the state machine that moves file
// systems and mount targets through creating -> available -> deleting -> gone.
//
// Every action validates its request as EFS does and changes the catalog in one transaction.
// Transitions that need work outside the catalog (the storage directory, a listener) are done
// by Reconcile(), which a background thread runs after each change and the daemon runs once at
// start, so that a crash at any moment is finished on the next start.
#pragma once

#include <memory>
#include <sys/types.h>

#include <string>

#include "api/messages.h"
#include "base/clock.h"
#include "base/status.h"
#include "control/endpoints.h"

namespace efs::control {

struct Options {
  std::string state_dir;                // file system data lives in state_dir/fs/<fs-id>/
  std::vector<std::string> tier_roots;  // ... and in root/<fs-id>/ for each (efsd --tier-dir)
  std::string catalog_path;             // usually state_dir/catalog.db; ":memory:" in tests
  std::string region = "local-1";       // AZs are region + "a".."c", ids "lcl1-az1".."lcl1-az3"
  std::string owner_id = "000000000000";
  int nfs_port = 12049;                 // the port every mount target listens on
  uid_t admin_uid = 0;                  // besides root, the only uid allowed mutating actions
  // For GetDaemonStatus.
  std::string version;
  std::string socket_path;
  double start_time = 0;
};

// What a lifecycle configuration asks of a file system's store (periods in seconds).
fs::LifecyclePolicy LifecyclePolicyOf(const api::LifecycleConfigurationDescription& config);
class ControlPlane;
// The same for file system `fs_id`'s configuration in `control`'s catalog.
Result<fs::LifecyclePolicy> LifecyclePolicyOf(ControlPlane& control, const std::string& fs_id);

class ControlPlane {
 public:
  // Opens the catalog (creating it, or migrating an older schema forward). On first open it
  // creates the default VPC (127.80.0.0/16), one default subnet per availability zone (/20 each)
  // and the VPC's default security group (inbound tcp 2049 from 127.0.0.0/8).
  // `clock` and `endpoints` must outlive the ControlPlane.
  static Result<std::unique_ptr<ControlPlane>> Open(const Options& options, const Clock* clock,
                                                   Endpoints* endpoints);
  virtual ~ControlPlane() = default;

  // --- file systems
  virtual Result<api::FileSystemDescription> CreateFileSystem(const api::CreateFileSystemRequest&) = 0;
  virtual Result<api::DescribeFileSystemsResponse> DescribeFileSystems(const api::DescribeFileSystemsRequest&) = 0;
  virtual Result<api::FileSystemDescription> UpdateFileSystem(const api::UpdateFileSystemRequest&) = 0;
  virtual Status DeleteFileSystem(const api::DeleteFileSystemRequest&) = 0;
  // --- mount targets
  virtual Result<api::MountTargetDescription> CreateMountTarget(const api::CreateMountTargetRequest&) = 0;
  virtual Result<api::DescribeMountTargetsResponse> DescribeMountTargets(const api::DescribeMountTargetsRequest&) = 0;
  virtual Status DeleteMountTarget(const api::DeleteMountTargetRequest&) = 0;
  virtual Result<api::DescribeMountTargetSecurityGroupsResponse> DescribeMountTargetSecurityGroups(
      const api::DescribeMountTargetSecurityGroupsRequest&) = 0;
  virtual Status ModifyMountTargetSecurityGroups(const api::ModifyMountTargetSecurityGroupsRequest&) = 0;
  // --- lifecycle
  virtual Result<api::LifecycleConfigurationDescription> PutLifecycleConfiguration(
      const api::PutLifecycleConfigurationRequest&) = 0;
  virtual Result<api::LifecycleConfigurationDescription> DescribeLifecycleConfiguration(
      const api::DescribeLifecycleConfigurationRequest&) = 0;
  // --- tags
  virtual Status TagResource(const api::TagResourceRequest&) = 0;
  virtual Status UntagResource(const api::UntagResourceRequest&) = 0;
  virtual Result<api::ListTagsForResourceResponse> ListTagsForResource(const api::ListTagsForResourceRequest&) = 0;
  // --- network
  virtual Result<api::DescribeVpcsResponse> DescribeVpcs() = 0;
  virtual Result<api::DescribeSubnetsResponse> DescribeSubnets(const api::DescribeSubnetsRequest&) = 0;
  virtual Result<api::CreateSubnetResponse> CreateSubnet(const api::CreateSubnetRequest&) = 0;
  virtual Status DeleteSubnet(const api::DeleteSubnetRequest&) = 0;
  virtual Result<api::CreateSecurityGroupResponse> CreateSecurityGroup(const api::CreateSecurityGroupRequest&) = 0;
  virtual Result<api::DescribeSecurityGroupsResponse> DescribeSecurityGroups(const api::DescribeSecurityGroupsRequest&) = 0;
  virtual Status AuthorizeSecurityGroupIngress(const api::SecurityGroupIngressRequest&) = 0;
  virtual Status RevokeSecurityGroupIngress(const api::SecurityGroupIngressRequest&) = 0;
  virtual Status DeleteSecurityGroup(const api::DeleteSecurityGroupRequest&) = 0;
  // --- daemon
  virtual Result<api::DaemonStatus> GetDaemonStatus() = 0;
  // Moves the daemon's clock ahead (Endpoints::AdvanceClock): BadRequest unless 0 < Seconds
  // <= 10 years; TestClockDisabled (kFailedPrecondition) unless efsd runs with --test-clock.
  virtual Result<api::ClockReading> AdvanceClock(const api::AdvanceClockRequest&) = 0;

  // --- storage classes (efsd's own actions)
  // Which class holds the file at Path, or each file under the directory at Path, and what
  // the tree is metered at. BadRequest for a bad Path or MaxItems, FileNotFound.
  virtual Result<api::DescribeStorageResponse> DescribeStorage(
      const api::DescribeStorageRequest&) = 0;
  // Runs one lifecycle pass over the file system now (with its current configuration).
  virtual Result<api::LifecyclePassReport> RunLifecyclePass(
      const api::RunLifecyclePassRequest&) = 0;
  // Sets a bursting file system's burst credit balance (Endpoints::SetBurstCredits):
  // FileSystemNotFound, BadRequest for a file system not in bursting mode or a balance
  // outside 0 to its credit cap.
  virtual Result<api::BurstCreditBalance> SetBurstCreditBalance(
      const api::SetBurstCreditBalanceRequest&) = 0;

  // Records file system `id`'s metered size in bytes per storage class, measured at
  // `timestamp` (epoch seconds), for DescribeFileSystems' SizeInBytes. Not an API action: the
  // daemon calls it as stored data changes. A file system that is gone is ignored.
  virtual Status RecordSize(const std::string& id, uint64_t standard, uint64_t ia,
                            uint64_t archive, double timestamp) = 0;

  // Moves every resource in a transitional state as far as it can go: a creating file system
  // gets its directory and becomes available; a deleting one loses its directory and its row; a
  // creating mount target gets its listener and becomes available (error if the bind fails); a
  // deleting one loses its listener and its row; every available mount target has its listener
  // open. Idempotent. Thread-safe (calls are serialized).
  virtual void Reconcile() = 0;

  // Starts a background thread that runs Reconcile() whenever an action changed something (and
  // every few seconds, to retry). StopReconciler() joins it. Without it, callers (tests) run
  // Reconcile() themselves.
  virtual void StartReconciler() = 0;
  virtual void StopReconciler() = 0;

  const Options& options() const { return options_; }

 protected:
  explicit ControlPlane(Options options) : options_(std::move(options)) {}

 private:
  Options options_;
};

}  // namespace efs::control

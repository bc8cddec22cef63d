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

#include <memory>
#include <set>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "control/control_plane.h"
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
Result<Page> ParsePage(const std::optional<int>& max_items, const std::optional<std::string>& marker,
                       int default_items);

// The Status of a Result, dropping its value.
template <class T>
Status StatusOf(const Result<T>& result) {
  return result.ok() ? Status::Ok() : result.status();
}

// Checks the EFS tag rules: at most 50, keys 1-128 chars not starting "aws:", values at most
// 256 chars, no key twice. BadRequest otherwise.
Status ValidateTags(const std::vector<api::Tag>& tags);

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

  Status TagResource(const api::TagResourceRequest&) EXCLUDES(mu_) override;
  Status UntagResource(const api::UntagResourceRequest&) EXCLUDES(mu_) override;
  Result<api::ListTagsForResourceResponse> ListTagsForResource(
      const api::ListTagsForResourceRequest&) EXCLUDES(mu_) override;

  Result<api::DescribeVpcsResponse> DescribeVpcs() EXCLUDES(mu_) override;
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

  Result<api::DaemonStatus> GetDaemonStatus() EXCLUDES(mu_) override;
  Result<api::ClockReading> AdvanceClock(const api::AdvanceClockRequest&) override;
  Result<api::DescribeStorageResponse> DescribeStorage(const api::DescribeStorageRequest&)
      EXCLUDES(mu_) override;
  Result<api::BurstCreditBalance> SetBurstCreditBalance(
      const api::SetBurstCreditBalanceRequest&) override;
  Result<api::LifecyclePassReport> RunLifecyclePass(const api::RunLifecyclePassRequest&)
      EXCLUDES(mu_) override;
  Status RecordSize(const std::string& id, uint64_t standard, uint64_t ia, uint64_t archive,
                    double timestamp) EXCLUDES(mu_) override;

  void Reconcile() EXCLUDES(reconcile_mu_, mu_) override;
  void StartReconciler() EXCLUDES(wake_mu_) override;
  void StopReconciler() EXCLUDES(wake_mu_) override;

 private:
  // --- file_systems.cc
  api::FileSystemDescription DescribeRow(const store::FileSystemRow& row) const;
  // The store of file system `id` if it is available (Endpoints::Store).
  Result<std::shared_ptr<fs::FileSystem>> AvailableStore(const std::string& id) EXCLUDES(mu_);
  Result<store::FileSystemRow> FindFileSystemLocked(const std::string& id)
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
  Result<std::string> PickAddressLocked(const store::SubnetRow& subnet,
                                        const std::optional<std::string>& requested)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<store::MountTargetRow> InsertMountTargetLocked(const api::CreateMountTargetRequest& req)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- tags.cc
  Result<std::string> ResolveTaggableLocked(const std::string& resource_id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- network.cc
  api::Subnet DescribeRow(const store::SubnetRow& row) const;
  api::SecurityGroup DescribeRow(const store::SecurityGroupRow& row) const;
  Result<store::VpcRow> ResolveVpcLocked(const std::optional<std::string>& vpc_id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<store::SecurityGroupRow> FindGroupLocked(const std::string& id)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status CreateDefaultNetworkLocked() EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- reconcile.cc
  // One pass over the transitional states; `ensure_listeners` also reopens listeners of
  // available mount targets not known to be open.
  void ReconcilePass(bool ensure_listeners) EXCLUDES(reconcile_mu_, mu_);
  bool FinishCreatingFileSystems() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  bool FinishDeletingFileSystems() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  bool FinishCreatingMountTargets() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  bool FinishDeletingMountTargets() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  void EnsureListeners() REQUIRES(reconcile_mu_) EXCLUDES(mu_);
  void ReconcilerLoop() EXCLUDES(wake_mu_);
  // Tells the reconciler thread (if running) that something changed.
  void Wake() EXCLUDES(wake_mu_);

  const Clock* clock_;
  Endpoints* endpoints_;
  std::vector<Zone> zones_;

  Mutex mu_;
  std::unique_ptr<store::Catalog> catalog_ GUARDED_BY(mu_);

  Mutex reconcile_mu_;
  std::set<std::string> open_listeners_ GUARDED_BY(reconcile_mu_);

  Mutex wake_mu_;
  CondVar wake_cv_;
  bool wake_ GUARDED_BY(wake_mu_) = false;
  bool stopping_ GUARDED_BY(wake_mu_) = false;
  std::thread reconciler_;  // touched only by Start/StopReconciler
};

}  // namespace efs::control

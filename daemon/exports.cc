// The mount target -> file system cache behind the NFS server.
#include "daemon/exports.h"

#include "base/log.h"
#include "base/macros.h"
#include "nfs4/filehandle.h"
#include "store/pg_db.h"
#include "store/store_fs.h"

namespace efs::daemon {

namespace {

// `root`/`fs_id`, or "" (the default place) for an empty root.
std::string Under(const std::string& root, const std::string& fs_id) {
  return root.empty() ? "" : root + "/" + fs_id;
}

}  // namespace

store::TierDirs Exports::TiersOf(const std::string& fs_id) const {
  return store::TierDirs{Under(tiers_.standard, fs_id), Under(tiers_.ia, fs_id),
                         Under(tiers_.archive, fs_id)};
}

Result<Exports::Open*> Exports::OpenLocked(const std::string& fs_id, bool serve) {
  if (auto open = file_systems_.find(fs_id); open != file_systems_.end()) return &open->second;
  if (auto retired = retired_.find(fs_id); retired != retired_.end()) {
    if (!serve) {
      retired->second.first = std::chrono::steady_clock::now() + kRetireSeconds;
      return &retired->second.second;
    }
    Open& open = file_systems_[fs_id] = std::move(retired->second.second);
    retired_.erase(retired);
    return &open;
  }
  std::unique_ptr<store::Db> namespace_db;  // none: namespace.db in the file system's directory
  if (const std::string& postgres = control_->options().postgres; !postgres.empty()) {
    EFS_ASSIGN_OR_RETURN(namespace_db, store::OpenPostgres({postgres, fs_id}));
  }
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<fs::FileSystem> store,
                       store::OpenStoreFs(state_dir_ + "/fs/" + fs_id, clock_, TiersOf(fs_id),
                                          std::move(namespace_db)));
  Result<fs::LifecyclePolicy> policy = control::LifecyclePolicyOf(*control_, fs_id);
  if (policy.ok()) store->SetLifecycle(*policy);
  Open opened;
  opened.fs = std::move(store);
  opened.export_id = nfs4::ExportIdFor(fs_id);
  if (throttles_) opened.qos = throttles_->For(fs_id);
  if (opened.qos && opened.qos->settings().performance == qos::PerformanceMode::kMaxIo) {
    opened.fs->SetCommitGather(qos::kMaxIoCommitGather);
  }
  if (serve) return &(file_systems_[fs_id] = std::move(opened));
  auto& retired = retired_[fs_id];
  retired = {std::chrono::steady_clock::now() + kRetireSeconds, std::move(opened)};
  return &retired.second;
}

std::optional<nfs4::Export> Exports::Resolve(const std::string& mount_target_id) {
  MutexLock lock(&mu_);
  auto target = targets_.find(mount_target_id);
  if (target == targets_.end()) {
    CloseRetired();
    api::DescribeMountTargetsRequest req;
    req.mount_target_id = mount_target_id;
    Result<api::DescribeMountTargetsResponse> found = control_->DescribeMountTargets(req);
    if (!found.ok() || found->mount_targets.empty() ||
        found->mount_targets[0].life_cycle_state != "available") {
      return std::nullopt;
    }
    std::string fs_id = found->mount_targets[0].file_system_id;
    Result<Open*> open = OpenLocked(fs_id, /*serve=*/true);
    if (!open.ok()) {
      EFS_LOG(kError) << "file system " << fs_id << ": " << open.status().ToString();
      return std::nullopt;
    }
    ++(*open)->mount_targets;
    target = targets_.emplace(mount_target_id, fs_id).first;
  }
  const Open& open = file_systems_.at(target->second);
  return nfs4::Export{open.export_id, open.fs.get(), /*read_only=*/false, open.qos};
}

std::optional<uint64_t> Exports::Forget(const std::string& mount_target_id) {
  MutexLock lock(&mu_);
  auto target = targets_.find(mount_target_id);
  if (target == targets_.end()) return std::nullopt;
  auto open = file_systems_.find(target->second);
  targets_.erase(target);
  if (--open->second.mount_targets > 0) return std::nullopt;
  uint64_t export_id = open->second.export_id;
  retired_[open->first] = {std::chrono::steady_clock::now() + kRetireSeconds,
                           std::move(open->second)};
  file_systems_.erase(open);
  CloseRetired();
  return export_id;
}

Result<std::shared_ptr<fs::FileSystem>> Exports::Acquire(const std::string& fs_id) {
  MutexLock lock(&mu_);
  CloseRetired();
  EFS_ASSIGN_OR_RETURN(Open * open, OpenLocked(fs_id, /*serve=*/false));
  return open->fs;
}

void Exports::ApplyLifecycle(const std::string& fs_id) {
  std::shared_ptr<fs::FileSystem> store;
  {
    MutexLock lock(&mu_);
    if (auto open = file_systems_.find(fs_id); open != file_systems_.end()) {
      store = open->second.fs;
    } else if (auto retired = retired_.find(fs_id); retired != retired_.end()) {
      store = retired->second.second.fs;
    }
  }
  if (store == nullptr) return;  // applied when it opens
  Result<fs::LifecyclePolicy> policy = control::LifecyclePolicyOf(*control_, fs_id);
  if (!policy.ok()) {
    EFS_LOG(kWarn) << "file system " << fs_id << ": " << policy.status().ToString();
    return;
  }
  store->SetLifecycle(*policy);
}

std::map<std::string, fs::StorageSizes> Exports::MeteredSizes() {
  MutexLock lock(&mu_);
  std::map<std::string, fs::StorageSizes> sizes;
  for (const auto& [fs_id, open] : file_systems_) sizes[fs_id] = open.fs->Metered();
  for (const auto& [fs_id, retired] : retired_) sizes[fs_id] = retired.second.fs->Metered();
  return sizes;
}

void Exports::CloseRetired() {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(retired_, [now](const auto& entry) {
    return entry.second.first <= now && entry.second.second.fs.use_count() == 1;
  });
}

std::map<std::string, uint32_t> Exports::ByFileSystem(
    const std::map<std::string, size_t>& by_mount_target) {
  MutexLock lock(&mu_);
  std::map<std::string, uint32_t> out;
  for (const auto& [mount_target_id, count] : by_mount_target) {
    auto target = targets_.find(mount_target_id);
    if (target != targets_.end()) out[target->second] += static_cast<uint32_t>(count);
  }
  return out;
}

}  // namespace efs::daemon

// The mount target -> file system cache behind the NFS server.
#include "daemon/exports.h"

#include "base/log.h"
#include "nfs4/filehandle.h"
#include "store/store_fs.h"

namespace efs::daemon {

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
    Open& open = file_systems_[fs_id];
    if (!open.fs && retired_.count(fs_id)) {
      open = std::move(retired_[fs_id].second);
      retired_.erase(fs_id);
    }
    if (!open.fs) {
      Result<std::unique_ptr<fs::FileSystem>> store = store::OpenStoreFs(state_dir_ + "/fs/" + fs_id, clock_);
      if (!store.ok()) {
        EFS_LOG(kError) << "file system " << fs_id << ": " << store.status().ToString();
        file_systems_.erase(fs_id);
        return std::nullopt;
      }
      open.fs = std::move(store).value();
      open.export_id = nfs4::ExportIdFor(fs_id);
    }
    ++open.mount_targets;
    target = targets_.emplace(mount_target_id, fs_id).first;
  }
  const Open& open = file_systems_.at(target->second);
  return nfs4::Export{open.export_id, open.fs.get(), /*read_only=*/false};
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

std::map<std::string, uint64_t> Exports::MeteredSizes() {
  MutexLock lock(&mu_);
  std::map<std::string, uint64_t> sizes;
  for (const auto& [fs_id, open] : file_systems_) sizes[fs_id] = open.fs->MeteredSize();
  for (const auto& [fs_id, retired] : retired_) sizes[fs_id] = retired.second.fs->MeteredSize();
  return sizes;
}

void Exports::CloseRetired() {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(retired_, [now](const auto& entry) { return entry.second.first <= now; });
}

}  // namespace efs::daemon

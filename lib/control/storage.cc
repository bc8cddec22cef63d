// Storage actions (efsd's own): DescribeStorage walks a file system's tree through its store;
// RunLifecyclePass runs one pass of the lifecycle mover now; CheckFileSystem is efs fsck.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/errors.h"
#include "fs/permissions.h"

namespace efs::control {

namespace {

constexpr int kDefaultStorageItems = 1000;
constexpr int kMaxStorageItems = 100000;
constexpr int64_t kDaySeconds = 86400;

// "AFTER_n_DAY(S)" -> n days in seconds; nullopt for anything else.
std::optional<int64_t> PeriodOf(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  int days = 0;
  char unit[8] = {};
  if (std::sscanf(value->c_str(), "AFTER_%d_%7s", &days, unit) != 2 || days <= 0) {
    return std::nullopt;
  }
  return days * kDaySeconds;
}

// The components of `path` ("/a//b/" -> {"a", "b"}), or BadRequest for "." and "..".
Result<std::vector<std::string>> Components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "." || part == "..") {
      return BadRequest("Path '" + path + "' may not contain '.' or '..'");
    }
    if (!part.empty()) parts.push_back(std::move(part));
    start = end + 1;
  }
  return parts;
}

api::SizeInBytes SizesOf(const fs::StorageSizes& sizes) {
  api::SizeInBytes out;
  out.value = static_cast<int64_t>(sizes.total());
  out.value_in_standard = static_cast<int64_t>(sizes[fs::StorageClass::kStandard]);
  out.value_in_ia = static_cast<int64_t>(sizes[fs::StorageClass::kIA]);
  out.value_in_archive = static_cast<int64_t>(sizes[fs::StorageClass::kArchive]);
  return out;
}

// Walks the tree under the store's `start` (at `path`) as `as`, filling `out`: a directory's
// entries are visited iff `as` may read and search it, as listing it through a mount needs.
class StorageWalk {
 public:
  StorageWalk(fs::FileSystem& store, const fs::Credentials& as, int max_items,
              api::DescribeStorageResponse* out)
      : store_(store), as_(as), max_items_(max_items), out_(out) {}

  Status Visit(const fs::Attributes& attrs, const std::string& path) {
    std::vector<std::pair<std::string, fs::Attributes>> stack = {{path, attrs}};
    while (!stack.empty()) {
      auto [at, node] = std::move(stack.back());
      stack.pop_back();
      EFS_RETURN_IF_ERROR(Count(node, at));
      if (node.type != fs::FileType::kDirectory) continue;
      if (!fs::CheckAccess(as_, node, fs::kAccessRead | fs::kAccessExecute).ok()) {
        out_->directories_skipped++;
        continue;
      }
      EFS_ASSIGN_OR_RETURN(auto children, Children(node.id));
      // Pushed in reverse, so names come off the stack in order.
      for (auto it = children.rbegin(); it != children.rend(); ++it) {
        stack.emplace_back((at == "/" ? "/" : at + "/") + it->first, it->second);
      }
    }
    out_->size_in_bytes = SizesOf(total_);
    return Status::Ok();
  }

 private:
  // The entries of directory `dir`, by name.
  Result<std::vector<std::pair<std::string, fs::Attributes>>> Children(fs::FileId dir) {
    std::vector<std::pair<std::string, fs::Attributes>> children;
    fs::ReadDirArgs args;
    args.with_attrs = true;
    while (true) {
      EFS_ASSIGN_OR_RETURN(fs::DirPage page, store_.ReadDir(as_, dir, args));
      for (fs::DirEntry& entry : page.entries) {
        args.cookie = entry.cookie;
        if (entry.attrs) children.emplace_back(std::move(entry.name), *entry.attrs);
      }
      if (page.eof || page.entries.empty()) break;
    }
    std::sort(children.begin(), children.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return children;
  }

  Status Count(const fs::Attributes& attrs, const std::string& path) {
    Result<fs::FileStorage> storage = store_.Storage(attrs.id);
    if (!storage.ok() && storage.status().code() == Code::kStale) return Status::Ok();  // gone
    if (!storage.ok()) return storage.status();
    if (seen_.insert(attrs.id.ino).second) {  // a file of many links counts once
      for (fs::StorageClass c : fs::kAllStorageClasses) total_[c] += storage->metered[c];
    }
    if (attrs.type != fs::FileType::kRegular) return Status::Ok();
    switch (storage->storage_class) {
      case fs::StorageClass::kStandard:
        out_->files_in_standard++;
        break;
      case fs::StorageClass::kIA:
        out_->files_in_ia++;
        break;
      case fs::StorageClass::kArchive:
        out_->files_in_archive++;
        break;
    }
    if (static_cast<int>(out_->files.size()) >= max_items_) {
      out_->truncated = true;
      return Status::Ok();
    }
    api::FileStorageDescription file;
    file.path = path;
    file.storage_class = std::string(fs::StorageClassName(storage->storage_class));
    file.size_in_bytes = SizesOf(storage->metered);
    out_->files.push_back(std::move(file));
    return Status::Ok();
  }

  fs::FileSystem& store_;
  const fs::Credentials& as_;
  const int max_items_;
  api::DescribeStorageResponse* const out_;
  fs::StorageSizes total_;
  std::set<uint64_t> seen_;
};

}  // namespace

fs::LifecyclePolicy LifecyclePolicyOf(const api::LifecycleConfigurationDescription& config) {
  fs::LifecyclePolicy policy;
  for (const api::LifecyclePolicy& p : config.lifecycle_policies) {
    if (auto period = PeriodOf(p.transition_to_ia)) policy.to_ia_after = period;
    if (auto period = PeriodOf(p.transition_to_archive)) policy.to_archive_after = period;
    if (p.transition_to_primary_storage_class == "AFTER_1_ACCESS") policy.recall_on_access = true;
  }
  return policy;
}

Result<fs::LifecyclePolicy> LifecyclePolicyOf(ControlPlane& control, const std::string& fs_id) {
  api::DescribeLifecycleConfigurationRequest which;
  which.file_system_id = fs_id;
  EFS_ASSIGN_OR_RETURN(api::LifecycleConfigurationDescription config,
                       control.DescribeLifecycleConfiguration(which));
  return LifecyclePolicyOf(config);
}

Result<std::shared_ptr<fs::FileSystem>> CatalogControlPlane::AvailableStore(const std::string& id) {
  {
    MutexLock lock(&mu_);
    EFS_ASSIGN_OR_RETURN(store::FileSystemRow fs, FindAvailableFileSystemLocked(id));
  }
  return endpoints_->Store(id);
}

Result<api::DescribeStorageResponse> CatalogControlPlane::DescribeStorage(
    const api::DescribeStorageRequest& req, const fs::Credentials& as) {
  const int max_items = req.max_items.value_or(kDefaultStorageItems);
  if (max_items < 1 || max_items > kMaxStorageItems) {
    return BadRequest("MaxItems must be between 1 and " + std::to_string(kMaxStorageItems) +
                      ", got " + std::to_string(max_items));
  }
  EFS_ASSIGN_OR_RETURN(std::vector<std::string> parts, Components(req.path));
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<fs::FileSystem> store, AvailableStore(req.file_system_id));
  api::DescribeStorageResponse out;
  out.file_system_id = req.file_system_id;
  out.path = "/";
  EFS_ASSIGN_OR_RETURN(fs::Attributes at, store->GetAttr(store->Root()));
  for (const std::string& part : parts) {
    const std::string parent = out.path;
    out.path += (out.path == "/" ? "" : "/") + part;
    Result<fs::Attributes> next = store->Lookup(as, at.id, part);
    const Code code = next.ok() ? Code::kOk : next.status().code();
    if (code == Code::kNotFound || code == Code::kNotDir) {
      return FileNotFound(req.file_system_id, out.path);
    }
    if (code == Code::kPermissionDenied) {
      return Error(Code::kPermissionDenied, "AccessDenied",
                   "uid " + std::to_string(as.uid) + " may not search directory '" + parent +
                       "' of file system '" + req.file_system_id + "'");
    }
    if (!next.ok()) return next.status();
    at = *next;
  }
  StorageWalk walk(*store, as, max_items, &out);
  EFS_RETURN_IF_ERROR(walk.Visit(at, out.path));
  out.size_in_bytes.timestamp = clock_->Now();
  return out;
}

Result<api::LifecyclePassReport> CatalogControlPlane::RunLifecyclePass(
    const api::RunLifecyclePassRequest& req) {
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<fs::FileSystem> store, AvailableStore(req.file_system_id));
  EFS_ASSIGN_OR_RETURN(fs::LifecyclePolicy policy, LifecyclePolicyOf(*this, req.file_system_id));
  store->SetLifecycle(policy);
  const auto start = std::chrono::steady_clock::now();
  EFS_ASSIGN_OR_RETURN(fs::TransitionReport report, store->RunLifecyclePass([] { return true; }));
  api::LifecyclePassReport out;
  out.file_system_id = req.file_system_id;
  out.files_moved = static_cast<int64_t>(report.files_moved);
  out.bytes_moved = static_cast<int64_t>(report.bytes_moved);
  out.files_skipped = static_cast<int64_t>(report.files_skipped);
  out.files_failed = static_cast<int64_t>(report.files_failed);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

// The check runs in the store, under its lock (PosixFs::Check): namespace.db is held by one
// connection in exclusive locking mode, so there is no second reader to take a snapshot with,
// and the lock is what makes the namespace, the data files and the metered size one picture.
Result<api::FileSystemCheck> CatalogControlPlane::CheckFileSystem(
    const api::CheckFileSystemRequest& req) {
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<fs::FileSystem> store, AvailableStore(req.file_system_id));
  const auto start = std::chrono::steady_clock::now();
  EFS_ASSIGN_OR_RETURN(fs::CheckReport report, store->Check(req.repair));
  api::FileSystemCheck out;
  out.file_system_id = req.file_system_id;
  out.repair = req.repair;
  for (fs::CheckFinding& f : report.findings) {
    out.findings.push_back(api::CheckFinding{std::move(f.kind), static_cast<int64_t>(f.ino),
                                             std::move(f.path), std::move(f.detail), f.repaired});
  }
  out.checked.inodes = static_cast<int64_t>(report.checked.inodes);
  out.checked.directories = static_cast<int64_t>(report.checked.directories);
  out.checked.regular_files = static_cast<int64_t>(report.checked.regular_files);
  out.checked.entries = static_cast<int64_t>(report.checked.entries);
  out.checked.data_files = static_cast<int64_t>(report.checked.data_copies);
  out.checked.files_busy = static_cast<int64_t>(report.skipped_busy);
  out.size_in_bytes = SizesOf(report.metered);
  out.recounted_size = SizesOf(report.counted);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace efs::control

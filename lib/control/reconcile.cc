// The state machine's second half: Reconcile() finishes what actions started. Each step reads
// a batch of rows in one state (under mu_), does the outside work without the lock (data
// directories, listeners), then records the results in one transaction. Every step is
// idempotent, so a crash anywhere is finished by the next pass. Without a state_dir (some
// tests) no directories are made or removed.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "base/log.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "net/netns.h"
#include "store/pg_db.h"

namespace efs::control {

namespace {

constexpr int kBatch = 256;
constexpr auto kRetryInterval = std::chrono::seconds(5);
// An empty file system meters as its root directory: 2 KiB of metadata plus 4 KiB of data.
constexpr int64_t kEmptyFileSystemBytes = 6144;

// Makes the directory entries under `dir` durable.
void SyncDirectory(const std::filesystem::path& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)fsync(fd);
  close(fd);
}

}  // namespace

void CatalogControlPlane::Reconcile() { ReconcilePass(/*ensure_listeners=*/true); }

void CatalogControlPlane::ReconcilePass(bool ensure_listeners) {
  MutexLock lock(&reconcile_mu_);
  // Mount targets go before file systems: a file system is deleted only without them.
  while (FinishDeletingMountTargets()) {
  }
  while (FinishCreatingFileSystems()) {
  }
  ReconcileNetwork(/*all=*/ensure_listeners);
  while (FinishCreatingMountTargets()) {
  }
  while (FinishDeletingFileSystems()) {
  }
  if (ensure_listeners) EnsureListeners();
}

// Returns true iff a full batch was finished (so there may be more).
bool CatalogControlPlane::FinishCreatingFileSystems() {
  std::vector<std::string> ids;
  {
    MutexLock lock(&mu_);
    Result<std::vector<std::string>> r = catalog_->FileSystemIdsInState("creating", kBatch);
    if (!r.ok()) {
      EFS_LOG(kError) << "reconcile: " << r.status().ToString();
      return false;
    }
    ids = std::move(*r);
  }
  if (ids.empty()) return false;
  std::vector<std::pair<std::string, bool>> results;  // id, directory made
  std::filesystem::path root = std::filesystem::path(options().state_dir) / "fs";
  for (const std::string& id : ids) {
    std::error_code ec;
    if (!options().state_dir.empty()) std::filesystem::create_directories(root / id, ec);
    if (ec)
      EFS_LOG(kError) << "file system '" << id
                      << "': cannot create its directory: " << ec.message();
    results.emplace_back(id, !ec);
  }
  if (!options().state_dir.empty()) SyncDirectory(root);
  double now = clock_->Now();
  MutexLock lock(&mu_);
  Status status = catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    for (const auto& [id, made] : results) {
      EFS_ASSIGN_OR_RETURN(
          bool moved, catalog_->SetFileSystemState(id, "creating", made ? "available" : "error"));
      if (moved && made) {
        EFS_RETURN_IF_ERROR(catalog_->SetFileSystemSize(id, kEmptyFileSystemBytes, 0, 0, now));
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) EFS_LOG(kError) << "reconcile: " << status.ToString();
  return status.ok() && static_cast<int>(ids.size()) == kBatch;
}

bool CatalogControlPlane::FinishDeletingFileSystems() {
  std::vector<std::string> ids;
  {
    MutexLock lock(&mu_);
    Result<std::vector<std::string>> r = catalog_->FileSystemIdsInState("deleting", kBatch);
    if (!r.ok()) {
      EFS_LOG(kError) << "reconcile: " << r.status().ToString();
      return false;
    }
    ids = std::move(*r);
  }
  std::vector<std::string> removed;
  for (const std::string& id : ids) {
    std::error_code ec;
    for (const std::string& root : options().tier_roots) {
      if (!ec) std::filesystem::remove_all(std::filesystem::path(root) / id, ec);
    }
    if (!ec && !options().state_dir.empty()) {
      std::filesystem::remove_all(std::filesystem::path(options().state_dir) / "fs" / id, ec);
    }
    Status dropped =
        options().postgres.empty() ? Status::Ok() : store::DropPostgresSchema(options().postgres, id);
    if (ec) {
      EFS_LOG(kError) << "file system '" << id
                      << "': cannot remove its directory: " << ec.message();
    } else if (!dropped.ok()) {
      EFS_LOG(kError) << "file system '" << id
                      << "': cannot drop its namespace: " << dropped.ToString();
    } else {
      removed.push_back(id);
    }
  }
  if (removed.empty()) return false;
  if (!options().state_dir.empty())
    SyncDirectory(std::filesystem::path(options().state_dir) / "fs");
  MutexLock lock(&mu_);
  Status status = catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    for (const std::string& id : removed) EFS_RETURN_IF_ERROR(catalog_->DeleteFileSystem(id));
    return Status::Ok();
  });
  if (!status.ok()) EFS_LOG(kError) << "reconcile: " << status.ToString();
  return status.ok() && static_cast<int>(removed.size()) == kBatch;
}

bool CatalogControlPlane::FinishCreatingMountTargets() {
  std::vector<store::MountTargetRow> rows;
  {
    MutexLock lock(&mu_);
    Result<std::vector<store::MountTargetRow>> r =
        catalog_->MountTargetsInState("creating", kBatch);
    if (!r.ok()) {
      EFS_LOG(kError) << "reconcile: " << r.status().ToString();
      return false;
    }
    rows = std::move(*r);
  }
  if (rows.empty()) return false;
  std::vector<std::pair<std::string, bool>> results;  // id, listening
  for (const store::MountTargetRow& row : rows) {
    // With netns, a mount target whose interface could not be made waits for the next pass.
    if (netns() && !InterfaceUp(row.eni_id)) continue;
    Status status = OpenListener(row);
    results.emplace_back(row.id, status.ok());
  }
  MutexLock lock(&mu_);
  Status status = catalog_->InTransaction([&]() REQUIRES(mu_, reconcile_mu_) -> Status {
    for (const auto& [id, ok] : results) {
      EFS_ASSIGN_OR_RETURN(
          bool moved, catalog_->SetMountTargetState(id, "creating", ok ? "available" : "error"));
      if (moved && ok) open_listeners_.insert(id);
    }
    return Status::Ok();
  });
  if (!status.ok()) EFS_LOG(kError) << "reconcile: " << status.ToString();
  return status.ok() && static_cast<int>(rows.size()) == kBatch;
}

bool CatalogControlPlane::FinishDeletingMountTargets() {
  std::vector<store::MountTargetRow> rows;
  {
    MutexLock lock(&mu_);
    Result<std::vector<store::MountTargetRow>> r =
        catalog_->MountTargetsInState("deleting", kBatch);
    if (!r.ok()) {
      EFS_LOG(kError) << "reconcile: " << r.status().ToString();
      return false;
    }
    rows = std::move(*r);
  }
  if (rows.empty()) return false;
  for (const store::MountTargetRow& row : rows) {
    endpoints_->Close(row.id);
    open_listeners_.erase(row.id);
    MarkVpcDirty(row.vpc_id, /*wake=*/false);  // its interface goes in this pass
  }
  MutexLock lock(&mu_);
  Status status = catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    for (const store::MountTargetRow& row : rows) {
      EFS_RETURN_IF_ERROR(catalog_->DeleteMountTarget(row.id));
    }
    return Status::Ok();
  });
  if (!status.ok()) EFS_LOG(kError) << "reconcile: " << status.ToString();
  return status.ok() && static_cast<int>(rows.size()) == kBatch;
}

// Opens the listener of every available mount target this process has not opened yet (all of
// them after a restart). One that cannot listen any more goes to "error".
void CatalogControlPlane::EnsureListeners() {
  std::vector<store::MountTargetRow> rows;
  {
    MutexLock lock(&mu_);
    Result<std::vector<store::MountTargetRow>> r =
        catalog_->MountTargetsInState("available", 1 << 20);
    if (!r.ok()) {
      EFS_LOG(kError) << "reconcile: " << r.status().ToString();
      return;
    }
    rows = std::move(*r);
  }
  std::vector<std::string> failed;
  for (const store::MountTargetRow& row : rows) {
    if (open_listeners_.count(row.id)) continue;
    Status status = OpenListener(row);
    if (status.ok()) {
      open_listeners_.insert(row.id);
      continue;
    }
    failed.push_back(row.id);
  }
  if (failed.empty()) return;
  MutexLock lock(&mu_);
  Status status = catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    for (const std::string& id : failed) {
      EFS_RETURN_IF_ERROR(StatusOf(catalog_->SetMountTargetState(id, "available", "error")));
    }
    return Status::Ok();
  });
  if (!status.ok()) EFS_LOG(kError) << "reconcile: " << status.ToString();
}

// The mount target's listener: on its address in its zone's namespace (netns), or on loopback.
Status CatalogControlPlane::OpenListener(const store::MountTargetRow& row) {
  const std::string ns = netns() ? net::NetnsPath(net::ZoneNetns(row.vpc_id, row.az_id)) : "";
  Status status = endpoints_->Open(row.id, ns, row.ip, ListenPort());
  if (!status.ok()) {
    EFS_LOG(kError) << "mount target '" << row.id << "': cannot listen on " << row.ip << ":"
                    << ListenPort() << ": " << status.ToString();
  }
  return status;
}

// ----------------------------------------------------------------------------- the thread

void CatalogControlPlane::Wake() {
  {
    MutexLock lock(&wake_mu_);
    wake_ = true;
  }
  wake_cv_.Signal();
}

void CatalogControlPlane::ReconcilerLoop() {
  ReconcilePass(/*ensure_listeners=*/true);
  while (true) {
    bool woken;
    {
      MutexLock lock(&wake_mu_);
      auto deadline = std::chrono::steady_clock::now() + kRetryInterval;
      while (!wake_ && !stopping_ && wake_cv_.WaitUntil(&wake_mu_, deadline)) {
      }
      woken = wake_ || stopping_;
      if (stopping_) return;
      wake_ = false;
    }
    // A wake-up is about a change someone just made; the periodic pass also retries listeners.
    ReconcilePass(/*ensure_listeners=*/!woken);
    {
      MutexLock lock(&wake_mu_);
      ++passes_;
    }
    pass_cv_.SignalAll();
  }
}

void CatalogControlPlane::WaitForReconcile() {
  if (!reconciler_.joinable()) return;  // tests run Reconcile() themselves
  constexpr auto kLimit = std::chrono::seconds(30);
  const auto deadline = std::chrono::steady_clock::now() + kLimit;
  MutexLock lock(&wake_mu_);
  // The pass running now may have read the catalog before the change: wait for the next.
  const uint64_t until = passes_ + 2;
  while (passes_ < until && !stopping_) {
    wake_ = true;
    wake_cv_.Signal();
    if (!pass_cv_.WaitUntil(&wake_mu_, deadline)) break;
  }
}

void CatalogControlPlane::StartReconciler() {
  if (reconciler_.joinable()) return;
  {
    MutexLock lock(&wake_mu_);
    stopping_ = false;
  }
  reconciler_ = std::thread([this] { ReconcilerLoop(); });
}

void CatalogControlPlane::StopReconciler() {
  if (!reconciler_.joinable()) return;
  {
    MutexLock lock(&wake_mu_);
    stopping_ = true;
  }
  wake_cv_.Signal();
  reconciler_.join();
}

}  // namespace efs::control

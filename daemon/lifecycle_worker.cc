// The background mover (see lifecycle_worker.h).
#include "daemon/lifecycle_worker.h"

#include <linux/ioprio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>

#include "base/log.h"

namespace efs::daemon {

namespace {

// The calling thread gives way to client I/O: nice 10 (a tenth of the CPU of a thread at 0
// when both want it; at 19 a busy machine starved the mover to a few files a second), and the
// lowest best-effort I/O priority. Not the idle I/O class: schedulers that honour it
// (mq-deadline, bfq) hold idle requests back for seconds whenever anything else does I/O, and
// a few syncs per file would then stall the mover for minutes on a busy disk.
void LowestPriority() {
  const pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 10) != 0) {
    EFS_LOG(kWarn) << "lifecycle: cannot lower the mover's CPU priority";
  }
  if (::syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 7)) !=
      0) {
    EFS_LOG(kWarn) << "lifecycle: cannot lower the mover's I/O priority";
  }
}

}  // namespace

LifecycleWorker::LifecycleWorker(Exports* exports, control::ControlPlane* control,
                                 std::chrono::milliseconds interval)
    : exports_(exports),
      control_(control),
      thread_(
          [interval] {
            Periodic::Options options;
            options.interval = interval;
            options.on_start = LowestPriority;
            return options;
          }(),
          [this] { Pass(); }) {}

LifecycleWorker::~LifecycleWorker() { thread_.Stop(); }

void LifecycleWorker::Pass() {
  api::DescribeFileSystemsRequest list;
  list.max_items = 1000;
  while (!thread_.stopping()) {
    Result<api::DescribeFileSystemsResponse> page = control_->DescribeFileSystems(list);
    if (!page.ok()) {
      EFS_LOG(kWarn) << "lifecycle: " << page.status().ToString();
      return;
    }
    for (const api::FileSystemDescription& fs : page->file_systems) {
      if (fs.life_cycle_state != "available") continue;
      Result<fs::LifecyclePolicy> found = control::LifecyclePolicyOf(*control_, fs.file_system_id);
      if (!found.ok()) continue;
      const fs::LifecyclePolicy& policy = *found;
      if (!policy.to_ia_after && !policy.to_archive_after) continue;  // nothing moves
      Result<std::shared_ptr<fs::FileSystem>> store = exports_->Acquire(fs.file_system_id);
      if (!store.ok()) {
        EFS_LOG(kWarn) << "lifecycle: file system " << fs.file_system_id << ": "
                       << store.status().ToString();
        continue;
      }
      (*store)->SetLifecycle(policy);
      const auto start = std::chrono::steady_clock::now();
      Result<fs::TransitionReport> report =
          (*store)->RunLifecyclePass([this] { return !thread_.stopping(); });
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!report.ok()) {
        EFS_LOG(kWarn) << "lifecycle: file system " << fs.file_system_id << ": "
                       << report.status().ToString();
      } else if (report->files_moved + report->files_failed > 0) {
        EFS_LOG(kInfo) << "lifecycle: file system " << fs.file_system_id << ": moved "
                       << report->files_moved << " files (" << report->bytes_moved << " bytes), "
                       << report->files_skipped << " skipped, " << report->files_failed
                       << " failed, in " << seconds << " s";
      }
    }
    if (!page->next_marker) return;
    list.marker = page->next_marker;
  }
}

}  // namespace efs::daemon

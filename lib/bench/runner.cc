// bench::Run: connect, prepare, measure, clean up (see bench.h).
#include "bench/bench.h"

#include <unistd.h>

#include <atomic>
#include <ctime>
#include <memory>
#include <thread>
#include <vector>

#include "base/macros.h"
#include "base/mutex.h"
#include "bench/workloads.h"
#include "nfs4client/client.h"

namespace efs::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// Runs fn(0) .. fn(n - 1) on n threads; returns the first error (by index).
Status ParallelFor(int n, const std::function<Status(int)>& fn) {
  std::vector<Status> results(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back([&, i] { results[i] = fn(i); });
  for (std::thread& t : threads) t.join();
  for (Status& s : results) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status Failed(const std::string& what, const Status& status) {
  return Status(Code::kIOError, kOperationFailed, what + ": " + status.ToString());
}

// Removes `name` in `dir` and, if it is a directory, everything in it first.
Status RemoveTree(nfs4client::Client& client, const nfs4client::Identity& who,
                  const nfs4client::FileHandle& dir, const std::string& name) {
  EFS_ASSIGN_OR_RETURN(nfs4client::Node node, client.Lookup(who, dir, name));
  if (node.attrs.type == nfs4client::FileType::kDirectory) {
    // Remove the entries page by page, starting over, until a listing is empty: cookies of a
    // directory that is being emptied need not stay valid.
    for (;;) {
      EFS_ASSIGN_OR_RETURN(nfs4client::DirPage page, client.ReadDir(who, node.fh, 0, 0));
      if (page.entries.empty()) break;
      for (const nfs4client::DirEntry& entry : page.entries) {
        EFS_RETURN_IF_ERROR(RemoveTree(client, who, node.fh, entry.name));
      }
    }
  }
  return client.Remove(who, dir, name);
}

// The first failure of the measured phase and how many there were.
class Failures {
 public:
  void Add(const Status& status) {
    MutexLock l(&mu_);
    if (count_++ == 0) first_ = status;
  }
  bool any() {
    MutexLock l(&mu_);
    return count_ > 0;
  }
  Status ToStatus(std::string_view workload) {
    MutexLock l(&mu_);
    if (count_ == 0) return Status::Ok();
    return Status(Code::kIOError, kOperationFailed,
                  std::to_string(count_) + " operation(s) of " + std::string(workload) +
                      " failed, the run is not reported; the first: " + first_.ToString());
  }

 private:
  Mutex mu_;
  uint64_t count_ GUARDED_BY(mu_) = 0;
  Status first_ GUARDED_BY(mu_);
};

struct Worker {
  ClientState* client = nullptr;
  WorkerState state;
  LatencyHistogram latency;
  std::atomic<uint64_t> operations{0};
  std::atomic<uint64_t> bytes{0};
};

class Runner {
 public:
  Runner(const Config& config, const ProgressFn& progress)
      : config_(config), progress_(progress), ops_(NewWorkloadOps(config.workload)) {}

  Result<Report> Run();

 private:
  Status Connect();
  Status MakeDirectories();
  void Measure(Report* report);
  void WorkLoop(Worker& w, Clock::time_point deadline);
  void ReportProgress(Clock::time_point start, Clock::time_point deadline);
  Status CleanUp();

  const Config& config_;
  const ProgressFn& progress_;
  std::unique_ptr<WorkloadOps> ops_;
  nfs4client::Identity who_;  // root: the run makes and removes its own files only
  std::vector<std::unique_ptr<nfs4client::Client>> connections_;
  std::vector<std::unique_ptr<ClientState>> clients_;
  std::vector<std::unique_ptr<Worker>> workers_;
  nfs4client::FileHandle base_;  // the target's directory
  std::string run_name_;
  nfs4client::FileHandle run_dir_;
  std::atomic<bool> stop_{false};
  Failures failures_;
};

Status Runner::Connect() {
  const std::string owner = HostName() + "/efs-bench/" + std::to_string(::getpid()) + "/";
  connections_.resize(config_.clients);
  Status connected = ParallelFor(config_.clients, [&](int i) -> Status {
    nfs4client::Client::Options options;
    options.host = config_.target.host;
    options.port = config_.target.port;
    options.owner = owner + std::to_string(i);
    options.slots = static_cast<uint32_t>(config_.depth);
    options.call_timeout = std::chrono::seconds(30);
    // A throttled file system delays requests rather than failing them (at a 1 MiB/s baseline,
    // 16 writes of 1 MiB in flight wait up to 16 s): the run waits as a hard mount would.
    options.recovery_timeout = std::chrono::seconds(60);
    EFS_ASSIGN_OR_RETURN(connections_[i], nfs4client::Client::Connect(options));
    return Status::Ok();
  });
  const std::string where = config_.target.host + ":" + std::to_string(config_.target.port);
  if (!connected.ok()) {
    return Status(Code::kUnavailable, kTargetUnreachable,
                  where + " did not answer NFSv4.1: " + connected.ToString());
  }
  Result<nfs4client::Node> base = connections_[0]->LookupPath(who_, config_.target.path);
  if (!base.ok() || base->attrs.type != nfs4client::FileType::kDirectory) {
    return Status(Code::kNotFound, kTargetPathNotFound,
                  "'" + config_.target.path + "' on " + where + " is not a directory" +
                      (base.ok() ? "" : ": " + base.status().ToString()));
  }
  base_ = base->fh;
  return Status::Ok();
}

Status Runner::MakeDirectories() {
  run_name_ = "efs-bench-" + HostName() + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(::time(nullptr));
  Result<nfs4client::Node> run = connections_[0]->Mkdir(who_, base_, run_name_, 0755);
  if (!run.ok()) return Failed("MKDIR " + run_name_, run.status());
  run_dir_ = run->fh;
  clients_.resize(config_.clients);
  return ParallelFor(config_.clients, [&](int i) -> Status {
    auto c = std::make_unique<ClientState>();
    c->client = connections_[i].get();
    c->who = who_;
    c->name = "c" + std::to_string(i);
    c->size = config_.size;
    Result<nfs4client::Node> dir = c->client->Mkdir(who_, run_dir_, c->name, 0755);
    if (!dir.ok()) return Failed("MKDIR " + run_name_ + "/" + c->name, dir.status());
    c->dir = dir->fh;
    clients_[i] = std::move(c);
    Status prepared = ops_->Prepare(*clients_[i]);
    return prepared.ok() ? prepared : Failed("preparing " + clients_[i]->name, prepared);
  });
}

void Runner::WorkLoop(Worker& w, Clock::time_point deadline) {
  while (!stop_.load(std::memory_order_relaxed)) {
    const Clock::time_point start = Clock::now();
    if (start >= deadline) break;
    Result<uint64_t> bytes = ops_->Step(*w.client, w.state);
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
    if (!bytes.ok()) {
      failures_.Add(Status(bytes.status().code(), bytes.status().reason(),
                           w.client->name + ": " + bytes.status().message()));
      stop_ = true;
      break;
    }
    w.latency.Record(static_cast<uint64_t>(elapsed.count()));
    w.operations.fetch_add(1, std::memory_order_relaxed);
    w.bytes.fetch_add(*bytes, std::memory_order_relaxed);
  }
}

void Runner::ReportProgress(Clock::time_point start, Clock::time_point deadline) {
  Clock::time_point next = start + std::chrono::seconds(1);
  while (!stop_.load() && next < deadline) {
    std::this_thread::sleep_until(std::min(next, deadline));
    Progress p;
    p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (const auto& w : workers_) {
      p.operations += w->operations.load(std::memory_order_relaxed);
      p.bytes += w->bytes.load(std::memory_order_relaxed);
    }
    if (progress_ && !stop_.load()) progress_(p);
    next += std::chrono::seconds(1);
  }
}

void Runner::Measure(Report* report) {
  for (const auto& c : clients_) {
    for (int d = 0; d < config_.depth; ++d) {
      auto w = std::make_unique<Worker>();
      w->client = c.get();
      w->state.index = d;
      w->state.rng.seed(static_cast<uint64_t>(workers_.size()) * 7919 + 1);
      workers_.push_back(std::move(w));
    }
  }
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + config_.duration;
  std::vector<std::thread> threads;
  for (const auto& w : workers_) {
    threads.emplace_back([this, &w, deadline] { WorkLoop(*w, deadline); });
  }
  ReportProgress(start, deadline);
  for (std::thread& t : threads) t.join();
  if (!failures_.any()) {
    Status finished = ParallelFor(config_.clients, [&](int i) { return ops_->Finish(*clients_[i]); });
    if (!finished.ok()) failures_.Add(finished);
  }
  report->seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& w : workers_) {
    report->operations += w->operations.load();
    report->bytes += w->bytes.load();
    report->latency.Merge(w->latency);
  }
}

Status Runner::CleanUp() {
  EFS_RETURN_IF_ERROR(ParallelFor(static_cast<int>(workers_.size()), [&](int i) {
    Worker& w = *workers_[i];
    return ops_->Cleanup(*w.client, w.state);
  }));
  if (config_.keep) return Status::Ok();
  Status removed = RemoveTree(*connections_[0], who_, base_, run_name_);
  return removed.ok() ? removed : Failed("removing " + run_name_, removed);
}

Result<Report> Runner::Run() {
  EFS_RETURN_IF_ERROR(Connect());
  Report report;
  Status made = MakeDirectories();
  if (made.ok()) {
    report.directory = config_.target.path + (config_.target.path == "/" ? "" : "/") + run_name_;
    Measure(&report);
  }
  // Clean up whatever happened, but report the first failure.
  Status cleaned = run_dir_.empty() ? Status::Ok() : CleanUp();
  EFS_RETURN_IF_ERROR(made);
  EFS_RETURN_IF_ERROR(failures_.ToStatus(WorkloadName(config_.workload)));
  EFS_RETURN_IF_ERROR(cleaned);
  return report;
}

}  // namespace

Status Validate(const Config& config) {
  auto invalid = [](std::string message) {
    return Status(Code::kInvalidArgument, "", std::move(message));
  };
  if (config.clients < 1 || config.clients > 256) return invalid("--clients must be 1 to 256");
  if (config.depth < 1 || config.depth > 256) return invalid("--depth must be 1 to 256");
  if (config.size < kBlock || config.size % kBlock != 0) {
    return invalid("--size must be a multiple of 4 KiB");
  }
  return Status::Ok();
}

Result<Report> Run(const Config& config, const ProgressFn& progress) {
  EFS_RETURN_IF_ERROR(Validate(config));
  Runner runner(config, progress);
  return runner.Run();
}

}  // namespace efs::bench

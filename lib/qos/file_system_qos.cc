// A file system's limits on the NFS path (see file_system_qos.h).
#include "qos/file_system_qos.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "base/blocking.h"

namespace efs::qos {
namespace {

// Threads waiting in every file system's queue (kMaxWaiting).
std::atomic<int> waiting_everywhere{0};

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double Capacity(double rate) { return rate * kBucketSeconds; }

metrics::ThroughputMode MetricsMode(ThroughputMode mode) {
  switch (mode) {
    case ThroughputMode::kProvisioned:
      return metrics::ThroughputMode::kProvisioned;
    case ThroughputMode::kElastic:
      return metrics::ThroughputMode::kElastic;
    case ThroughputMode::kBursting:
      break;
  }
  return metrics::ThroughputMode::kBursting;
}

}  // namespace

double Metered(const Charge& c) { return MeteredBytes(c.kind, c.bytes); }

double OpCost(const Charge& c) { return c.update ? kUpdateOpCost : kReadOpCost; }

uint64_t TotalBytes(const Charge& c) {
  const uint64_t minimum = c.kind == RequestKind::kMetadata ? 4096 : 32768;
  const uint64_t steps = (c.bytes + 1023) / 1024 * 1024;
  return std::max(minimum, steps);
}

// FairQueue: start-time fair queuing (Goyal et al.). A request's start tag is the later of the
// virtual time (the start tag of the last request released) and its connection's last finish
// tag; its finish tag adds its cost divided by its connection's weight. Requests leave in start
// tag order, so a connection that sends more than its share queues behind its own requests,
// while one that was idle starts at the virtual time and goes next.
FairQueue::FairQueue(double bytes_per_second, double ops_per_second, double now)
    : bytes_(bytes_per_second, Capacity(bytes_per_second), now),
      ops_(ops_per_second, Capacity(ops_per_second), now) {}

uint64_t FairQueue::Arrive(const Flow& flow, double metered, double ops) {
  FlowState& f = flows_[flow.connection];
  if (f.queued++ == 0) {
    f.client = flow.client;
    ++connections_[f.client];
  }
  // A client weighs one, split between its connections that have requests waiting.
  const double weight = 1.0 / connections_[f.client];
  const double start = std::max(virtual_time_, f.finish);
  f.finish = start + std::max(metered, 1.0) / weight;
  const uint64_t ticket = next_ticket_++;
  queue_.insert(Waiting{start, ticket, flow.connection, metered, ops});
  return ticket;
}

double FairQueue::Release(double now, std::vector<uint64_t>* released) {
  while (!queue_.empty()) {
    const double wait = std::max(bytes_.Until(now), ops_.Until(now));
    if (wait > 0) return now + wait;
    const Waiting head = *queue_.begin();
    queue_.erase(queue_.begin());
    virtual_time_ = head.start;
    bytes_.Take(now, head.metered);
    ops_.Take(now, head.ops);
    auto flow = flows_.find(head.connection);
    if (flow != flows_.end() && --flow->second.queued == 0) Forget(head.connection, flow->second);
    released->push_back(head.ticket);
  }
  // Idle: no backlog to be fair about. The virtual time moves past every finish tag (SFQ's rule
  // for an idle server) and the connections are forgotten.
  for (const auto& [connection, flow] : flows_)
    virtual_time_ = std::max(virtual_time_, flow.finish);
  flows_.clear();
  return kUnlimited;
}

// A connection with nothing queued keeps its state only while its finish tag is ahead of the
// virtual time (it would start there anyway otherwise); the map stays as small as the
// connections that are busy.
void FairQueue::Forget(uint64_t connection, FlowState& flow) {
  auto client = connections_.find(flow.client);
  if (client != connections_.end() && --client->second == 0) connections_.erase(client);
  if (flow.finish <= virtual_time_) flows_.erase(connection);
  if (flows_.size() > 2 * queue_.size() + 64) {
    for (auto it = flows_.begin(); it != flows_.end();) {
      it = it->second.queued == 0 && it->second.finish <= virtual_time_ ? flows_.erase(it)
                                                                        : std::next(it);
    }
  }
}

void FairQueue::Cancel(uint64_t ticket) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->ticket != ticket) continue;
    auto flow = flows_.find(it->connection);
    queue_.erase(it);
    if (flow != flows_.end() && --flow->second.queued == 0) Forget(flow->first, flow->second);
    return;
  }
}

void FairQueue::SetRates(double now, double bytes_per_second, double ops_per_second) {
  if (bytes_per_second != bytes_.rate()) {
    bytes_.SetRate(now, bytes_per_second, Capacity(bytes_per_second));
  }
  if (ops_per_second != ops_.rate()) ops_.SetRate(now, ops_per_second, Capacity(ops_per_second));
}

void FairQueue::Correct(double now, double metered) {
  if (metered > 0) {
    bytes_.Take(now, metered);
  } else if (metered < 0) {
    bytes_.Give(now, -metered);
  }
}

FileSystemQos::FileSystemQos(Settings settings, double credits, metrics::FsCounters* counters,
                             NowFn now)
    : now_(now ? std::move(now) : NowFn(SteadySeconds)),
      counters_(counters),
      settings_(settings),
      credits_(now_(), credits),
      queue_(kUnlimited, kUnlimited, now_()) {
  sampled_at_ = now_();
  MutexLock lock(&mu_);
  UpdateRates(sampled_at_);
}

double FileSystemQos::OpBudget() const {
  if (settings_.performance == PerformanceMode::kMaxIo) return kUnlimited;
  return settings_.throughput == ThroughputMode::kElastic ? kElasticOpBudget : kOpBudget;
}

void FileSystemQos::UpdateRates(double now) {
  const double balance = credits_.Spend(now, 0, standard_bytes_);
  // Bursting stops when the credits run out and starts again once they hold a bucket's worth
  // of burst: a file system that runs at its baseline earns nothing, so it stays there rather
  // than flickering up to the burst rate on every credit it earns between two requests.
  if (balance <= 0) {
    burst_ = false;
  } else if (balance >= Capacity(BurstBytesPerSecond(standard_bytes_))) {
    burst_ = true;
  }
  rate_ = PermittedBytesPerSecond(settings_.throughput, standard_bytes_, burst_ ? balance : 0,
                                  settings_.provisioned_mibps);
  queue_.SetRates(now, rate_, OpBudget());
}

double FileSystemQos::ReleaseDue() {
  std::vector<uint64_t> released;
  const double next = queue_.Release(now_(), &released);
  for (uint64_t t : released) {
    auto w = waiters_.find(t);
    w->second->released = true;
    w->second->cv.Signal();
    waiters_.erase(w);
  }
  return next;
}

bool FileSystemQos::Admit(const Flow& flow, const Charge& estimate) {
  Waiter self;
  uint64_t ticket = 0;
  double start = 0;
  {
    MutexLock lock(&mu_);
    start = now_();
    UpdateRates(start);
    ticket = queue_.Arrive(flow, Metered(estimate), OpCost(estimate));
    waiters_[ticket] = &self;
    ReleaseDue();
    if (self.released) {  // the usual case: within the limits, no wait
      op_cost_since_ += OpCost(estimate);
      return true;
    }
    // waiters_ counts this request too.
    const bool room_here = static_cast<int>(waiters_.size()) <= kMaxWaitingPerFileSystem;
    if (!room_here || waiting_everywhere.fetch_add(1) >= kMaxWaiting) {
      if (room_here) waiting_everywhere.fetch_sub(1);
      queue_.Cancel(ticket);
      waiters_.erase(ticket);
      // Counted as throttled: it is delayed, by the client's retry.
      if (metrics::FsCounters* c = counters_.load(std::memory_order_acquire)) {
        c->throttled_requests.fetch_add(1, std::memory_order_relaxed);
      }
      return false;
    }
    op_cost_since_ += OpCost(estimate);
  }
  struct Leave {  // counts this thread out of the waiting, however it leaves
    ~Leave() { waiting_everywhere.fetch_sub(1); }
  } leave;
  ScopedBlocking blocking;  // gives the worker's turn away while it waits
  {
    MutexLock lock(&mu_);
    double next = ReleaseDue();
    // One waiter keeps time for the queue, sleeping until the next release is due; the
    // others sleep until a release (or the timer handing on) wakes them.
    while (!self.released) {
      if (timer_ == 0) timer_ = ticket;
      if (timer_ == ticket) {
        const double wait = next == kUnlimited ? 1.0 : std::max(0.0, next - now_());
        self.cv.WaitFor(&mu_, std::chrono::nanoseconds(static_cast<int64_t>(wait * 1e9)));
        timer_ = 0;
      } else {
        self.cv.Wait(&mu_);
      }
      if (!self.released) next = ReleaseDue();
    }
    if (timer_ == ticket) timer_ = 0;
    WakeTimer();
  }
  if (metrics::FsCounters* c = counters_.load(std::memory_order_acquire)) {
    c->throttled_requests.fetch_add(1, std::memory_order_relaxed);
    c->throttled_micros.fetch_add(static_cast<uint64_t>((now_() - start) * 1e6),
                                  std::memory_order_relaxed);
  }
  return true;
}

void FileSystemQos::WakeTimer() {
  if (waiters_.empty()) return;
  auto w = timer_ != 0 ? waiters_.find(timer_) : waiters_.begin();
  if (w == waiters_.end()) w = waiters_.begin();
  timer_ = w->first;
  w->second->cv.Signal();
}

void FileSystemQos::Done(const Charge& estimate, const Charge& actual) {
  const double metered = Metered(actual);
  {
    MutexLock lock(&mu_);
    const double now = now_();
    queue_.Correct(now, metered - Metered(estimate));
    if (settings_.throughput == ThroughputMode::kBursting) {
      credits_.Spend(now, metered, standard_bytes_);
    }
  }
  metrics::FsCounters* c = counters_.load(std::memory_order_acquire);
  if (c == nullptr) return;
  metrics::Request r;
  r.kind = actual.kind == RequestKind::kRead    ? metrics::Request::kDataRead
           : actual.kind == RequestKind::kWrite ? metrics::Request::kDataWrite
                                                : metrics::Request::kMetadata;
  r.bytes = actual.bytes;
  r.metered = static_cast<uint64_t>(std::llround(metered));
  r.total = TotalBytes(actual);
  c->AddRequest(r);
}

void FileSystemQos::Configure(const Settings& settings) {
  MutexLock lock(&mu_);
  settings_ = settings;
  UpdateRates(now_());
  WakeTimer();  // the queue's head may go sooner (or later) now
}

void FileSystemQos::SetStandardBytes(uint64_t bytes) {
  MutexLock lock(&mu_);
  const double now = now_();
  credits_.Spend(now, 0, standard_bytes_);  // accrue at the old size up to now
  standard_bytes_ = bytes;
  UpdateRates(now);
}

void FileSystemQos::SetCredits(double credits) {
  MutexLock lock(&mu_);
  const double now = now_();
  credits_ = BurstCredits(now, credits);
  UpdateRates(now);
}

double FileSystemQos::credits() {
  MutexLock lock(&mu_);
  return credits_.Spend(now_(), 0, standard_bytes_);
}

double FileSystemQos::permitted() {
  MutexLock lock(&mu_);
  UpdateRates(now_());
  return rate_;
}

Settings FileSystemQos::settings() {
  MutexLock lock(&mu_);
  return settings_;
}

void FileSystemQos::Sample() {
  MutexLock lock(&mu_);
  const double now = now_();
  UpdateRates(now);
  metrics::FsCounters* c = counters_.load(std::memory_order_acquire);
  const double elapsed = now - sampled_at_;
  const double budget = OpBudget();
  double percent = 0;
  if (!std::isinf(budget) && elapsed > 0) {
    percent = std::min(100.0, op_cost_since_ / elapsed / budget * 100);
  }
  op_cost_since_ = 0;
  sampled_at_ = now;
  if (c == nullptr) return;
  const bool bursting = settings_.throughput == ThroughputMode::kBursting;
  c->burst_credit_balance.store(bursting ? static_cast<int64_t>(credits_.balance()) : 0,
                                std::memory_order_relaxed);
  c->permitted_throughput.store(std::isinf(rate_) ? 0 : static_cast<uint64_t>(rate_),
                                std::memory_order_relaxed);
  c->percent_io_limit.store(percent, std::memory_order_relaxed);
  c->throughput_mode.store(static_cast<uint32_t>(MetricsMode(settings_.throughput)),
                           std::memory_order_relaxed);
  c->performance_mode.store(static_cast<uint32_t>(settings_.performance == PerformanceMode::kMaxIo
                                                      ? metrics::PerformanceMode::kMaxIo
                                                      : metrics::PerformanceMode::kGeneralPurpose),
                            std::memory_order_relaxed);
  c->provisioned_mibps.store(settings_.provisioned_mibps, std::memory_order_relaxed);
}

}  // namespace efs::qos

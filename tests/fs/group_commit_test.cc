// GroupCommit: one flush and one sync for the changes that gather while a sync runs; lost
// batches and failed syncs fail their waiters; callbacks (WhenDurable) run from the thread that
// completes their sync; DeferDurability hands a thread's waits to its owner.
#include "fs/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "testutil/eventually.h"

namespace efs::fs {
namespace {

// A store that counts Flush and Sync, and can hold a Sync until released or fail either.
class FakeLog final : public MetadataBackend {
 public:
  Status Begin() override { return Status::Ok(); }
  Status Commit() override { return Status::Ok(); }
  Status Rollback() override { return Status::Ok(); }
  Status Flush() override {
    ++flushes;
    return flush_fails ? IOError("flush failed") : Status::Ok();
  }
  Status Sync() override {
    syncs_started.fetch_add(1);
    std::unique_lock<std::mutex> lock(gate_mu);
    gate_cv.wait_for(lock, std::chrono::seconds(10), [&] { return !hold_syncs; });
    return sync_fails ? IOError("sync failed") : Status::Ok();
  }
  Status Recover() override {
    ++recovers;
    return recover_fails ? IOError("recovery failed") : Status::Ok();
  }
  void Release() {
    std::lock_guard<std::mutex> lock(gate_mu);
    hold_syncs = false;
    gate_cv.notify_all();
  }

  Result<std::optional<InodeRecord>> LoadInode(uint64_t) override {
    return std::optional<InodeRecord>();
  }
  Result<uint64_t> InsertInode(const InodeRecord&) override { return uint64_t{1}; }
  Status UpdateInode(const InodeRecord&) override { return Status::Ok(); }
  Status DeleteInode(uint64_t) override { return Status::Ok(); }
  Result<std::optional<EntryRecord>> LookupEntry(uint64_t, std::string_view) override {
    return std::optional<EntryRecord>();
  }
  Status InsertEntry(uint64_t, const EntryRecord&) override { return Status::Ok(); }
  Status DeleteEntry(uint64_t, std::string_view) override { return Status::Ok(); }
  Result<bool> HasEntries(uint64_t) override { return false; }
  Result<std::vector<EntryRecord>> ListEntries(uint64_t, uint64_t, uint32_t) override {
    return std::vector<EntryRecord>{};
  }
  Result<std::string> LoadSymlink(uint64_t) override { return std::string(); }
  Status StoreSymlink(uint64_t, std::string_view) override { return Status::Ok(); }
  Result<std::vector<uint64_t>> UnlinkedInodes() override { return std::vector<uint64_t>{}; }
  Result<uint64_t> CountInodes() override { return uint64_t{0}; }
  Result<StorageSizes> SumMetered() override { return StorageSizes{}; }
  Result<std::vector<IdleFile>> IdleFiles(StorageClass, int64_t, IdleFile, uint32_t) override {
    return std::vector<IdleFile>{};
  }
  Status AddStray(uint64_t, StorageClass) override { return Status::Ok(); }
  Status DeleteStray(uint64_t, StorageClass) override { return Status::Ok(); }
  Result<std::vector<std::pair<uint64_t, StorageClass>>> Strays() override {
    return std::vector<std::pair<uint64_t, StorageClass>>{};
  }

  std::atomic<int> flushes{0};
  std::atomic<int> syncs_started{0};
  bool flush_fails = false;
  bool sync_fails = false;
  std::atomic<int> recovers{0};
  bool recover_fails = false;
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool hold_syncs = false;
};

using testutil::Eventually;

// Joins a change and waits for it, as PosixFs does; returns what WaitDurable said.
Status JoinAndWait(Mutex* mu, GroupCommit* group, FakeLog* log) {
  mu->Lock();
  return group->WaitDurable(mu, log, group->Joined(mu));
}

TEST(GroupCommit, AChangeAloneIsFlushedAndSyncedAtOnce) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  mu.Lock();
  uint64_t batch = group.Joined(&mu);
  EXPECT_TRUE(group.WaitDurable(&mu, &log, batch).ok());
  EXPECT_EQ(log.flushes, 1);
  EXPECT_EQ(log.syncs_started, 1);
  // Durable already: no more work.
  mu.Lock();
  EXPECT_TRUE(group.WaitDurable(&mu, &log, batch).ok());
  EXPECT_EQ(log.syncs_started, 1);
}

TEST(GroupCommit, ChangesMadeDuringASyncShareTheNextFlushAndSync) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  log.hold_syncs = true;
  std::thread first([&] { EXPECT_TRUE(JoinAndWait(&mu, &group, &log).ok()); });
  ASSERT_TRUE(Eventually([&] { return log.syncs_started == 1; }));
  constexpr int kWaiters = 20;
  std::atomic<int> joined{0};
  std::atomic<int> durable{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&] {
      mu.Lock();
      uint64_t batch = group.Joined(&mu);
      ++joined;
      EXPECT_TRUE(group.WaitDurable(&mu, &log, batch).ok());
      ++durable;
    });
  }
  ASSERT_TRUE(Eventually([&] { return joined == kWaiters; }));
  // Every one of them waits: none of their changes is durable while the first sync runs.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(durable, 0);
  log.Release();
  first.join();
  for (std::thread& t : waiters) t.join();
  EXPECT_EQ(durable, kWaiters);
  EXPECT_EQ(log.flushes, 2);
  EXPECT_EQ(log.syncs_started, 2);
}

TEST(GroupCommit, ChangesThatNeedNoSyncGatherUntilManyOrOldOrTheNextFlush) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  {
    MutexLock lock(&mu);
    for (uint64_t i = 1; i < GroupCommit::kLazyChanges; ++i) {
      group.Joined(&mu);
      ASSERT_TRUE(group.Settle(&mu, &log).ok());
    }
    EXPECT_EQ(log.flushes, 0) << "a few unstable writes share one commit";
    group.Joined(&mu);
    ASSERT_TRUE(group.Settle(&mu, &log).ok());
    EXPECT_EQ(log.flushes, 1) << "many have gathered: flushed";
    EXPECT_EQ(log.syncs_started, 0) << "and never synced for their own sake";

    group.Joined(&mu);
    ASSERT_TRUE(group.Settle(&mu, &log).ok());
    EXPECT_EQ(log.flushes, 1);
  }
  std::this_thread::sleep_for(GroupCommit::kLazyAge + std::chrono::milliseconds(20));
  {
    MutexLock lock(&mu);
    group.Joined(&mu);
    ASSERT_TRUE(group.Settle(&mu, &log).ok());
    EXPECT_EQ(log.flushes, 2) << "the first waited long enough: flushed";
    group.Joined(&mu);
    ASSERT_TRUE(group.Settle(&mu, &log).ok());
  }
  // A change that must be durable takes the waiting ones along.
  EXPECT_TRUE(JoinAndWait(&mu, &group, &log).ok());
  EXPECT_EQ(log.flushes, 3);
  EXPECT_EQ(log.syncs_started, 1);
  MutexLock lock(&mu);
  EXPECT_EQ(group.last_batch(&mu), 3u);
}

TEST(GroupCommit, ALostBatchFailsItsWaitersAndNotTheNext) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  mu.Lock();
  uint64_t lost = group.Joined(&mu);
  group.Lost(&mu, IOError("disk full"));
  EXPECT_EQ(group.lost(&mu), 1u);
  Status s = group.WaitDurable(&mu, &log, lost);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("disk full"), std::string::npos);
  EXPECT_TRUE(JoinAndWait(&mu, &group, &log).ok());
}

TEST(GroupCommit, AFailedFlushLosesTheBatch) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  log.flush_fails = true;
  EXPECT_FALSE(JoinAndWait(&mu, &group, &log).ok());
  MutexLock lock(&mu);
  EXPECT_EQ(group.lost(&mu), 1u);
}

TEST(GroupCommit, AFailedSyncFailsItsBatchAndTheNextSyncIsARecovery) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  log.sync_fails = true;
  mu.Lock();
  const uint64_t failed = group.Joined(&mu);
  Status first = group.WaitDurable(&mu, &log, failed);
  EXPECT_EQ(first.message(), "sync failed");
  log.sync_fails = false;
  const int syncs = log.syncs_started;
  // A sync after a failed one proves nothing: the next one rewrites the store instead.
  EXPECT_TRUE(JoinAndWait(&mu, &group, &log).ok());
  EXPECT_EQ(log.recovers, 1);
  EXPECT_EQ(log.syncs_started, syncs) << "a recovery, not a sync";
  EXPECT_EQ(group.recoveries(), 1u);
  // Once recovered, syncs are plain again; the batch that failed stays failed.
  EXPECT_TRUE(JoinAndWait(&mu, &group, &log).ok());
  EXPECT_EQ(log.recovers, 1);
  EXPECT_EQ(log.syncs_started, syncs + 1);
  mu.Lock();
  EXPECT_EQ(group.WaitDurable(&mu, &log, failed).message(), "sync failed");
}

TEST(GroupCommit, WhileRecoveriesFailEachFailsItsBatchAndTheNextTriesAgain) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  log.sync_fails = true;
  EXPECT_FALSE(JoinAndWait(&mu, &group, &log).ok());
  log.sync_fails = false;
  log.recover_fails = true;  // the disk is still broken
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(JoinAndWait(&mu, &group, &log).message(), "recovery failed");
    EXPECT_EQ(log.recovers, i);
  }
  log.recover_fails = false;  // repaired
  EXPECT_TRUE(JoinAndWait(&mu, &group, &log).ok());
  EXPECT_EQ(log.recovers, 4);
  EXPECT_EQ(group.recoveries(), 1u);
}

// Joins a change and leaves a callback for it, as a COMPOUND answered late does; the callback
// records its status and thread into *seen.
struct Seen {
  std::mutex mu;
  std::vector<Status> statuses;
  std::vector<std::thread::id> threads;
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return statuses.size();
  }
};
void JoinAndLeave(Mutex* mu, GroupCommit* group, FakeLog* log, Seen* seen) {
  mu->Lock();
  uint64_t batch = group->Joined(mu);
  mu->Unlock();
  group->WhenDurable(mu, log, batch, [seen](const Status& s) {
    std::lock_guard<std::mutex> lock(seen->mu);
    seen->statuses.push_back(s);
    seen->threads.push_back(std::this_thread::get_id());
  });
}

TEST(GroupCommit, ACallbackAloneRunsAfterItsOwnFlushAndSyncOnTheCallersThread) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  Seen seen;
  JoinAndLeave(&mu, &group, &log, &seen);
  ASSERT_EQ(seen.size(), 1u) << "no sync was running: the caller synced and answered itself";
  EXPECT_TRUE(seen.statuses[0].ok());
  EXPECT_EQ(seen.threads[0], std::this_thread::get_id());
  EXPECT_EQ(log.flushes, 1);
  EXPECT_EQ(log.syncs_started, 1);
  group.Quiesce();
}

TEST(GroupCommit, CallbacksLeftDuringASyncRunAfterTheNextOneFromTheLeadersThread) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  log.hold_syncs = true;
  Seen seen;
  std::thread::id leader_id;
  std::thread leader([&] {
    leader_id = std::this_thread::get_id();
    JoinAndLeave(&mu, &group, &log, &seen);
  });
  ASSERT_TRUE(Eventually([&] { return log.syncs_started == 1; }));
  constexpr int kLeft = 10;
  for (int i = 0; i < kLeft; ++i) JoinAndLeave(&mu, &group, &log, &seen);
  // Each returned at once, unanswered: their changes are not durable while the sync runs.
  EXPECT_EQ(seen.size(), 0u);
  log.Release();
  leader.join();
  ASSERT_EQ(seen.size(), static_cast<size_t>(kLeft + 1));
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_TRUE(seen.statuses[i].ok());
    EXPECT_EQ(seen.threads[i], leader_id) << "callback " << i;
  }
  EXPECT_EQ(log.flushes, 2) << "the ten that came during the first sync share the second";
  EXPECT_EQ(log.syncs_started, 2);
  group.Quiesce();
}

TEST(GroupCommit, AWaiterThatLedSyncsLeadsOnForCallbacksLeftMeanwhile) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  log.hold_syncs = true;
  std::thread waiter([&] { EXPECT_TRUE(JoinAndWait(&mu, &group, &log).ok()); });
  ASSERT_TRUE(Eventually([&] { return log.syncs_started == 1; }));
  Seen seen;
  JoinAndLeave(&mu, &group, &log, &seen);
  log.Release();
  waiter.join();
  // No one else was there to sync for the callback: the waiter did before returning.
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen.statuses[0].ok());
  EXPECT_EQ(log.syncs_started, 2);
  group.Quiesce();
}

TEST(GroupCommit, QuiesceWaitsForTheCallbacksStillToRun) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  log.hold_syncs = true;
  Seen seen;
  std::thread leader([&] { JoinAndLeave(&mu, &group, &log, &seen); });
  ASSERT_TRUE(Eventually([&] { return log.syncs_started == 1; }));
  JoinAndLeave(&mu, &group, &log, &seen);
  std::atomic<bool> quiet{false};
  std::thread closer([&] {
    group.Quiesce();
    quiet = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(quiet) << "two callbacks are still to run";
  log.Release();
  closer.join();
  EXPECT_EQ(seen.size(), 2u);
  leader.join();
}

TEST(GroupCommit, FailedSyncsAndLostBatchesFailTheirCallbacks) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  Seen seen;
  mu.Lock();
  uint64_t lost = group.Joined(&mu);
  group.Lost(&mu, IOError("disk full"));
  mu.Unlock();
  group.WhenDurable(&mu, &log, lost, [&](const Status& s) { seen.statuses.push_back(s); });
  ASSERT_EQ(seen.statuses.size(), 1u);
  EXPECT_NE(seen.statuses[0].message().find("disk full"), std::string::npos);

  log.sync_fails = true;
  JoinAndLeave(&mu, &group, &log, &seen);
  ASSERT_EQ(seen.statuses.size(), 2u);
  EXPECT_NE(seen.statuses[1].message().find("sync failed"), std::string::npos);
  group.Quiesce();
}

TEST(GroupCommit, ACallbackWhoseBatchIsLostWhileOthersRunStillRuns) {
  Mutex mu;
  GroupCommit group;
  FakeLog log;
  log.hold_syncs = true;
  Seen seen;
  std::thread leader([&] {
    mu.Lock();
    uint64_t first = group.Joined(&mu);
    mu.Unlock();
    // The first callback, run by its leader, loses the batch the second one waits for.
    group.WhenDurable(&mu, &log, first, [&](const Status&) {
      MutexLock lock(&mu);
      group.Lost(&mu, IOError("undone"));
    });
  });
  ASSERT_TRUE(Eventually([&] { return log.syncs_started == 1; }));
  JoinAndLeave(&mu, &group, &log, &seen);
  log.Release();
  leader.join();
  ASSERT_EQ(seen.size(), 1u) << "the leader ran it before leaving";
  EXPECT_NE(seen.statuses[0].message().find("undone"), std::string::npos);
  group.Quiesce();
}

TEST(DeferDurability, AScopeTakesItsThreadsWaitsForOneGroupAndRunsThenOnceDurable) {
  Mutex mu;
  GroupCommit group;
  GroupCommit other;
  FakeLog log;
  EXPECT_EQ(DeferDurability::Current(), nullptr);
  {
    DeferDurability scope;
    EXPECT_EQ(DeferDurability::Current(), &scope);
    EXPECT_FALSE(scope.pending());
    mu.Lock();
    uint64_t first = group.Joined(&mu);
    mu.Unlock();
    EXPECT_TRUE(scope.Add(&group, &mu, &log, first));
    EXPECT_TRUE(scope.pending());
    EXPECT_FALSE(scope.Add(&other, &mu, &log, 1)) << "one file system per scope";
    {
      DeferDurability inner;
      EXPECT_EQ(DeferDurability::Current(), &inner);
    }
    EXPECT_EQ(DeferDurability::Current(), &scope);
    EXPECT_EQ(log.syncs_started, 0) << "nothing waited yet";
    Status seen = Internal("not run");
    scope.Then([&](const Status& s) { seen = s; });
    EXPECT_TRUE(seen.ok());
    EXPECT_EQ(log.syncs_started, 1);
  }
  EXPECT_EQ(DeferDurability::Current(), nullptr);
  DeferDurability idle;
  bool ran = false;
  idle.Then([&](const Status& s) { ran = s.ok(); });
  EXPECT_TRUE(ran) << "nothing to wait for: Then runs at once";
  group.Quiesce();
}

}  // namespace
}  // namespace efs::fs

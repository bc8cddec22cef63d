// WorkerPool: turns bound the tasks that run; a task that waits gives up its turn; threads are
// added only for waiting tasks.
#include "rpc/worker_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/blocking.h"
#include "testutil/eventually.h"

namespace efs::rpc {
namespace {

using std::chrono::milliseconds;

using testutil::Eventually;

TEST(WorkerPool, RunsEveryTaskWithAtMostTurnsAtOnce) {
  WorkerPool pool(3, 16);
  std::atomic<int> running{0}, peak{0}, done{0};
  for (int i = 0; i < 200; ++i) {
    pool.Submit([&] {
      int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      --running;
      ++done;
    });
  }
  ASSERT_TRUE(Eventually([&] { return done == 200; }));
  EXPECT_LE(peak, 3);
  EXPECT_GE(peak, 2);
}

TEST(WorkerPool, ATaskThatWaitsGivesUpItsTurn) {
  // One turn: the first task waits for the second, which can only run in the turn the first
  // gives up while it waits.
  WorkerPool pool(1, 4);
  std::atomic<bool> released{false}, first_done{false};
  pool.Submit([&] {
    ScopedBlocking waiting;
    for (int i = 0; i < 2000 && !released; ++i) std::this_thread::sleep_for(milliseconds(5));
    first_done = released.load();
  });
  pool.Submit([&] { released = true; });
  ASSERT_TRUE(Eventually([&] { return first_done.load(); }));
}

TEST(WorkerPool, WaitingTasksAreBoundedByThreads) {
  WorkerPool pool(1, 3);
  std::atomic<int> waiting{0};
  std::atomic<bool> go{false};
  for (int i = 0; i < 5; ++i) {
    pool.Submit([&] {
      ScopedBlocking blocking;
      ++waiting;
      for (int j = 0; j < 2000 && !go; ++j) std::this_thread::sleep_for(milliseconds(5));
      --waiting;
    });
  }
  ASSERT_TRUE(Eventually([&] { return waiting == 3; }));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(waiting, 3) << "three threads, so three tasks wait and two stay queued";
  go = true;
  ASSERT_TRUE(Eventually([&] { return waiting == 0; }));
}

TEST(WorkerPool, IdleThreadsPollOneAtATimeAndRunWhatThePollYields) {
  std::atomic<int> polling{0}, most_polling{0}, yielded{0}, ran{0};
  constexpr int kTasks = 300;
  {
    WorkerPool pool(4, 8, [&](std::vector<std::function<void()>>* tasks) {
      int now = ++polling;
      most_polling = std::max(most_polling.load(), now);
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // bounded, as epoll's wait
      for (int i = 0; i < 3 && yielded < kTasks; ++i, ++yielded) {
        tasks->push_back([&] {
          std::this_thread::sleep_for(std::chrono::microseconds(100));
          ++ran;
        });
      }
      --polling;
    });
    ASSERT_TRUE(Eventually([&] { return ran == kTasks; }));
  }  // Stop: the poller comes back and every thread is joined
  EXPECT_EQ(most_polling, 1);
}

TEST(WorkerPool, ALongTaskInThePollerLeavesNoInputUnread) {
  // The first poll yields a long task, which the poller runs itself; input that comes while it
  // runs must be read and run by another thread, not wait for it.
  std::mutex m;
  std::condition_variable cv;
  int polls = 0;
  bool second_sent = false, stopping = false;
  std::atomic<bool> long_done{false}, second_done{false}, second_before_long{false};
  WorkerPool pool(2, 4, [&](std::vector<std::function<void()>>* tasks) {
    std::unique_lock<std::mutex> l(m);
    if (polls++ == 0) {
      // Let every thread of the pool start and go idle first.
      cv.wait_for(l, milliseconds(200), [&] { return stopping; });
      tasks->push_back([&] {
        std::this_thread::sleep_for(milliseconds(600));  // busy, and not saying it waits
        long_done = true;
      });
      return;
    }
    if (cv.wait_for(l, std::chrono::seconds(5), [&] { return second_sent || stopping; }) &&
        second_sent) {
      second_sent = false;
      tasks->push_back([&] {
        second_before_long = !long_done;
        second_done = true;
      });
    }
  });
  std::this_thread::sleep_for(milliseconds(300));  // the long task runs
  {
    std::lock_guard<std::mutex> l(m);
    second_sent = true;
  }
  cv.notify_all();
  ASSERT_TRUE(Eventually([&] { return second_done && long_done; }));
  EXPECT_TRUE(second_before_long) << "the second input waited for the long task";
  {
    std::lock_guard<std::mutex> l(m);
    stopping = true;
  }
  cv.notify_all();
}

// A server's shape: calls come only through the poll, and half of them wait (a group commit's
// followers and leader). Threads woken to poll must never be lost, or input stops being read.
TEST(WorkerPool, PollingNeverStallsWhileCallsWait) {
  std::mutex m;
  std::condition_variable arrived;
  int outstanding = 0;  // calls the "clients" have sent and the poll has not yet read
  std::mutex sync_mu;
  std::condition_variable synced_cv;
  long synced = 0, seq = 0;
  bool syncing = false;
  std::atomic<long> completed{0};
  std::atomic<unsigned> coin{0};
  auto call = [&] {
    if (coin.fetch_add(1) % 2 == 0) {
      std::unique_lock<std::mutex> l(sync_mu);
      const long mine = ++seq;
      while (synced < mine) {
        if (!syncing) {
          syncing = true;
          const long target = seq;
          l.unlock();
          {
            ScopedBlocking leading;
            std::this_thread::sleep_for(std::chrono::microseconds(50));
          }
          l.lock();
          syncing = false;
          synced = target;
          synced_cv.notify_all();
        } else {
          ScopedBlocking following;
          synced_cv.wait(l);
        }
      }
    }
    ++completed;
    std::lock_guard<std::mutex> l(m);
    ++outstanding;  // the client sends its next call
    arrived.notify_one();
  };
  constexpr long kCalls = 20000;
  WorkerPool pool(1, 5, [&](std::vector<std::function<void()>>* tasks) {
    std::unique_lock<std::mutex> l(m);
    arrived.wait_for(l, std::chrono::seconds(30), [&] { return outstanding > 0; });
    for (; outstanding > 0; --outstanding) tasks->push_back(call);
  });
  {
    std::lock_guard<std::mutex> l(m);
    outstanding = 32;
    arrived.notify_one();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
  while (completed < kCalls && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_GE(completed, kCalls) << "the pool stopped reading input";
  {
    std::lock_guard<std::mutex> l(m);
    outstanding = 1;  // let the poller return for Stop
    arrived.notify_one();
  }
}

TEST(WorkerPool, StopDropsQueuedTasksAndWaitsForRunningOnes) {
  std::atomic<int> ran{0};
  std::atomic<bool> started{false}, finished{false};
  {
    WorkerPool pool(1, 1);
    pool.Submit([&] {
      started = true;
      std::this_thread::sleep_for(milliseconds(50));
      finished = true;
    });
    for (int i = 0; i < 10; ++i) pool.Submit([&] { ++ran; });
    ASSERT_TRUE(Eventually([&] { return started.load(); }));
    pool.Stop();
    EXPECT_TRUE(finished);
    pool.Submit([&] { ++ran; });  // after Stop: dropped
  }
  EXPECT_EQ(ran, 0);
}

}  // namespace
}  // namespace efs::rpc

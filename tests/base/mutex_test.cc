// Mutex and CondVar: exclusion under contention, timed waits on the steady clock that time out
// when nobody signals and return early when someone does.
#include "base/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace efs {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(Mutex, ThreadsThatContendNeverLoseAnIncrement) {
  Mutex mu;
  uint64_t count = 0;  // plain, not atomic: only the lock keeps the increments whole
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        MutexLock lock(&mu);
        ++count;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(count, 8u * 20000u);
}

TEST(Mutex, TryLockFailsWhileAnotherHoldsIt) {
  Mutex mu;
  mu.Lock();
  bool took = true;
  std::thread([&] { took = mu.TryLock(); }).join();
  EXPECT_FALSE(took);
  mu.Unlock();
  ASSERT_TRUE(mu.TryLock());
  mu.Unlock();
}

// Spurious wake-ups are allowed, so each wait repeats (a bounded number of times) until it
// says it timed out; it must not say so before its time.
TEST(CondVar, TimedWaitsNobodySignalsTimeOutAndNotBefore) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  const auto start = steady_clock::now();
  const auto deadline = start + milliseconds(50);
  bool signalled = true;
  for (int i = 0; i < 100 && signalled; ++i) signalled = cv.WaitUntil(&mu, deadline);
  EXPECT_FALSE(signalled);
  EXPECT_GE(steady_clock::now(), deadline);

  const auto before = steady_clock::now();
  signalled = true;
  for (int i = 0; i < 100 && signalled; ++i) signalled = cv.WaitFor(&mu, milliseconds(30));
  EXPECT_FALSE(signalled);
  EXPECT_GE(steady_clock::now() - before, milliseconds(30));
}

TEST(CondVar, ASignalEndsATimedWaitLongBeforeItsDeadline) {
  Mutex mu;
  CondVar cv;
  bool ready = false;
  std::thread signaller([&] {
    std::this_thread::sleep_for(milliseconds(20));
    MutexLock lock(&mu);
    ready = true;
    cv.Signal();
  });
  {
    MutexLock lock(&mu);
    const auto deadline = steady_clock::now() + std::chrono::seconds(60);
    while (!ready) ASSERT_TRUE(cv.WaitUntil(&mu, deadline)) << "timed out without the signal";
    EXPECT_LT(steady_clock::now(), deadline - std::chrono::seconds(50));
  }
  signaller.join();
}

TEST(CondVar, SignalAllWakesEveryWaiter) {
  Mutex mu;
  CondVar cv;
  bool go = false;
  int waiting = 0, woken = 0;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.emplace_back([&] {
      MutexLock lock(&mu);
      ++waiting;
      const auto deadline = steady_clock::now() + std::chrono::seconds(10);
      while (!go && cv.WaitUntil(&mu, deadline)) {
      }
      if (go) ++woken;
    });
  }
  for (int i = 0; i < 1000; ++i) {  // until all four wait (bounded: 10 s)
    {
      MutexLock lock(&mu);
      if (waiting == 4) break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  const auto start = steady_clock::now();
  {
    MutexLock lock(&mu);
    go = true;
  }
  cv.SignalAll();
  for (std::thread& t : waiters) t.join();
  EXPECT_EQ(woken, 4);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5)) << "a waiter slept on";
}

}  // namespace
}  // namespace efs

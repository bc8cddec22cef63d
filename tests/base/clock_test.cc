// TestClock runs with the system's time and moves ahead only when told, by exactly as much.
#include "base/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace efs {
namespace {

TEST(TestClock, RunsWithTheSystemsTimeUntilMovedAhead) {
  TestClock clock;
  SystemClock system;
  const double before = system.Now();
  const double now = clock.Now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, system.Now());
  EXPECT_EQ(clock.offset(), 0);

  const double moved = clock.Advance(7 * 86400);
  EXPECT_GE(moved, before + 7 * 86400);
  EXPECT_LE(moved, system.Now() + 7 * 86400);
  EXPECT_EQ(clock.offset(), 7 * 86400);
  EXPECT_GE(clock.Now(), moved) << "it keeps running after the jump";
}

TEST(TestClock, AdvancesFromManyThreadsAllCount) {
  TestClock clock;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) clock.Advance(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(clock.offset(), 4000);
}

}  // namespace
}  // namespace efs

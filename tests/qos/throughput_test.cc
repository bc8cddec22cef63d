// Throughput-mode arithmetic against EFS's published numbers (EFS-REFERENCE.md s2.2, s2.3),
// with time as plain seconds the tests move.
#include "qos/throughput.h"

#include <gtest/gtest.h>

namespace efs::qos {
namespace {

constexpr uint64_t GiB(double n) { return static_cast<uint64_t>(n * kGiB); }

TEST(MeteredBytes, ReadsCountAThirdAndEveryRequestAtLeast4KiB) {
  EXPECT_DOUBLE_EQ(MeteredBytes(RequestKind::kRead, 3 * 1024 * 1024), 1024 * 1024);
  EXPECT_DOUBLE_EQ(MeteredBytes(RequestKind::kWrite, 1024 * 1024), 1024 * 1024);
  EXPECT_DOUBLE_EQ(MeteredBytes(RequestKind::kWrite, 100), 4096);
  EXPECT_DOUBLE_EQ(MeteredBytes(RequestKind::kMetadata, 0), 4096);
  EXPECT_DOUBLE_EQ(MeteredBytes(RequestKind::kRead, 100), 4096.0 / 3);
  // EFS's example: 30 MiB/s read plus 30 MiB/s write meter as 40 MiB/s.
  EXPECT_DOUBLE_EQ(MeteredBytes(RequestKind::kRead, 30 * 1024 * 1024) +
                       MeteredBytes(RequestKind::kWrite, 30 * 1024 * 1024),
                   40 * kMiB);
}

TEST(Bursting, BaselineAndBurstFollowTheStandardSizeWithTheirFloors) {
  EXPECT_DOUBLE_EQ(BaselineBytesPerSecond(0), kMiB);
  EXPECT_DOUBLE_EQ(BaselineBytesPerSecond(GiB(10)), kMiB);  // 500 KiB/s: the floor holds
  EXPECT_DOUBLE_EQ(BaselineBytesPerSecond(GiB(100)), 5000 * kKiB);
  EXPECT_DOUBLE_EQ(BaselineBytesPerSecond(GiB(1024)), 50 * kMiB);
  EXPECT_DOUBLE_EQ(BurstBytesPerSecond(GiB(1)), 100 * kMiB);
  EXPECT_DOUBLE_EQ(BurstBytesPerSecond(GiB(2048)), 200 * kMiB);
  EXPECT_DOUBLE_EQ(CreditCap(GiB(100)), 2.1 * kTiB);
  EXPECT_DOUBLE_EQ(CreditCap(GiB(2048)), 4.2 * kTiB);
}

TEST(BurstCredits, ANewFileSystemStartsWithTheInitialBalanceAndAccruesUpToTheCap) {
  BurstCredits credits(0);
  EXPECT_DOUBLE_EQ(credits.balance(), 2.1 * kTiB);
  credits.Spend(86400, 0, GiB(100));
  EXPECT_DOUBLE_EQ(credits.balance(), 2.1 * kTiB) << "already at the cap";
}

// EFS's example: 100 GiB stored earns enough in a day for about 72 minutes at 100 MiB/s.
TEST(BurstCredits, ADaysBaselinePaysForAboutSeventyMinutesOfBurst) {
  BurstCredits credits(0, /*balance=*/0);
  const uint64_t stored = GiB(100);
  credits.Spend(86400, 0, stored);
  const double earned = credits.balance();
  EXPECT_DOUBLE_EQ(earned, 5000 * kKiB * 86400);
  const double burst_seconds = earned / BurstBytesPerSecond(stored);
  EXPECT_NEAR(burst_seconds / 60, 70.3, 0.1);
  // Bursting spends faster than the baseline refills: spend a second at a time.
  double t = 86400;
  int seconds = 0;
  while (credits.Spend(t + 1, BurstBytesPerSecond(stored), stored) > 0 && seconds < 10000) {
    t += 1;
    ++seconds;
  }
  // Each second also earns the baseline back: (100 MiB/s - 4.9 MiB/s) drains it.
  EXPECT_NEAR(seconds, earned / (BurstBytesPerSecond(stored) - BaselineBytesPerSecond(stored)), 2);
}

TEST(PermittedThroughput, EachModeItsRule) {
  const uint64_t small = GiB(10), large = GiB(1024);
  EXPECT_DOUBLE_EQ(PermittedBytesPerSecond(ThroughputMode::kBursting, small, 1, 0), 100 * kMiB);
  EXPECT_DOUBLE_EQ(PermittedBytesPerSecond(ThroughputMode::kBursting, small, 0, 0), kMiB);
  EXPECT_DOUBLE_EQ(PermittedBytesPerSecond(ThroughputMode::kBursting, small, -5, 0), kMiB);
  EXPECT_DOUBLE_EQ(PermittedBytesPerSecond(ThroughputMode::kProvisioned, small, 0, 10), 10 * kMiB);
  EXPECT_DOUBLE_EQ(PermittedBytesPerSecond(ThroughputMode::kProvisioned, large, 0, 10), 50 * kMiB)
      << "the bursting baseline where it is higher";
  EXPECT_EQ(PermittedBytesPerSecond(ThroughputMode::kElastic, small, 0, 0), kUnlimited);
}

TEST(TokenBucket, DelaysWhatExceedsTheRateAndNeverRefuses) {
  TokenBucket bucket(10 * kMiB, kMiB, 0);
  EXPECT_DOUBLE_EQ(bucket.Admit(0, kMiB), 0) << "the bucket starts full";
  EXPECT_DOUBLE_EQ(bucket.Admit(0, kMiB), 0.1);
  EXPECT_DOUBLE_EQ(bucket.Admit(0, 4 * kMiB), 0.5) << "a request larger than the bucket waits";
  // After a long idle spell the bucket holds its capacity, no more.
  bucket.Admit(100, 0);
  EXPECT_DOUBLE_EQ(bucket.tokens(), kMiB);
}

TEST(TokenBucket, AStreamThatHonoursItsWaitsRunsAtTheRate) {
  TokenBucket bucket(10 * kMiB, kMiB, 0);
  double now = 0, moved = 0;
  for (int i = 0; i < 100000 && now < 10; ++i) {
    now += bucket.Admit(now, 256 * kKiB);
    moved += 256 * kKiB;
  }
  EXPECT_NEAR(moved / now, 10 * kMiB, 0.1 * 10 * kMiB);
}

TEST(TokenBucket, ANewRateHoldsAtOnceAndAnUnlimitedOneNeverWaits) {
  TokenBucket bucket(10 * kMiB, kMiB, 0);
  bucket.Admit(0, kMiB);
  bucket.SetRate(0, kMiB, kMiB);
  EXPECT_DOUBLE_EQ(bucket.Admit(0, kMiB), 1.0);
  bucket.SetRate(0, kUnlimited, kUnlimited);
  EXPECT_DOUBLE_EQ(bucket.Admit(0, 100 * kMiB), 0);
}

}  // namespace
}  // namespace efs::qos

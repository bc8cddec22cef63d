// bench::LatencyHistogram: nearest-rank percentiles, exact for small values and within a
// bucket's width (1/64) above, merging, and bounded memory.
#include "bench/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace efs::bench {
namespace {

TEST(LatencyHistogram, EmptyHasZeroPercentiles) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(50), 0u);
}

TEST(LatencyHistogram, SmallValuesAreExactNearestRank) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(50), 50u);
  EXPECT_EQ(h.Percentile(90), 90u);
  EXPECT_EQ(h.Percentile(99), 99u);
  EXPECT_EQ(h.Percentile(99.9), 100u);
  EXPECT_EQ(h.Percentile(100), 100u);
  EXPECT_EQ(h.Percentile(0.5), 1u);
}

TEST(LatencyHistogram, OneSampleIsEveryPercentile) {
  LatencyHistogram h;
  h.Record(123456789);
  EXPECT_EQ(h.Percentile(50), 123456789u);  // a bucket's top, capped by the largest sample
  EXPECT_EQ(h.Percentile(99.9), 123456789u);
  EXPECT_EQ(h.max(), 123456789u);
}

TEST(LatencyHistogram, LargeValuesAreWithinABucketAboveTheTruth) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> samples;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = 1000 + rng() % 50'000'000;  // 1 us .. 50 ms in ns
    samples.push_back(v);
    h.Record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const uint64_t truth = samples[static_cast<size_t>(p / 100 * samples.size()) - 1];
    const uint64_t got = h.Percentile(p);
    EXPECT_GE(got, truth) << p;
    EXPECT_LE(got, truth + truth / 64 + 1) << p;
  }
}

TEST(LatencyHistogram, PercentilesAreOrdered) {
  LatencyHistogram h;
  for (uint64_t v : {5u, 5000u, 7u, 900000u, 42u, 1u << 30}) h.Record(v);
  EXPECT_LE(h.Percentile(50), h.Percentile(90));
  EXPECT_LE(h.Percentile(90), h.Percentile(99));
  EXPECT_LE(h.Percentile(99), h.Percentile(99.9));
  EXPECT_EQ(h.Percentile(100), uint64_t{1} << 30);
}

TEST(LatencyHistogram, MergeAddsSamples) {
  LatencyHistogram a, b;
  for (uint64_t v = 1; v <= 50; ++v) a.Record(v);
  for (uint64_t v = 51; v <= 100; ++v) b.Record(v);
  a.Merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.Percentile(50), 50u);
  EXPECT_EQ(a.max(), 100u);
}

TEST(LatencyHistogram, TheWholeRangeFitsAndMemoryIsFixed) {
  LatencyHistogram h;
  h.Record(0);
  h.Record(UINT64_MAX);
  EXPECT_EQ(h.Percentile(100), UINT64_MAX);
  EXPECT_LE(sizeof(LatencyHistogram), 64u * 1024);
}

}  // namespace
}  // namespace efs::bench

// LatencyHistogram: operation latencies in bounded memory, with percentiles.
//
// Layout (HDR-style, log-linear): values are nanoseconds. Values below 2^kSubBits are counted
// exactly, one bucket each. Above, each power of two [2^e, 2^(e+1)) is split into 2^kSubBits /
// 2 equal buckets, so a bucket is at most 1/64 of its values wide (under 1.6% error). The whole
// uint64 range fits in a fixed array of 64 KiB counters, whatever the number of samples: 16
// clients x 60 s x 50k operations/s is 48M samples, which a sorted vector would hold in 384 MB.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace efs::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 7;

  void Record(uint64_t nanoseconds);
  // Adds every sample of `other`.
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }

  // The nearest-rank percentile (0 < p <= 100): the smallest recorded bucket value v such that
  // at least p% of the samples are <= v. A bucket's value is its highest (so a percentile is
  // never under the truth), capped by the largest sample. 0 when there are no samples.
  uint64_t Percentile(double p) const;

 private:
  static constexpr int kHalf = 1 << (kSubBits - 1);
  static constexpr size_t kBuckets = (64 - kSubBits + 2) * kHalf;
  static size_t BucketOf(uint64_t value);
  static uint64_t HighestIn(size_t bucket);

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace efs::bench

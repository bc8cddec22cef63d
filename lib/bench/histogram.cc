// LatencyHistogram: bucket arithmetic (see histogram.h for the layout) and percentiles.
#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace efs::bench {

// Values v < 2^kSubBits: bucket v. Else, with e = bit width of v minus kSubBits (>= 1), v's top
// kSubBits bits m lie in [kHalf, 2*kHalf), and the bucket is (e + 1) * kHalf + (m - kHalf).
size_t LatencyHistogram::BucketOf(uint64_t value) {
  if (value < (uint64_t{1} << kSubBits)) return static_cast<size_t>(value);
  const int e = std::bit_width(value) - kSubBits;
  const uint64_t m = value >> e;
  return static_cast<size_t>(e + 1) * kHalf + static_cast<size_t>(m - kHalf);
}

uint64_t LatencyHistogram::HighestIn(size_t bucket) {
  if (bucket < (size_t{1} << kSubBits)) return bucket;
  const int e = static_cast<int>(bucket / kHalf) - 1;
  const uint64_t m = bucket % kHalf + kHalf;
  // The bucket holds [m << e, (m + 1) << e); at the top of the range that end overflows.
  const uint64_t next = (m + 1) << e;
  return next == 0 ? UINT64_MAX : next - 1;
}

void LatencyHistogram::Record(uint64_t nanoseconds) {
  ++counts_[BucketOf(nanoseconds)];
  ++count_;
  max_ = std::max(max_, nanoseconds);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  const double exact = std::ceil(p / 100.0 * static_cast<double>(count_));
  const uint64_t rank = std::clamp<uint64_t>(static_cast<uint64_t>(exact), 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(HighestIn(i), max_);
  }
  return max_;
}

}  // namespace efs::bench

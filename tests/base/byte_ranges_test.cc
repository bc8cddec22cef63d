// POSIX lock-range arithmetic: replace, split, merge, unlock.
#include "base/byte_ranges.h"

#include <gtest/gtest.h>

namespace efs {
namespace {

constexpr uint64_t kEof = UINT64_MAX;

TEST(ByteRanges, TouchingRangesOfOneKindMergeAndOfTwoKindsDoNot) {
  std::vector<ByteRange> held;
  AddRange(&held, {10, 20, true});
  AddRange(&held, {0, 10, true});
  EXPECT_EQ(held, (std::vector<ByteRange>{{0, 20, true}}));
  AddRange(&held, {20, 30, false});
  EXPECT_EQ(held, (std::vector<ByteRange>{{0, 20, true}, {20, 30, false}}));
}

TEST(ByteRanges, ANewLockReplacesWhatItCoversAndSplitsWhatItCuts) {
  std::vector<ByteRange> held;
  AddRange(&held, {0, 100, false});
  AddRange(&held, {40, 60, true});  // upgrade the middle
  EXPECT_EQ(held, (std::vector<ByteRange>{{0, 40, false}, {40, 60, true}, {60, 100, false}}));
  AddRange(&held, {0, kEof, false});  // a read lock over everything
  EXPECT_EQ(held, (std::vector<ByteRange>{{0, kEof, false}}));
}

TEST(ByteRanges, UnlockingTheMiddleLeavesBothEnds) {
  std::vector<ByteRange> held{{0, kEof, true}};
  RemoveRange(&held, 10, 20);
  EXPECT_EQ(held, (std::vector<ByteRange>{{0, 10, true}, {20, kEof, true}}));
  RemoveRange(&held, 500, 600);
  RemoveRange(&held, 0, kEof);
  EXPECT_TRUE(held.empty());
  RemoveRange(&held, 0, 5);  // holding none of it is fine
  EXPECT_TRUE(held.empty());
}

TEST(ByteRanges, LengthsToTheEndOfTheFile) {
  EXPECT_EQ(RangeEnd(10, 5), 15u);
  EXPECT_EQ(RangeEnd(10, kEof), kEof);
  EXPECT_EQ(RangeEnd(kEof - 1, 5), kEof);  // past 2^64: to the end
  EXPECT_EQ(RangeLength(10, 15), 5u);
  EXPECT_EQ(RangeLength(10, kEof), kEof);
}

}  // namespace
}  // namespace efs

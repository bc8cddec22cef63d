// Arena: zeroed, aligned memory that lives as long as the arena, small and large alike.
#include "base/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace efs {
namespace {

struct Pod {
  uint64_t a;
  char name[13];
  uint32_t b;
};

TEST(Arena, GivesZeroedAlignedArraysThatStayValid) {
  Arena arena;
  std::vector<std::pair<Pod*, size_t>> made;
  for (size_t i = 0; i < 2000; ++i) {
    const size_t n = 1 + i % 7;
    Pod* p = arena.NewArray<Pod>(n);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % alignof(Pod), 0u);
    for (size_t k = 0; k < n; ++k) {
      EXPECT_EQ(p[k].a, 0u);
      EXPECT_EQ(p[k].b, 0u);
      p[k].a = i;
      std::memset(p[k].name, 'x', sizeof p[k].name);
    }
    made.emplace_back(p, n);
  }
  // Nothing handed out later overwrote anything handed out earlier.
  for (size_t i = 0; i < made.size(); ++i) {
    for (size_t k = 0; k < made[i].second; ++k) ASSERT_EQ(made[i].first[k].a, i);
  }
}

TEST(Arena, LargeAndEmptyArraysWork) {
  Arena arena;
  char* big = arena.NewArray<char>(1 << 20);
  EXPECT_EQ(big[0], 0);
  EXPECT_EQ(big[(1 << 20) - 1], 0);
  std::memset(big, 1, 1 << 20);
  uint32_t* none = arena.NewArray<uint32_t>(0);  // room for one, as NFS results want
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(*none, 0u);
  EXPECT_EQ(big[12345], 1);
}

}  // namespace
}  // namespace efs

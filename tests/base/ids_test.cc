// Resource ids.
#include "base/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace efs {
namespace {

TEST(Ids, NewIdHasPrefixAndSeventeenHexDigits) {
  std::string id = NewId("fs");
  ASSERT_EQ(id.size(), 3u + 17u);
  EXPECT_EQ(id.substr(0, 3), "fs-");
  EXPECT_TRUE(IsValidId(id, "fs"));
  EXPECT_FALSE(IsValidId(id, "fsmt"));
}

TEST(Ids, NewIdsDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(NewId("sg"));
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(Ids, ValidationFollowsTheApiPattern) {
  EXPECT_TRUE(IsValidId("fs-01234567", "fs"));
  EXPECT_FALSE(IsValidId("fs-0123456", "fs"));                       // 7 digits
  EXPECT_FALSE(IsValidId("fs-0123456789ABCDEF0", "fs"));             // upper case
  EXPECT_FALSE(IsValidId("fs_0123456789abcdef0", "fs"));
  EXPECT_FALSE(IsValidId("fs-" + std::string(41, 'a'), "fs"));
  EXPECT_TRUE(IsValidId("subnet-" + std::string(40, 'a'), "subnet"));
}

}  // namespace
}  // namespace efs

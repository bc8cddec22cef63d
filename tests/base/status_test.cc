// Status and Result<T>.
#include "base/status.h"

#include <gtest/gtest.h>

#include "base/macros.h"

namespace efs {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd number " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  EFS_ASSIGN_OR_RETURN(int half, Half(x));
  return Half(half);
}

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, ToStringPrefersReason) {
  EXPECT_EQ(Error(Code::kNotFound, "FileSystemNotFound", "no such fs").ToString(),
            "FileSystemNotFound: no such fs");
  EXPECT_EQ(Error(Code::kNotFound, "", "gone").ToString(), "not found: gone");
}

TEST(Result, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "BadRequest");
  EXPECT_EQ(r.status().message(), "odd number 3");
}

}  // namespace
}  // namespace efs

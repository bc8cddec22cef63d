// MemFs: the conformance suite, plus what only MemFs does (an injected clock).
#include "fs/mem_fs.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "fs/conformance.h"
#include "fs/lifecycle_conformance.h"

namespace efs::fs {
namespace {

const FsFactory kMemFs{"MemFs",
                      [](const std::string&, const Clock* clock) { return NewMemFs(clock); }};
INSTANTIATE_TEST_SUITE_P(MemFs, FsConformance, testing::Values(kMemFs), FactoryName);
INSTANTIATE_TEST_SUITE_P(MemFs, LifecycleConformance, testing::Values(kMemFs), FactoryName);

TEST(MemFs, TimestampsComeFromTheInjectedClock) {
  FakeClock clock(1700000000.5);
  std::unique_ptr<FileSystem> fs = NewMemFs(&clock);
  clock.Advance(10);
  Result<CreateResult> r = fs->Create(Credentials::Root(), fs->Root(), "f", CreateArgs{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attrs.mtime.sec, 1700000010);
  EXPECT_EQ(r->attrs.mtime.nsec, 500000000u);
  EXPECT_EQ(fs->GetAttr(fs->Root())->birth_time.sec, 1700000000);
}

TEST(MemFs, EachInstanceHasItsOwnWriteVerifier) {
  EXPECT_NE(NewMemFs()->WriteVerifier(), NewMemFs()->WriteVerifier());
}

}  // namespace
}  // namespace efs::fs

// bench::ParseTarget, ParseDuration, ParseSize and the workload names.
#include "bench/spec.h"

#include <gtest/gtest.h>

namespace efs::bench {
namespace {

using std::chrono::milliseconds;

TEST(ParseTarget, TakesAddressPortAndPath) {
  Result<Target> t = ParseTarget("127.0.0.1:2050/a/b/");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 2050);
  EXPECT_EQ(t->path, "/a/b");
}

TEST(ParseTarget, DefaultsToPort2049AndTheRoot) {
  Result<Target> t = ParseTarget("10.0.1.5");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->port, 2049);
  EXPECT_EQ(t->path, "/");
  Result<Target> root = ParseTarget("10.0.1.5:2049/");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->path, "/");
}

TEST(ParseTarget, RefusesNamesBadAddressesAndBadPorts) {
  for (const char* bad : {"", "server:2049", "10.0.1:2049", "10.0.1.5:", "10.0.1.5:0",
                          "10.0.1.5:65536", "10.0.1.5:20x9", "10.0.1.5:-1", ":2049/x"}) {
    Result<Target> t = ParseTarget(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), Code::kInvalidArgument) << bad;
    }
  }
}

TEST(ParseDuration, TakesUnitsAndBareSeconds) {
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("10s"), milliseconds(10000));
  EXPECT_EQ(*ParseDuration("1m"), milliseconds(60000));
  EXPECT_EQ(*ParseDuration("2h"), milliseconds(2 * 3600 * 1000));
  EXPECT_EQ(*ParseDuration("3"), milliseconds(3000));
}

TEST(ParseDuration, RefusesZeroNegativeFractionsAndUnknownUnits) {
  for (const char* bad : {"", "0s", "-1s", "1.5s", "10 s", "10sec", "s", "1d", "ms"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(ParseSize, TakesBinarySuffixesInAnyCase) {
  EXPECT_EQ(*ParseSize("4096"), 4096u);
  EXPECT_EQ(*ParseSize("4K"), 4096u);
  EXPECT_EQ(*ParseSize("4k"), 4096u);
  EXPECT_EQ(*ParseSize("64M"), 64u << 20);
  EXPECT_EQ(*ParseSize("64MiB"), 64u << 20);
  EXPECT_EQ(*ParseSize("2G"), uint64_t{2} << 30);
  EXPECT_EQ(*ParseSize("1T"), uint64_t{1} << 40);
}

TEST(ParseSize, RefusesZeroFractionsUnknownSuffixesAndOverflow) {
  for (const char* bad : {"", "0", "0M", "1.5M", "4MB", "4X", "M", "-4K", "99999999999999T"}) {
    EXPECT_FALSE(ParseSize(bad).ok()) << bad;
  }
}

TEST(Workloads, NamesRoundTrip) {
  ASSERT_EQ(WorkloadNames().size(), 8u);
  for (const std::string& name : WorkloadNames()) {
    std::optional<Workload> w = ParseWorkload(name);
    ASSERT_TRUE(w.has_value()) << name;
    EXPECT_EQ(WorkloadName(*w), name);
  }
  EXPECT_FALSE(ParseWorkload("seqwrite").has_value());
  EXPECT_TRUE(MovesData(Workload::kRandRead4k));
  EXPECT_FALSE(MovesData(Workload::kMixed));
}

}  // namespace
}  // namespace efs::bench

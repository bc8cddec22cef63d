// Rough throughput figures for the control plane, called directly (no socket). Disabled by
// default and asserting nothing about time; run with
//   efs_control_test --gtest_also_run_disabled_tests --gtest_filter='Bench*'
#include <chrono>

#include "control/control_test_env.h"

namespace efs::control {
namespace {

using testing::ControlTest;

class Bench : public ControlTest {
 protected:
  template <class F>
  double PerSecond(int n, F f) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) f(i);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return n / secs;
  }
};

TEST_F(Bench, DISABLED_CreateAndDescribeFileSystems) {
  double creates = PerSecond(500, [&](int i) {
    api::CreateFileSystemRequest req;
    req.creation_token = "bench-" + std::to_string(i);
    req.tags = {{"Name", "bench"}};
    ASSERT_TRUE(control->CreateFileSystem(req).ok());
  });
  auto start = std::chrono::steady_clock::now();
  control->Reconcile();
  double reconcile =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int i = 0; i < 480; ++i) {  // keep a small catalog of 20 for the describes
    api::DescribeFileSystemsRequest one;
    one.creation_token = "bench-" + std::to_string(i);
    ASSERT_TRUE(
        control
            ->DeleteFileSystem({control->DescribeFileSystems(one)->file_systems[0].file_system_id})
            .ok());
  }
  control->Reconcile();
  std::string id = control->DescribeFileSystems({})->file_systems[0].file_system_id;
  double describe_all =
      PerSecond(20000, [&](int) { ASSERT_TRUE(control->DescribeFileSystems({}).ok()); });
  api::DescribeFileSystemsRequest by_id;
  by_id.file_system_id = id;
  double describe_one =
      PerSecond(20000, [&](int) { ASSERT_TRUE(control->DescribeFileSystems(by_id).ok()); });
  std::printf("CreateFileSystem: %.0f/s (file catalog, synchronous=FULL)\n", creates);
  std::printf("Reconcile of 500 creating file systems: %.3f s\n", reconcile);
  std::printf("DescribeFileSystems (all 20): %.0f/s\n", describe_all);
  std::printf("DescribeFileSystems (by id): %.0f/s\n", describe_one);
}

}  // namespace
}  // namespace efs::control

// The control plane's request rates through the real efsd and its socket: DescribeFileSystems
// and CreateFileSystem on one connection. Run: build/bench/efs_api_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "testutil/test_daemon.h"

namespace {

efs::testutil::TestDaemon* g_daemon = nullptr;

efs::testutil::TestDaemon& Daemon() {
  if (!g_daemon) {
    g_daemon = new efs::testutil::TestDaemon();
    if (!g_daemon->Start({"--log-level", "warn"})) {
      std::fprintf(stderr, "efsd did not start:\n%s\n", g_daemon->log().c_str());
      std::abort();
    }
  }
  return *g_daemon;
}

// DescribeFileSystems of a catalog holding `range(0)` file systems, by id.
void BM_DescribeFileSystems(benchmark::State& state) {
  auto client = Daemon().Connect();
  std::string id;
  for (int64_t i = 0; i < state.range(0); ++i) {
    efs::api::CreateFileSystemRequest req;
    req.creation_token = "describe-" + std::to_string(state.range(0)) + "-" + std::to_string(i);
    auto r = client->Send("CreateFileSystem", req);
    if (r.ok()) id = (*r)["FileSystemId"];
  }
  efs::api::DescribeFileSystemsRequest req;
  req.file_system_id = id;
  for (auto _ : state) {
    auto r = client->Send("DescribeFileSystems", req);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DescribeFileSystems)->Arg(1)->Arg(100)->UseRealTime();

void BM_CreateFileSystem(benchmark::State& state) {
  auto client = Daemon().Connect();
  static int64_t n = 0;
  for (auto _ : state) {
    efs::api::CreateFileSystemRequest req;
    req.creation_token = "create-" + std::to_string(n++);
    auto r = client->Send("CreateFileSystem", req);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CreateFileSystem)->UseRealTime()->Iterations(2000);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  delete g_daemon;
  return 0;
}

// The control plane's request rates through the real efsd and its socket: DescribeFileSystems
// and CreateFileSystem on one connection. Run: build/bench/efs_api_bench
#include <benchmark/benchmark.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/unique_fd.h"
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

// CreateFileSystem, one request after another on one connection. Each is one durable SQLite
// transaction (WAL, synchronous=FULL). Fewer than the 1,000 file-system limit in all.
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
BENCHMARK(BM_CreateFileSystem)->UseRealTime()->Iterations(800);

// DescribeFileSystems of one file system by id, in a catalog that holds the 800 made above.
void BM_DescribeFileSystemById(benchmark::State& state) {
  auto client = Daemon().Connect();
  efs::api::DescribeFileSystemsRequest req;
  auto first = client->Send("DescribeFileSystems", efs::api::DescribeFileSystemsRequest{});
  if (!first.ok() || (*first)["FileSystems"].empty()) {
    state.SkipWithError("no file systems to describe");
    return;
  }
  req.file_system_id = (*first)["FileSystems"][0]["FileSystemId"].get<std::string>();
  for (auto _ : state) {
    auto r = client->Send("DescribeFileSystems", req);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DescribeFileSystemById)->UseRealTime();

// A page of 10 file systems (MaxItems 10), as a script listing them would ask.
void BM_DescribeFileSystemsPage(benchmark::State& state) {
  auto client = Daemon().Connect();
  efs::api::DescribeFileSystemsRequest req;
  req.max_items = 10;
  for (auto _ : state) {
    auto r = client->Send("DescribeFileSystems", req);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DescribeFileSystemsPage)->UseRealTime();

// DescribeFileSystems by id with 64 requests in flight on one connection (the protocol answers
// in order, so a client may pipeline): what the daemon itself can serve on one connection, not
// bounded by the round trip.
void BM_DescribeFileSystemByIdPipelined(benchmark::State& state) {
  auto client = Daemon().Connect();
  auto first = client->Send("DescribeFileSystems", efs::api::DescribeFileSystemsRequest{});
  if (!first.ok() || (*first)["FileSystems"].empty()) {
    state.SkipWithError("no file systems to describe");
    return;
  }
  std::string id = (*first)["FileSystems"][0]["FileSystemId"];
  efs::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", Daemon().socket_path().c_str());
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    state.SkipWithError("connect failed");
    return;
  }
  constexpr int kWindow = 64;
  std::string hello = R"({"id":0,"action":"Hello","params":{"ApiVersion":1}})" "\n";
  std::string one = R"({"id":1,"action":"DescribeFileSystems","params":{"FileSystemId":")" + id +
                    "\"}}\n";
  std::string window;
  for (int i = 0; i < kWindow; ++i) window += one;
  std::string buffer;
  auto read_lines = [&](int lines) {
    char chunk[65536];
    while (lines > 0) {
      ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
      if (n <= 0) return false;
      for (ssize_t i = 0; i < n; ++i) lines -= chunk[i] == '\n';
    }
    return true;
  };
  if (::write(fd.get(), hello.data(), hello.size()) < 0 || !read_lines(1)) {
    state.SkipWithError("handshake failed");
    return;
  }
  for (auto _ : state) {
    if (::write(fd.get(), window.data(), window.size()) != static_cast<ssize_t>(window.size()) ||
        !read_lines(kWindow)) {
      state.SkipWithError("connection failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kWindow);
}
BENCHMARK(BM_DescribeFileSystemByIdPipelined)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  delete g_daemon;
  return 0;
}

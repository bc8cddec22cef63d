// The control plane's request rates through the real efsd, on its Unix socket and on its HTTP
// endpoint (the EFS REST-JSON API, every request SigV4-signed as an SDK signs it):
// DescribeFileSystems and CreateFileSystem on one connection each. Run: build/bench/efs_api_bench
#include <benchmark/benchmark.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "base/unique_fd.h"
#include "http/sigv4.h"
#include "testutil/test_daemon.h"

namespace {

efs::testutil::TestDaemon* g_daemon = nullptr;
int g_http_port = 0;

efs::testutil::TestDaemon& Daemon() {
  if (!g_daemon) {
    g_daemon = new efs::testutil::TestDaemon();
    g_http_port = efs::testutil::FreePort();
    if (!g_daemon->Start({"--log-level", "warn", "--http-listen",
                          "127.0.0.1:" + std::to_string(g_http_port)})) {
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

// An access key of root's, made once (a user may have two).
struct Key {
  std::string id, secret, error;
};
const Key& RootKey() {
  static const Key key = [] {
    efs::testutil::RunResult made =
        Daemon().Efs({"--output", "json", "create-access-key", "--user-name", "root"});
    efs::api::Json json = efs::api::Json::parse(made.out, nullptr, false);
    if (made.rc != 0 || json.is_discarded()) return Key{"", "", "create-access-key: " + made.err};
    return Key{json["AccessKey"]["AccessKeyId"], json["AccessKey"]["SecretAccessKey"], ""};
  }();
  return key;
}

// One keep-alive HTTP/1.1 connection to the daemon's endpoint (Boost.Beast), signing each request
// with root's key as botocore does: SigV4 over Host, X-Amz-Date and the body.
class HttpClient {
 public:
  // False (with `error` set) if there is no key or the endpoint refuses the connection.
  bool Open(std::string* error) {
    if (!RootKey().error.empty()) {
      *error = RootKey().error;
      return false;
    }
    host_ = "127.0.0.1:" + std::to_string(g_http_port);
    boost::system::error_code ec;
    stream_.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                   static_cast<unsigned short>(g_http_port)),
                    ec);
    if (ec) *error = "connect: " + ec.message();
    return !ec;
  }

  // Sends one signed request and reads the answer; its status, or 0 if the connection failed.
  int Call(boost::beast::http::verb method, const std::string& target, const std::string& body,
           std::string* answer = nullptr) {
    namespace http = boost::beast::http;
    efs::http::SignedRequest signed_request{std::string(http::to_string(method)), target,
                                            {{"Host", host_}}, body};
    if (!body.empty()) signed_request.headers.emplace_back("Content-Type", "application/json");
    efs::http::Sign(&signed_request,
                    efs::http::Signer{RootKey().id, "", "local-1", "elasticfilesystem"},
                    RootKey().secret,
                    std::chrono::system_clock::now());
    http::request<http::string_body> request{method, target, 11};
    for (const auto& [name, value] : signed_request.headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    request.keep_alive(true);
    boost::system::error_code ec;
    http::write(stream_, request, ec);
    if (ec) return 0;
    http::response<http::string_body> response;
    http::read(stream_, buffer_, response, ec);
    if (ec) return 0;
    if (answer) *answer = std::move(response.body());
    return response.result_int();
  }

 private:
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_{io_};
  boost::beast::flat_buffer buffer_;
  std::string host_;
};

// CreateFileSystem over HTTP (201 each), after the 800 above: 150 more stays under the limit.
void BM_Http_CreateFileSystem(benchmark::State& state) {
  HttpClient client;
  if (std::string error; !client.Open(&error)) return state.SkipWithError(error.c_str());
  static int64_t n = 0;
  for (auto _ : state) {
    std::string body = R"({"CreationToken":"http-)" + std::to_string(n++) + "\"}";
    int status = client.Call(boost::beast::http::verb::post, "/2015-02-01/file-systems", body);
    if (status != 201) state.SkipWithError(("status " + std::to_string(status)).c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Http_CreateFileSystem)->UseRealTime()->Iterations(150);

// DescribeFileSystems of one file system by id over HTTP, as BM_DescribeFileSystemById.
void BM_Http_DescribeFileSystemById(benchmark::State& state) {
  HttpClient client;
  if (std::string error; !client.Open(&error)) return state.SkipWithError(error.c_str());
  std::string page;
  client.Call(boost::beast::http::verb::get, "/2015-02-01/file-systems?MaxItems=1", "", &page);
  efs::api::Json first = efs::api::Json::parse(page, nullptr, false);
  if (first.is_discarded() || first["FileSystems"].empty()) {
    return state.SkipWithError("no file systems to describe");
  }
  const std::string target =
      "/2015-02-01/file-systems?FileSystemId=" + first["FileSystems"][0]["FileSystemId"].get<std::string>();
  for (auto _ : state) {
    int status = client.Call(boost::beast::http::verb::get, target, "");
    if (status != 200) state.SkipWithError(("status " + std::to_string(status)).c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Http_DescribeFileSystemById)->UseRealTime();

// A page of 10 file systems over HTTP, as BM_DescribeFileSystemsPage.
void BM_Http_DescribeFileSystemsPage(benchmark::State& state) {
  HttpClient client;
  if (std::string error; !client.Open(&error)) return state.SkipWithError(error.c_str());
  for (auto _ : state) {
    int status = client.Call(boost::beast::http::verb::get, "/2015-02-01/file-systems?MaxItems=10", "");
    if (status != 200) state.SkipWithError(("status " + std::to_string(status)).c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Http_DescribeFileSystemsPage)->UseRealTime();

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

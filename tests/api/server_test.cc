// A real Server and Client over a Unix socket in a temporary directory: handshake, framing
// errors, timeouts, misbehaving peers, concurrency, Stop() semantics and socket-file handling.
#include "api/server.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api/client.h"
#include "api/framing.h"

namespace efs::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kTimeoutMs = 5000;

// Echo: {"Action","Params","Uid","Gid","Pid"}; Sleep {"Ms":n}: sleeps, then answers {"Slept":n};
// Fail: FileSystemAlreadyExists with a FileSystemId extra.
Reply TestHandler(const Caller& caller, const std::string& action, const Json& params,
                  std::atomic<int>* sleeping) {
  if (action == "Sleep") {
    sleeping->fetch_add(1);
    int ms = params.value("Ms", 0);
    std::this_thread::sleep_for(milliseconds(ms));
    return Reply::Ok({{"Slept", ms}});
  }
  if (action == "Fail") {
    return Reply::Fail(ApiError{
        "FileSystemAlreadyExists", "creation token 't' is in use", {{"FileSystemId", "fs-1"}}});
  }
  return Reply::Ok({{"Action", action},
                    {"Params", params},
                    {"Uid", caller.uid},
                    {"Gid", caller.gid},
                    {"Pid", caller.pid}});
}

// A raw socket peer that speaks lines by hand.
class RawPeer {
 public:
  explicit RawPeer(const std::string& path) {
    EXPECT_EQ(ConnectUnix(path, kTimeoutMs, &fd_), 0);
    EXPECT_TRUE(SetNonBlocking(fd_.get()));
  }
  bool Send(std::string_view bytes) {
    return WriteAll(fd_.get(), bytes, kTimeoutMs) == IoResult::kOk;
  }
  // The next reply line parsed, or null JSON if none came.
  Json Read(int timeout_ms = kTimeoutMs) {
    std::string line;
    if (reader_.Next(fd_.get(), Deadline::In(timeout_ms), -1, &line) != IoResult::kOk)
      return Json();
    Result<Json> json = ParseJsonLine(line);
    return json.ok() ? *json : Json();
  }
  Json Call(std::string_view line) {
    Send(std::string(line) + "\n");
    return Read();
  }
  // kEof iff the server closes the connection within `timeout_ms` without sending more.
  IoResult WaitForClose(int timeout_ms) {
    std::string line;
    return reader_.Next(fd_.get(), Deadline::In(timeout_ms), -1, &line);
  }
  void Greet() {
    ASSERT_TRUE(Call(R"({"id":0,"action":"Hello","params":{"ApiVersion":1}})").contains("result"));
  }
  void Close() { fd_.Reset(); }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  LineReader reader_{Client::kMaxClientLineBytes};
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/efs_api_test.XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    path_ = dir_ + "/run/efsd.sock";
  }
  void TearDown() override {
    server_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Server::Options Defaults() const {
    Server::Options options;
    options.socket_path = path_;
    options.server_version = "0.1.0-test";
    return options;
  }
  std::unique_ptr<Server> NewServer(Server::Options options) {
    return std::make_unique<Server>(std::move(options),
                                    [this](const Caller& c, const std::string& a, const Json& p) {
                                      return TestHandler(c, a, p, &sleeping_);
                                    });
  }
  void StartServer(Server::Options options) {
    server_ = NewServer(std::move(options));
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  void StartServer() { StartServer(Defaults()); }
  std::unique_ptr<Client> MustConnect() {
    auto client = Client::Connect(path_, kTimeoutMs);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }
  // Waits (bounded) until the server counts `n` connections.
  bool WaitForConnections(int n) {
    for (int i = 0; i < 500; ++i) {
      if (server_->connection_count() == n) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
  }

  std::string dir_;
  std::string path_;
  std::atomic<int> sleeping_{0};
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, ClientCallsReachTheHandlerWithTheirParams) {
  StartServer();
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  Result<Json> result = client->Call("Echo", {{"FileSystemId", "fs-1"}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)["Action"], "Echo");
  EXPECT_EQ((*result)["Params"]["FileSystemId"], "fs-1");
  Result<Json> typed = client->Send("Echo", DeleteFileSystemRequest{"fs-2"});
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ((*typed)["Params"], Json::parse(R"({"FileSystemId":"fs-2"})"));
}

TEST_F(ServerTest, CallerIsTheUidGidAndPidOfThePeer) {
  StartServer();
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  Result<Json> result = client->Call("Echo", Json::object());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)["Uid"], ::getuid());
  EXPECT_EQ((*result)["Gid"], ::getgid());
  EXPECT_EQ((*result)["Pid"], ::getpid());
}

TEST_F(ServerTest, FirstRequestMustBeHello) {
  StartServer();
  RawPeer peer(path_);
  Json reply = peer.Call(R"({"id":1,"action":"Echo"})");
  EXPECT_EQ(reply["id"], 1);
  EXPECT_EQ(reply["error"]["code"], "HandshakeRequired");
  reply = peer.Call(R"({"id":2,"action":"Hello","params":{"ApiVersion":1}})");
  EXPECT_EQ(reply["result"], Json::parse(R"({"ApiVersion":1,"ServerVersion":"0.1.0-test"})"));
  EXPECT_EQ(peer.Call(R"({"id":3,"action":"Echo"})")["result"]["Action"], "Echo");
}

TEST_F(ServerTest, UnsupportedApiVersionNamesBothVersions) {
  StartServer();
  RawPeer peer(path_);
  Json reply = peer.Call(R"({"id":1,"action":"Hello","params":{"ApiVersion":99}})");
  EXPECT_EQ(reply["error"]["code"], "UnsupportedApiVersion");
  std::string message = reply["error"]["message"];
  EXPECT_NE(message.find("99"), std::string::npos) << message;
  EXPECT_NE(message.find("api version 1"), std::string::npos) << message;
  EXPECT_EQ(peer.Call(R"({"id":2,"action":"Hello"})")["error"]["message"],
            "missing required parameter 'ApiVersion'");
  EXPECT_EQ(peer.Call(R"({"id":3,"action":"Echo"})")["error"]["code"], "HandshakeRequired");
}

TEST_F(ServerTest, MalformedRequestsAreAnsweredAndTheConnectionStaysUsable) {
  StartServer();
  RawPeer peer(path_);
  Json reply = peer.Call("{not json");
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_EQ(reply["error"]["code"], "BadRequest");
  EXPECT_EQ(peer.Call("[1,2]")["error"]["code"], "BadRequest");
  EXPECT_EQ(peer.Call(R"({"id":"x","action":"Hello"})")["error"]["code"], "BadRequest");
  reply = peer.Call(R"({"id":7})");
  EXPECT_EQ(reply["id"], 7);
  EXPECT_EQ(reply["error"]["message"], "request has no 'action'");
  peer.Send("\n  \n");  // blank lines are skipped, not answered
  peer.Greet();
  EXPECT_EQ(peer.Call(R"({"id":8,"action":"Echo","params":{"A":1}})")["result"]["Params"]["A"], 1);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  RawPeer peer(path_);
  std::string batch = R"({"id":1,"action":"Hello","params":{"ApiVersion":1}})"
                      "\n";
  for (int id = 2; id <= 50; ++id) {
    batch += R"({"id":)" + std::to_string(id) +
             R"(,"action":"Echo"})"
             "\n";
  }
  ASSERT_TRUE(peer.Send(batch));
  for (int id = 1; id <= 50; ++id) EXPECT_EQ(peer.Read()["id"], id);
}

TEST_F(ServerTest, OversizeLineIsAnsweredAndTheConnectionClosed) {
  Server::Options options = Defaults();
  options.max_line_bytes = 1024;
  StartServer(options);

  RawPeer exact(path_);  // a line of exactly max_line_bytes, newline included, is fine
  std::string hello = R"({"id":1,"action":"Hello","params":{"ApiVersion":1}})";
  hello.resize(1023, ' ');
  EXPECT_EQ(exact.Call(hello)["id"], 1);

  RawPeer peer(path_);
  peer.Send(std::string(2000, 'x'));
  Json reply = peer.Read();
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_EQ(reply["error"]["code"], "BadRequest");
  EXPECT_EQ(reply["error"]["message"], "request line exceeds 1024 bytes");
  EXPECT_EQ(peer.WaitForClose(kTimeoutMs), IoResult::kEof);
  EXPECT_EQ(exact.Call(R"({"id":2,"action":"Echo"})")["id"], 2);
}

TEST_F(ServerTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  Server::Options options = Defaults();
  options.idle_timeout_ms = 200;
  StartServer(options);
  RawPeer peer(path_);
  peer.Greet();
  auto start = steady_clock::now();
  peer.Send(R"({"id":1,"act)");  // half a line does not count as activity
  EXPECT_EQ(peer.WaitForClose(kTimeoutMs), IoResult::kEof);
  EXPECT_GE(steady_clock::now() - start, milliseconds(150));
  EXPECT_TRUE(WaitForConnections(0));

  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  std::this_thread::sleep_for(milliseconds(400));
  Result<Json> late = client->Call("Echo", Json::object());
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().reason(), "DaemonUnreachable");
  EXPECT_EQ(late.status().code(), Code::kUnavailable);
}

TEST_F(ServerTest, AConnectionWithoutHelloIsClosedAtTheHelloDeadline) {
  Server::Options options = Defaults();
  options.hello_timeout_ms = 300;
  options.idle_timeout_ms = 60'000;
  StartServer(options);
  RawPeer silent(path_);
  RawPeer chatty(path_);  // requests other than Hello do not buy time
  EXPECT_EQ(chatty.Call(R"({"id":1,"action":"Echo"})")["error"]["code"], "HandshakeRequired");
  auto start = steady_clock::now();
  for (RawPeer* peer : {&silent, &chatty}) {
    Json reply = peer->Read();
    EXPECT_EQ(reply["error"]["code"], "HandshakeRequired") << reply;
    EXPECT_EQ(reply["error"]["message"], "no Hello in time") << reply;
    EXPECT_EQ(peer->WaitForClose(kTimeoutMs), IoResult::kEof);
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
  RawPeer greeted(path_);
  greeted.Greet();
  std::this_thread::sleep_for(milliseconds(500));  // past the Hello deadline, well inside idle
  EXPECT_EQ(greeted.Call(R"({"id":2,"action":"Echo"})")["id"], 2);
}

TEST_F(ServerTest, DeepAndHugeJsonIsRefusedAndTheConnectionStaysUsable) {
  StartServer();
  RawPeer peer(path_);
  peer.Greet();
  Json deep = peer.Call(std::string(200'000, '['));
  EXPECT_EQ(deep["error"]["code"], "BadRequest");
  EXPECT_EQ(deep["error"]["message"], "JSON nested deeper than 64 levels");
  std::string many = R"({"id":3,"action":"Echo","params":{"List":[0)";
  for (int i = 0; i < 10'000; ++i) many += ",0";
  Json wide = peer.Call(many + "]}}");
  EXPECT_EQ(wide["error"]["message"], "JSON with more than 10000 values");
  EXPECT_EQ(peer.Call(R"({"id":4,"action":"Echo"})")["id"], 4);
}

TEST_F(ServerTest, PeerThatHangsUpMidLineDoesNotDisturbOthers) {
  StartServer();
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 20; ++i) {
    RawPeer quitter(path_);
    quitter.Greet();
    quitter.Send(R"({"id":1,"action":"Ech)");
    quitter.Close();
    ASSERT_TRUE(client->Call("Echo", {{"Round", i}}).ok());
  }
  EXPECT_TRUE(WaitForConnections(1));
}

TEST_F(ServerTest, PeerThatHangsUpMidReplyDoesNotDisturbOthers) {
  StartServer();
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  std::string request =
      R"({"id":1,"action":"Echo","params":{"Pad":")" + std::string(60000, 'p') + "\"}}\n";
  for (int round = 0; round < 5; ++round) {
    RawPeer quitter(path_);
    quitter.Greet();
    for (int i = 0; i < 8; ++i) {  // ~480 KB of replies it will not read; stop when full
      if (WriteAll(quitter.fd(), request, 100) != IoResult::kOk) break;
    }
    quitter.Close();
    ASSERT_TRUE(client->Call("Echo", {{"Round", round}}).ok());
  }
  EXPECT_TRUE(WaitForConnections(1));
}

TEST_F(ServerTest, PeerThatNeverReadsRepliesDoesNotBlockOthers) {
  Server::Options options = Defaults();
  options.idle_timeout_ms = 1000;  // also bounds how long a reply write may stall
  StartServer(options);
  RawPeer hoarder(path_);
  hoarder.Greet();
  // Fill both socket buffers with requests whose replies nobody reads.
  std::string request =
      R"({"id":1,"action":"Echo","params":{"Pad":")" + std::string(4000, 'p') + "\"}}\n";
  int sent = 0;
  while (sent < 2000 &&
         ::send(hoarder.fd(), request.data(), request.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
             static_cast<ssize_t>(request.size())) {
    ++sent;
  }
  ASSERT_GT(sent, 10);
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client->Call("Echo", {{"Round", i}}).ok());
  auto start = steady_clock::now();
  server_->Stop();
  EXPECT_LT(steady_clock::now() - start, milliseconds(kTimeoutMs + 2000));
}

TEST_F(ServerTest, SixtyFourConcurrentClientsAreAllAnsweredCorrectly) {
  StartServer();
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&, t] {
      auto client = Client::Connect(path_, kTimeoutMs);
      if (!client.ok()) {
        bad.fetch_add(100);
        return;
      }
      for (int i = 0; i < 100; ++i) {
        Result<Json> result = (*client)->Call("Echo", {{"T", t}, {"I", i}});
        bool right = result.ok() && (*result)["Params"] == Json{{"T", t}, {"I", i}};
        (right ? good : bad).fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 6400);
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(ServerTest, ConnectionsOverTheCapAreRefusedWithAnErrorLine) {
  Server::Options options = Defaults();
  options.max_connections = 2;
  StartServer(options);
  auto first = MustConnect();
  auto second = MustConnect();
  ASSERT_TRUE(WaitForConnections(2));
  auto third = Client::Connect(path_, kTimeoutMs);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().reason(), "ServiceUnavailable");
  EXPECT_EQ(third.status().message(), "too many connections: 2 are open");
  first.reset();
  ASSERT_TRUE(WaitForConnections(1));
  EXPECT_NE(MustConnect(), nullptr);
}

TEST_F(ServerTest, ServiceErrorsCarryCodeMessageAndExtraFields) {
  StartServer();
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  Json extra;
  Result<Json> result = client->Call("Fail", Json::object(), &extra);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(result.status().reason(), "FileSystemAlreadyExists");
  EXPECT_EQ(result.status().message(), "creation token 't' is in use");
  EXPECT_EQ(extra, Json::parse(R"({"FileSystemId":"fs-1"})"));
  EXPECT_TRUE(client->Call("Echo", Json::object()).ok()) << "an error does not end the session";
}

TEST_F(ServerTest, StopStillDeliversTheReplyOfASlowHandler) {
  StartServer();
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  Result<Json> result = Status(Code::kInternal, "", "not called");
  std::thread caller([&] { result = client->Call("Sleep", {{"Ms", 300}}); });
  for (int i = 0; i < 500 && sleeping_.load() == 0; ++i)
    std::this_thread::sleep_for(milliseconds(2));
  ASSERT_EQ(sleeping_.load(), 1);
  server_->Stop();
  caller.join();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)["Slept"], 300);
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_EQ(server_->connection_count(), 0);
}

TEST_F(ServerTest, StopIsPromptIdempotentAndRemovesTheSocket) {
  StartServer();
  auto client = MustConnect();
  RawPeer idle(path_);
  auto start = steady_clock::now();
  server_->Stop();
  server_->Stop();
  EXPECT_LT(steady_clock::now() - start, milliseconds(1500));
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_EQ(idle.WaitForClose(kTimeoutMs), IoResult::kEof);
  Result<Json> after = client->Call("Echo", Json::object());
  EXPECT_EQ(after.status().reason(), "DaemonUnreachable");
}

TEST_F(ServerTest, SecondServerOnTheSamePathFailsWhileTheFirstRuns) {
  StartServer();
  auto second = NewServer(Defaults());
  Status status = second->Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "efsd is already listening on '" + path_ + "'");
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->Call("Echo", Json::object()).ok());
}

TEST_F(ServerTest, StaleSocketFileIsReplaced) {
  std::filesystem::create_directories(dir_ + "/run");
  {
    sockaddr_un address;
    socklen_t length = 0;
    ASSERT_TRUE(MakeUnixAddress(path_, &address, &length));
    UniqueFd dead(::socket(AF_UNIX, SOCK_STREAM, 0));
    ASSERT_EQ(::bind(dead.get(), reinterpret_cast<sockaddr*>(&address), length), 0);
  }  // closed without unlink: a crashed daemon's leftover
  ASSERT_TRUE(std::filesystem::is_socket(path_));
  StartServer();
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->Call("Echo", Json::object()).ok());
}

TEST_F(ServerTest, FileThatIsNotASocketIsLeftAlone) {
  std::filesystem::create_directories(dir_ + "/run");
  std::ofstream(path_) << "precious";
  server_ = NewServer(Defaults());
  Status status = server_->Start();
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(std::filesystem::is_regular_file(path_));
}

TEST_F(ServerTest, StartCreatesTheDirectoryAndAWorldWritableSocket) {
  StartServer();
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/run").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0666u);
}

TEST_F(ServerTest, ConnectFailsWithDaemonUnreachableWhenNothingListens) {
  auto client = Client::Connect(path_, 1000);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), Code::kUnavailable);
  EXPECT_EQ(client.status().reason(), "DaemonUnreachable");
  EXPECT_EQ(client.status().message().rfind("cannot connect to efsd at '" + path_ + "': ", 0), 0u)
      << client.status().message();
}

TEST_F(ServerTest, SlowReplyIsADaemonUnreachableTimeout) {
  StartServer();
  auto client = Client::Connect(path_, 100);
  ASSERT_TRUE(client.ok());
  Result<Json> slow = (*client)->Call("Sleep", {{"Ms", 500}});
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().reason(), "DaemonUnreachable");
  EXPECT_NE(slow.status().message().find("did not respond within 100 ms"), std::string::npos);
  EXPECT_FALSE((*client)->Call("Echo", Json::object()).ok()) << "a timed-out connection is closed";
}

TEST_F(ServerTest, ManySequentialCallsOnOneConnectionSucceedAndReportTheirRate) {
  StartServer();
  auto client = MustConnect();
  ASSERT_NE(client, nullptr);
  constexpr int kCalls = 20000;
  auto start = steady_clock::now();
  for (int i = 0; i < kCalls; ++i) ASSERT_TRUE(client->Call("Echo", {{"I", i}}).ok());
  double seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
  double rate = kCalls / seconds;
  std::printf("sequential calls on one connection: %.0f requests/s\n", rate);
  RecordProperty("requests_per_second", static_cast<int>(rate));
}

TEST(DefaultSocketPath, FollowsEfsSocketThenRootThenXdgRuntimeDir) {
  std::string saved_socket = getenv("EFS_SOCKET") ? getenv("EFS_SOCKET") : "";
  std::string saved_xdg = getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") : "";
  ::setenv("EFS_SOCKET", "/tmp/x/efsd.sock", 1);
  EXPECT_EQ(DefaultSocketPath(), "/tmp/x/efsd.sock");
  ::unsetenv("EFS_SOCKET");
  if (::geteuid() == 0) {
    EXPECT_EQ(DefaultSocketPath(), "/run/efsd/efsd.sock");
  } else {
    ::setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
    EXPECT_EQ(DefaultSocketPath(), "/run/user/4242/efsd/efsd.sock");
    ::unsetenv("XDG_RUNTIME_DIR");
    EXPECT_EQ(DefaultSocketPath(), "/run/user/" + std::to_string(::geteuid()) + "/efsd/efsd.sock");
  }
  if (!saved_socket.empty()) ::setenv("EFS_SOCKET", saved_socket.c_str(), 1);
  if (!saved_xdg.empty()) ::setenv("XDG_RUNTIME_DIR", saved_xdg.c_str(), 1);
}

}  // namespace
}  // namespace efs::api

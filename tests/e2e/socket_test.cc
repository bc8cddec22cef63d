// Hostile and odd clients on efsd's API socket: each gets an error or a closed connection, and
// everyone else keeps being served.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "base/unique_fd.h"
#include "tests/e2e/e2e_util.h"

namespace efs::e2e {
namespace {

class Socket : public E2eTest {
 protected:
  UniqueFd Open() {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", daemon_.socket_path().c_str());
    EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  }
  static void Send(const UniqueFd& fd, const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::send(fd.get(), bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;
      done += n;
    }
  }
  // Reads one line within `timeout_ms`; "" on EOF or timeout.
  static std::string ReadLine(const UniqueFd& fd, int timeout_ms = 5000) {
    std::string line;
    char c;
    while (line.size() < (2u << 20)) {
      pollfd p{fd.get(), POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) != 1 || ::read(fd.get(), &c, 1) != 1) return "";
      if (c == '\n') return line;
      line += c;
    }
    return line;
  }
  // True iff the peer closed the connection within `timeout_ms`.
  static bool ClosedWithin(const UniqueFd& fd, int timeout_ms) {
    char buf[4096];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) == 1) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n <= 0) return true;
      }
    }
    return false;
  }
  static Json Parse(const std::string& line) { return Json::parse(line, nullptr, false); }
  void ExpectOthersServed() {
    auto client = daemon_.Connect();
    ASSERT_TRUE(client);
    EXPECT_TRUE(client->Call("DescribeFileSystems", Json::object()).ok());
  }
  UniqueFd Handshaken() {
    UniqueFd fd = Open();
    Send(fd, R"({"id":1,"action":"Hello","params":{"ApiVersion":1}})" "\n");
    Json hello = Parse(ReadLine(fd));
    EXPECT_EQ(hello["result"]["ApiVersion"], 1) << hello;
    return fd;
  }
};

TEST_F(Socket, TheFirstRequestMustBeHello) {
  UniqueFd fd = Open();
  Send(fd, R"({"id":7,"action":"DescribeFileSystems"})" "\n");
  Json reply = Parse(ReadLine(fd));
  EXPECT_EQ(reply["id"], 7);
  EXPECT_EQ(reply["error"]["code"], "HandshakeRequired") << reply;
}

TEST_F(Socket, AnUnsupportedApiVersionIsRefused) {
  UniqueFd fd = Open();
  Send(fd, R"({"id":1,"action":"Hello","params":{"ApiVersion":99}})" "\n");
  EXPECT_EQ(Parse(ReadLine(fd))["error"]["code"], "UnsupportedApiVersion");
}

TEST_F(Socket, MalformedJsonIsAnsweredAndTheConnectionStaysUsable) {
  UniqueFd fd = Handshaken();
  Send(fd, "{\"id\":2,\"action\":\n");
  Json reply = Parse(ReadLine(fd));
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_EQ(reply["error"]["code"], "BadRequest");
  Send(fd, "[1,2,3]\n");
  EXPECT_EQ(Parse(ReadLine(fd))["error"]["code"], "BadRequest");
  Send(fd, R"({"id":3,"action":"DescribeFileSystems"})" "\n");
  Json ok = Parse(ReadLine(fd));
  EXPECT_EQ(ok["id"], 3);
  EXPECT_TRUE(ok["result"].contains("FileSystems")) << ok;
}

TEST_F(Socket, UnknownActionsAndWrongTypesAreBadRequests) {
  UniqueFd fd = Handshaken();
  Send(fd, R"({"id":2,"action":"LaunchMissiles"})" "\n");
  Json reply = Parse(ReadLine(fd));
  EXPECT_EQ(reply["error"]["code"], "BadRequest");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("LaunchMissiles"), std::string::npos);
  Send(fd, R"({"id":3,"action":"DescribeFileSystems","params":{"MaxItems":"ten"}})" "\n");
  reply = Parse(ReadLine(fd));
  EXPECT_EQ(reply["error"]["code"], "BadRequest");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("MaxItems"), std::string::npos);
  Send(fd, R"({"id":4,"action":"CreateFileSystem","params":{"CreationToken":5}})" "\n");
  EXPECT_EQ(Parse(ReadLine(fd))["error"]["code"], "BadRequest");
  Send(fd, R"({"id":5,"action":"CreateFileSystem","params":{"CreationToken":"t","Bogus":1}})" "\n");
  EXPECT_EQ(Parse(ReadLine(fd))["error"]["code"], "BadRequest");
  ExpectOthersServed();
}

TEST_F(Socket, AnOversizedLineIsRefusedAndTheConnectionClosed) {
  UniqueFd fd = Handshaken();
  std::string huge = R"({"id":2,"action":"CreateFileSystem","params":{"CreationToken":")" +
                     std::string(2 << 20, 'a') + "\"}}\n";
  std::thread writer([&] { Send(fd, huge); });
  Json reply = Parse(ReadLine(fd));
  EXPECT_EQ(reply["error"]["code"], "BadRequest") << reply;
  EXPECT_TRUE(ClosedWithin(fd, 5000));
  ::shutdown(fd.get(), SHUT_RDWR);
  writer.join();
  ExpectOthersServed();
  EXPECT_TRUE(EfsJson({"describe-fs"})["FileSystems"].empty());
}

TEST_F(Socket, ASilentClientIsDisconnectedAfterTheIdleTimeout) {
  UniqueFd fd = Open();  // the fixture runs efsd with --idle-timeout 2
  ExpectOthersServed();
  EXPECT_TRUE(ClosedWithin(fd, 6000));
}

TEST_F(Socket, AClientThatLeavesMidLineOrMidReplyDisturbsNoOne) {
  {
    UniqueFd fd = Handshaken();
    Send(fd, R"({"id":2,"action":"CreateFileSys)");
  }
  {
    UniqueFd fd = Handshaken();
    for (int i = 0; i < 200; ++i) Send(fd, R"({"id":3,"action":"DescribeFileSystems"})" "\n");
  }  // closed without reading 200 replies
  ExpectOthersServed();
  EXPECT_TRUE(EfsJson({"describe-fs"})["FileSystems"].empty());
}

TEST_F(Socket, ManyClientsAreServedAtOnce) {
  constexpr int kClients = 64;
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      auto client = daemon_.Connect();
      if (!client) return;
      api::CreateFileSystemRequest req;
      req.creation_token = "many-" + std::to_string(i);
      if (!client->Send("CreateFileSystem", req).ok()) return;
      for (int j = 0; j < 20; ++j) {
        if (!client->Call("DescribeFileSystems", Json::object()).ok()) return;
      }
      ++answered;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered, kClients);
  EXPECT_EQ(EfsJson({"describe-fs", "--max-items", "1000"})["FileSystems"].size(),
            static_cast<size_t>(kClients));
}

TEST_F(Socket, ASlowClientDoesNotBlockAFastOne) {
  UniqueFd slow = Handshaken();
  Send(slow, R"({"id":2,"action":"Describe)");  // and waits
  ExpectOthersServed();
  // The slow one finishes its line later and is answered too.
  Send(slow, R"(FileSystems"})" "\n");
  EXPECT_EQ(Parse(ReadLine(slow))["id"], 2);
}

}  // namespace
}  // namespace efs::e2e

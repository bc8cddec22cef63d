// The RPC server over 127.0.0.1: every reply kind, concurrency, bad clients, libtirpc's client.
#include "rpc/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "rpc/record_marking.h"
#include "testutil/eventually.h"
#include "tests/rpc/rpc_test_util.h"
#include "xdr/xdr_mem.h"

namespace efs::rpc {
namespace {

using std::chrono::steady_clock;

constexpr uint32_t kProg = 0x20000101;

std::string Call(uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc, std::string args = "") {
  std::string body = Words({xid, 0, 2, prog, vers, proc, 0, 0, 0, 0}) + args;
  std::string rec;
  AppendRecord(body, &rec);
  return rec;
}

// Calls to procedure 4 are answered late: their LateReplies wait here for the test to send.
struct LateCalls {
  std::mutex mu;
  std::vector<LateReply> replies;
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return replies.size();
  }
  LateReply Take() {
    std::lock_guard<std::mutex> lock(mu);
    LateReply r = replies.front();
    replies.erase(replies.begin());
    return r;
  }
};
LateCalls late_calls;

using testutil::Eventually;

ProgramTable MakeTable() {
  ProgramTable table;
  auto add_one = [](const CallContext&, XDR* args, std::string* reply) -> Status {
    uint32_t v = 0;
    if (!xdr_u_int32_t(args, &v)) return efs::xdr::InvalidArgumentGarbage();
    uint32_t r = v + 1;
    return efs::xdr::EncodeAppend<uint32_t>(xdr_u_int32_t, r, reply);
  };
  auto who = [](const CallContext& ctx, XDR*, std::string* reply) -> Status {
    uint32_t port = ntohs(ctx.info.peer.sin_port);
    *reply += Words({static_cast<uint32_t>(ctx.info.mount_target_id.size()), port,
                     ctx.connection != nullptr ? 1u : 0u});
    return Status::Ok();
  };
  auto slow = [](const CallContext&, XDR*, std::string*) -> Status {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return Status::Ok();
  };
  auto late = [](const CallContext& ctx, XDR*, std::string*) -> Status {
    if (!ctx.answer_later) return Internal("this call cannot be answered late");
    LateReply reply = ctx.answer_later();
    std::lock_guard<std::mutex> lock(late_calls.mu);
    late_calls.replies.push_back(std::move(reply));
    return Status::Ok();
  };
  table.Register(kProg, 1, {nullptr, add_one, who, slow, late});
  table.Register(kProg, 3, {nullptr, add_one});
  return table;
}

// A blocking test client with a 5 s receive timeout.
class Client {
 public:
  explicit Client(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{5, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Reads one record's body; empty on EOF, error or timeout.
  std::string Receive() {
    while (queued_.empty()) {
      char buf[4096];
      ssize_t n = ::recv(fd_.get(), buf, sizeof(buf), 0);
      if (n <= 0) return "";
      pending_.append(buf, static_cast<size_t>(n));
      RecordReader reader;
      std::vector<Record> got;
      (void)reader.Feed(pending_, &got);
      size_t used = 0;
      for (auto& r : got) used += r.size() + 4;  // our replies are single fragments
      pending_.erase(0, used);
      for (auto& r : got) queued_.emplace_back(r.view());
    }
    std::string r = queued_.front();
    queued_.erase(queued_.begin());
    return r;
  }
  std::string Roundtrip(const std::string& call) { return Send(call) ? Receive() : ""; }
  // Returns true iff the server closed the connection within 5 s.
  bool ClosedByServer() {
    char c;
    ssize_t n = ::recv(fd_.get(), &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  bool connected_ = false;
  std::string pending_;
  std::vector<std::string> queued_;
};

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    server_ = std::make_unique<Server>(&table_, options);
    ASSERT_TRUE(server_->Start().ok());
    listen_fd_.Reset(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(::listen(listen_fd_.get(), 512), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  void SetUp() override { StartServer(); }
  void TearDown() override {
    stop_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    server_->Stop();
  }
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{listen_fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      sockaddr_in peer{};
      socklen_t len = sizeof(peer);
      int fd = ::accept(listen_fd_.get(), reinterpret_cast<sockaddr*>(&peer), &len);
      if (fd >= 0) server_->Serve(UniqueFd(fd), ConnectionInfo{"fsmt-0123", peer});
    }
  }
  // Waits up to 5 s for the server's connection count to reach `n`.
  bool WaitForConnections(size_t n) {
    auto deadline = steady_clock::now() + std::chrono::seconds(5);
    while (steady_clock::now() < deadline) {
      if (server_->connection_count() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  void Restart(ServerOptions options) {
    TearDown();
    stop_ = false;
    StartServer(options);
  }

  ProgramTable table_ = MakeTable();
  std::unique_ptr<Server> server_;
  UniqueFd listen_fd_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
};

TEST_F(ServerTest, AnswersEveryReplyKind) {
  Client c(port_);
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.Roundtrip(Call(1, kProg, 1, 0)), AcceptedReply(1, AcceptStat::kSuccess));
  EXPECT_EQ(c.Roundtrip(Call(2, 400123, 1, 0)), AcceptedReply(2, AcceptStat::kProgUnavail));
  EXPECT_EQ(c.Roundtrip(Call(3, kProg, 2, 0)), ProgMismatchReply(3, 1, 3));
  EXPECT_EQ(c.Roundtrip(Call(4, kProg, 1, 7)), AcceptedReply(4, AcceptStat::kProcUnavail));
  EXPECT_EQ(c.Roundtrip(Call(5, kProg, 1, 1)), AcceptedReply(5, AcceptStat::kGarbageArgs));
  EXPECT_EQ(c.Roundtrip(Call(6, kProg, 1, 1, Words({9}))),
            AcceptedReply(6, AcceptStat::kSuccess) + Words({10}));
}

TEST_F(ServerTest, ACallAnsweredLateGetsItsReplyWhenTheHandlerSendsIt) {
  Client c(port_);
  ASSERT_TRUE(c.Send(Call(1, kProg, 1, 4)));
  ASSERT_TRUE(Eventually([] { return late_calls.size() == 1; }));
  // The connection goes on serving while the late call waits, and the thread is free.
  EXPECT_EQ(c.Roundtrip(Call(2, kProg, 1, 1, Words({1}))),
            AcceptedReply(2, AcceptStat::kSuccess) + Words({2}));
  LateReply reply = late_calls.Take();
  std::thread([&] { reply(Words({70})); }).join();
  EXPECT_EQ(c.Receive(), AcceptedReply(1, AcceptStat::kSuccess) + Words({70}));
}

TEST_F(ServerTest, StopWaitsForTheCallsAnsweredLate) {
  Client c(port_);
  ASSERT_TRUE(c.Send(Call(1, kProg, 1, 4)));
  ASSERT_TRUE(Eventually([] { return late_calls.size() == 1; }));
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server_->Stop();
    stopped = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(stopped) << "the late reply will come back through the server";
  late_calls.Take()(Words({1}));
  stopper.join();
  EXPECT_TRUE(stopped);
  EXPECT_EQ(c.Receive(), AcceptedReply(1, AcceptStat::kSuccess) + Words({1}));
}

TEST_F(ServerTest, HandlersSeeTheConnectionInfo) {
  Client c(port_);
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  ::getsockname(c.fd(), reinterpret_cast<sockaddr*>(&local), &len);
  EXPECT_EQ(c.Roundtrip(Call(1, kProg, 1, 2)),
            AcceptedReply(1, AcceptStat::kSuccess) + Words({9, ntohs(local.sin_port), 1}));
}

TEST_F(ServerTest, MultiFragmentCallSentByteByByte) {
  Client c(port_);
  std::string body = Words({8, 0, 2, kProg, 1, 1, 0, 0, 0, 0, 41});
  std::string bytes = Words({12}) + body.substr(0, 12) + Words({0}) +
                      Words({0x80000000u | static_cast<uint32_t>(body.size() - 12)}) +
                      body.substr(12);
  for (char b : bytes) ASSERT_TRUE(c.Send(std::string(1, b)));
  EXPECT_EQ(c.Receive(), AcceptedReply(8, AcceptStat::kSuccess) + Words({42}));
}

TEST_F(ServerTest, PipelinedCallsAllGetTheirReplies) {
  Client c(port_);
  std::string calls;
  for (uint32_t i = 0; i < 100; ++i) calls += Call(1000 + i, kProg, 1, 1, Words({i}));
  ASSERT_TRUE(c.Send(calls));
  std::set<std::string> got;
  for (int i = 0; i < 100; ++i) got.insert(c.Receive());
  for (uint32_t i = 0; i < 100; ++i) {
    EXPECT_EQ(got.count(AcceptedReply(1000 + i, AcceptStat::kSuccess) + Words({i + 1})), 1u) << i;
  }
}

int ThreadCount() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  int threads = -1;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "Threads: %d", &threads) == 1) break;
  }
  std::fclose(f);
  return threads;
}

// Two thousand connections at once, each making calls, served by the poll thread and the
// eight workers: the server starts no thread per connection.
TEST_F(ServerTest, TwoThousandConcurrentConnectionsWithoutAThreadEach) {
  constexpr int kThreads = 20, kPerThread = 100, kCalls = 3;
  std::atomic<int> connected{0};
  std::atomic<bool> all_connected{false};
  int peak_threads = 0;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::unique_ptr<Client>> clients;
      for (int i = 0; i < kPerThread; ++i) clients.push_back(std::make_unique<Client>(port_));
      ++connected;
      while (!all_connected) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      for (int k = 0; k < kCalls; ++k) {
        for (int i = 0; i < kPerThread; ++i) {
          uint32_t xid = static_cast<uint32_t>((t * kPerThread + i) * 100 + k);
          if (clients[i]->Roundtrip(Call(xid, kProg, 1, 1, Words({xid}))) ==
              AcceptedReply(xid, AcceptStat::kSuccess) + Words({xid + 1})) {
            ++ok;
          }
        }
      }
    });
  }
  auto deadline = steady_clock::now() + std::chrono::seconds(30);
  while (connected < kThreads && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(WaitForConnections(kThreads * kPerThread));
  peak_threads = ThreadCount();
  all_connected = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread * kCalls);
  // This process: main, the acceptor, the 20 client threads, the poll thread and 8 workers.
  EXPECT_LE(peak_threads, 40);
}

TEST_F(ServerTest, IdleConnectionsAreClosedBusyOnesKept) {
  ServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(400);
  Restart(options);
  Client idle(port_), busy(port_);
  ASSERT_TRUE(WaitForConnections(2));
  for (uint32_t i = 0; i < 10; ++i) {  // a call every 100 ms for a second
    ASSERT_EQ(busy.Roundtrip(Call(i, kProg, 1, 1, Words({i}))),
              AcceptedReply(i, AcceptStat::kSuccess) + Words({i + 1}));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(idle.ClosedByServer());
  EXPECT_EQ(server_->connection_count(), 1u);
  EXPECT_EQ(busy.Roundtrip(Call(99, kProg, 1, 1, Words({99}))),
            AcceptedReply(99, AcceptStat::kSuccess) + Words({100}));
}

TEST_F(ServerTest, AtTheCapTheConnectionIdleLongestMakesRoom) {
  ServerOptions options;
  options.max_connections = 3;
  options.idle_timeout = std::chrono::milliseconds(0);
  Restart(options);
  Client first(port_);
  ASSERT_TRUE(WaitForConnections(1));
  Client second(port_), third(port_);
  ASSERT_TRUE(WaitForConnections(3));
  for (Client* c : {&second, &third}) {
    ASSERT_EQ(c->Roundtrip(Call(1, kProg, 1, 1, Words({1}))),
              AcceptedReply(1, AcceptStat::kSuccess) + Words({2}));
  }
  Client fourth(port_);
  EXPECT_TRUE(first.ClosedByServer());
  for (Client* c : {&second, &third, &fourth}) {
    EXPECT_EQ(c->Roundtrip(Call(2, kProg, 1, 1, Words({2}))),
              AcceptedReply(2, AcceptStat::kSuccess) + Words({3}));
  }
  EXPECT_EQ(server_->connection_count(), 3u);
}

TEST_F(ServerTest, AtAMountTargetsCapItsConnectionIdleLongestMakesRoom) {
  ServerOptions options;
  options.max_connections_per_mount_target = 2;
  options.idle_timeout = std::chrono::milliseconds(0);
  Restart(options);
  Client first(port_);
  ASSERT_TRUE(WaitForConnections(1));
  Client second(port_);
  ASSERT_TRUE(WaitForConnections(2));
  ASSERT_EQ(second.Roundtrip(Call(1, kProg, 1, 1, Words({1}))),
            AcceptedReply(1, AcceptStat::kSuccess) + Words({2}));
  Client third(port_);
  EXPECT_TRUE(first.ClosedByServer());
  for (Client* c : {&second, &third}) {
    EXPECT_EQ(c->Roundtrip(Call(2, kProg, 1, 1, Words({2}))),
              AcceptedReply(2, AcceptStat::kSuccess) + Words({3}));
  }
  EXPECT_EQ(server_->connection_count(), 2u);
}

TEST_F(ServerTest, AtTheCapWithEveryConnectionBusyANewOneIsRefused) {
  ServerOptions options;
  options.max_connections = 2;
  Restart(options);
  Client a(port_), b(port_);
  ASSERT_TRUE(WaitForConnections(2));
  ASSERT_TRUE(a.Send(Call(7, kProg, 1, 3)));  // 500 ms each
  ASSERT_TRUE(b.Send(Call(8, kProg, 1, 3)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Client refused(port_);
  EXPECT_TRUE(refused.ClosedByServer());
  EXPECT_EQ(a.Receive(), AcceptedReply(7, AcceptStat::kSuccess));
  EXPECT_EQ(b.Receive(), AcceptedReply(8, AcceptStat::kSuccess));
}

TEST_F(ServerTest, HalfARecordThenGoneClosesOnlyThatConnection) {
  Client good(port_);
  ASSERT_EQ(good.Roundtrip(Call(1, kProg, 1, 0)), AcceptedReply(1, AcceptStat::kSuccess));
  {
    Client bad(port_);
    ASSERT_TRUE(bad.Send(Call(2, kProg, 1, 1, Words({1})).substr(0, 20)));
    ASSERT_TRUE(WaitForConnections(2));
  }
  EXPECT_TRUE(WaitForConnections(1));
  EXPECT_EQ(good.Roundtrip(Call(3, kProg, 1, 0)), AcceptedReply(3, AcceptStat::kSuccess));
}

TEST_F(ServerTest, RecordOverTheCapClosesOnlyThatConnection) {
  ServerOptions options;
  options.limits.max_record_size = 4096;
  Restart(options);
  Client good(port_);
  ASSERT_EQ(good.Roundtrip(Call(1, kProg, 1, 0)), AcceptedReply(1, AcceptStat::kSuccess));
  Client big(port_);
  ASSERT_TRUE(big.Send(Words({0x80000000u | 8192}) + std::string(100, 'x')));
  EXPECT_TRUE(big.ClosedByServer());
  Client frag(port_);  // the cap counts the whole record, not one fragment
  ASSERT_TRUE(frag.Send(Words({3000}) + std::string(3000, 'x') + Words({3000})));
  EXPECT_TRUE(frag.ClosedByServer());
  EXPECT_EQ(good.Roundtrip(Call(2, kProg, 1, 0)), AcceptedReply(2, AcceptStat::kSuccess));
}

// Clients that each send the start of a large record and stop cannot make the server hold
// more than its budget (plus one record); while others wait for memory, their connections are
// closed once their record is stalled, and the others are answered.
TEST_F(ServerTest, HalfSentRecordsHoldNoMoreThanTheBudgetAndStalledOnesAreClosed) {
  constexpr size_t kBudget = 1 << 20;
  constexpr uint32_t kRecord = 512 * 1024;
  ServerOptions options;
  options.max_receive_memory = kBudget;
  options.stalled_record_timeout = std::chrono::milliseconds(500);
  Restart(options);
  std::vector<std::unique_ptr<Client>> stalled;
  for (int i = 0; i < 4; ++i) {
    stalled.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(stalled.back()->Send(Words({0x80000000u | kRecord}) + std::string(100000, 'x')));
  }
  ASSERT_TRUE(WaitForConnections(4));
  ASSERT_TRUE(Eventually([&] { return server_->receive_memory() >= kBudget; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_LE(server_->receive_memory(), kBudget + kRecord)
      << "only records begun before the budget ran out";
  // A client that sends a whole call waits for memory, then is answered once the stalled
  // records are dropped.
  Client good(port_);
  EXPECT_EQ(good.Roundtrip(Call(1, kProg, 1, 1, Words({41}))),
            AcceptedReply(1, AcceptStat::kSuccess) + Words({42}));
  EXPECT_TRUE(stalled.front()->ClosedByServer());
  EXPECT_EQ(good.Roundtrip(Call(2, kProg, 1, 0)), AcceptedReply(2, AcceptStat::kSuccess));
}

// Many large calls at once, together far over the budget, all complete: a connection that began
// a record finishes it, so clients that all send at once never wait on each other forever.
TEST_F(ServerTest, LargeCallsFarOverTheBudgetAllComplete) {
  constexpr size_t kBudget = 1 << 20;
  ServerOptions options;
  options.max_receive_memory = kBudget;
  Restart(options);
  constexpr int kClients = 8;
  constexpr uint32_t kCalls = 4;
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      Client c(port_);
      for (uint32_t i = 0; i < kCalls; ++i) {
        // add_one reads its number and ignores the 300 KB that follow it.
        const uint32_t xid = static_cast<uint32_t>(t) * 100 + i;
        if (!c.Send(Call(xid, kProg, 1, 1, Words({xid}) + std::string(300000, 'p')))) return;
      }
      std::set<std::string> got;
      for (uint32_t i = 0; i < kCalls; ++i) got.insert(c.Receive());
      for (uint32_t i = 0; i < kCalls; ++i) {
        const uint32_t xid = static_cast<uint32_t>(t) * 100 + i;
        answered += got.count(AcceptedReply(xid, AcceptStat::kSuccess) + Words({xid + 1})) == 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered, kClients * static_cast<int>(kCalls));
  EXPECT_TRUE(Eventually([&] { return server_->receive_memory() == 0; }))
      << server_->receive_memory() << " bytes still counted";
}

TEST_F(ServerTest, UnparseableHeaderClosesTheConnection) {
  Client c(port_);
  std::string rec;
  AppendRecord("abc", &rec);
  ASSERT_TRUE(c.Send(rec));
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, SlowReaderDoesNotBlockOthers) {
  Client slow(port_);
  int small = 4096;
  ::setsockopt(slow.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  std::string calls;
  for (uint32_t i = 0; i < 2000; ++i) calls += Call(i, kProg, 1, 1, Words({i}));
  std::thread writer([&] { (void)slow.Send(calls); });  // may block: nobody reads replies
  Client other(port_);
  for (uint32_t i = 0; i < 20; ++i) {
    ASSERT_EQ(other.Roundtrip(Call(i, kProg, 1, 0)), AcceptedReply(i, AcceptStat::kSuccess));
  }
  ::shutdown(slow.fd(), SHUT_RDWR);
  writer.join();
}

TEST_F(ServerTest, StopClosesOpenConnections) {
  Client c(port_);
  ASSERT_EQ(c.Roundtrip(Call(1, kProg, 1, 0)), AcceptedReply(1, AcceptStat::kSuccess));
  server_->Stop();
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(ServerTest, ClosingAMountTargetsConnectionsLeavesOthersOpen) {
  Client c(port_);  // the fixture's acceptor serves everything as mount target fsmt-0123
  ASSERT_EQ(c.Roundtrip(Call(1, kProg, 1, 0)), AcceptedReply(1, AcceptStat::kSuccess));
  server_->CloseConnectionsTo("fsmt-0456");
  ASSERT_EQ(c.Roundtrip(Call(2, kProg, 1, 0)), AcceptedReply(2, AcceptStat::kSuccess));
  server_->CloseConnectionsTo("fsmt-0123");
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_TRUE(WaitForConnections(0));
}

TEST_F(ServerTest, LibtirpcClientInteroperates) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int sock = RPC_ANYSOCK;
  CLIENT* clnt = clnttcp_create(&addr, kProg, 1, &sock, 0, 0);
  ASSERT_NE(clnt, nullptr) << clnt_spcreateerror("clnttcp_create");
  timeval timeout{5, 0};
  EXPECT_EQ(clnt_call(clnt, 0, VoidProc(), nullptr, VoidProc(), nullptr, timeout), RPC_SUCCESS);
  uint32_t in = 41, out = 0;
  EXPECT_EQ(
      clnt_call(clnt, 1, efs::xdr::AsProc<uint32_t>(xdr_u_int32_t), reinterpret_cast<char*>(&in),
                efs::xdr::AsProc<uint32_t>(xdr_u_int32_t), reinterpret_cast<char*>(&out), timeout),
      RPC_SUCCESS);
  EXPECT_EQ(out, 42u);
  EXPECT_EQ(clnt_call(clnt, 7, VoidProc(), nullptr, VoidProc(), nullptr, timeout), RPC_PROCUNAVAIL);
  clnt_destroy(clnt);
}

// Not a check: prints NULL calls per second over loopback, one connection and sixteen.
TEST_F(ServerTest, NullCallRate) {
  for (int conns : {1, 16}) {
    std::atomic<long> calls{0};
    auto deadline = steady_clock::now() + std::chrono::milliseconds(500);
    std::vector<std::thread> threads;
    for (int i = 0; i < conns; ++i) {
      threads.emplace_back([&] {
        Client c(port_);
        std::string call = Call(1, kProg, 1, 0);
        while (steady_clock::now() < deadline && !c.Roundtrip(call).empty()) ++calls;
      });
    }
    for (auto& t : threads) t.join();
    std::printf("NULL calls/s with %d connection(s): %ld\n", conns, calls.load() * 2);
  }
}

}  // namespace
}  // namespace efs::rpc

// nfs4client recovery: a cut connection (calls are retransmitted on their slot and answered
// from the server's reply cache) and a server restart (a new session; opens, locks and
// uncommitted writes recovered).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "nfs4client/client.h"
#include "tests/nfs4client/test_server.h"

namespace efs::nfs4client {
namespace {

using testing::CreateFile;
using testing::ReadAll;
using testing::TestServer;

const Identity kRoot{0, 0, {}};

std::unique_ptr<Client> Connect(TestServer& server, const std::string& owner) {
  auto c = Client::Connect(server.ClientOptions(owner));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

TEST(Recovery, MkdirCutMidCallIsAnsweredFromTheReplyCache) {
  TestServer server({});
  std::unique_ptr<Client> c = Connect(server, "cut-once");
  ASSERT_NE(c, nullptr);
  auto root = c->Root(kRoot);
  ASSERT_TRUE(root.ok());
  // Each file-system call now takes 200 ms, so the MKDIR is still running when the connection
  // goes: the server finishes it and drops the reply; the client retransmits it on the same
  // slot and seqid over a new connection.
  server.fs().set_delay(std::chrono::milliseconds(200));
  std::thread cutter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.CutConnections();
  });
  Result<Node> d = c->Mkdir(kRoot, root->fh, "once", 0755);
  cutter.join();
  server.fs().set_delay(std::chrono::microseconds(0));
  ASSERT_TRUE(d.ok()) << d.status().ToString();  // not NFS4ERR_EXIST: the cached reply
  Result<Node> l = c->Lookup(kRoot, root->fh, "once");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->fh, d->fh);
}

TEST(Recovery, CallsCompleteWhileConnectionsAreCutAgainAndAgain) {
  TestServer server({.delay = std::chrono::milliseconds(5)});
  std::unique_ptr<Client> c = Connect(server, "cut-often");
  ASSERT_NE(c, nullptr);
  auto root = c->Root(kRoot);
  ASSERT_TRUE(root.ok());
  constexpr int kThreads = 6, kDirs = 15;
  std::atomic<int> done{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kDirs; ++i) {
        std::string name = "d" + std::to_string(t) + "-" + std::to_string(i);
        Result<Node> d = c->Mkdir(kRoot, root->fh, name, 0755);
        if (!d.ok()) {
          ADD_FAILURE() << name << ": " << d.status().ToString();
          ++failures;
        }
      }
      ++done;
    });
  }
  for (int cut = 0; cut < 20 && done < kThreads; ++cut) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    server.CutConnections();
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kDirs; ++i) {
      std::string name = "d" + std::to_string(t) + "-" + std::to_string(i);
      EXPECT_TRUE(c->Lookup(kRoot, root->fh, name).ok()) << name;
    }
  }
}

TEST(Recovery, ServerRestartKeepsOpensLocksAndUncommittedWrites) {
  TestServer server({.store = true, .volatile_unstable = true});
  std::unique_ptr<Client> a = Connect(server, "restart-a");
  ASSERT_NE(a, nullptr);
  auto root = a->Root(kRoot);
  ASSERT_TRUE(root.ok());
  std::shared_ptr<OpenFile> file = CreateFile(*a, kRoot, root->fh, "kept");
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(a->Write(kRoot, *file, 0, "stable", Stability::kFileSync).ok());
  std::string unstable(300 * 1024, 'u');
  ASSERT_TRUE(a->Write(kRoot, *file, 4096, unstable, Stability::kUnstable).ok());
  ASSERT_EQ(server.fs().buffered_bytes(), unstable.size());  // not yet on the store
  auto lock = a->Lock(kRoot, *file, 1, LockRange{0, 10, LockType::kWrite});
  ASSERT_TRUE(lock.ok() && !lock->has_value());

  server.Restart();

  // The restart lost the unstable data: a new client sees the file as the store has it.
  std::unique_ptr<Client> b = Connect(server, "restart-b");
  ASSERT_NE(b, nullptr);
  Result<Attrs> lost = b->GetAttr(kRoot, file->fh());
  ASSERT_TRUE(lost.ok()) << lost.status().ToString();
  EXPECT_EQ(lost->size, 6u);
  // The server is in grace for A, the client it knew: B's open waits (NFS4ERR_GRACE, tried
  // again) until A has reclaimed.
  std::atomic<bool> b_opened{false};
  Result<std::shared_ptr<OpenFile>> fb = IOError("not opened yet");
  std::thread opener([&] {
    fb = b->OpenHandle(kRoot, file->fh(), true, true);
    b_opened = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_FALSE(b_opened) << "a new client opened a file in the grace period";

  // A's next call finds its session gone; recovery reclaims its open and its lock, writes the
  // unstable data again, says RECLAIM_COMPLETE (which ends the grace period), and goes on.
  std::string head = ReadAll(*a, kRoot, *file);
  opener.join();
  ASSERT_TRUE(fb.ok()) << fb.status().ToString();
  ASSERT_GE(head.size(), 4096 + unstable.size());
  EXPECT_EQ(head.substr(0, 6), "stable");
  EXPECT_EQ(head.substr(4096), unstable);
  ASSERT_TRUE(a->Write(kRoot, *file, 6, "+more", Stability::kUnstable).ok());
  ASSERT_TRUE(a->Commit(kRoot, *file).ok());
  EXPECT_EQ(server.fs().buffered_bytes(), 0u);

  auto denied = b->Lock(kRoot, **fb, 2, LockRange{5, 1, LockType::kWrite});
  ASSERT_TRUE(denied.ok()) << denied.status().ToString();
  ASSERT_TRUE(denied->has_value());  // A holds its lock again
  EXPECT_EQ((*denied)->range.offset, 0u);
  EXPECT_EQ((*denied)->range.length, 10u);
  std::string seen = ReadAll(*b, kRoot, **fb);
  EXPECT_EQ(seen.substr(0, 11), "stable+more");
  EXPECT_EQ(seen.substr(4096), unstable);

  ASSERT_TRUE(a->Close(kRoot, *file).ok());
  auto granted = b->Lock(kRoot, **fb, 2, LockRange{5, 1, LockType::kWrite});
  ASSERT_TRUE(granted.ok());
  EXPECT_FALSE(granted->has_value());
  ASSERT_TRUE(b->Close(kRoot, **fb).ok());
}

TEST(Recovery, CommitRewritesWhatARestartLost) {
  TestServer server({.store = true, .volatile_unstable = true});
  std::unique_ptr<Client> a = Connect(server, "commit-after-restart");
  ASSERT_NE(a, nullptr);
  auto root = a->Root(kRoot);
  ASSERT_TRUE(root.ok());
  std::shared_ptr<OpenFile> file = CreateFile(*a, kRoot, root->fh, "c", CreateHow::kUnchecked);
  ASSERT_NE(file, nullptr);
  std::string data(2 * (1 << 20) + 5, 'x');
  ASSERT_TRUE(a->Write(kRoot, *file, 0, data, Stability::kUnstable).ok());
  server.Restart();
  // The first call after the restart is the COMMIT itself.
  ASSERT_TRUE(a->Commit(kRoot, *file).ok());
  EXPECT_EQ(server.fs().buffered_bytes(), 0u);
  Result<Attrs> attrs = a->GetAttr(kRoot, file->fh());
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->size, data.size());
  EXPECT_EQ(ReadAll(*a, kRoot, *file), data);
  ASSERT_TRUE(a->Close(kRoot, *file).ok());
}

// A writer that never commits does not make the client hold everything it wrote: past
// max_unstable_bytes, Write commits, so the server holds the data durably (and the client
// may drop its copy).
TEST(Recovery, UnstableDataPastTheLimitIsCommittedByWrite) {
  TestServer server({.store = true, .volatile_unstable = true});
  Client::Options options = server.ClientOptions("bounded-unstable");
  options.max_unstable_bytes = 1 << 20;
  auto connected = Client::Connect(options);
  ASSERT_TRUE(connected.ok()) << connected.status().ToString();
  std::unique_ptr<Client> a = std::move(connected).value();
  auto root = a->Root(kRoot);
  ASSERT_TRUE(root.ok());
  std::shared_ptr<OpenFile> file = CreateFile(*a, kRoot, root->fh, "u", CreateHow::kUnchecked);
  ASSERT_NE(file, nullptr);
  const std::string piece(256 * 1024, 'u');
  size_t most_buffered = 0;
  for (int i = 0; i < 32; ++i) {  // 8 MiB, never an explicit Commit
    ASSERT_TRUE(a->Write(kRoot, *file, uint64_t(i) * piece.size(), piece, Stability::kUnstable)
                    .ok());
    most_buffered = std::max(most_buffered, server.fs().buffered_bytes());
  }
  EXPECT_LE(most_buffered, size_t{(1 << 20) + 256 * 1024});
  ASSERT_TRUE(a->Close(kRoot, *file).ok());
}

TEST(Lease, AnIdleClientKeepsItsLeaseAndItsLocks) {
  TestServer server({.lease_seconds = 3});
  std::unique_ptr<Client> a = Connect(server, "idle");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->lease_time(), std::chrono::seconds(3));
  auto root = a->Root(kRoot);
  ASSERT_TRUE(root.ok());
  std::shared_ptr<OpenFile> file = CreateFile(*a, kRoot, root->fh, "held");
  ASSERT_NE(file, nullptr);
  auto lock = a->Lock(kRoot, *file, 1, LockRange{0, 1, LockType::kWrite});
  ASSERT_TRUE(lock.ok() && !lock->has_value());
  // Twice the lease passes with A idle; only its renewer speaks for it.
  for (int i = 0; i < 12; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    server.AdvanceClock(0.5);
  }
  std::unique_ptr<Client> b = Connect(server, "other");
  ASSERT_NE(b, nullptr);
  auto fb = b->OpenHandle(kRoot, file->fh(), true, true);
  ASSERT_TRUE(fb.ok());
  auto denied = b->Lock(kRoot, **fb, 2, LockRange{0, 1, LockType::kWrite});
  ASSERT_TRUE(denied.ok());
  EXPECT_TRUE(denied->has_value());  // A's lease, and so its lock, is still alive
}

}  // namespace
}  // namespace efs::nfs4client

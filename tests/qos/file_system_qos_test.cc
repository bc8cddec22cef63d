// FairQueue and FileSystemQos: the limits a file system's requests meet, on an injected clock.
#include "qos/file_system_qos.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

namespace efs::qos {
namespace {

constexpr double kStep = 0.001;  // the fake clock's tick, seconds

// Drives a FairQueue on a fake clock: requests arrive, and each step releases what is due.
struct QueueSim {
  FairQueue queue;
  double now = 0;
  std::map<uint64_t, uint64_t> owner;         // ticket -> connection
  std::map<uint64_t, double> released_bytes;  // connection -> metered bytes released

  explicit QueueSim(double bytes_per_second, double ops = kUnlimited)
      : queue(bytes_per_second, ops, 0) {}

  void Send(const std::string& client, uint64_t connection, double metered) {
    owner[queue.Arrive(Flow{client, connection}, metered, 1)] = connection;
  }
  // Releases for `seconds`; each connection in `refill` sends a new request of `metered`
  // bytes whenever one of its requests is released (a client with a fixed number in flight).
  void Run(double seconds, const std::map<uint64_t, std::pair<std::string, double>>& refill) {
    const double end = now + seconds;
    for (; now < end; now += kStep) {
      std::vector<uint64_t> out;
      queue.Release(now, &out);
      for (uint64_t t : out) {
        const uint64_t c = owner.at(t);
        auto r = refill.find(c);
        released_bytes[c] += r != refill.end() ? r->second.second : 0;
        if (r != refill.end()) Send(r->second.first, c, r->second.second);
      }
    }
  }
};

TEST(FairQueue, WithinTheLimitsEveryRequestGoesAtOnce) {
  FairQueue queue(10 * kMiB, kUnlimited, 0);
  std::vector<uint64_t> out;
  const uint64_t t = queue.Arrive(Flow{"10.0.0.1", 1}, 4096, 1);
  EXPECT_EQ(queue.Release(0, &out), kUnlimited);
  EXPECT_EQ(out, std::vector<uint64_t>{t});
  EXPECT_EQ(queue.waiting(), 0u);
}

TEST(FairQueue, UnlimitedNeverHoldsARequest) {
  FairQueue queue(kUnlimited, kUnlimited, 0);
  std::vector<uint64_t> out;
  for (int i = 0; i < 1000; ++i) queue.Arrive(Flow{"10.0.0.1", 1}, kGiB, 1);
  queue.Release(0, &out);
  EXPECT_EQ(out.size(), 1000u);
}

TEST(FairQueue, ReleasesAtTheRateAndNeverMoreThanTheBucketAbove) {
  QueueSim sim(10 * kMiB);
  for (uint64_t c = 1; c <= 4; ++c) sim.Send("10.0.0.1", c, kMiB);
  std::map<uint64_t, std::pair<std::string, double>> refill;
  for (uint64_t c = 1; c <= 4; ++c) refill[c] = {"10.0.0.1", kMiB};
  sim.Run(10, refill);
  double total = 0;
  for (const auto& [c, bytes] : sim.released_bytes) total += bytes;
  // 10 s at 10 MiB/s, plus at most the bucket and one request in debt.
  EXPECT_GE(total, 99 * kMiB);
  EXPECT_LE(total, 100 * kMiB + 10 * kMiB * kBucketSeconds + kMiB);
}

TEST(FairQueue, ClientsShareEquallyWhateverTheirConnections) {
  QueueSim sim(10 * kMiB);
  std::map<uint64_t, std::pair<std::string, double>> refill;
  // Client A: four connections with four requests each in flight; client B: one with one.
  for (uint64_t c = 1; c <= 4; ++c) {
    refill[c] = {"10.0.0.1", 256 * kKiB};
    for (int i = 0; i < 4; ++i) sim.Send("10.0.0.1", c, 256 * kKiB);
  }
  refill[9] = {"10.0.0.2", 256 * kKiB};
  sim.Send("10.0.0.2", 9, 256 * kKiB);
  sim.Run(20, refill);
  double a = 0;
  for (uint64_t c = 1; c <= 4; ++c) a += sim.released_bytes[c];
  const double b = sim.released_bytes[9];
  EXPECT_NEAR(a / (a + b), 0.5, 0.05) << "A " << a / kMiB << " MiB, B " << b / kMiB << " MiB";
  // Within A, its connections share equally too.
  for (uint64_t c = 1; c <= 4; ++c) EXPECT_NEAR(sim.released_bytes[c] / a, 0.25, 0.05);
}

TEST(FairQueue, AnIdleConnectionGoesAheadOfABacklog) {
  FairQueue queue(kMiB, kUnlimited, 0);
  std::vector<uint64_t> out;
  for (int i = 0; i < 50; ++i) queue.Arrive(Flow{"10.0.0.1", 1}, 64 * kKiB, 1);
  queue.Release(0, &out);
  out.clear();
  const uint64_t newcomer = queue.Arrive(Flow{"10.0.0.2", 2}, 4 * kKiB, 1);
  double next = 0;
  for (int i = 0; i < 3 && out.empty(); ++i) next = queue.Release(next, &out);
  ASSERT_FALSE(out.empty());
  // At most the request whose turn had come goes before it.
  EXPECT_LE(std::find(out.begin(), out.end(), newcomer) - out.begin(), 1);
}

TEST(FairQueue, ANewRateHoldsFromTheNextRelease) {
  QueueSim sim(kMiB);
  std::map<uint64_t, std::pair<std::string, double>> refill{{1, {"10.0.0.1", 64 * kKiB}}};
  for (int i = 0; i < 4; ++i) sim.Send("10.0.0.1", 1, 64 * kKiB);
  sim.Run(5, refill);
  const double slow = sim.released_bytes[1];
  sim.queue.SetRates(sim.now, 8 * kMiB, kUnlimited);
  sim.Run(5, refill);
  const double fast = sim.released_bytes[1] - slow;
  EXPECT_NEAR(slow / 5, kMiB, 0.15 * kMiB);
  EXPECT_NEAR(fast / 5, 8 * kMiB, 0.5 * kMiB);
}

TEST(FairQueue, TheOpBudgetHoldsManySmallRequests) {
  FairQueue queue(kUnlimited, 1000, 0);
  std::vector<uint64_t> out;
  for (int i = 0; i < 5000; ++i) queue.Arrive(Flow{"10.0.0.1", 1}, 4096, kUpdateOpCost);
  for (double now = 0; now < 2; now += kStep) queue.Release(now, &out);
  // 1000 units a second at 5 units each: 200 a second, plus a bucket's worth.
  EXPECT_NEAR(static_cast<double>(out.size()), 400, 25);
}

TEST(FairQueue, ACorrectionGivesBackWhatAReadDidNotMove) {
  FairQueue queue(kMiB, kUnlimited, 0);
  std::vector<uint64_t> out;
  queue.Arrive(Flow{"10.0.0.1", 1}, kMiB, 1);  // asked for 1 MiB ...
  queue.Release(0, &out);
  queue.Correct(0, -kMiB + 4096);  // ... and read 4 KiB
  queue.Arrive(Flow{"10.0.0.1", 1}, 4096, 1);
  out.clear();
  queue.Release(0.01, &out);  // 10 ms at 1 MiB/s pays for 4 KiB, not for 1 MiB
  EXPECT_EQ(out.size(), 1u);
}

TEST(FairQueue, ForgetsConnectionsThatWentQuiet) {
  FairQueue queue(kUnlimited, kUnlimited, 0);
  std::vector<uint64_t> out;
  for (uint64_t c = 1; c <= 10000; ++c) {
    queue.Arrive(Flow{"10.0.0.1", c}, 4096, 1);
    queue.Release(0, &out);
  }
  EXPECT_LE(queue.flows(), 100u);
}

TEST(Charges, MeteringAndTotalFollowEfsRules) {
  EXPECT_EQ(Metered(Charge{RequestKind::kRead, 3 << 20, false}), kMiB);
  EXPECT_EQ(Metered(Charge{RequestKind::kMetadata, 200, true}), 4096);
  EXPECT_EQ(TotalBytes(Charge{RequestKind::kWrite, 100, false}), 32768u);
  EXPECT_EQ(TotalBytes(Charge{RequestKind::kWrite, 40000, false}), 40960u);
  EXPECT_EQ(TotalBytes(Charge{RequestKind::kMetadata, 100, false}), 4096u);
  EXPECT_EQ(TotalBytes(Charge{RequestKind::kMetadata, 5000, false}), 5120u);
  EXPECT_EQ(OpCost(Charge{RequestKind::kMetadata, 0, true}), kUpdateOpCost);
  EXPECT_EQ(OpCost(Charge{RequestKind::kRead, 1 << 20, false}), kReadOpCost);
}

// FileSystemQos on a fake clock: only requests the limits let through at once, so nothing
// waits on real time.
struct QosFixture : ::testing::Test {
  double now = 100;
  metrics::FsCounters counters;
  std::unique_ptr<FileSystemQos> Make(Settings s, double credits = kInitialCredits) {
    return std::make_unique<FileSystemQos>(s, credits, &counters, [this] { return now; });
  }
};

TEST_F(QosFixture, BurstingBurstsWhileCreditsLastThenFallsToBaseline) {
  auto qos = Make(Settings{}, 50 * kMiB);
  EXPECT_EQ(qos->permitted(), 100 * kMiB);
  // 10 s of 10 MiB/s writes: 100 MiB metered, less 10 s of the 1 MiB/s baseline earned.
  for (int i = 0; i < 10; ++i) {
    now += 1;
    Charge w{RequestKind::kWrite, 10 * static_cast<uint64_t>(kMiB), false};
    qos->Done(w, w);
  }
  EXPECT_NEAR(qos->credits(), 50 * kMiB - 100 * kMiB + 10 * kMiB, 1);
  EXPECT_EQ(qos->permitted(), kMiB);  // in debt: the baseline
  now += 41;                          // the baseline pays the 40 MiB debt back and earns a MiB ...
  EXPECT_EQ(qos->permitted(), kMiB);
  now += 9;  // ... and bursts again once it holds a bucket of burst (0.1 s at 100 MiB/s)
  EXPECT_EQ(qos->permitted(), 100 * kMiB);
}

TEST_F(QosFixture, ReadsSpendAThirdOfTheirBytes) {
  auto qos = Make(Settings{}, 50 * kMiB);
  Charge r{RequestKind::kRead, 30 * static_cast<uint64_t>(kMiB), false};
  qos->Done(r, r);
  EXPECT_NEAR(qos->credits(), 40 * kMiB, 1);
  EXPECT_EQ(counters.data_read_io_bytes.load(), 30 * kMiB);
  EXPECT_EQ(counters.metered_io_bytes.load(), 10 * kMiB);
}

TEST_F(QosFixture, ProvisionedAndElasticLimits) {
  auto qos = Make(Settings{ThroughputMode::kProvisioned, 10, PerformanceMode::kGeneralPurpose});
  EXPECT_EQ(qos->permitted(), 10 * kMiB);
  qos->SetStandardBytes(static_cast<uint64_t>(kTiB));  // baseline 50 MiB/s is above 10
  EXPECT_EQ(qos->permitted(), 50 * kMiB);
  qos->Configure(Settings{ThroughputMode::kElastic, 0, PerformanceMode::kGeneralPurpose});
  EXPECT_EQ(qos->permitted(), kUnlimited);
  qos->Sample();
  EXPECT_EQ(counters.permitted_throughput.load(), 0u);  // 0: no limit
  EXPECT_EQ(counters.throughput_mode.load(),
            static_cast<uint32_t>(metrics::ThroughputMode::kElastic));
}

TEST_F(QosFixture, CreditsDoNotMoveOutsideBursting) {
  auto qos =
      Make(Settings{ThroughputMode::kProvisioned, 10, PerformanceMode::kGeneralPurpose}, kMiB);
  Charge w{RequestKind::kWrite, 100 * static_cast<uint64_t>(kMiB), false};
  qos->Done(w, w);
  EXPECT_NEAR(qos->credits(), kMiB, 1);
}

TEST_F(QosFixture, PercentIoLimitIsTheShareOfTheOpBudgetUsed) {
  auto qos = Make(Settings{});
  qos->Sample();
  // 3,500 updates over 2 s: 8,750 units a second of the 35,000 budget.
  for (int i = 0; i < 3500; ++i) {
    Charge m{RequestKind::kMetadata, 200, true};
    qos->Admit(Flow{"10.0.0.1", 1}, m);
    qos->Done(m, m);
    now += 2.0 / 3500;
  }
  qos->Sample();
  EXPECT_NEAR(counters.percent_io_limit.load(), 25, 1);
  EXPECT_EQ(counters.metadata_requests.load(), 3500u);
  EXPECT_EQ(counters.metered_io_bytes.load(), 3500u * 4096);
}

TEST_F(QosFixture, MaxIoHasNoOpBudget) {
  auto qos = Make(Settings{ThroughputMode::kElastic, 0, PerformanceMode::kMaxIo});
  for (int i = 0; i < 100000; ++i) {  // far past any budget, all at one instant
    Charge m{RequestKind::kMetadata, 200, true};
    qos->Admit(Flow{"10.0.0.1", 1}, m);
  }
  qos->Sample();
  EXPECT_EQ(counters.percent_io_limit.load(), 0);
  EXPECT_EQ(counters.throttled_requests.load(), 0u);
}

// On the real clock: many threads over a tight limit all get through, delayed, none refused.
TEST(FileSystemQos, DelaysManyThreadsAndRefusesNone) {
  metrics::FsCounters counters;
  FileSystemQos qos(Settings{ThroughputMode::kProvisioned, 1, PerformanceMode::kGeneralPurpose}, 0,
                    &counters);
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        Charge w{RequestKind::kWrite, 16 * 1024, false};
        qos.Admit(Flow{"10.0.0." + std::to_string(t % 3), static_cast<uint64_t>(t)}, w);
        qos.Done(w, w);
        done.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(done.load(), 32);
  EXPECT_EQ(counters.data_write_io_bytes.load(), 32u * 16 * 1024);
  EXPECT_GT(counters.throttled_requests.load(), 0u);  // 512 KiB at 1 MiB/s: some waited
}

}  // namespace
}  // namespace efs::qos

namespace efs::qos {
namespace {

// Past kMaxWaitingPerFileSystem waiting threads, a request is turned away at once (the NFS
// server answers NFS4ERR_DELAY and the client sends it again), so one throttled file system
// cannot hold every thread of the server.
TEST(FileSystemQos, TurnsAwayWhatWouldWaitBeyondItsShareOfThreads) {
  metrics::FsCounters counters;
  FileSystemQos qos(Settings{ThroughputMode::kProvisioned, 1, PerformanceMode::kGeneralPurpose},
                    0, &counters);
  constexpr int kThreads = kMaxWaitingPerFileSystem + 8;
  std::atomic<int> admitted{0}, turned_away{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Charge w{RequestKind::kWrite, 1 << 20, false};  // a second each at 1 MiB/s
      (qos.Admit(Flow{"10.0.0.1", static_cast<uint64_t>(t)}, w) ? admitted : turned_away)++;
    });
  }
  // The first goes at once and the next wait; the rest are turned away without waiting.
  for (int i = 0; i < 500 && turned_away.load() < kThreads - 1 - kMaxWaitingPerFileSystem; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(turned_away.load(), kThreads - 1 - kMaxWaitingPerFileSystem);
  qos.Configure(Settings{ThroughputMode::kElastic, 0, PerformanceMode::kGeneralPurpose});
  for (std::thread& t : threads) t.join();  // no limit now: the waiting go at once
  EXPECT_EQ(admitted.load(), 1 + kMaxWaitingPerFileSystem);
}

}  // namespace
}  // namespace efs::qos

// Throughput modes end to end: a real efsd, efs bench over NFSv4.1, and the counters efsd keeps
// in shared memory. Provisioned holds its rate under four writers, bursting drains its credits
// at the documented rate and falls to its baseline, reads count a third, a mode change holds
// within a second, elastic is not throttled, the counters match the bytes the bench moved, and
// a metrics reader that stops or dies leaves efsd serving.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "metrics/counters.h"
#include "tests/e2e/e2e_util.h"
#include "testutil/eventually.h"

namespace efs::e2e {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

class Throughput : public E2eTest {
 protected:
  // A file system made with `create_args`, and a mount target for it.
  void Make(const std::vector<std::string>& create_args) {
    fs_id_ = CreateFs(create_args);
    Json mt = CreateMountTarget(fs_id_, DefaultSubnet());
    target_ = mt["IpAddress"].get<std::string>() + ":" + std::to_string(mt["Port"].get<int>());
    // efsd gives a new file system its counters within a second.
    EXPECT_TRUE(testutil::Eventually([&] { return Find().has_value(); }));
  }

  std::optional<metrics::Snapshot> Find() {
    Result<metrics::Reading> reading =
        metrics::ReadRegion(metrics::RegionPathFor(daemon_.socket_path()));
    if (!reading.ok()) return std::nullopt;
    for (const metrics::Snapshot& s : reading->file_systems) {
      if (s.file_system_id == fs_id_) return s;
    }
    return std::nullopt;
  }

  Json Bench(const std::string& workload, const std::string& duration,
             const std::string& size = "64M", int clients = 4, int depth = 4) {
    testutil::RunOptions options;
    options.timeout_seconds = 300;
    testutil::RunResult r =
        daemon_.Efs({"bench", "--output", "json", "--target", target_, "--workload", workload,
                     "--clients", std::to_string(clients), "--depth", std::to_string(depth),
                     "--duration", duration, "--size", size},
                    options);
    EXPECT_EQ(r.rc, 0) << r.err;
    if (r.rc != 0) return Json::object();
    Json j = Json::parse(r.out);
    EXPECT_EQ(j["Errors"], 0) << "throttling delays requests, it never fails them";
    return j;
  }

  // This file system's counters, straight from the shared memory efsd writes.
  metrics::Snapshot Counters() {
    std::optional<metrics::Snapshot> s = Find();
    if (!s) ADD_FAILURE() << "no counters for " << fs_id_;
    return s.value_or(metrics::Snapshot{});
  }

  // Waits for efsd's next sample of the gauges (it writes them every second).
  metrics::Snapshot NextSample() {
    const std::string path = metrics::RegionPathFor(daemon_.socket_path());
    Result<metrics::Reading> first = metrics::ReadRegion(path);
    const double before = first.ok() ? first->heartbeat : 0;
    EXPECT_TRUE(testutil::Eventually(
        [&] {
          Result<metrics::Reading> r = metrics::ReadRegion(path);
          return r.ok() && r->heartbeat > before;
        },
        std::chrono::seconds(10)));
    return Counters();
  }

  std::string fs_id_;
  std::string target_;
};

TEST_F(Throughput, ProvisionedHoldsItsRateUnderFourWritersAndTheCountersMatch) {
  Make({"--throughput-mode", "provisioned", "--provisioned-throughput-in-mibps", "10"});
  const metrics::Snapshot before = Counters();
  Json j = Bench("seq-write", "6s");
  const metrics::Snapshot after = NextSample();
  const double rate = j["MiBPerSecond"].get<double>();
  EXPECT_LE(rate, 11.0) << "more than 10% above the provisioned 10 MiB/s";
  EXPECT_GE(rate, 7.0) << "less than 70% of the provisioned 10 MiB/s";
  EXPECT_EQ(after.permitted_throughput, static_cast<uint64_t>(10 * kMiB));
  EXPECT_GT(after.throttled_requests, before.throttled_requests);

  // Every byte the bench wrote reached the counters; beyond it, at most the writes still in
  // flight when the bench stopped counting (4 clients x 4 deep x 1 MiB).
  const uint64_t bench_bytes = j["Bytes"].get<uint64_t>();
  const uint64_t written = after.data_write_io_bytes - before.data_write_io_bytes;
  EXPECT_GE(written, bench_bytes);
  EXPECT_LE(written, bench_bytes + 16 * static_cast<uint64_t>(kMiB));
  // Writes meter at their size; metadata requests at 4 KiB or more each.
  const uint64_t metered = after.metered_io_bytes - before.metered_io_bytes;
  const uint64_t metadata = after.metadata_requests - before.metadata_requests;
  EXPECT_GE(metered, written + 4096 * metadata);
  EXPECT_GE(after.total_io_bytes - before.total_io_bytes, written);
}

TEST_F(Throughput, ReadsCountOneThird) {
  Make({"--throughput-mode", "provisioned", "--provisioned-throughput-in-mibps", "10"});
  const metrics::Snapshot before = Counters();
  Json j = Bench("seq-read", "5s", "8M");
  const metrics::Snapshot after = NextSample();
  const double rate = j["MiBPerSecond"].get<double>();
  EXPECT_LE(rate, 33.0) << "reads meter at a third: at most 30 MiB/s, and 10% more";
  EXPECT_GE(rate, 21.0) << "reads meter at a third: at least 70% of 30 MiB/s";
  const uint64_t read = after.data_read_io_bytes - before.data_read_io_bytes;
  EXPECT_GE(read, j["Bytes"].get<uint64_t>());
  // The setup wrote the files (metered whole); the reads themselves metered a third.
  const uint64_t written = after.data_write_io_bytes - before.data_write_io_bytes;
  const uint64_t metered = after.metered_io_bytes - before.metered_io_bytes;
  const uint64_t metadata = after.metadata_requests - before.metadata_requests;
  EXPECT_NEAR(static_cast<double>(metered - written - 4096 * metadata),
              static_cast<double>(read) / 3, 0.01 * static_cast<double>(read) + kMiB);
}

TEST_F(Throughput, BurstingDrainsCreditsAtTheDocumentedRateAndFallsToBaseline) {
  Make({});  // bursting, the API's default
  metrics::Snapshot start = NextSample();
  EXPECT_EQ(start.burst_credit_balance, static_cast<int64_t>(2.1 * 1024 * 1024 * kMiB))
      << "a new file system starts with 2.1 TiB of credits";
  EXPECT_EQ(start.permitted_throughput, static_cast<uint64_t>(100 * kMiB));

  Json set = EfsJson({"debug", "set-burst-credits", "--file-system-id", fs_id_, "--bytes",
                      std::to_string(static_cast<uint64_t>(120 * kMiB))});
  EXPECT_NEAR(set["BurstCreditBalance"].get<double>(), 120 * kMiB, kMiB);
  const auto set_at = std::chrono::steady_clock::now();
  const metrics::Snapshot before = Counters();

  Json burst = Bench("seq-write", "4s", "64M", 4, 1);
  const metrics::Snapshot after = NextSample();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - set_at).count();
  // Credits fell by what was metered, less what the 1 MiB/s baseline earned meanwhile.
  const double metered = static_cast<double>(after.metered_io_bytes - before.metered_io_bytes);
  const double expected = 120 * kMiB - metered + elapsed * kMiB;
  EXPECT_NEAR(static_cast<double>(after.burst_credit_balance), expected, 2 * kMiB)
      << "metered " << metered / kMiB << " MiB in " << elapsed << " s";
  EXPECT_LE(after.burst_credit_balance, static_cast<int64_t>(2 * kMiB));
  EXPECT_EQ(after.permitted_throughput, static_cast<uint64_t>(kMiB)) << "the baseline";
  // The 120 MiB went at up to 100 MiB/s, then the baseline: far less than 4 s of burst.
  EXPECT_LE(burst["MiBPerSecond"].get<double>(), 45.0);

  // Out of credits, the file system runs at its baseline (1 MiB/s at this size).
  Json slow = Bench("seq-write", "6s", "16M", 2, 1);
  EXPECT_LE(slow["MiBPerSecond"].get<double>(), 1.5) << "the 1 MiB/s baseline, and one write";
}

TEST_F(Throughput, AModeChangeHoldsWithinASecond) {
  Make({});
  EfsJson({"debug", "set-burst-credits", "--file-system-id", fs_id_, "--bytes", "0"});
  std::thread bench([&] { Bench("seq-write", "8s", "64M"); });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const metrics::Snapshot slow_from = Counters();
  const auto slow_at = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const metrics::Snapshot slow_to = Counters();
  EXPECT_GE(NextSample().client_connections, 4u) << "the bench's four clients";
  const double slow_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - slow_at).count();

  EfsJson({"update-fs", "--file-system-id", fs_id_, "--throughput-mode", "provisioned",
           "--provisioned-throughput-in-mibps", "20"});
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the new limit holds by now
  const metrics::Snapshot fast_from = Counters();
  const auto fast_at = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const metrics::Snapshot fast_to = Counters();
  const double fast_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fast_at).count();
  bench.join();

  const double slow =
      (slow_to.data_write_io_bytes - slow_from.data_write_io_bytes) / kMiB / slow_seconds;
  const double fast =
      (fast_to.data_write_io_bytes - fast_from.data_write_io_bytes) / kMiB / fast_seconds;
  EXPECT_LE(slow, 2.5) << "bursting without credits: its 1 MiB/s baseline";
  EXPECT_GE(fast, 14.0) << "provisioned 20 MiB/s";
  EXPECT_LE(fast, 24.0) << "provisioned 20 MiB/s";
}

TEST_F(Throughput, ElasticIsNotThrottled) {
  Make({"--throughput-mode", "elastic"});
  const metrics::Snapshot before = Counters();
  Json j = Bench("seq-write", "2s", "64M");
  const metrics::Snapshot after = NextSample();
  EXPECT_EQ(after.throttled_requests, before.throttled_requests);
  EXPECT_EQ(after.permitted_throughput, 0u) << "0: no limit";
  EXPECT_GT(j["MiBPerSecond"].get<double>(), 20.0);
}

TEST_F(Throughput, AMetricsReaderThatStopsOrDiesLeavesEfsdServing) {
  Make({"--throughput-mode", "elastic"});
  const std::string path = metrics::RegionPathFor(daemon_.socket_path());
  // Readers that read in a loop: one is stopped mid-read, one killed.
  pid_t readers[2];
  for (pid_t& pid : readers) {
    pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < 10000000; ++i) (void)metrics::ReadRegion(path);
      _exit(0);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(readers[0], SIGSTOP);
  ::kill(readers[1], SIGKILL);
  const metrics::Snapshot before = Counters();
  Json j = Bench("seq-write", "1s", "16M");
  const metrics::Snapshot after = NextSample();
  EXPECT_GT(j["Operations"].get<uint64_t>(), 0u);
  EXPECT_GE(after.data_write_io_bytes - before.data_write_io_bytes, j["Bytes"].get<uint64_t>());
  ::kill(readers[0], SIGKILL);
  for (pid_t pid : readers) ::waitpid(pid, nullptr, 0);

  // efs metrics reads the same figures.
  Json m = EfsJson({"metrics", "--file-system-id", fs_id_});
  EXPECT_EQ(m["FileSystemId"], fs_id_);
  EXPECT_GE(m["Metrics"]["DataWriteIOBytes"].get<uint64_t>(), after.data_write_io_bytes);
}

}  // namespace
}  // namespace efs::e2e

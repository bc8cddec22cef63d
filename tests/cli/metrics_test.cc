// efs metrics and efs top against a metrics region the test writes as efsd would: the JSON,
// text, table and Prometheus output, the errors and exit codes, and top's frames, rates and
// signals. Neither command may send efsd a request.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "cmd/exit_codes.h"
#include "metrics/prometheus.h"
#include "metrics/counters.h"
#include "tests/cli/cli_test_util.h"
#include "testutil/eventually.h"
#include "testutil/temp_dir.h"

namespace efs::cli::testing {
namespace {

using api::Json;
constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kGiB = 1024 * kMiB;
constexpr char kBursting[] = "fs-0123456789abcdef0";
constexpr char kProvisioned[] = "fs-0aaaabbbbccccdddd";
constexpr char kElastic[] = "fs-0fedcba9876543210";

// A region beside <temp>/efsd.sock with three file systems of known figures, efsd being this
// process (Region::Create records getpid()).
struct MetricsCli : ::testing::Test {
  testutil::TempDir dir;
  std::string socket = dir.Join("efsd.sock");
  std::unique_ptr<metrics::Region> region;
  metrics::FsCounters* bursting = nullptr;

  void SetUp() override {
    Result<std::unique_ptr<metrics::Region>> created =
        metrics::Region::Create(metrics::RegionPathFor(socket), 8);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    region = std::move(created).value();
    bursting = region->Claim(kBursting);
    bursting->AddRequest({metrics::Request::kDataRead, 3 * kMiB, kMiB, 3 * kMiB});
    bursting->AddRequest({metrics::Request::kDataWrite, kMiB, kMiB, kMiB});
    bursting->AddRequest({metrics::Request::kDataWrite, kMiB, kMiB, kMiB});
    bursting->AddRequest({metrics::Request::kMetadata, 300, 4096, 4096});
    bursting->throttled_requests = 2;
    bursting->throttled_micros = 1500000;
    bursting->burst_credit_balance = 5 * kGiB / 2;
    bursting->permitted_throughput = 100 * kMiB;
    bursting->percent_io_limit = 12.5;
    bursting->client_connections = 3;
    bursting->storage_standard = kGiB;
    bursting->storage_ia = kGiB / 2;
    metrics::FsCounters* provisioned = region->Claim(kProvisioned);
    provisioned->throughput_mode = static_cast<uint32_t>(metrics::ThroughputMode::kProvisioned);
    provisioned->performance_mode = static_cast<uint32_t>(metrics::PerformanceMode::kMaxIo);
    provisioned->provisioned_mibps = 128;
    provisioned->permitted_throughput = 128 * kMiB;
    provisioned->client_connections = 1;
    provisioned->storage_standard = 6144;
    region->Claim(kElastic)->throughput_mode =
        static_cast<uint32_t>(metrics::ThroughputMode::kElastic);
    region->Heartbeat(1767225600.5);
  }

  // Runs `efs --socket <temp>/efsd.sock ARGS...` in-process; no request may reach efsd.
  FakeRun Efs(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", socket});
    FakeRun run = RunFake(args);
    EXPECT_TRUE(run.requests.empty()) << "sent " << run.requests[0].action;
    return run;
  }
};

const Json kBurstingJson = Json::parse(R"({
  "FileSystemId": "fs-0123456789abcdef0",
  "Timestamp": 1767225600.5,
  "ThroughputMode": "bursting",
  "PerformanceMode": "generalPurpose",
  "Metrics": {
    "BurstCreditBalance": 2684354560,
    "PermittedThroughput": 104857600,
    "MeteredIOBytes": 3149824,
    "TotalIOBytes": 5246976,
    "DataReadIOBytes": 3145728,
    "DataWriteIOBytes": 2097152,
    "MetadataIOBytes": 300,
    "DataReadRequests": 1,
    "DataWriteRequests": 2,
    "MetadataRequests": 1,
    "ThrottledRequests": 2,
    "ThrottledSeconds": 1.5,
    "ClientConnections": 3,
    "PercentIOLimit": 12.5,
    "StorageBytes": {"Total": 1610612736, "Standard": 1073741824, "IA": 536870912, "Archive": 0}
  }
})");

TEST_F(MetricsCli, OneFileSystemPrintsEveryMetricByItsCloudWatchName) {
  FakeRun run = Efs({"metrics", "--file-system-id", kBursting});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(Json::parse(run.out), kBurstingJson);
}

TEST_F(MetricsCli, EveryFileSystemInSlotOrderWithProvisionedAndUnlimitedThroughput) {
  FakeRun run = Efs({"metrics"});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  const Json all = Json::parse(run.out);
  ASSERT_EQ(all["FileSystems"].size(), 3u);
  EXPECT_EQ(all["FileSystems"][0], kBurstingJson);
  const Json& provisioned = all["FileSystems"][1];
  EXPECT_EQ(provisioned["FileSystemId"], kProvisioned);
  EXPECT_EQ(provisioned["ThroughputMode"], "provisioned");
  EXPECT_EQ(provisioned["PerformanceMode"], "maxIO");
  EXPECT_EQ(provisioned["ProvisionedThroughputInMibps"], 128.0);
  EXPECT_EQ(provisioned["Metrics"]["PermittedThroughput"], 128 * kMiB);
  const Json& elastic = all["FileSystems"][2];
  EXPECT_EQ(elastic["ThroughputMode"], "elastic");
  EXPECT_FALSE(elastic.contains("ProvisionedThroughputInMibps"));
  EXPECT_TRUE(elastic["Metrics"]["PermittedThroughput"].is_null()) << "null: no limit";
}

TEST_F(MetricsCli, FormatOverridesOutputAndTableAndTextCarryTheValues) {
  FakeRun table =
      Efs({"--output", "json", "metrics", "--file-system-id", kBursting, "--format", "table"});
  ASSERT_TRUE(table.status.ok()) << table.status.ToString();
  EXPECT_NE(table.out.find("Metrics.DataWriteIOBytes       2097152\n"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("Metrics.StorageBytes.IA        536870912\n"), std::string::npos);
  EXPECT_EQ(Efs({"--output", "table", "metrics", "--file-system-id", kBursting}).out, table.out);
  FakeRun text = Efs({"metrics", "--format", "text"});
  EXPECT_NE(text.out.find("FILESYSTEMS\tfs-0aaaabbbbccccdddd\tmaxIO\t128.0\tprovisioned\t"
                          "1767225600.5\n"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("STORAGEBYTES\t0\t536870912\t1073741824\t1610612736\n"),
            std::string::npos);
}

TEST_F(MetricsCli, PrometheusPrintsEachFamilyOnceWithLabelledSamples) {
  FakeRun run = Efs(
      {"--output", "table", "metrics", "--file-system-id", kBursting, "--format", "prometheus"});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(
      run.out,
      R"(# HELP efs_burst_credit_balance_bytes Burst credits the file system holds (bursting mode; below 0 in debt).
# TYPE efs_burst_credit_balance_bytes gauge
efs_burst_credit_balance_bytes{file_system_id="fs-0123456789abcdef0"} 2684354560
# HELP efs_permitted_throughput_bytes_per_second Throughput the file system may use now; no sample when it has no limit.
# TYPE efs_permitted_throughput_bytes_per_second gauge
efs_permitted_throughput_bytes_per_second{file_system_id="fs-0123456789abcdef0"} 104857600
# HELP efs_metered_io_bytes_total Bytes metered against the throughput limit (reads count a third, 4 KiB minimum).
# TYPE efs_metered_io_bytes_total counter
efs_metered_io_bytes_total{file_system_id="fs-0123456789abcdef0"} 3149824
# HELP efs_total_io_bytes_total Bytes processed, with 32 KiB data and 4 KiB metadata minimums.
# TYPE efs_total_io_bytes_total counter
efs_total_io_bytes_total{file_system_id="fs-0123456789abcdef0"} 5246976
# HELP efs_data_read_io_bytes_total Bytes read.
# TYPE efs_data_read_io_bytes_total counter
efs_data_read_io_bytes_total{file_system_id="fs-0123456789abcdef0"} 3145728
# HELP efs_data_write_io_bytes_total Bytes written.
# TYPE efs_data_write_io_bytes_total counter
efs_data_write_io_bytes_total{file_system_id="fs-0123456789abcdef0"} 2097152
# HELP efs_metadata_io_bytes_total Bytes of metadata requests.
# TYPE efs_metadata_io_bytes_total counter
efs_metadata_io_bytes_total{file_system_id="fs-0123456789abcdef0"} 300
# HELP efs_requests_total NFS requests by kind.
# TYPE efs_requests_total counter
efs_requests_total{file_system_id="fs-0123456789abcdef0",kind="data_read"} 1
efs_requests_total{file_system_id="fs-0123456789abcdef0",kind="data_write"} 2
efs_requests_total{file_system_id="fs-0123456789abcdef0",kind="metadata"} 1
# HELP efs_throttled_requests_total Requests the throughput or operations limit delayed.
# TYPE efs_throttled_requests_total counter
efs_throttled_requests_total{file_system_id="fs-0123456789abcdef0"} 2
# HELP efs_throttled_seconds_total Time the delayed requests waited.
# TYPE efs_throttled_seconds_total counter
efs_throttled_seconds_total{file_system_id="fs-0123456789abcdef0"} 1.5
# HELP efs_client_connections NFS client connections.
# TYPE efs_client_connections gauge
efs_client_connections{file_system_id="fs-0123456789abcdef0"} 3
# HELP efs_percent_io_limit Percent of the General Purpose operations limit in use (0 to 100).
# TYPE efs_percent_io_limit gauge
efs_percent_io_limit{file_system_id="fs-0123456789abcdef0"} 12.5
# HELP efs_storage_bytes Metered size by storage class.
# TYPE efs_storage_bytes gauge
efs_storage_bytes{file_system_id="fs-0123456789abcdef0",storage_class="Total"} 1610612736
efs_storage_bytes{file_system_id="fs-0123456789abcdef0",storage_class="Standard"} 1073741824
efs_storage_bytes{file_system_id="fs-0123456789abcdef0",storage_class="IA"} 536870912
efs_storage_bytes{file_system_id="fs-0123456789abcdef0",storage_class="Archive"} 0
# HELP efs_info The file system's throughput and performance modes; always 1.
# TYPE efs_info gauge
efs_info{file_system_id="fs-0123456789abcdef0",throughput_mode="bursting",performance_mode="generalPurpose"} 1
)");
}

// With several file systems, each family still has one HELP and one TYPE, its samples follow
// them together, and a file system without a limit has no permitted-throughput sample.
TEST_F(MetricsCli, PrometheusGroupsEveryFileSystemsSamplesUnderItsFamily) {
  FakeRun run = Efs({"metrics", "--format", "prometheus"});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  std::istringstream lines(run.out);
  std::map<std::string, int> helps;
  std::string family, line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      ++helps[family];
    } else if (line.rfind("# TYPE ", 0) != 0) {
      ++samples;
      EXPECT_EQ(line.rfind(family + "{file_system_id=\"fs-0", 0), 0u) << line;
    }
  }
  EXPECT_EQ(helps.size(), 14u);
  for (const auto& [name, count] : helps) EXPECT_EQ(count, 1) << name;
  // 3 file systems x (12 one-sample families + 3 kinds of request + 4 storage classes), less
  // the elastic one's permitted throughput.
  EXPECT_EQ(samples, 3 * (12 + 3 + 4) - 1);
  EXPECT_EQ(run.out.find("efs_permitted_throughput_bytes_per_second{file_system_id=\"" +
                         std::string(kElastic)),
            std::string::npos);
  EXPECT_NE(run.out.find("efs_info{file_system_id=\"fs-0aaaabbbbccccdddd\",throughput_mode="
                         "\"provisioned\",performance_mode=\"maxIO\"} 1\n"),
            std::string::npos);
}

TEST(Prometheus, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(metrics::EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(metrics::EscapeLabelValue("fs-0123"), "fs-0123");
}

// `command` as the error tests run it: efs top stops after a frame should it not fail.
std::vector<std::string> Bounded(const std::string& command) {
  if (command == "top") return {"top", "--iterations", "1", "--interval", "0.1"};
  return {command};
}

TEST_F(MetricsCli, AnUnknownFileSystemIsNotFound) {
  FakeRun run = Efs({"metrics", "--file-system-id", "fs-0000000000000000f"});
  EXPECT_EQ(run.status.reason(), "FileSystemNotFound");
  EXPECT_EQ(run.status.message(), "efsd has no metrics for file system 'fs-0000000000000000f'");
  EXPECT_EQ(ToExitCode(run.status), kExitServiceError);
  EXPECT_EQ(run.out, "");
}

TEST_F(MetricsCli, NoRegionMeansEfsdIsUnreachable) {
  region.reset();  // efsd stopped and removed it
  for (const char* command : {"metrics", "top"}) {
    FakeRun run = Efs(Bounded(command));
    EXPECT_EQ(run.status.reason(), kDaemonUnreachable) << command;
    EXPECT_EQ(run.status.message(),
              "no efsd metrics at " + dir.Join("efsd.metrics") + ": is efsd running?");
    EXPECT_EQ(ToExitCode(run.status), kExitUnreachable);
  }
}

// Its pid is gone, or still a zombie its parent has not reaped (kill(2) finds those).
TEST_F(MetricsCli, ARegionLeftByAnEfsdThatDiedIsUnreachable) {
  const std::string socket2 = dir.Join("dead.sock");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // an efsd that made its region and was killed: nothing removes it
    Result<std::unique_ptr<metrics::Region>> made =
        metrics::Region::Create(metrics::RegionPathFor(socket2), 2);
    if (made.ok()) (*made)->Heartbeat(1767225600);
    ::_exit(made.ok() ? 0 : 1);
  }
  siginfo_t exited = {};
  ASSERT_EQ(::waitid(P_PID, child, &exited, WEXITED | WNOWAIT), 0);  // a zombie now
  ASSERT_EQ(exited.si_status, 0);
  for (bool reaped : {false, true}) {
    if (reaped) {
      ASSERT_EQ(::waitpid(child, nullptr, 0), child);
    }
    for (const char* command : {"metrics", "top"}) {
      SCOPED_TRACE(std::string(command) + (reaped ? " after reaping" : " of a zombie"));
      std::vector<std::string> args = {"--socket", socket2};
      for (const std::string& word : Bounded(command)) args.push_back(word);
      FakeRun run = RunFake(args);
      EXPECT_EQ(run.status.reason(), kDaemonUnreachable);
      EXPECT_EQ(run.status.message(),
                "efsd (pid " + std::to_string(child) + ") is not running; metrics at " +
                    dir.Join("dead.metrics") + " were last updated at 2026-01-01T00:00:00Z");
      EXPECT_EQ(ToExitCode(run.status), kExitUnreachable);
    }
  }
}

TEST_F(MetricsCli, AFileThatIsNotARegionExits1) {
  const std::string socket2 = dir.Join("other.sock");
  std::ofstream(dir.Join("other.metrics")) << std::string(4096, 'x');
  FakeRun run = RunFake({"--socket", socket2, "metrics"});
  EXPECT_NE(run.status.message().find("is not an efsd metrics region"), std::string::npos)
      << run.status.ToString();
  EXPECT_EQ(ToExitCode(run.status), kExitServiceError);
}

// ----------------------------------------------------------------------------- efs top

const std::string kColumnLine =
    "FILE SYSTEM           MODE             READ MiB/s  WRITE MiB/s  META ops/s  METERED MiB/s  "
    "PERMITTED MiB/s  CREDITS GiB  %IO LIMIT  CONNS   STORED";

// The lines of `frames` (as efs top prints them when not on a terminal), frame by frame.
std::vector<std::vector<std::string>> Frames(const std::string& text) {
  std::vector<std::vector<std::string>> frames(1);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) {
      frames.emplace_back();
    } else {
      frames.back().push_back(line);
    }
  }
  return frames;
}

// The cell of column `column` (0: FILE SYSTEM) in a line of a frame: cells are two spaces apart
// or more, and only FILE SYSTEM and MODE hold one space.
std::string Cell(const std::string& line, size_t column) {
  std::vector<std::string> cells;
  size_t at = 0;
  while (at < line.size()) {
    size_t start = line.find_first_not_of(' ', at);
    if (start == std::string::npos) break;
    size_t end = line.find("  ", start);
    if (end == std::string::npos) end = line.size();
    cells.push_back(line.substr(start, end - start));
    at = end;
  }
  return column < cells.size() ? cells[column] : "";
}

TEST_F(MetricsCli, TopPrintsTheAskedFramesOneAfterAnother) {
  FakeRun run = Efs({"top", "--iterations", "2", "--interval", "0.1"});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  const auto frames = Frames(run.out);
  ASSERT_EQ(frames.size(), 2u) << run.out;
  for (const auto& frame : frames) {
    ASSERT_EQ(frame.size(), 5u) << run.out;
    EXPECT_EQ(frame[0].rfind("efs top - 20", 0), 0u) << frame[0];
    EXPECT_NE(frame[0].find("Z - efsd pid " + std::to_string(::getpid()) + " - 3 file systems"),
              std::string::npos)
        << frame[0];
    EXPECT_EQ(frame[1], kColumnLine);
    EXPECT_EQ(frame[2],
              "fs-0123456789abcdef0  bursting                0.0          0.0         0.0         "
              "   0.0            100.0         2.50       12.5      3  1.5 GiB");
    EXPECT_EQ(frame[3],
              "fs-0aaaabbbbccccdddd  provisioned 128         0.0          0.0         0.0         "
              "   0.0            128.0            -        0.0      1  6.0 KiB");
    EXPECT_EQ(frame[4],
              "fs-0fedcba9876543210  elastic                 0.0          0.0         0.0         "
              "   0.0                -            -        0.0      0      0 B");
  }
  EXPECT_EQ(run.out.find('\x1b'), std::string::npos) << "no screen control off a terminal";
}

TEST_F(MetricsCli, TopRejectsAnIntervalOrCountOutOfRange) {
  EXPECT_EQ(ToExitCode(Efs({"top", "--interval", "0.05"}).status), kExitUsage);
  EXPECT_EQ(ToExitCode(Efs({"top", "--interval", "3601"}).status), kExitUsage);
  EXPECT_EQ(ToExitCode(Efs({"top", "--iterations", "0"}).status), kExitUsage);
}

// The built binary, so that the test can act between its frames: requests made after the
// first frame show as a rate in the second only.
TEST_F(MetricsCli, TopShowsTheRateOfRequestsMadeBetweenFrames) {
  const std::string log = dir.Join("top.log");
  testutil::Child top = testutil::Child::Start({testutil::BinPath("efs"), "--socket", socket, "top",
                                                "--interval", "0.5", "--iterations", "2"},
                                               log);
  ASSERT_TRUE(testutil::Eventually([&] { return Frames(ReadFile(log)).front().size() >= 5; }))
      << ReadFile(log);
  for (int i = 0; i < 64; ++i) {
    bursting->AddRequest({metrics::Request::kDataWrite, kMiB, kMiB, kMiB});
  }
  EXPECT_EQ(top.Wait(10), 0) << ReadFile(log);
  const auto frames = Frames(ReadFile(log));
  ASSERT_EQ(frames.size(), 2u) << ReadFile(log);
  ASSERT_EQ(Cell(frames[0][2], 0), kBursting);
  EXPECT_EQ(Cell(frames[0][2], 3), "0.0") << frames[0][2];
  ASSERT_EQ(Cell(frames[1][2], 0), kBursting);
  EXPECT_GT(std::stod(Cell(frames[1][2], 3)), 0) << frames[1][2];
  EXPECT_EQ(Cell(frames[1][2], 2), "0.0") << "nothing was read: " << frames[1][2];
  EXPECT_EQ(Cell(frames[1][3], 3), "0.0") << "another file system: " << frames[1][3];
}

TEST_F(MetricsCli, TopExitsCleanlyOnSigintAndSigterm) {
  for (int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    const std::string log = dir.Join("top-" + std::to_string(sig) + ".log");
    testutil::Child top = testutil::Child::Start(
        {testutil::BinPath("efs"), "--socket", socket, "top", "--interval", "0.1"}, log);
    ASSERT_TRUE(testutil::Eventually([&] { return !ReadFile(log).empty(); })) << ReadFile(log);
    EXPECT_EQ(top.Signal(sig, 10), 0) << ReadFile(log);
  }
}

TEST_F(MetricsCli, TopStopsWithExit3WhenEfsdGoesAway) {
  FakeRun run;
  std::thread top([&] { run = Efs({"top", "--interval", "0.1", "--iterations", "50"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  region.reset();
  top.join();
  EXPECT_EQ(run.status.reason(), kDaemonUnreachable) << run.status.ToString();
  EXPECT_EQ(ToExitCode(run.status), kExitUnreachable);
  EXPECT_GE(Frames(run.out).front().size(), 5u) << "a whole frame before efsd went";
  EXPECT_LT(Frames(run.out).size(), 50u);
}

}  // namespace
}  // namespace efs::cli::testing

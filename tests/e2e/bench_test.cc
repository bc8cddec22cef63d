// efs bench against a real efsd mount target: every workload runs, reports sane numbers as
// JSON and leaves nothing behind; a target that cannot be used is refused without a result.
#include <set>

#include "bench/spec.h"
#include "nfs4client/client.h"
#include "tests/e2e/e2e_util.h"

namespace efs::e2e {
namespace {

class Bench : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    Json mt = CreateMountTarget(CreateFs(), DefaultSubnet());
    ip_ = mt["IpAddress"].get<std::string>();
    port_ = mt["Port"].get<int>();
  }

  std::string Target(const std::string& path = "") const {
    return ip_ + ":" + std::to_string(port_) + path;
  }

  testutil::RunResult RunBench(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"bench", "--output", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    testutil::RunOptions options;
    options.timeout_seconds = 120;
    return daemon_.Efs(argv, options);
  }

  // The names in the file system's root, through efs's NFSv4.1 client.
  std::set<std::string> RootNames() {
    nfs4client::Client::Options options;
    options.host = ip_;
    options.port = port_;
    options.owner = "efs-bench-test";
    auto client = nfs4client::Client::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (!client.ok()) return {};
    nfs4client::Identity root;
    auto dir = (*client)->Root(root);
    EXPECT_TRUE(dir.ok());
    if (!dir.ok()) return {};
    std::set<std::string> names;
    uint64_t cookie = 0, verifier = 0;
    for (int page = 0; page < 1000; ++page) {
      auto listed = (*client)->ReadDir(root, dir->fh, cookie, verifier);
      EXPECT_TRUE(listed.ok());
      if (!listed.ok()) break;
      for (const auto& e : listed->entries) names.insert(e.name);
      if (listed->eof || listed->entries.empty()) break;
      cookie = listed->entries.back().cookie;
      verifier = listed->verifier;
    }
    return names;
  }

  std::string ip_;
  int port_ = 0;
};

TEST_F(Bench, EveryWorkloadReportsSaneNumbersAndCleansUp) {
  for (const std::string& workload : bench::WorkloadNames()) {
    SCOPED_TRACE(workload);
    testutil::RunResult r = RunBench({"--target", Target(), "--workload", workload, "--clients",
                                      "2", "--depth", "4", "--duration", "300ms", "--size", "4M"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.err, "") << "no progress report when stderr is not a terminal";
    Json j = Json::parse(r.out);
    EXPECT_EQ(j["Workload"], workload);
    EXPECT_EQ(j["Clients"], 2);
    EXPECT_EQ(j["Depth"], 4);
    EXPECT_EQ(j["Errors"], 0);
    EXPECT_GE(j["DurationSeconds"].get<double>(), 0.3);
    EXPECT_GT(j["Operations"].get<uint64_t>(), 0u);
    EXPECT_GT(j["OperationsPerSecond"].get<double>(), 0);
    const Json& l = j["LatencyMicroseconds"];
    EXPECT_GT(l["P50"].get<double>(), 0);
    EXPECT_LE(l["P50"].get<double>(), l["P90"].get<double>());
    EXPECT_LE(l["P90"].get<double>(), l["P99"].get<double>());
    EXPECT_LE(l["P99"].get<double>(), l["P999"].get<double>());
    EXPECT_LE(l["P999"].get<double>(), l["Max"].get<double>());
    if (bench::MovesData(*bench::ParseWorkload(workload))) {
      EXPECT_GT(j["MiBPerSecond"].get<double>(), 0);
      EXPECT_GT(j["Bytes"].get<uint64_t>(), 0u);
    } else {
      EXPECT_EQ(j["MiBPerSecond"].get<double>(), 0);
    }
    EXPECT_TRUE(RootNames().empty()) << "the run left its directory behind";
  }
}

TEST_F(Bench, PrintsATableUnlessAskedForJsonOrText) {
  testutil::RunOptions options;
  options.timeout_seconds = 120;
  options.env["EFS_OUTPUT"] = "";  // unset: the default is for people
  const std::vector<std::string> run = {"--target", Target(),     "--workload",
                                        "stat",     "--duration", "200ms"};
  std::vector<std::string> argv = {"bench"};
  argv.insert(argv.end(), run.begin(), run.end());
  testutil::RunResult table = daemon_.Efs(argv, options);
  ASSERT_EQ(table.rc, 0) << table.err;
  EXPECT_EQ(table.out.rfind("WORKLOAD ", 0), 0u) << table.out;
  for (const char* column : {"OPS/S", "MIB/S", "P50_US", "P90_US", "P99_US", "P99.9_US"}) {
    EXPECT_NE(table.out.find(column), std::string::npos) << column << " in\n" << table.out;
  }
  EXPECT_NE(table.out.find("\nstat "), std::string::npos) << table.out;

  options.env["EFS_OUTPUT"] = "json";
  testutil::RunResult json = daemon_.Efs(argv, options);
  ASSERT_EQ(json.rc, 0) << json.err;
  EXPECT_EQ(Json::parse(json.out)["Workload"], "stat");

  options.env["EFS_OUTPUT"] = "";
  argv.insert(argv.begin(), {"--output", "text"});
  testutil::RunResult text = daemon_.Efs(argv, options);
  ASSERT_EQ(text.rc, 0) << text.err;
  EXPECT_NE(text.out.find("LATENCYMICROSECONDS"), std::string::npos) << text.out;
}

TEST_F(Bench, WorksUnderAPathAndKeepLeavesTheDirectory) {
  testutil::RunResult r = RunBench({"--target", Target("/"), "--workload", "stat", "--duration",
                                    "100ms", "--keep", "--progress"});
  ASSERT_EQ(r.rc, 0) << r.err;
  Json j = Json::parse(r.out);
  const std::string dir = j["Directory"].get<std::string>();
  ASSERT_EQ(dir.rfind("/efs-bench-", 0), 0u) << dir;
  EXPECT_EQ(RootNames(), std::set<std::string>{dir.substr(1)});

  // The kept directory as the target's PATH: the next run works (and cleans up) inside it.
  r = RunBench({"--target", Target(dir), "--workload", "create", "--duration", "100ms"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["Directory"].get<std::string>().rfind(dir + "/efs-bench-", 0), 0u);
  EXPECT_EQ(RootNames(), std::set<std::string>{dir.substr(1)});
}

TEST_F(Bench, APortNothingListensOnIsRefusedWithoutAResult) {
  testutil::RunResult r =
      RunBench({"--target", "127.0.0.1:1", "--workload", "stat", "--duration", "100ms"});
  EXPECT_EQ(r.rc, 6);
  EXPECT_NE(r.err.find("efs: error: TargetUnreachable:"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(Bench, AMissingPathIsRefusedWithoutAResult) {
  testutil::RunResult r = RunBench(
      {"--target", Target("/no/such/dir"), "--workload", "seq-read", "--duration", "100ms"});
  EXPECT_EQ(r.rc, 6);
  EXPECT_NE(r.err.find("efs: error: TargetPathNotFound:"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(RootNames().empty());
}

TEST_F(Bench, BadArgumentsAreUsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--target", "nfs-server:2049", "--workload", "stat"},
           {"--target", Target(), "--workload", "stat", "--duration", "1.5s"},
           {"--target", Target(), "--workload", "seq-read", "--size", "5000"},
           {"--target", Target(), "--workload", "stat", "--clients", "0"},
           {"--target", Target(), "--workload", "sequential"}}) {
    testutil::RunResult r = RunBench(args);
    EXPECT_EQ(r.rc, 2) << args[1] << " " << r.err;
    EXPECT_EQ(r.out, "");
  }
}

}  // namespace
}  // namespace efs::e2e

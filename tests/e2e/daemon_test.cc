// efsd as a process: defaults, the state-directory lock, signals, restart and crash recovery.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "base/clock.h"
#include "tests/e2e/e2e_util.h"

namespace efs::e2e {
namespace {

using testutil::BinPath;
using testutil::Child;
using testutil::RunResult;

class Daemon : public E2eTest {};

testutil::RunOptions Timeout(double seconds) {
  testutil::RunOptions options;
  options.timeout_seconds = seconds;
  return options;
}

TEST_F(Daemon, FirstStartMakesTheDefaultVpcWithOneSubnetPerZone) {
  Json vpcs = EfsJson({"describe-vpcs"});
  ASSERT_EQ(vpcs["Vpcs"].size(), 1u);
  EXPECT_EQ(vpcs["Vpcs"][0]["IsDefault"], true);
  Json subnets = EfsJson({"describe-subnets"});
  std::set<std::string> zones;
  for (const auto& s : subnets["Subnets"]) {
    EXPECT_EQ(s["VpcId"], vpcs["Vpcs"][0]["VpcId"]);
    zones.insert(s["AvailabilityZone"]);
  }
  EXPECT_EQ(zones, (std::set<std::string>{"local-1a", "local-1b", "local-1c"}));
  Json groups = EfsJson({"describe-security-groups"});
  ASSERT_EQ(groups["SecurityGroups"].size(), 1u);
  EXPECT_EQ(groups["SecurityGroups"][0]["GroupName"], "default");
}

TEST_F(Daemon, OnlyADaemonWithATestClockMovesItsClockAhead) {
  std::unique_ptr<api::Client> plain = daemon_.Connect();
  ASSERT_NE(plain, nullptr);
  Result<Json> refused = plain->Call("AdvanceClock", {{"Seconds", 3600}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().reason(), "TestClockDisabled");

  testutil::TestDaemon clocked;
  ASSERT_TRUE(clocked.Start({"--test-clock"})) << clocked.log();
  std::unique_ptr<api::Client> client = clocked.Connect();
  ASSERT_NE(client, nullptr);
  const double week = 7 * 86400;
  const double system_before = SystemClock().Now();
  Result<Json> moved = client->Call("AdvanceClock", {{"Seconds", week}});
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ((*moved)["OffsetSeconds"].get<double>(), week);
  EXPECT_GE((*moved)["Now"].get<double>(), system_before + week);
  EXPECT_LT((*moved)["Now"].get<double>(), SystemClock().Now() + week + 1);
  // The control plane runs on it: a file system made now is dated a week on.
  Result<Json> made = client->Call("CreateFileSystem", {{"CreationToken", "later"}});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_GE((*made)["CreationTime"].get<double>(), system_before + week - 1);

  // The same through efs debug advance-clock: days and hours add up, and a daemon without a
  // test clock says why it refuses.
  RunResult more = clocked.Efs({"debug", "advance-clock", "--days", "1", "--hours", "2",
                                "--output", "json"});
  ASSERT_EQ(more.rc, 0) << more.err;
  EXPECT_EQ(Json::parse(more.out)["OffsetSeconds"].get<double>(), week + 86400 + 7200);
  RunResult no = daemon_.Efs({"debug", "advance-clock", "--hours", "1"});
  EXPECT_EQ(no.rc, 1);
  EXPECT_NE(no.err.find("TestClockDisabled"), std::string::npos) << no.err;
  EXPECT_EQ(clocked.Efs({"debug", "advance-clock"}).rc, 2) << "how far is not said";
  EXPECT_EQ(clocked.Efs({"debug"}).rc, 2) << "no subcommand";
  EXPECT_EQ(clocked.Efs({"debug", "advance-clock", "--days", "-1"}).rc, 2);
  EXPECT_EQ(clocked.Stop(), 0);
}

TEST_F(Daemon, ASecondDaemonOnTheSameStateDirectoryRefusesToStart) {
  RunResult r = testutil::Run({BinPath("efsd"), "--state-dir", daemon_.state_dir(), "--socket",
                               daemon_.dir().Join("other.sock"), "--nfs-port",
                               std::to_string(testutil::FreePort())},
                              Timeout(20));
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("another efsd (pid " + std::to_string(daemon_.pid()) + ") is running"),
            std::string::npos)
      << r.err;
  // The first one is undisturbed.
  EXPECT_EQ(daemon_.Efs({"status"}).rc, 0);
}

TEST_F(Daemon, SigtermStopsCleanlyAndRemovesTheSocket) {
  EXPECT_EQ(daemon_.Stop(), 0) << daemon_.log();
  EXPECT_FALSE(std::filesystem::exists(daemon_.socket_path()));
  EXPECT_EQ(daemon_.Efs({"status"}).rc, 3);
}

TEST_F(Daemon, SigintStopsCleanlyToo) {
  // Child::Signal returns the exit code.
  EXPECT_TRUE(daemon_.running());
  ::kill(daemon_.pid(), SIGINT);
  EXPECT_EQ(daemon_.Stop(), 0) << daemon_.log();
}

TEST_F(Daemon, RestartRestoresFileSystemsMountTargetsAndListeners) {
  std::string fs = CreateFs({"--creation-token", "keep-me", "--tags", "Key=Name,Value=kept"});
  Json mt = CreateMountTarget(fs, DefaultSubnet());
  std::string ip = mt["IpAddress"];
  int port = mt["Port"];
  EXPECT_EQ(port, daemon_.nfs_port());
  EXPECT_TRUE(CanConnect(ip, port));

  ASSERT_EQ(daemon_.Stop(), 0);
  EXPECT_FALSE(CanConnect(ip, port));
  ASSERT_TRUE(daemon_.Start()) << daemon_.log();

  Json described = EfsJson({"describe-fs", "--file-system-id", fs});
  ASSERT_EQ(described["FileSystems"].size(), 1u);
  EXPECT_EQ(described["FileSystems"][0]["Name"], "kept");
  EXPECT_EQ(described["FileSystems"][0]["NumberOfMountTargets"], 1);
  Json mts = EfsJson({"describe-mount-targets", "--file-system-id", fs});
  ASSERT_EQ(mts["MountTargets"].size(), 1u);
  EXPECT_EQ(mts["MountTargets"][0]["LifeCycleState"], "available");
  EXPECT_TRUE(CanConnect(ip, port));
}

TEST_F(Daemon, DeletingAMountTargetClosesItsListener) {
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet("local-1b"));
  ASSERT_TRUE(CanConnect(mt["IpAddress"], mt["Port"]));
  EfsJson({"delete-mount-target", "--mount-target-id", mt["MountTargetId"], "--wait"});
  EXPECT_FALSE(CanConnect(mt["IpAddress"], mt["Port"]));
}

TEST_F(Daemon, AFileSystemHasADataDirectoryUntilItIsDeleted) {
  std::string fs = CreateFs();
  std::string dir = daemon_.state_dir() + "/fs/" + fs;
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  EfsJson({"delete-fs", "--file-system-id", fs, "--wait"});
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST_F(Daemon, KillNineLosesNothingThatWasAcknowledged) {
  // Writers create file systems as fast as they can; the daemon is killed mid-stream. Every
  // creation that was answered must be there after the restart.
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto client = daemon_.Connect();
      if (!client) return;
      for (int i = 0; i < 5000 && !stop; ++i) {
        api::CreateFileSystemRequest req;
        req.creation_token = "crash-" + std::to_string(w) + "-" + std::to_string(i);
        auto r = client->Send("CreateFileSystem", req);
        if (!r.ok()) return;  // the daemon died under us
        std::lock_guard<std::mutex> lock(mu);
        acked.insert((*r)["FileSystemId"].get<std::string>());
      }
    });
  }
  for (int i = 0; i < 200; ++i) {  // until some have landed, at most 10 s
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acked.size() >= 50) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  daemon_.Kill();
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GE(acked.size(), 1u);

  ASSERT_TRUE(daemon_.Start()) << daemon_.log();
  std::set<std::string> present;
  std::string marker;
  for (int page = 0; page < 1000; ++page) {
    std::vector<std::string> args = {"describe-fs", "--max-items", "1000"};
    if (!marker.empty()) args.insert(args.end(), {"--marker", marker});
    Json all = EfsJson(args);
    for (const auto& fs : all["FileSystems"]) present.insert(fs["FileSystemId"]);
    if (!all.contains("NextMarker")) break;
    marker = all["NextMarker"];
  }
  for (const auto& id : acked) EXPECT_TRUE(present.count(id)) << id << " was acknowledged, then lost";
  // And the interrupted ones finish their state machine after the restart.
  std::string any = *acked.begin();
  bool available = false;
  for (int i = 0; i < 100 && !available; ++i) {
    Json d = EfsJson({"describe-fs", "--file-system-id", any});
    available = d["FileSystems"][0]["LifeCycleState"] == "available";
    if (!available) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(available);
}

TEST_F(Daemon, AStateDirectoryCanBeSharedByNoOneElseEvenAfterACrash) {
  daemon_.Kill();
  // The lock dies with the process: a new daemon starts at once on the same directory.
  ASSERT_TRUE(daemon_.Start()) << daemon_.log();
  EXPECT_EQ(daemon_.Efs({"status"}).rc, 0);
}

}  // namespace
}  // namespace efs::e2e

// Shared fixture for the control-plane tests: a temporary state directory, a FakeClock, a fake
// Endpoints that records listeners (and can be told to fail), and helpers that create file
// systems and mount targets and run Reconcile().
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "control/control_plane.h"
#include "control/endpoints.h"
#include "testutil/temp_dir.h"

namespace efs::control::testing {

using testutil::TempDir;

// Records which listeners are open; Open() fails for addresses in fail_ips.
class FakeEndpoints final : public Endpoints {
 public:
  Status Open(const std::string& id, const std::string& ip, int port) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++open_calls_;
    if (fail_ips_.count(ip)) return IOError("cannot bind " + ip + ": address not available");
    open_[id] = ip + ":" + std::to_string(port);
    return Status::Ok();
  }
  void Close(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    open_.erase(id);
  }
  void FailOn(const std::string& ip) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ips_.insert(ip);
  }
  bool IsOpen(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return open_.count(id) > 0;
  }
  std::string Address(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return open_.count(id) ? open_[id] : "";
  }
  size_t open_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return open_.size();
  }
  int open_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return open_calls_;
  }
  // As a daemon started with --test-clock over `clock` (null: as any other daemon).
  void UseTestClock(FakeClock* clock) { test_clock_ = clock; }
  Result<api::ClockReading> AdvanceClock(double seconds) override {
    FakeClock* clock = test_clock_.load();
    if (clock == nullptr) return Endpoints::AdvanceClock(seconds);
    clock->Advance(seconds);
    return api::ClockReading{clock->Now(), seconds};
  }
  // Serves `store` as file system `id`'s data (as a daemon's Exports do).
  void Serve(const std::string& id, std::shared_ptr<fs::FileSystem> store) {
    std::lock_guard<std::mutex> lock(mu_);
    stores_[id] = std::move(store);
  }
  Result<std::shared_ptr<fs::FileSystem>> Store(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = stores_.find(id);
    if (it == stores_.end()) return Endpoints::Store(id);
    return it->second;
  }
  void LifecycleChanged(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    lifecycle_changes_.push_back(id);
  }
  std::vector<std::string> lifecycle_changes() {
    std::lock_guard<std::mutex> lock(mu_);
    return lifecycle_changes_;
  }

 private:
  std::atomic<FakeClock*> test_clock_{nullptr};
  std::mutex mu_;
  std::map<std::string, std::string> open_;
  std::set<std::string> fail_ips_;
  std::map<std::string, std::shared_ptr<fs::FileSystem>> stores_;
  std::vector<std::string> lifecycle_changes_;
  int open_calls_ = 0;
};

inline std::string ReasonOf(const Status& status) { return status.ok() ? "ok" : status.reason(); }
template <class T>
std::string ReasonOf(const Result<T>& result) {
  return result.ok() ? "ok" : result.status().reason();
}
template <class T>
Code CodeOf(const Result<T>& result) {
  return result.ok() ? Code::kOk : result.status().code();
}
inline Code CodeOf(const Status& status) { return status.code(); }

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // (Re)opens the control plane on the same state directory and catalog.
  void Reopen() {
    control.reset();
    options.state_dir = dir.path();
    if (options.catalog_path.empty()) options.catalog_path = dir.path() + "/catalog.db";
    options.version = "9.9.9";
    options.socket_path = "/run/efsd-test.sock";
    options.start_time = 1690000000;
    Result<std::unique_ptr<ControlPlane>> opened = ControlPlane::Open(options, &clock, &endpoints);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    control = std::move(opened).value();
  }

  // Switches to a fresh in-memory catalog: for tests that make thousands of changes and would
  // otherwise wait on an fsync for each.
  void UseMemoryCatalog() {
    options.catalog_path = ":memory:";
    Reopen();
  }

  api::FileSystemDescription Describe(const std::string& fs_id) {
    api::DescribeFileSystemsRequest req;
    req.file_system_id = fs_id;
    Result<api::DescribeFileSystemsResponse> resp = control->DescribeFileSystems(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    if (!resp.ok() || resp->file_systems.empty()) return {};
    return resp->file_systems[0];
  }

  // Creates a file system and reconciles it to available; returns its id.
  std::string CreateFs(const std::string& token, api::CreateFileSystemRequest req = {}) {
    req.creation_token = token;
    Result<api::FileSystemDescription> fs = control->CreateFileSystem(req);
    EXPECT_TRUE(fs.ok()) << fs.status().ToString();
    if (!fs.ok()) return "";
    control->Reconcile();
    return fs->file_system_id;
  }

  // The default subnet of zone `az` (0..2).
  api::Subnet DefaultSubnet(int az) {
    Result<api::DescribeSubnetsResponse> subnets = control->DescribeSubnets({});
    EXPECT_TRUE(subnets.ok());
    for (const api::Subnet& s : subnets->subnets) {
      if (s.default_for_az && s.availability_zone == options.region + static_cast<char>('a' + az)) {
        return s;
      }
    }
    ADD_FAILURE() << "no default subnet for zone " << az;
    return {};
  }

  std::string DefaultGroupId() {
    Result<api::DescribeSecurityGroupsResponse> groups = control->DescribeSecurityGroups({});
    EXPECT_TRUE(groups.ok());
    for (const api::SecurityGroup& g : groups->security_groups) {
      if (g.group_name == "default") return g.group_id;
    }
    ADD_FAILURE() << "no default security group";
    return "";
  }

  // Creates a mount target and reconciles it; returns its description as created.
  api::MountTargetDescription CreateMt(const std::string& fs_id, const std::string& subnet_id,
                                       std::optional<std::string> ip = std::nullopt) {
    api::CreateMountTargetRequest req;
    req.file_system_id = fs_id;
    req.subnet_id = subnet_id;
    req.ip_address = ip;
    Result<api::MountTargetDescription> mt = control->CreateMountTarget(req);
    EXPECT_TRUE(mt.ok()) << mt.status().ToString();
    control->Reconcile();
    return mt.ok() ? *mt : api::MountTargetDescription{};
  }

  api::MountTargetDescription DescribeMt(const std::string& mt_id) {
    api::DescribeMountTargetsRequest req;
    req.mount_target_id = mt_id;
    Result<api::DescribeMountTargetsResponse> resp = control->DescribeMountTargets(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    if (!resp.ok() || resp->mount_targets.empty()) return {};
    return resp->mount_targets[0];
  }

  TempDir dir;
  FakeClock clock;
  FakeEndpoints endpoints;
  Options options;
  std::unique_ptr<ControlPlane> control;
};

}  // namespace efs::control::testing

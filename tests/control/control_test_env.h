// Shared fixture for the control-plane tests: a temporary state directory, a FakeClock, a fake
// Endpoints that records listeners and what the netns backend was asked to make (and can be
// told to fail), and helpers that create file systems and mount targets and run Reconcile().
// NetnsControlTest opens the control plane with the netns network backend, with helpers for
// VPCs, subnets and network interfaces.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "control/control_plane.h"
#include "control/endpoints.h"
#include "testutil/temp_dir.h"

namespace efs::net {

// For gtest's messages.
inline void PrintTo(EniSpec::Kind kind, std::ostream* out) {
  *out << (kind == EniSpec::Kind::kMountTarget ? "kMountTarget"
           : kind == EniSpec::Kind::kNetns     ? "kNetns"
                                               : "kDevice");
}

}  // namespace efs::net

namespace efs::control::testing {

using testutil::TempDir;

// Records which listeners are open (and in which namespace); Open() fails for addresses in
// fail_ips. For the netns backend it records the last VpcSpec applied per VPC and what was
// removed or given back, answers HostDeviceExists() false for devices taken away, and fails
// ApplyVpc for VPCs (or single interfaces and VPN devices) it was told to.
class FakeEndpoints final : public Endpoints {
 public:
  Status Open(const std::string& id, const std::string& netns, const std::string& ip,
              int port) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++open_calls_;
    if (fail_ips_.count(ip)) return IOError("cannot bind " + ip + ": address not available");
    open_[id] = ip + ":" + std::to_string(port);
    open_netns_[id] = netns;
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
  // The namespace listener `id` was opened in ("" : efsd's own).
  std::string ListenerNetns(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return open_netns_.count(id) ? open_netns_[id] : "";
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

  // --- the netns backend
  Status ApplyVpc(const net::VpcSpec& spec, std::map<std::string, Status>* failures) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++apply_calls_;
    if (failing_vpcs_.count(spec.vpc_id)) {
      return IOError("cannot make the namespaces of vpc '" + spec.vpc_id + "'");
    }
    applied_[spec.vpc_id] = spec;
    auto fail = [&](const std::string& id) {
      if (failing_.count(id) && failures != nullptr) (*failures)[id] = IOError("cannot make " + id);
    };
    for (const net::EniSpec& eni : spec.enis) fail(eni.id);
    for (const std::string& device : spec.gateway_devices) fail(device);
    return Status::Ok();
  }
  Status RemoveVpc(const net::VpcSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    removed_vpcs_.push_back(spec.vpc_id);
    return Status::Ok();
  }
  Status ReturnDevice(const std::string& netns, const std::string& device) override {
    std::lock_guard<std::mutex> lock(mu_);
    returned_devices_.emplace_back(netns, device);
    return Status::Ok();
  }
  Status RemoveClientNetns(const std::string& eni_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    removed_client_netns_.push_back(eni_id);
    return Status::Ok();
  }
  bool HostDeviceExists(const std::string& device) override {
    std::lock_guard<std::mutex> lock(mu_);
    return !missing_devices_.count(device);
  }

  // The spec last applied for `vpc_id`, if any was.
  std::optional<net::VpcSpec> Applied(const std::string& vpc_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = applied_.find(vpc_id);
    if (it == applied_.end()) return std::nullopt;
    return it->second;
  }
  int apply_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return apply_calls_;
  }
  std::vector<std::string> removed_vpcs() {
    std::lock_guard<std::mutex> lock(mu_);
    return removed_vpcs_;
  }
  // (namespace name, device) per ReturnDevice call.
  std::vector<std::pair<std::string, std::string>> returned_devices() {
    std::lock_guard<std::mutex> lock(mu_);
    return returned_devices_;
  }
  std::vector<std::string> removed_client_netns() {
    std::lock_guard<std::mutex> lock(mu_);
    return removed_client_netns_;
  }
  // HostDeviceExists(device) answers false from now on.
  void RemoveHostDevice(const std::string& device) {
    std::lock_guard<std::mutex> lock(mu_);
    missing_devices_.insert(device);
  }
  // ApplyVpc fails as a whole for `vpc_id` (or, healed, succeeds again).
  void FailVpc(const std::string& vpc_id) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_vpcs_.insert(vpc_id);
  }
  void HealVpc(const std::string& vpc_id) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_vpcs_.erase(vpc_id);
  }
  // ApplyVpc reports interface `id` (an eni id, or a VPN gateway's device) in `failures`, and
  // does the rest, until healed.
  void FailInterface(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_.insert(id);
  }
  void HealInterface(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_.erase(id);
  }

 private:
  std::atomic<FakeClock*> test_clock_{nullptr};
  std::mutex mu_;
  std::map<std::string, std::string> open_;
  std::set<std::string> fail_ips_;
  std::map<std::string, std::shared_ptr<fs::FileSystem>> stores_;
  std::vector<std::string> lifecycle_changes_;
  int open_calls_ = 0;
  std::map<std::string, std::string> open_netns_;
  std::map<std::string, net::VpcSpec> applied_;
  int apply_calls_ = 0;
  std::vector<std::string> removed_vpcs_;
  std::vector<std::pair<std::string, std::string>> returned_devices_;
  std::vector<std::string> removed_client_netns_;
  std::set<std::string> missing_devices_;
  std::set<std::string> failing_vpcs_;
  std::set<std::string> failing_;
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

// The control plane of the netns network backend, on a new catalog: its default VPC is
// 172.31.0.0/16 and pending until the first Reconcile().
class NetnsControlTest : public ControlTest {
 protected:
  void SetUp() override {
    options.network_backend = "netns";
    ControlTest::SetUp();
  }

  // Switches to a new catalog of the loopback backend.
  void ReopenWithLoopback() {
    options.network_backend = "loopback";
    options.catalog_path = dir.Join("loopback.db");
    Reopen();
  }

  std::string DefaultVpcId() {
    Result<api::DescribeVpcsResponse> vpcs = control->DescribeVpcs({});
    EXPECT_TRUE(vpcs.ok()) << vpcs.status().ToString();
    for (const api::Vpc& vpc : vpcs.ok() ? vpcs->vpcs : std::vector<api::Vpc>{}) {
      if (vpc.is_default) return vpc.vpc_id;
    }
    ADD_FAILURE() << "no default vpc";
    return "";
  }

  Result<api::CreateVpcResponse> CreateVpc(const std::string& cidr) {
    api::CreateVpcRequest req;
    req.cidr_block = cidr;
    return control->CreateVpc(req);
  }
  // Creates a VPC (left pending); returns its id.
  std::string NewVpc(const std::string& cidr) {
    Result<api::CreateVpcResponse> vpc = CreateVpc(cidr);
    EXPECT_TRUE(vpc.ok()) << cidr << ": " << vpc.status().ToString();
    return vpc.ok() ? vpc->vpc.vpc_id : "";
  }
  api::Vpc DescribeVpc(const std::string& vpc_id) {
    api::DescribeVpcsRequest req;
    req.vpc_ids = {vpc_id};
    Result<api::DescribeVpcsResponse> resp = control->DescribeVpcs(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() && resp->vpcs.size() == 1 ? resp->vpcs[0] : api::Vpc{};
  }

  Result<api::CreateSubnetResponse> CreateSubnet(const std::string& vpc_id, const std::string& cidr,
                                                 const std::string& az = "local-1a") {
    api::CreateSubnetRequest req;
    req.vpc_id = vpc_id;
    req.cidr_block = cidr;
    req.availability_zone = az;
    return control->CreateSubnet(req);
  }
  std::string NewSubnet(const std::string& vpc_id, const std::string& cidr,
                        const std::string& az = "local-1a") {
    Result<api::CreateSubnetResponse> subnet = CreateSubnet(vpc_id, cidr, az);
    EXPECT_TRUE(subnet.ok()) << cidr << ": " << subnet.status().ToString();
    return subnet.ok() ? subnet->subnet.subnet_id : "";
  }
  api::Subnet DescribeSubnet(const std::string& subnet_id) {
    api::DescribeSubnetsRequest req;
    req.subnet_ids = {subnet_id};
    Result<api::DescribeSubnetsResponse> resp = control->DescribeSubnets(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() && resp->subnets.size() == 1 ? resp->subnets[0] : api::Subnet{};
  }

  Result<api::CreateNetworkInterfaceResponse> CreateEni(
      const std::string& subnet_id, std::optional<std::string> ip = std::nullopt) {
    api::CreateNetworkInterfaceRequest req;
    req.subnet_id = subnet_id;
    req.private_ip_address = std::move(ip);
    return control->CreateNetworkInterface(req);
  }
  // Creates a network interface; returns its id.
  std::string NewEni(const std::string& subnet_id, std::optional<std::string> ip = std::nullopt) {
    Result<api::CreateNetworkInterfaceResponse> eni = CreateEni(subnet_id, std::move(ip));
    EXPECT_TRUE(eni.ok()) << eni.status().ToString();
    return eni.ok() ? eni->network_interface.network_interface_id : "";
  }
  api::NetworkInterface DescribeEni(const std::string& eni_id) {
    api::DescribeNetworkInterfacesRequest req;
    req.network_interface_ids = {eni_id};
    Result<api::DescribeNetworkInterfacesResponse> resp = control->DescribeNetworkInterfaces(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() && resp->network_interfaces.size() == 1 ? resp->network_interfaces[0]
                                                             : api::NetworkInterface{};
  }
  // Attaches `eni_id` to a namespace efsd makes; returns the attachment id.
  std::string AttachToNewNetns(const std::string& eni_id) {
    api::AttachNetworkInterfaceRequest req;
    req.network_interface_id = eni_id;
    req.create_netns = true;
    Result<api::AttachNetworkInterfaceResponse> attached = control->AttachNetworkInterface(req);
    EXPECT_TRUE(attached.ok()) << attached.status().ToString();
    return attached.ok() ? attached->attachment_id : "";
  }

  // The spec ApplyVpc was last given for `vpc_id` (empty, and a failure, if none was).
  net::VpcSpec AppliedSpec(const std::string& vpc_id) {
    std::optional<net::VpcSpec> spec = endpoints.Applied(vpc_id);
    EXPECT_TRUE(spec.has_value()) << "no spec was applied for " << vpc_id;
    return spec.value_or(net::VpcSpec{});
  }
  // The interface `id` of `spec`, or null.
  static const net::EniSpec* FindEni(const net::VpcSpec& spec, const std::string& id) {
    for (const net::EniSpec& eni : spec.enis) {
      if (eni.id == id) return &eni;
    }
    return nullptr;
  }

  Result<api::VpcPeeringConnectionResponse> Peer(const std::string& vpc_id,
                                                 const std::string& peer_vpc_id) {
    api::CreateVpcPeeringConnectionRequest req;
    req.vpc_id = vpc_id;
    req.peer_vpc_id = peer_vpc_id;
    return control->CreateVpcPeeringConnection(req);
  }

  // The id of `vpc_id`'s main route table.
  std::string RouteTableOf(const std::string& vpc_id) {
    api::DescribeRouteTablesRequest req;
    req.vpc_id = vpc_id;
    Result<api::DescribeRouteTablesResponse> resp = control->DescribeRouteTables(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() && resp->route_tables.size() == 1 ? resp->route_tables[0].route_table_id : "";
  }
};

}  // namespace efs::control::testing

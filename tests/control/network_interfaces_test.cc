// Network interfaces of the netns backend, shaped as EC2 shapes them: an address (and prefixes)
// in a subnet, attached to a client (a namespace efsd makes, an existing namespace, a process's
// namespace or a host device), detached and deleted; efs mount's own host interface; the
// interfaces of mount targets; and interfaces whose owner process ended.
#include <signal.h>
#include <unistd.h>

#include <climits>

#include "base/ids.h"
#include "control/control_test_env.h"
#include "net/netns.h"
#include "testutil/subprocess.h"

namespace efs::control {
namespace {

using testing::CodeOf;
using testing::NetnsControlTest;
using testing::ReasonOf;

class NetworkInterfaces : public NetnsControlTest {
 protected:
  static api::AttachNetworkInterfaceRequest To(const std::string& eni_id) {
    api::AttachNetworkInterfaceRequest req;
    req.network_interface_id = eni_id;
    return req;
  }
  Result<api::AttachNetworkInterfaceResponse> Attach(
      const api::AttachNetworkInterfaceRequest& req) {
    return control->AttachNetworkInterface(req);
  }
  // Attaches `eni_id` to host device `device`; returns the attachment id.
  std::string AttachToDevice(const std::string& eni_id, const std::string& device) {
    api::AttachNetworkInterfaceRequest req = To(eni_id);
    req.device = device;
    Result<api::AttachNetworkInterfaceResponse> attached = Attach(req);
    EXPECT_TRUE(attached.ok()) << attached.status().ToString();
    return attached.ok() ? attached->attachment_id : "";
  }
  Status Detach(const std::string& attachment_id) {
    return control->DetachNetworkInterface({attachment_id});
  }
  Status Delete(const std::string& eni_id) { return control->DeleteNetworkInterface({eni_id}); }
  Result<api::DescribeNetworkInterfacesResponse> DescribeIds(std::vector<std::string> ids) {
    api::DescribeNetworkInterfacesRequest req;
    req.network_interface_ids = std::move(ids);
    return control->DescribeNetworkInterfaces(req);
  }
  // The ids `req` describes.
  std::set<std::string> IdsOf(const api::DescribeNetworkInterfacesRequest& req) {
    Result<api::DescribeNetworkInterfacesResponse> resp = control->DescribeNetworkInterfaces(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    std::set<std::string> ids;
    if (!resp.ok()) return ids;
    for (const api::NetworkInterface& n : resp->network_interfaces)
      ids.insert(n.network_interface_id);
    return ids;
  }
  // `eni_id` as the last spec of its VPC has it (a failure, and null, if it has not).
  const net::EniSpec* Spec(const std::string& eni_id) {
    spec_ = AppliedSpec(DescribeEni(eni_id).vpc_id);
    const net::EniSpec* eni = FindEni(spec_, eni_id);
    EXPECT_NE(eni, nullptr) << eni_id << " is not in its vpc's spec";
    return eni;
  }
  std::string SubnetA() { return DefaultSubnet(0).subnet_id; }  // 172.31.0.0/20
  std::string SubnetB() { return DefaultSubnet(1).subnet_id; }  // 172.31.16.0/20

  net::VpcSpec spec_;
};

// ----------------------------------------------------------------------------- create

TEST_F(NetworkInterfaces, ANewInterfaceTakesTheFirstAddressAfterTheFourReserved) {
  api::CreateNetworkInterfaceRequest req;
  req.subnet_id = SubnetB();
  req.description = "web";
  Result<api::CreateNetworkInterfaceResponse> created = control->CreateNetworkInterface(req);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const api::NetworkInterface& eni = created->network_interface;
  EXPECT_TRUE(IsValidId(eni.network_interface_id, "eni"));
  EXPECT_EQ(eni.subnet_id, SubnetB());
  EXPECT_EQ(eni.vpc_id, DefaultVpcId());
  EXPECT_EQ(eni.availability_zone, "local-1b");
  EXPECT_EQ(eni.availability_zone_id, "lcl1-az2");
  EXPECT_EQ(eni.description, "web");
  EXPECT_EQ(eni.interface_type, "interface");
  EXPECT_EQ(eni.owner_id, "000000000000");
  EXPECT_FALSE(eni.requester_id.has_value());
  EXPECT_FALSE(eni.requester_managed);
  EXPECT_TRUE(eni.source_dest_check);
  EXPECT_EQ(eni.status, "available");
  EXPECT_EQ(eni.private_ip_address, "172.31.16.4");
  ASSERT_EQ(eni.private_ip_addresses.size(), 1u);
  EXPECT_TRUE(eni.private_ip_addresses[0].primary);
  EXPECT_EQ(eni.private_ip_addresses[0].private_ip_address, "172.31.16.4");
  EXPECT_TRUE(eni.ipv4_prefixes.empty());
  EXPECT_FALSE(eni.attachment.has_value());
  EXPECT_EQ(DescribeEni(eni.network_interface_id).status, "available");

  EXPECT_EQ(DescribeEni(NewEni(SubnetB())).private_ip_address, "172.31.16.5");
}

TEST_F(NetworkInterfaces, MountTargetsAndInterfacesNeverShareAnAddress) {
  EXPECT_EQ(DescribeEni(NewEni(SubnetA())).private_ip_address, "172.31.0.4");
  api::MountTargetDescription mt = CreateMt(CreateFs("fs"), SubnetA());
  EXPECT_EQ(mt.ip_address, "172.31.0.5");
  EXPECT_EQ(DescribeEni(NewEni(SubnetA())).private_ip_address, "172.31.0.6");

  Result<api::CreateNetworkInterfaceResponse> taken = CreateEni(SubnetA(), "172.31.0.4");
  EXPECT_EQ(ReasonOf(taken), "InvalidIPAddress.InUse");
  EXPECT_EQ(CodeOf(taken), Code::kAlreadyExists);
  EXPECT_EQ(ReasonOf(CreateEni(SubnetA(), mt.ip_address)), "InvalidIPAddress.InUse");
  EXPECT_EQ(DescribeEni(NewEni(SubnetA(), "172.31.0.200")).private_ip_address, "172.31.0.200");
}

TEST_F(NetworkInterfaces, AMountTargetCannotTakeAnAddressOfAnInterfacesPrefix) {
  api::CreateNetworkInterfaceRequest req;
  req.subnet_id = SubnetA();
  req.ipv4_prefixes = {{"172.31.0.64/28"}};
  ASSERT_TRUE(control->CreateNetworkInterface(req).ok());
  api::CreateMountTargetRequest mt;
  mt.file_system_id = CreateFs("fs");
  mt.subnet_id = SubnetA();
  mt.ip_address = "172.31.0.70";
  EXPECT_EQ(ReasonOf(control->CreateMountTarget(mt)), "IpAddressInUse");
}

TEST_F(NetworkInterfaces, AnAddressOutsideTheSubnetOrReservedInItIsInvalidParameterValue) {
  for (const char* bad : {"172.31.16.10", "10.0.0.1", "172.31.0.0", "172.31.0.1", "172.31.0.3",
                          "172.31.15.255", "banana", ""}) {
    Result<api::CreateNetworkInterfaceResponse> eni = CreateEni(SubnetA(), bad);
    EXPECT_EQ(ReasonOf(eni), "InvalidParameterValue") << bad;
    EXPECT_EQ(CodeOf(eni), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(DescribeSubnet(SubnetA()).available_ip_address_count, 4096 - 5);
}

TEST_F(NetworkInterfaces, APrefixCountGivesAlignedSlash28sThatLaterAddressesAvoid) {
  api::CreateNetworkInterfaceRequest req;
  req.subnet_id = SubnetA();
  req.ipv4_prefix_count = 2;
  Result<api::CreateNetworkInterfaceResponse> created = control->CreateNetworkInterface(req);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->network_interface.private_ip_address, "172.31.0.4");
  // 172.31.0.0/28 holds reserved addresses and the one just given.
  ASSERT_EQ(created->network_interface.ipv4_prefixes.size(), 2u);
  EXPECT_EQ(created->network_interface.ipv4_prefixes[0].ipv4_prefix, "172.31.0.16/28");
  EXPECT_EQ(created->network_interface.ipv4_prefixes[1].ipv4_prefix, "172.31.0.32/28");

  EXPECT_EQ(ReasonOf(CreateEni(SubnetA(), "172.31.0.20")), "InvalidIPAddress.InUse");
  for (int i = 5; i <= 15; ++i) {
    EXPECT_EQ(DescribeEni(NewEni(SubnetA())).private_ip_address, "172.31.0." + std::to_string(i));
  }
  EXPECT_EQ(DescribeEni(NewEni(SubnetA())).private_ip_address, "172.31.0.48");
}

TEST_F(NetworkInterfaces, GivenPrefixesAreTakenWhenAllTheirAddressesAreFree) {
  api::CreateNetworkInterfaceRequest req;
  req.subnet_id = SubnetA();
  req.ipv4_prefixes = {{"172.31.0.64/28"}, {"172.31.1.0/24"}};
  Result<api::CreateNetworkInterfaceResponse> created = control->CreateNetworkInterface(req);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_EQ(created->network_interface.ipv4_prefixes.size(), 2u);
  EXPECT_EQ(created->network_interface.ipv4_prefixes[1].ipv4_prefix, "172.31.1.0/24");
  EXPECT_EQ(DescribeSubnet(SubnetA()).available_ip_address_count, 4096 - 5 - 1 - 16 - 256);

  req.ipv4_prefixes = {{"172.31.0.64/28"}};
  EXPECT_EQ(ReasonOf(control->CreateNetworkInterface(req)), "InvalidIPAddress.InUse");
  req.ipv4_prefixes = {{"172.31.0.0/28"}};  // reserved addresses
  EXPECT_EQ(ReasonOf(control->CreateNetworkInterface(req)), "InvalidIPAddress.InUse");
  for (const char* bad : {"172.31.0.88/28", "172.31.16.0/28", "172.31.2.0/30", "banana"}) {
    req.ipv4_prefixes = {{bad}};
    EXPECT_EQ(ReasonOf(control->CreateNetworkInterface(req)), "InvalidParameterValue") << bad;
  }
}

TEST_F(NetworkInterfaces, PrefixesAndAPrefixCountTogetherAreInvalidParameterCombination) {
  api::CreateNetworkInterfaceRequest req;
  req.subnet_id = SubnetA();
  req.ipv4_prefixes = {{"172.31.0.64/28"}};
  req.ipv4_prefix_count = 1;
  Result<api::CreateNetworkInterfaceResponse> both = control->CreateNetworkInterface(req);
  EXPECT_EQ(ReasonOf(both), "InvalidParameterCombination");
  EXPECT_EQ(CodeOf(both), Code::kInvalidArgument);
  req.ipv4_prefixes.clear();
  for (int count : {0, 17, -1}) {
    req.ipv4_prefix_count = count;
    EXPECT_EQ(ReasonOf(control->CreateNetworkInterface(req)), "InvalidParameterValue") << count;
  }
}

TEST_F(NetworkInterfaces, ASlash28SubnetRunsOutOfAddressesAfterEleven) {
  std::string subnet = NewSubnet(DefaultVpcId(), "172.31.48.0/28");
  for (int i = 4; i <= 14; ++i) {
    EXPECT_EQ(DescribeEni(NewEni(subnet)).private_ip_address, "172.31.48." + std::to_string(i));
  }
  Result<api::CreateNetworkInterfaceResponse> full = CreateEni(subnet);
  EXPECT_EQ(ReasonOf(full), "InsufficientFreeAddressesInSubnet");
  EXPECT_EQ(CodeOf(full), Code::kResourceExhausted);
  EXPECT_EQ(DescribeSubnet(subnet).available_ip_address_count, 0);
}

TEST_F(NetworkInterfaces, CreateChecksTheDescriptionAndTheSubnet) {
  api::CreateNetworkInterfaceRequest req;
  req.subnet_id = SubnetA();
  req.description = std::string(256, 'd');
  EXPECT_EQ(ReasonOf(control->CreateNetworkInterface(req)), "InvalidParameterValue");
  req.description = std::string(255, 'd');
  EXPECT_TRUE(control->CreateNetworkInterface(req).ok());
  Result<api::CreateNetworkInterfaceResponse> unknown = CreateEni(NewId("subnet"));
  EXPECT_EQ(ReasonOf(unknown), "InvalidSubnetID.NotFound");
  EXPECT_EQ(CodeOf(unknown), Code::kNotFound);
}

TEST_F(NetworkInterfaces, TheLoopbackBackendHasNoInterfaces) {
  ReopenWithLoopback();
  Result<api::CreateNetworkInterfaceResponse> created = CreateEni(SubnetA());
  EXPECT_EQ(ReasonOf(created), "UnsupportedOperation");
  EXPECT_EQ(CodeOf(created), Code::kFailedPrecondition);
  api::AttachNetworkInterfaceRequest req = To(NewId("eni"));
  req.create_netns = true;
  EXPECT_EQ(ReasonOf(Attach(req)), "UnsupportedOperation");
  EXPECT_EQ(ReasonOf(control->EnsureHostInterface({SubnetA()})), "UnsupportedOperation");
}

// ----------------------------------------------------------------------------- attach

TEST_F(NetworkInterfaces, AnAttachmentNamesExactlyOneTarget) {
  std::string eni = NewEni(SubnetA());
  std::vector<api::AttachNetworkInterfaceRequest> wrong(4, To(eni));
  wrong[1].netns = "/proc/self/ns/net";
  wrong[1].device = "tap0";
  wrong[2].pid = static_cast<int>(getpid());
  wrong[2].create_netns = true;
  wrong[3].netns = "/proc/self/ns/net";
  wrong[3].pid = static_cast<int>(getpid());
  for (const api::AttachNetworkInterfaceRequest& req : wrong) {
    Result<api::AttachNetworkInterfaceResponse> attached = Attach(req);
    EXPECT_EQ(ReasonOf(attached), "InvalidParameterCombination");
    EXPECT_EQ(CodeOf(attached), Code::kInvalidArgument);
  }
  EXPECT_EQ(DescribeEni(eni).status, "available");
  EXPECT_FALSE(DescribeEni(eni).attachment.has_value());
}

TEST_F(NetworkInterfaces, AnInterfaceAttachedToANewNamespaceIsAttachingThenInUse) {
  std::string eni = NewEni(SubnetB());
  std::string attachment = AttachToNewNetns(eni);
  EXPECT_TRUE(IsValidId(attachment, "eni-attach"));
  api::NetworkInterface described = DescribeEni(eni);
  EXPECT_EQ(described.status, "attaching");
  ASSERT_TRUE(described.attachment.has_value());
  EXPECT_EQ(described.attachment->attachment_id, attachment);
  EXPECT_EQ(described.attachment->status, "attaching");
  EXPECT_EQ(described.attachment->netns, net::NetnsPath(net::ClientNetns(eni)));
  EXPECT_EQ(described.attachment->interface_name, "eth0");
  EXPECT_FALSE(described.attachment->device.has_value());
  EXPECT_DOUBLE_EQ(described.attachment->attach_time, clock.Now());

  control->Reconcile();
  described = DescribeEni(eni);
  EXPECT_EQ(described.status, "in-use");
  EXPECT_EQ(described.attachment->status, "attached");
  const net::EniSpec* spec = Spec(eni);
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->kind, net::EniSpec::Kind::kNetns);
  EXPECT_TRUE(spec->make_netns);
  EXPECT_EQ(spec->netns_path, net::NetnsPath(net::ClientNetns(eni)));
  EXPECT_EQ(spec->ifname, "eth0");
  EXPECT_EQ(spec->az_id, "lcl1-az2");
  EXPECT_EQ(spec->ip, "172.31.16.4");
  EXPECT_EQ(spec->routed, std::vector<std::string>{"172.31.16.4/32"});
  EXPECT_EQ(spec->prefix_length, 20);
  EXPECT_EQ(spec->gateway, "172.31.16.1");  // the subnet's router
  EXPECT_EQ(spec->client_routes, std::vector<std::string>{"default"});
  EXPECT_EQ(spec->dns_ip, "172.31.0.2");  // the VPC's resolver
}

TEST_F(NetworkInterfaces, AnExistingNamespaceKeepsItsDefaultRouteAndIsRoutedTheVpc) {
  std::string eni = NewEni(SubnetA());
  api::AttachNetworkInterfaceRequest req = To(eni);
  req.netns = "/proc/self/ns/net";
  ASSERT_TRUE(Attach(req).ok());
  api::NetworkInterface described = DescribeEni(eni);
  ASSERT_TRUE(described.attachment.has_value());
  EXPECT_EQ(described.attachment->netns, "/proc/self/ns/net");
  EXPECT_EQ(described.attachment->interface_name, "efs0");
  control->Reconcile();
  const net::EniSpec* spec = Spec(eni);
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->kind, net::EniSpec::Kind::kNetns);
  EXPECT_FALSE(spec->make_netns);
  EXPECT_EQ(spec->netns_path, "/proc/self/ns/net");
  EXPECT_EQ(spec->ifname, "efs0");
  EXPECT_EQ(spec->client_routes, std::vector<std::string>{"172.31.0.0/16"});
  EXPECT_EQ(spec->dns_ip, "");
}

TEST_F(NetworkInterfaces, APidAttachesToThatProcesssNamespaceUnderTheNameAsked) {
  std::string eni = NewEni(SubnetA());
  api::AttachNetworkInterfaceRequest req = To(eni);
  req.pid = static_cast<int>(getpid());
  req.interface_name = "vpc0";
  ASSERT_TRUE(Attach(req).ok());
  api::NetworkInterface described = DescribeEni(eni);
  ASSERT_TRUE(described.attachment.has_value());
  EXPECT_EQ(described.attachment->netns, "/proc/" + std::to_string(getpid()) + "/ns/net");
  EXPECT_EQ(described.attachment->interface_name, "vpc0");
}

TEST_F(NetworkInterfaces, ADeviceIsMovedIntoTheZoneAndRoutedTheInterfacesAddresses) {
  api::CreateNetworkInterfaceRequest create;
  create.subnet_id = SubnetB();
  create.ipv4_prefix_count = 1;
  Result<api::CreateNetworkInterfaceResponse> created = control->CreateNetworkInterface(create);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::string eni = created->network_interface.network_interface_id;
  AttachToDevice(eni, "tap0");
  api::NetworkInterface described = DescribeEni(eni);
  ASSERT_TRUE(described.attachment.has_value());
  EXPECT_EQ(described.attachment->device, "tap0");
  EXPECT_FALSE(described.attachment->netns.has_value());
  EXPECT_FALSE(described.attachment->interface_name.has_value());
  control->Reconcile();
  EXPECT_EQ(DescribeEni(eni).status, "in-use");
  const net::EniSpec* spec = Spec(eni);
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->kind, net::EniSpec::Kind::kDevice);
  EXPECT_EQ(spec->device, "tap0");
  EXPECT_EQ(spec->routed, (std::vector<std::string>{"172.31.16.4/32", "172.31.16.16/28"}));
  EXPECT_EQ(spec->gateway, "172.31.16.1");
}

TEST_F(NetworkInterfaces, ADeviceThatIsNotOnTheHostIsRefusedAndNothingChanges) {
  std::string eni = NewEni(SubnetA());
  endpoints.RemoveHostDevice("tap9");
  api::AttachNetworkInterfaceRequest req = To(eni);
  req.device = "tap9";
  Result<api::AttachNetworkInterfaceResponse> attached = Attach(req);
  EXPECT_EQ(ReasonOf(attached), "InvalidParameterValue");
  EXPECT_EQ(CodeOf(attached), Code::kInvalidArgument);
  for (const char* bad : {"", "a/b", "has space", "x:1", "sixteen-chars-ab"}) {
    req.device = bad;
    EXPECT_EQ(ReasonOf(Attach(req)), "InvalidParameterValue") << bad;
  }
  EXPECT_EQ(DescribeEni(eni).status, "available");
  EXPECT_FALSE(DescribeEni(eni).attachment.has_value());
  control->Reconcile();
  EXPECT_EQ(FindEni(AppliedSpec(DefaultVpcId()), eni), nullptr);
}

TEST_F(NetworkInterfaces, ADeviceCarriesOneInterfaceOrOneVpnGateway) {
  std::string a = NewEni(SubnetA());
  std::string b = NewEni(SubnetA());
  std::string attachment = AttachToDevice(a, "tap0");
  api::AttachNetworkInterfaceRequest req = To(b);
  req.device = "tap0";
  EXPECT_EQ(ReasonOf(Attach(req)), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(control->CreateVpnGateway({"ipsec.1", std::nullopt, "tap0"})),
            "InvalidParameterValue");
  ASSERT_TRUE(control->CreateVpnGateway({"ipsec.1", std::nullopt, "wg0"}).ok());
  req.device = "wg0";
  EXPECT_EQ(ReasonOf(Attach(req)), "InvalidParameterValue");

  ASSERT_TRUE(Detach(attachment).ok());
  control->Reconcile();
  req.device = "tap0";
  EXPECT_TRUE(Attach(req).ok());  // given back, it may carry another
}

TEST_F(NetworkInterfaces, ANetnsMustBeANamespacesPathAndAPidALiveProcess) {
  std::string eni = NewEni(SubnetA());
  for (const std::string& bad : {dir.path(), std::string("/nonexistent/ns"),
                                 std::string("proc/self/ns/net"), std::string()}) {
    api::AttachNetworkInterfaceRequest req = To(eni);
    req.netns = bad;
    EXPECT_EQ(ReasonOf(Attach(req)), "InvalidParameterValue") << bad;
  }
  api::AttachNetworkInterfaceRequest req = To(eni);
  req.pid = INT_MAX;
  EXPECT_EQ(ReasonOf(Attach(req)), "InvalidParameterValue");
  EXPECT_EQ(DescribeEni(eni).status, "available");
}

TEST_F(NetworkInterfaces, AnOwnerPidMustBeALiveProcessAndGoesWithCreateNetns) {
  std::string eni = NewEni(SubnetA());
  api::AttachNetworkInterfaceRequest req = To(eni);
  req.create_netns = true;
  req.owner_pid = INT_MAX;
  EXPECT_EQ(ReasonOf(Attach(req)), "InvalidParameterValue");
  req = To(eni);
  req.netns = "/proc/self/ns/net";
  req.owner_pid = static_cast<int>(getpid());
  EXPECT_EQ(ReasonOf(Attach(req)), "InvalidParameterValue");
  EXPECT_EQ(DescribeEni(eni).status, "available");
  req = To(eni);
  req.create_netns = true;
  req.owner_pid = static_cast<int>(getpid());
  EXPECT_TRUE(Attach(req).ok());
}

TEST_F(NetworkInterfaces, AnInterfaceNameIsOneLinuxAccepts) {
  std::string eni = NewEni(SubnetA());
  api::AttachNetworkInterfaceRequest req = To(eni);
  req.create_netns = true;
  for (const char* bad : {"", "has space", "a/b", "x:1", "sixteen-chars-ab", ".."}) {
    req.interface_name = bad;
    EXPECT_EQ(ReasonOf(Attach(req)), "InvalidParameterValue") << bad;
  }
  req.interface_name = "fifteen-chars-a";
  EXPECT_TRUE(Attach(req).ok());
}

TEST_F(NetworkInterfaces, AnInterfaceIsAttachedOnceAtATime) {
  std::string eni = NewEni(SubnetA());
  AttachToNewNetns(eni);
  api::AttachNetworkInterfaceRequest again = To(eni);
  again.create_netns = true;
  Result<api::AttachNetworkInterfaceResponse> attaching = Attach(again);
  EXPECT_EQ(ReasonOf(attaching), "InvalidNetworkInterface.InUse");
  EXPECT_EQ(CodeOf(attaching), Code::kFailedPrecondition);
  control->Reconcile();
  EXPECT_EQ(ReasonOf(Attach(again)), "InvalidNetworkInterface.InUse");

  again.network_interface_id = NewId("eni");
  EXPECT_EQ(ReasonOf(Attach(again)), "InvalidNetworkInterfaceID.NotFound");
  again.network_interface_id = "eni-zz";
  EXPECT_EQ(ReasonOf(Attach(again)), "InvalidNetworkInterfaceId.Malformed");
}

TEST_F(NetworkInterfaces, AnInterfaceThatCannotBeMadeStaysAttachingUntilItCan) {
  std::string broken = NewEni(SubnetA());
  std::string fine = NewEni(SubnetA());
  endpoints.FailInterface(broken);
  AttachToNewNetns(broken);
  AttachToNewNetns(fine);
  control->Reconcile();
  EXPECT_EQ(DescribeEni(broken).status, "attaching");
  EXPECT_EQ(DescribeEni(fine).status, "in-use");
  EXPECT_NE(Spec(broken), nullptr);  // still asked for at every pass
  endpoints.HealInterface(broken);
  control->Reconcile();
  EXPECT_EQ(DescribeEni(broken).status, "in-use");
}

// BUG: FillAttachmentLocked tests `if (req.create_netns)` (is it given?) where it means "is it
// true": {"Device": "tap0", "CreateNetns": false} attaches to a new namespace, not to tap0.
TEST_F(NetworkInterfaces, CreateNetnsFalseIsNoTargetAndTheOneGivenIsUsed) {
  std::string eni = NewEni(SubnetA());
  api::AttachNetworkInterfaceRequest req = To(eni);
  req.device = "tap0";
  req.create_netns = false;
  ASSERT_TRUE(Attach(req).ok());
  api::NetworkInterface described = DescribeEni(eni);
  ASSERT_TRUE(described.attachment.has_value());
  EXPECT_EQ(described.attachment->device, "tap0");
  EXPECT_FALSE(described.attachment->netns.has_value());
  control->Reconcile();
  const net::EniSpec* spec = Spec(eni);
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->kind, net::EniSpec::Kind::kDevice);
}

// ----------------------------------------------------------------------------- detach, delete

TEST_F(NetworkInterfaces, DetachingAnUnknownAttachmentIsNotFound) {
  Status unknown = Detach(NewId("eni-attach"));
  EXPECT_EQ(ReasonOf(unknown), "InvalidAttachmentID.NotFound");
  EXPECT_EQ(unknown.code(), Code::kNotFound);
}

TEST_F(NetworkInterfaces, DetachingFromANewNamespaceRemovesTheNamespace) {
  std::string eni = NewEni(SubnetA());
  std::string attachment = AttachToNewNetns(eni);
  control->Reconcile();
  ASSERT_TRUE(Detach(attachment).ok());
  EXPECT_TRUE(Detach(attachment).ok());  // already detaching
  api::NetworkInterface described = DescribeEni(eni);
  EXPECT_EQ(described.status, "detaching");
  ASSERT_TRUE(described.attachment.has_value());
  EXPECT_EQ(described.attachment->status, "detaching");
  EXPECT_TRUE(endpoints.removed_client_netns().empty());

  control->Reconcile();
  EXPECT_EQ(endpoints.removed_client_netns(), std::vector<std::string>{eni});
  EXPECT_TRUE(endpoints.returned_devices().empty());
  described = DescribeEni(eni);
  EXPECT_EQ(described.status, "available");
  EXPECT_FALSE(described.attachment.has_value());
  EXPECT_EQ(FindEni(AppliedSpec(DefaultVpcId()), eni), nullptr);
  EXPECT_EQ(ReasonOf(Detach(attachment)), "InvalidAttachmentID.NotFound");
  EXPECT_NE(AttachToNewNetns(eni), attachment);  // and may be attached again
}

TEST_F(NetworkInterfaces, DetachingADeviceGivesItBackToTheHost) {
  std::string eni = NewEni(SubnetB());
  std::string attachment = AttachToDevice(eni, "tap0");
  control->Reconcile();
  ASSERT_TRUE(Detach(attachment).ok());
  control->Reconcile();
  using Returned = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(endpoints.returned_devices(),
            (Returned{{net::ZoneNetns(DefaultVpcId(), "lcl1-az2"), "tap0"}}));
  EXPECT_TRUE(endpoints.removed_client_netns().empty());
  EXPECT_EQ(DescribeEni(eni).status, "available");
}

TEST_F(NetworkInterfaces, DetachingFromAnExistingNamespaceLeavesTheNamespaceAlone) {
  std::string eni = NewEni(SubnetA());
  api::AttachNetworkInterfaceRequest req = To(eni);
  req.netns = "/proc/self/ns/net";
  Result<api::AttachNetworkInterfaceResponse> attached = Attach(req);
  ASSERT_TRUE(attached.ok());
  control->Reconcile();
  ASSERT_TRUE(Detach(attached->attachment_id).ok());
  control->Reconcile();
  EXPECT_EQ(DescribeEni(eni).status, "available");
  EXPECT_TRUE(endpoints.removed_client_netns().empty());
  EXPECT_TRUE(endpoints.returned_devices().empty());
  EXPECT_EQ(FindEni(AppliedSpec(DefaultVpcId()), eni), nullptr);
}

TEST_F(NetworkInterfaces, AnInterfaceIsDeletedOnlyWhenDetached) {
  std::string eni = NewEni(SubnetA());
  std::string attachment = AttachToNewNetns(eni);
  EXPECT_EQ(ReasonOf(Delete(eni)), "InvalidParameterValue");  // attaching
  control->Reconcile();
  Status in_use = Delete(eni);
  EXPECT_EQ(ReasonOf(in_use), "InvalidParameterValue");
  EXPECT_EQ(in_use.code(), Code::kInvalidArgument);
  ASSERT_TRUE(Detach(attachment).ok());
  EXPECT_EQ(ReasonOf(Delete(eni)), "InvalidParameterValue");  // detaching
  control->Reconcile();
  EXPECT_TRUE(Delete(eni).ok());
  EXPECT_EQ(ReasonOf(DescribeIds({eni})), "InvalidNetworkInterfaceID.NotFound");
  EXPECT_EQ(ReasonOf(Delete(eni)), "InvalidNetworkInterfaceID.NotFound");
  EXPECT_EQ(DescribeSubnet(SubnetA()).available_ip_address_count, 4096 - 5);
}

TEST_F(NetworkInterfaces, AMountTargetsInterfaceGoesOnlyWithItsMountTarget) {
  api::MountTargetDescription mt = CreateMt(CreateFs("fs"), SubnetA());
  Status refused = Delete(mt.network_interface_id);
  EXPECT_EQ(ReasonOf(refused), "OperationNotPermitted");
  EXPECT_EQ(refused.code(), Code::kPermissionDenied);
  EXPECT_EQ(DescribeMt(mt.mount_target_id).life_cycle_state, "available");
}

TEST_F(NetworkInterfaces, EfsMountsHostInterfaceIsMadeOncePerSubnetAndManagedByEfsd) {
  Result<api::CreateNetworkInterfaceResponse> host = control->EnsureHostInterface({SubnetA()});
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  const api::NetworkInterface& eni = host->network_interface;
  const std::string id = eni.network_interface_id;
  EXPECT_EQ(eni.requester_id, "efs-host");
  EXPECT_TRUE(eni.requester_managed);
  EXPECT_EQ(eni.status, "attaching");
  ASSERT_TRUE(eni.attachment.has_value());
  EXPECT_EQ(eni.attachment->netns, net::NetnsPath(net::ClientNetns(id)));
  EXPECT_EQ(control->EnsureHostInterface({SubnetA()})->network_interface.network_interface_id, id);
  EXPECT_NE(control->EnsureHostInterface({SubnetB()})->network_interface.network_interface_id, id);
  EXPECT_EQ(ReasonOf(control->EnsureHostInterface({NewId("subnet")})), "InvalidSubnetID.NotFound");

  control->Reconcile();
  EXPECT_EQ(DescribeEni(id).status, "in-use");
  ASSERT_NE(Spec(id), nullptr);
  EXPECT_TRUE(Spec(id)->make_netns);

  Status detach = Detach(eni.attachment->attachment_id);
  EXPECT_EQ(ReasonOf(detach), "OperationNotPermitted");
  EXPECT_EQ(detach.code(), Code::kPermissionDenied);
  EXPECT_EQ(ReasonOf(Delete(id)), "OperationNotPermitted");
  api::AttachNetworkInterfaceRequest req = To(id);
  req.create_netns = true;
  EXPECT_EQ(ReasonOf(Attach(req)), "OperationNotPermitted");
  EXPECT_EQ(DescribeEni(id).status, "in-use");
}

// ----------------------------------------------------------------------------- describe

TEST_F(NetworkInterfaces, DescribeListsMountTargetsInterfacesBesideTheClients) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, SubnetA());
  std::string client = NewEni(SubnetA());
  api::DescribeNetworkInterfacesRequest all;
  EXPECT_EQ(IdsOf(all), (std::set<std::string>{mt.network_interface_id, client}));

  api::NetworkInterface efs = DescribeEni(mt.network_interface_id);
  EXPECT_EQ(efs.interface_type, "efs");
  EXPECT_EQ(efs.requester_id, "efs");
  EXPECT_TRUE(efs.requester_managed);
  EXPECT_EQ(efs.description, "EFS mount target for " + fs + " (" + mt.mount_target_id + ")");
  EXPECT_EQ(efs.status, "in-use");
  EXPECT_EQ(efs.private_ip_address, mt.ip_address);
  EXPECT_EQ(efs.subnet_id, SubnetA());
  ASSERT_EQ(efs.groups.size(), 1u);
  EXPECT_EQ(efs.groups[0].group_id, DefaultGroupId());
  EXPECT_EQ(efs.groups[0].group_name, "default");
  ASSERT_TRUE(efs.attachment.has_value());
  EXPECT_EQ(efs.attachment->status, "attached");
  EXPECT_EQ(efs.attachment->netns, net::NetnsPath(net::ZoneNetns(mt.vpc_id, "lcl1-az1")));
  EXPECT_EQ(DescribeEni(client).interface_type, "interface");
}

TEST_F(NetworkInterfaces, DescribeFiltersBySubnetVpcAndIds) {
  std::string vpc = NewVpc("10.1.0.0/16");
  std::string other_subnet = NewSubnet(vpc, "10.1.0.0/24");
  std::string a = NewEni(SubnetA());
  std::string b = NewEni(SubnetB());
  std::string c = NewEni(other_subnet);
  api::MountTargetDescription mt = CreateMt(CreateFs("fs"), SubnetB());

  api::DescribeNetworkInterfacesRequest req;
  req.subnet_id = SubnetB();
  EXPECT_EQ(IdsOf(req), (std::set<std::string>{b, mt.network_interface_id}));
  req.subnet_id.reset();
  req.vpc_id = vpc;
  EXPECT_EQ(IdsOf(req), std::set<std::string>{c});
  req.vpc_id = DefaultVpcId();
  EXPECT_EQ(IdsOf(req), (std::set<std::string>{a, b, mt.network_interface_id}));
  req.vpc_id.reset();
  req.network_interface_ids = {a, c, mt.network_interface_id};
  EXPECT_EQ(IdsOf(req), (std::set<std::string>{a, c, mt.network_interface_id}));

  Result<api::DescribeNetworkInterfacesResponse> unknown = DescribeIds({a, NewId("eni")});
  EXPECT_EQ(ReasonOf(unknown), "InvalidNetworkInterfaceID.NotFound");
  EXPECT_EQ(CodeOf(unknown), Code::kNotFound);
}

// ----------------------------------------------------------------------------- owners

TEST_F(NetworkInterfaces, AnInterfaceWhoseOwnerEndsIsDeletedByReconcile) {
  testutil::Child owner = testutil::Child::Start({"/bin/sleep", "600"}, dir.Join("sleep.log"));
  ASSERT_TRUE(owner.running());
  std::string eni = NewEni(SubnetA());
  api::AttachNetworkInterfaceRequest req = To(eni);
  req.create_netns = true;
  req.owner_pid = owner.pid();
  ASSERT_TRUE(Attach(req).ok());
  control->Reconcile();
  control->Reconcile();
  EXPECT_EQ(DescribeEni(eni).status, "in-use");  // while its owner lives

  owner.Signal(SIGKILL);  // and reaped
  control->Reconcile();
  control->Reconcile();
  EXPECT_EQ(ReasonOf(DescribeIds({eni})), "InvalidNetworkInterfaceID.NotFound");
  EXPECT_EQ(endpoints.removed_client_netns(), std::vector<std::string>{eni});
  EXPECT_EQ(FindEni(AppliedSpec(DefaultVpcId()), eni), nullptr);
}

}  // namespace
}  // namespace efs::control

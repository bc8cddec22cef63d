// Network interface actions shaped as EC2 shapes them: CreateNetworkInterface,
// DescribeNetworkInterfaces, AttachNetworkInterface, DetachNetworkInterface,
// DeleteNetworkInterface; and efsd's EnsureHostInterface. An interface is an address (and
// prefixes) in a subnet; attached, it joins a client to the subnet: a namespace (a container's,
// or one efsd makes) through a veth pair, or a host device (a VM's tap, an uplink) moved into
// the VPC. Mount targets' interfaces are listed too, as EC2 lists EFS's.
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/ids.h"
#include "base/macros.h"
#include "control/addresses.h"
#include "control/catalog_control_plane.h"
#include "control/errors.h"
#include "net/netns.h"

namespace efs::control {

namespace {

constexpr size_t kMaxDescription = 255;
constexpr long kNsfsMagic = 0x6e736673;
constexpr int kMaxPrefixCount = 16;

Status NotFound(const std::string& id) {
  return Ec2NotFound("InvalidNetworkInterfaceID.NotFound", "network interface ID", id);
}

Status NotOnLoopback(const std::string& what) {
  return Error(Code::kFailedPrecondition, "UnsupportedOperation",
               what +
                   " needs the netns network backend (efsd --network-backend netns); the "
                   "loopback backend has no namespaces to join");
}

// An interface name Linux accepts: 1 to 15 characters, none of them '/', ':' or blanks.
bool ValidIfname(const std::string& name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  for (char c : name) {
    if (c == '/' || c == ':' || c <= ' ' || c == 127) return false;
  }
  return true;
}

bool IsNetns(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kNsfsMagic;
}

// A process's start time (field 22 of /proc/PID/stat), to tell it from a later one with its pid.
std::optional<int64_t> StartTimeOf(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return std::stoll(field);
  }
  return std::nullopt;
}

std::string AttachmentStatus(const std::string& state) {
  return state == "in-use" ? "attached" : state;
}

}  // namespace

bool OwnerAlive(int64_t pid, int64_t start) {
  std::optional<int64_t> now = StartTimeOf(static_cast<int>(pid));
  return now && *now == start;
}

// What every interface shows: where it is, whose it is, its address.
api::NetworkInterface CatalogControlPlane::InterfaceBase(
    const std::string& id, const std::string& ip, const std::string& subnet_id,
    const std::string& vpc_id, const std::string& az_name, const std::string& az_id) const {
  api::NetworkInterface n;
  n.network_interface_id = id;
  n.subnet_id = subnet_id;
  n.vpc_id = vpc_id;
  n.availability_zone = az_name;
  n.availability_zone_id = az_id;
  n.owner_id = options().owner_id;
  n.private_ip_address = ip;
  n.private_ip_addresses.push_back({true, ip});
  return n;
}

api::NetworkInterface CatalogControlPlane::DescribeRow(
    const store::NetworkInterfaceRow& row) const {
  api::NetworkInterface n =
      InterfaceBase(row.id, row.ip, row.subnet_id, row.vpc_id, row.az_name, row.az_id);
  n.description = row.description;
  n.interface_type = "interface";
  n.requester_id = row.requester;
  n.requester_managed = row.requester.has_value();
  n.status = row.state == "deleting" ? "detaching" : row.state;
  for (const std::string& p : row.prefixes) n.ipv4_prefixes.push_back({p});
  if (row.attachment_id) {
    api::NetworkInterfaceAttachment a;
    a.attachment_id = *row.attachment_id;
    a.attach_time = row.attach_time.value_or(0);
    a.status = AttachmentStatus(row.state);
    if (row.attach_kind == "device") {
      a.device = row.attach_target;
    } else {
      a.netns = row.attach_target;
      a.interface_name = row.ifname;
    }
    n.attachment = std::move(a);
  }
  return n;
}

// A mount target's interface, as EC2 shows the interfaces EFS manages.
api::NetworkInterface CatalogControlPlane::InterfaceOfMountTargetLocked(
    const store::MountTargetRow& row) {
  api::NetworkInterface n =
      InterfaceBase(row.eni_id, row.ip, row.subnet_id, row.vpc_id, row.az_name, row.az_id);
  n.description = "EFS mount target for " + row.fs_id + " (" + row.id + ")";
  n.interface_type = "efs";
  n.requester_id = "efs";
  n.requester_managed = true;
  n.status = row.state == "available"  ? "in-use"
             : row.state == "creating" ? "attaching"
             : row.state == "deleting" ? "detaching"
                                       : "available";  // error: made, but serving nothing
  Result<std::vector<std::string>> groups = catalog_->MountTargetSecurityGroups(row.id);
  for (const std::string& id : groups.ok() ? *groups : std::vector<std::string>{}) {
    Result<std::optional<store::SecurityGroupRow>> group = catalog_->FindSecurityGroup(id);
    n.groups.push_back({id, group.ok() && *group ? (*group)->name : ""});
  }
  api::NetworkInterfaceAttachment a;
  a.attachment_id = "ela-attach-" + row.eni_id.substr(4);
  a.attach_time = row.creation_time;
  a.status = AttachmentStatus(n.status == "in-use" ? "in-use" : n.status);
  if (netns()) a.netns = net::NetnsPath(net::ZoneNetns(row.vpc_id, row.az_id));
  n.attachment = std::move(a);
  return n;
}

Result<store::NetworkInterfaceRow> CatalogControlPlane::FindInterfaceLocked(const std::string& id) {
  if (!IsValidId(id, "eni")) {
    return Error(Code::kInvalidArgument, "InvalidNetworkInterfaceId.Malformed",
                 "'" + id + "' is not a network interface id (eni-...)");
  }
  EFS_ASSIGN_OR_RETURN(std::optional<store::NetworkInterfaceRow> row,
                       catalog_->FindNetworkInterface(id));
  if (!row) return NotFound(id);
  return std::move(*row);
}

Result<store::NetworkInterfaceRow> CatalogControlPlane::InsertInterfaceLocked(
    const api::CreateNetworkInterfaceRequest& req, std::optional<std::string> requester) {
  EFS_ASSIGN_OR_RETURN(std::optional<store::SubnetRow> subnet, catalog_->FindSubnet(req.subnet_id));
  if (!subnet) return Ec2NotFound("InvalidSubnetID.NotFound", "subnet ID", req.subnet_id);
  EFS_ASSIGN_OR_RETURN(SubnetAddresses addresses, AddressesOfLocked(*subnet));
  store::NetworkInterfaceRow row;
  EFS_ASSIGN_OR_RETURN(row.ip, addresses.Pick(req.private_ip_address, "InvalidIPAddress.InUse",
                                              "InsufficientFreeAddressesInSubnet"));
  for (const api::Ipv4PrefixSpec& p : req.ipv4_prefixes) {
    EFS_RETURN_IF_ERROR(addresses.TakePrefix(p.ipv4_prefix));
    row.prefixes.push_back(p.ipv4_prefix);
  }
  if (req.ipv4_prefix_count) {
    EFS_ASSIGN_OR_RETURN(row.prefixes, addresses.TakePrefixes(*req.ipv4_prefix_count));
  }
  row.id = NewId("eni");
  row.subnet_id = subnet->id;
  row.description = req.description.value_or("");
  row.requester = std::move(requester);
  row.state = "available";
  row.creation_time = clock_->Now();
  row.vpc_id = subnet->vpc_id;
  row.az_name = subnet->az_name;
  row.az_id = subnet->az_id;
  EFS_RETURN_IF_ERROR(catalog_->InsertNetworkInterface(row));
  return row;
}

// ----------------------------------------------------------------------------- actions

Result<api::CreateNetworkInterfaceResponse> CatalogControlPlane::CreateNetworkInterface(
    const api::CreateNetworkInterfaceRequest& req) {
  if (!netns()) return NotOnLoopback("a network interface");
  if (req.description && req.description->size() > kMaxDescription) {
    return InvalidParameterValue("Description must be at most 255 characters long");
  }
  if (req.ipv4_prefix_count && !req.ipv4_prefixes.empty()) {
    return Error(Code::kInvalidArgument, "InvalidParameterCombination",
                 "give Ipv4Prefixes or Ipv4PrefixCount, not both");
  }
  if (req.ipv4_prefix_count &&
      (*req.ipv4_prefix_count < 1 || *req.ipv4_prefix_count > kMaxPrefixCount)) {
    return InvalidParameterValue("Ipv4PrefixCount must be between 1 and 16");
  }
  store::NetworkInterfaceRow row;
  MutexLock lock(&mu_);
  EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(row, InsertInterfaceLocked(req, std::nullopt));
    return Status::Ok();
  }));
  return api::CreateNetworkInterfaceResponse{DescribeRow(row)};
}

Result<api::DescribeNetworkInterfacesResponse> CatalogControlPlane::DescribeNetworkInterfaces(
    const api::DescribeNetworkInterfacesRequest& req) {
  api::DescribeNetworkInterfacesResponse resp;
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(std::vector<store::MountTargetRow> targets,
                       catalog_->ListMountTargets({.limit = 1 << 20}));
  EFS_ASSIGN_OR_RETURN(std::vector<store::NetworkInterfaceRow> rows,
                       catalog_->ListNetworkInterfaces(req.subnet_id, req.vpc_id));
  std::set<std::string> wanted(req.network_interface_ids.begin(), req.network_interface_ids.end());
  std::set<std::string> found;
  auto selected = [&](const std::string& id, const std::string& subnet, const std::string& vpc) {
    if (!wanted.empty() && !wanted.count(id)) return false;
    if ((req.subnet_id && *req.subnet_id != subnet) || (req.vpc_id && *req.vpc_id != vpc)) {
      return false;
    }
    found.insert(id);
    return true;
  };
  for (const store::MountTargetRow& mt : targets) {
    if (selected(mt.eni_id, mt.subnet_id, mt.vpc_id)) {
      resp.network_interfaces.push_back(InterfaceOfMountTargetLocked(mt));
    }
  }
  for (const store::NetworkInterfaceRow& row : rows) {
    if (selected(row.id, row.subnet_id, row.vpc_id))
      resp.network_interfaces.push_back(DescribeRow(row));
  }
  for (const std::string& id : wanted) {
    if (!found.count(id)) return NotFound(id);
  }
  return resp;
}

Result<api::AttachNetworkInterfaceResponse> CatalogControlPlane::AttachNetworkInterface(
    const api::AttachNetworkInterfaceRequest& req) {
  if (!netns()) return NotOnLoopback("attaching a network interface");
  int targets = req.netns.has_value() + req.pid.has_value() + req.device.has_value() +
                req.create_netns.value_or(false);
  if (targets != 1) {
    return Error(Code::kInvalidArgument, "InvalidParameterCombination",
                 "give exactly one of Netns, Pid, Device and CreateNetns");
  }
  store::NetworkInterfaceRow row;
  MutexLock lock(&mu_);
  EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(row, FindInterfaceLocked(req.network_interface_id));
    if (row.requester) return NotYours(row.id);
    if (row.state != "available") {
      return Error(Code::kFailedPrecondition, "InvalidNetworkInterface.InUse",
                   "network interface '" + row.id + "' is " + row.state + ", not available");
    }
    EFS_RETURN_IF_ERROR(FillAttachmentLocked(req, row));
    return catalog_->UpdateNetworkInterface(row);
  }));
  MarkVpcDirty(row.vpc_id);
  return api::AttachNetworkInterfaceResponse{*row.attachment_id};
}

// Where `req` attaches `row`: checked here, made by the reconciler.
Status CatalogControlPlane::FillAttachmentLocked(const api::AttachNetworkInterfaceRequest& req,
                                                 store::NetworkInterfaceRow& row) {
  const bool create_netns = req.create_netns.value_or(false);
  row.ifname = req.interface_name.value_or(create_netns ? "eth0" : "efs0");
  if (!ValidIfname(*row.ifname)) {
    return InvalidParameterValue("interface name '" + *row.ifname +
                                 "' is not 1 to 15 characters without '/', ':' or blanks");
  }
  if (create_netns) {
    row.attach_kind = "new-netns";
    row.attach_target = net::NetnsPath(net::ClientNetns(row.id));
  } else if (req.device) {
    if (!ValidIfname(*req.device))
      return InvalidParameterValue("'" + *req.device + "' is not an interface name");
    EFS_RETURN_IF_ERROR(CheckDeviceFreeLocked(*req.device));
    if (!endpoints_->HostDeviceExists(*req.device)) {
      return InvalidParameterValue("there is no interface '" + *req.device + "' on this host");
    }
    row.attach_kind = "device";
    row.attach_target = *req.device;
    row.ifname.reset();
  } else {
    std::string path = req.netns ? *req.netns : "/proc/" + std::to_string(*req.pid) + "/ns/net";
    if (path.empty() || path[0] != '/' || !IsNetns(path)) {
      return InvalidParameterValue("'" + path + "' is not a network namespace");
    }
    row.attach_kind = "netns";
    row.attach_target = path;
  }
  if (req.owner_pid) {
    if (!create_netns) return InvalidParameterValue("OwnerPid goes with CreateNetns");
    std::optional<int64_t> start = StartTimeOf(*req.owner_pid);
    if (!start)
      return InvalidParameterValue("there is no process " + std::to_string(*req.owner_pid));
    row.owner_pid = *req.owner_pid;
    row.owner_start = *start;
  }
  row.attachment_id = NewId("eni-attach");
  row.attach_time = clock_->Now();
  row.state = "attaching";
  return Status::Ok();
}

// A device carries one interface or one VPN gateway.
Status CatalogControlPlane::CheckDeviceFreeLocked(const std::string& device) {
  EFS_ASSIGN_OR_RETURN(std::vector<store::NetworkInterfaceRow> rows,
                       catalog_->ListNetworkInterfaces(std::nullopt, std::nullopt));
  for (const store::NetworkInterfaceRow& r : rows) {
    if (r.attach_kind == "device" && r.attach_target == device) {
      return InvalidParameterValue("interface '" + device +
                                   "' already carries network interface '" + r.id + "'");
    }
  }
  EFS_ASSIGN_OR_RETURN(std::vector<store::VpnGatewayRow> gateways, catalog_->ListVpnGateways());
  for (const store::VpnGatewayRow& g : gateways) {
    if (g.device == device) {
      return InvalidParameterValue("interface '" + device + "' is the device of vpn gateway '" +
                                   g.id + "'");
    }
  }
  return Status::Ok();
}

Status CatalogControlPlane::NotYours(const std::string& id) {
  return Error(Code::kPermissionDenied, "OperationNotPermitted",
               "network interface '" + id +
                   "' is managed by efsd (efs mount's own); it goes "
                   "with its subnet");
}

Status CatalogControlPlane::DetachNetworkInterface(const api::DetachNetworkInterfaceRequest& req) {
  std::string vpc_id;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(std::vector<store::NetworkInterfaceRow> rows,
                           catalog_->ListNetworkInterfaces(std::nullopt, std::nullopt));
      for (store::NetworkInterfaceRow& row : rows) {
        if (row.attachment_id != req.attachment_id) continue;
        if (row.requester) return NotYours(row.id);
        vpc_id = row.vpc_id;
        if (row.state == "detaching" || row.state == "deleting") return Status::Ok();
        row.state = "detaching";
        return catalog_->UpdateNetworkInterface(row);
      }
      return Ec2NotFound("InvalidAttachmentID.NotFound", "attachment ID", req.attachment_id);
    }));
  }
  MarkVpcDirty(vpc_id);
  return Status::Ok();
}

Status CatalogControlPlane::DeleteNetworkInterface(const api::DeleteNetworkInterfaceRequest& req) {
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(std::vector<store::MountTargetRow> targets,
                         catalog_->ListMountTargets({.limit = 1 << 20}));
    for (const store::MountTargetRow& mt : targets) {
      if (mt.eni_id == req.network_interface_id) {
        return Error(Code::kPermissionDenied, "OperationNotPermitted",
                     "network interface '" + mt.eni_id + "' belongs to mount target '" + mt.id +
                         "'; delete the mount target");
      }
    }
    EFS_ASSIGN_OR_RETURN(store::NetworkInterfaceRow row,
                         FindInterfaceLocked(req.network_interface_id));
    if (row.requester) return NotYours(row.id);
    if (row.state != "available") {
      return InvalidParameterValue("network interface '" + row.id + "' is currently in use");
    }
    return catalog_->DeleteNetworkInterface(row.id);
  });
}

Result<api::CreateNetworkInterfaceResponse> CatalogControlPlane::EnsureHostInterface(
    const api::EnsureHostInterfaceRequest& req) {
  if (!netns()) return NotOnLoopback("a host interface");
  store::NetworkInterfaceRow row;
  MutexLock lock(&mu_);
  EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(std::vector<store::NetworkInterfaceRow> rows,
                         catalog_->ListNetworkInterfaces(req.subnet_id, std::nullopt));
    for (const store::NetworkInterfaceRow& r : rows) {
      if (r.requester == kHostRequester) {
        row = r;
        return Status::Ok();
      }
    }
    api::CreateNetworkInterfaceRequest create;
    create.subnet_id = req.subnet_id;
    create.description = "efs mount's interface for this host's mounts";
    EFS_ASSIGN_OR_RETURN(row, InsertInterfaceLocked(create, std::string(kHostRequester)));
    api::AttachNetworkInterfaceRequest attach;
    attach.network_interface_id = row.id;
    attach.create_netns = true;
    EFS_RETURN_IF_ERROR(FillAttachmentLocked(attach, row));
    return catalog_->UpdateNetworkInterface(row);
  }));
  if (row.state == "attaching") MarkVpcDirty(row.vpc_id);
  return api::CreateNetworkInterfaceResponse{DescribeRow(row)};
}

}  // namespace efs::control

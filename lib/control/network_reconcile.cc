// The netns backend's half of Reconcile(): each VPC's description (net::VpcSpec) from the
// catalog, made real through Endpoints::ApplyVpc, and the states that wait on it moved on
// (VPCs pending -> available, interfaces attaching -> in-use and detaching -> available, VPN
// gateways attaching -> attached and detaching -> detached, peerings deleting -> gone, VPCs
// deleting -> gone). Interfaces whose owner process ended (efs exec killed) are detached and
// deleted. Every step reads the catalog under mu_, works outside it, and records the results in
// one transaction, so a crash anywhere is finished by the next pass.
#include <algorithm>

#include "base/log.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/cidr.h"
#include "net/netns.h"

namespace efs::control {

namespace {

std::string HostsLine(const std::string& ip, const std::string& name) {
  return ip + " " + name + "\n";
}

}  // namespace

std::string CatalogControlPlane::EfsDnsName(const std::string& fs_id) const {
  return fs_id + ".efs." + options().region + ".amazonaws.com";
}

// What each zone's resolver answers: AZ.FS-ID.efs.REGION.amazonaws.com for every mount target
// of the VPC, and FS-ID.efs.REGION.amazonaws.com for the mount target in that zone.
void CatalogControlPlane::AddDnsLocked(const std::vector<store::MountTargetRow>& targets,
                                       net::VpcSpec& spec) {
  std::string everywhere;
  for (const store::MountTargetRow& mt : targets) {
    everywhere += HostsLine(mt.ip, mt.az_name + "." + EfsDnsName(mt.fs_id));
  }
  for (net::ZoneSpec& zone : spec.zones) {
    zone.hosts = everywhere;
    for (const store::MountTargetRow& mt : targets) {
      if (mt.az_id == zone.az_id) zone.hosts += HostsLine(mt.ip, EfsDnsName(mt.fs_id));
    }
  }
}

net::EniSpec CatalogControlPlane::ClientSpec(const store::NetworkInterfaceRow& row,
                                             const store::SubnetRow& subnet,
                                             const net::VpcSpec& vpc) const {
  net::EniSpec eni;
  eni.id = row.id;
  eni.az_id = row.az_id;
  eni.ip = row.ip;
  eni.routed.push_back(row.ip + "/32");
  eni.routed.insert(eni.routed.end(), row.prefixes.begin(), row.prefixes.end());
  std::optional<Cidr> cidr = ParseCidr(subnet.cidr);
  eni.prefix_length = cidr ? cidr->prefix : 32;
  eni.gateway = cidr ? FormatIpv4(cidr->network() + 1) : "";
  if (row.attach_kind == "device") {
    eni.kind = net::EniSpec::Kind::kDevice;
    eni.device = row.attach_target.value_or("");
    return eni;
  }
  eni.kind = net::EniSpec::Kind::kNetns;
  eni.netns_path = row.attach_target.value_or("");
  eni.ifname = row.ifname.value_or("efs0");
  eni.make_netns = row.attach_kind == "new-netns";
  if (eni.make_netns) {
    eni.client_routes = {"default"};
    eni.dns_ip = vpc.dns_ip;
  } else {
    // A container keeps its own default route: it is given the VPC's CIDR and what the VPC's
    // route table reaches.
    eni.client_routes.push_back(vpc.cidr);
    for (const net::RouteSpec& r : vpc.routes) eni.client_routes.push_back(r.cidr);
  }
  return eni;
}

// The zones, each with its subnets' CIDRs and whether it is failed.
Status CatalogControlPlane::AddZonesLocked(const std::vector<store::SubnetRow>& subnets,
                                           net::VpcSpec& spec) {
  EFS_ASSIGN_OR_RETURN(std::vector<std::string> failed, catalog_->FailedZones());
  for (const Zone& z : zones_) {
    net::ZoneSpec zone{z.id, {}, std::find(failed.begin(), failed.end(), z.id) != failed.end(), ""};
    for (const store::SubnetRow& s : subnets) {
      if (s.az_id == z.id) zone.subnet_cidrs.push_back(s.cidr);
    }
    spec.zones.push_back(std::move(zone));
  }
  return Status::Ok();
}

// Active peerings, attached VPN gateways' devices, and the routes to them.
Status CatalogControlPlane::AddExternalLocked(const store::VpcRow& vpc, net::VpcSpec& spec) {
  EFS_ASSIGN_OR_RETURN(std::vector<store::PeeringRow> peerings, catalog_->ListPeerings(vpc.id));
  std::map<std::string, std::string> peer_ips;  // active pcx id -> the other side's address
  for (const store::PeeringRow& p : peerings) {
    if (p.state != "active") continue;
    const std::string& other =
        p.requester_vpc_id == vpc.id ? p.accepter_vpc_id : p.requester_vpc_id;
    spec.peerings.push_back(
        {p.id, net::CoreNetns(other), PeeringLocalIp(p, vpc.id), PeeringPeerIp(p, vpc.id)});
    peer_ips[p.id] = PeeringPeerIp(p, vpc.id);
  }
  EFS_ASSIGN_OR_RETURN(std::vector<store::VpnGatewayRow> gateways, catalog_->ListVpnGateways());
  std::map<std::string, std::string> devices;  // vgw id -> device
  for (const store::VpnGatewayRow& g : gateways) {
    if (g.vpc_id == vpc.id &&
        (g.attachment_state == "attaching" || g.attachment_state == "attached")) {
      spec.gateway_devices.push_back(g.device);
      devices[g.id] = g.device;
    }
  }
  EFS_ASSIGN_OR_RETURN(std::vector<store::RouteRow> routes, catalog_->ListRoutes(vpc.id));
  for (const store::RouteRow& r : routes) {
    if (r.target_kind == "vgw" && devices.count(r.target_id)) {
      spec.routes.push_back({r.cidr, devices[r.target_id], ""});
    } else if (r.target_kind == "pcx" && peer_ips.count(r.target_id)) {
      spec.routes.push_back({r.cidr, net::LinkName(r.target_id), peer_ips[r.target_id]});
    }
  }
  return Status::Ok();
}

// Mount targets' interfaces (and the names the resolvers answer), then clients'.
Status CatalogControlPlane::AddInterfacesLocked(const store::VpcRow& vpc,
                                                const std::vector<store::SubnetRow>& subnets,
                                                net::VpcSpec& spec) {
  EFS_ASSIGN_OR_RETURN(std::vector<store::MountTargetRow> all_targets,
                       catalog_->ListMountTargets({.limit = 1 << 20}));
  std::vector<store::MountTargetRow> targets;
  for (const store::MountTargetRow& mt : all_targets) {
    if (mt.vpc_id != vpc.id || (mt.state != "creating" && mt.state != "available")) continue;
    net::EniSpec eni;
    eni.id = mt.eni_id;
    eni.az_id = mt.az_id;
    eni.kind = net::EniSpec::Kind::kMountTarget;
    eni.ip = mt.ip;
    spec.enis.push_back(std::move(eni));
    targets.push_back(mt);
  }
  AddDnsLocked(targets, spec);
  EFS_ASSIGN_OR_RETURN(std::vector<store::NetworkInterfaceRow> clients,
                       catalog_->ListNetworkInterfaces(std::nullopt, vpc.id));
  for (const store::NetworkInterfaceRow& row : clients) {
    if (row.state != "attaching" && row.state != "in-use") continue;
    for (const store::SubnetRow& s : subnets) {
      if (s.id == row.subnet_id) spec.enis.push_back(ClientSpec(row, s, spec));
    }
  }
  return Status::Ok();
}

Result<net::VpcSpec> CatalogControlPlane::SpecOfLocked(const store::VpcRow& vpc) {
  net::VpcSpec spec;
  spec.vpc_id = vpc.id;
  spec.cidr = vpc.cidr;
  spec.dns_ip = FormatIpv4(ParseCidr(vpc.cidr)->network() + 2);
  spec.host_route_metric = net::HostRouteMetric(vpc.id);
  if (vpc.state == "deleting") {
    for (const Zone& z : zones_) spec.zones.push_back({z.id, {}, false, ""});
    return spec;
  }
  EFS_ASSIGN_OR_RETURN(std::vector<store::SubnetRow> subnets, catalog_->ListSubnets(vpc.id));
  EFS_RETURN_IF_ERROR(AddZonesLocked(subnets, spec));
  // Peerings and routes come before clients, whose routes name what the VPC reaches.
  EFS_RETURN_IF_ERROR(AddExternalLocked(vpc, spec));
  EFS_RETURN_IF_ERROR(AddInterfacesLocked(vpc, subnets, spec));
  return spec;
}

Result<std::vector<net::VpcSpec>> CatalogControlPlane::NetworkSpecs() {
  std::vector<net::VpcSpec> specs;
  if (!netns()) return specs;
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(std::vector<store::VpcRow> vpcs, catalog_->ListVpcs());
  for (store::VpcRow vpc : vpcs) {
    vpc.state = "available";  // a VPC being deleted still has its interfaces to give back
    EFS_ASSIGN_OR_RETURN(net::VpcSpec spec, SpecOfLocked(vpc));
    // Interfaces on their way out still hold what they were given.
    EFS_ASSIGN_OR_RETURN(std::vector<store::NetworkInterfaceRow> rows,
                         catalog_->ListNetworkInterfaces(std::nullopt, vpc.id));
    EFS_ASSIGN_OR_RETURN(std::vector<store::SubnetRow> subnets, catalog_->ListSubnets(vpc.id));
    for (const store::NetworkInterfaceRow& row : rows) {
      if (row.state != "detaching" && row.state != "deleting") continue;
      for (const store::SubnetRow& s : subnets) {
        if (s.id == row.subnet_id) spec.enis.push_back(ClientSpec(row, s, spec));
      }
    }
    EFS_ASSIGN_OR_RETURN(std::vector<store::VpnGatewayRow> gateways, catalog_->ListVpnGateways());
    for (const store::VpnGatewayRow& g : gateways) {
      if (g.vpc_id == vpc.id && g.attachment_state == "detaching")
        spec.gateway_devices.push_back(g.device);
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

// ----------------------------------------------------------------------------- the pass

// Detaches (and deletes) the interfaces of owners that ended, and does what a detach needs
// outside the VPC's namespaces: devices back to the host, namespaces efsd made removed.
void CatalogControlPlane::FinishDetaching() {
  std::vector<store::NetworkInterfaceRow> rows;
  std::vector<store::VpnGatewayRow> gateways;
  {
    MutexLock lock(&mu_);
    Status status = catalog_->InTransaction([&]() REQUIRES(mu_, reconcile_mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(rows, catalog_->ListNetworkInterfaces(std::nullopt, std::nullopt));
      for (store::NetworkInterfaceRow& row : rows) {
        bool orphan = row.owner_pid && (row.state == "attaching" || row.state == "in-use") &&
                      !OwnerAlive(*row.owner_pid, row.owner_start.value_or(-1));
        if (!orphan) continue;
        EFS_LOG(kInfo) << "network interface " << row.id << ": its owner (pid " << *row.owner_pid
                       << ") is gone; detaching and deleting it";
        row.state = "deleting";
        EFS_RETURN_IF_ERROR(catalog_->UpdateNetworkInterface(row));
        dirty_by_reconciler_.insert(row.vpc_id);
      }
      EFS_ASSIGN_OR_RETURN(gateways, catalog_->ListVpnGateways());
      return Status::Ok();
    });
    if (!status.ok()) {
      EFS_LOG(kError) << "reconcile: " << status.ToString();
      return;
    }
  }
  for (const store::NetworkInterfaceRow& row : rows) {
    if (row.state != "detaching" && row.state != "deleting") continue;
    dirty_by_reconciler_.insert(row.vpc_id);
    Status done;
    if (row.attach_kind == "device") {
      done = endpoints_->ReturnDevice(net::ZoneNetns(row.vpc_id, row.az_id),
                                      row.attach_target.value_or(""));
    } else if (row.attach_kind == "new-netns") {
      done = endpoints_->RemoveClientNetns(row.id);
    }
    if (!done.ok()) {
      EFS_LOG(kError) << "network interface " << row.id << ": cannot detach: " << done.message();
      continue;
    }
    detached_.insert(row.id);
  }
  for (const store::VpnGatewayRow& g : gateways) {
    if (g.attachment_state != "detaching" || !g.vpc_id) continue;
    dirty_by_reconciler_.insert(*g.vpc_id);
    Status done = endpoints_->ReturnDevice(net::CoreNetns(*g.vpc_id), g.device);
    if (done.ok()) {
      detached_.insert(g.id);
    } else {
      EFS_LOG(kError) << "vpn gateway " << g.id << ": cannot detach: " << done.message();
    }
  }
}

// Applies the VPCs that changed (all of them when `all`), then records what came of it.
void CatalogControlPlane::ApplyVpcs(bool all) {
  bool everything = all;
  std::set<std::string> dirty = TakeDirtyVpcs(&everything);
  dirty.insert(dirty_by_reconciler_.begin(), dirty_by_reconciler_.end());
  dirty_by_reconciler_.clear();
  std::vector<std::pair<net::VpcSpec, std::string>> specs;  // spec, state
  {
    MutexLock lock(&mu_);
    Result<std::vector<store::VpcRow>> vpcs = catalog_->ListVpcs();
    if (!vpcs.ok()) {
      EFS_LOG(kError) << "reconcile: " << vpcs.status().ToString();
      return;
    }
    for (const store::VpcRow& vpc : *vpcs) {
      if (!everything && !dirty.count(vpc.id) && vpc.state == "available") continue;
      Result<net::VpcSpec> spec = SpecOfLocked(vpc);
      if (!spec.ok()) {
        EFS_LOG(kError) << "reconcile: vpc " << vpc.id << ": " << spec.status().ToString();
        continue;
      }
      specs.emplace_back(std::move(*spec), vpc.state);
    }
  }
  for (const auto& [spec, state] : specs) {
    if (state == "deleting") {
      Status removed = endpoints_->RemoveVpc(spec);
      if (removed.ok())
        removed_vpcs_.insert(spec.vpc_id);
      else
        EFS_LOG(kError) << "vpc " << spec.vpc_id << ": cannot remove: " << removed.message();
      continue;
    }
    std::map<std::string, Status> failures;
    Status applied = endpoints_->ApplyVpc(spec, &failures);
    if (!failures.empty()) retry_ = true;
    if (!applied.ok()) {
      EFS_LOG(kError) << "vpc " << spec.vpc_id << ": " << applied.message();
      MarkVpcDirty(spec.vpc_id, /*wake=*/false);  // the periodic pass tries again
      continue;
    }
    // What the catalog says now may be newer than this spec: only what the spec held is made.
    applied_vpcs_.insert(spec.vpc_id);
    const std::string& vpc_id = spec.vpc_id;  // (clang 14 cannot capture a structured binding)
    std::erase_if(made_, [&vpc_id](const auto& entry) { return entry.second == vpc_id; });
    for (const net::EniSpec& eni : spec.enis) {
      if (!failures.count(eni.id)) made_[eni.id] = spec.vpc_id;
    }
    for (const std::string& device : spec.gateway_devices) {
      if (!failures.count(device)) applied_devices_.insert(device);
    }
    for (const net::PeeringSpec& p : spec.peerings) applied_peerings_.insert(p.id);
  }
}

// Moves every state that waited on the network on, in one transaction.
void CatalogControlPlane::RecordNetworkResults() {
  MutexLock lock(&mu_);
  Status status = catalog_->InTransaction([&]() REQUIRES(mu_, reconcile_mu_) -> Status {
    for (const std::string& id : applied_vpcs_) {
      EFS_RETURN_IF_ERROR(StatusOf(catalog_->SetVpcState(id, "pending", "available")));
    }
    EFS_ASSIGN_OR_RETURN(std::vector<store::NetworkInterfaceRow> rows,
                         catalog_->ListNetworkInterfaces(std::nullopt, std::nullopt));
    for (store::NetworkInterfaceRow& row : rows) {
      if (row.state == "attaching" && made_.count(row.id)) {
        row.state = "in-use";
        EFS_RETURN_IF_ERROR(catalog_->UpdateNetworkInterface(row));
      } else if ((row.state == "detaching" || row.state == "deleting") && detached_.count(row.id) &&
                 applied_vpcs_.count(row.vpc_id)) {
        if (row.state == "deleting") {
          EFS_RETURN_IF_ERROR(catalog_->DeleteNetworkInterface(row.id));
          continue;
        }
        row.state = "available";
        row.attachment_id.reset();
        row.attach_kind.reset();
        row.attach_target.reset();
        row.ifname.reset();
        row.attach_time.reset();
        row.owner_pid.reset();
        row.owner_start.reset();
        EFS_RETURN_IF_ERROR(catalog_->UpdateNetworkInterface(row));
      }
    }
    EFS_ASSIGN_OR_RETURN(std::vector<store::VpnGatewayRow> gateways, catalog_->ListVpnGateways());
    for (store::VpnGatewayRow& g : gateways) {
      if (!g.vpc_id || !applied_vpcs_.count(*g.vpc_id)) continue;
      if (g.attachment_state == "attaching" && applied_devices_.count(g.device)) {
        g.attachment_state = "attached";
      } else if (g.attachment_state == "detaching" && detached_.count(g.id)) {
        g.attachment_state = "detached";
      } else {
        continue;
      }
      EFS_RETURN_IF_ERROR(catalog_->UpdateVpnGateway(g));
    }
    EFS_ASSIGN_OR_RETURN(std::vector<store::PeeringRow> peerings,
                         catalog_->ListPeerings(std::nullopt));
    for (const store::PeeringRow& p : peerings) {
      // Gone once both VPCs were applied without it.
      if (p.state == "deleting" && applied_vpcs_.count(p.requester_vpc_id) &&
          applied_vpcs_.count(p.accepter_vpc_id) && !applied_peerings_.count(p.id)) {
        EFS_RETURN_IF_ERROR(catalog_->DeletePeering(p.id));
      }
    }
    for (const std::string& id : removed_vpcs_) EFS_RETURN_IF_ERROR(catalog_->DeleteVpc(id));
    return Status::Ok();
  });
  if (!status.ok()) EFS_LOG(kError) << "reconcile: " << status.ToString();
  detached_.clear();
  removed_vpcs_.clear();
}

// `all`: the periodic pass (every few seconds). It applies every VPC again, to repair what was
// changed behind efsd's back, only every kFullApplyEvery-th time, unless something could not
// be made last time (a device that was missing may be there now).
void CatalogControlPlane::ReconcileNetwork(bool all) {
  constexpr int kFullApplyEvery = 6;  // with the 5 s period: every 30 s
  if (!netns()) {
    FinishDeletingLoopbackVpcs();
    return;
  }
  applied_vpcs_.clear();
  applied_devices_.clear();
  applied_peerings_.clear();
  FinishDetaching();
  const bool everything = all && (retry_ || ++periodic_passes_ % kFullApplyEvery == 1);
  if (everything) retry_ = false;
  ApplyVpcs(everything);
  RecordNetworkResults();
}

// A loopback VPC has nothing outside the catalog: deleting it is deleting its rows.
void CatalogControlPlane::FinishDeletingLoopbackVpcs() {
  MutexLock lock(&mu_);
  Status status = catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(std::vector<store::VpcRow> vpcs, catalog_->ListVpcs());
    for (const store::VpcRow& vpc : vpcs) {
      if (vpc.state == "deleting") EFS_RETURN_IF_ERROR(catalog_->DeleteVpc(vpc.id));
    }
    return Status::Ok();
  });
  if (!status.ok()) EFS_LOG(kError) << "reconcile: " << status.ToString();
}

bool CatalogControlPlane::InterfaceUp(const std::string& eni_id) {
  return made_.count(eni_id) > 0;
}

// ----------------------------------------------------------------------------- dirt

void CatalogControlPlane::MarkVpcDirty(const std::string& vpc_id, bool wake) {
  {
    MutexLock lock(&wake_mu_);
    dirty_vpcs_.insert(vpc_id);
  }
  if (wake) Wake();
}

void CatalogControlPlane::MarkAllVpcsDirty() {
  {
    MutexLock lock(&wake_mu_);
    all_vpcs_dirty_ = true;
  }
  Wake();
}

std::set<std::string> CatalogControlPlane::TakeDirtyVpcs(bool* all) {
  MutexLock lock(&wake_mu_);
  std::set<std::string> out;
  out.swap(dirty_vpcs_);
  if (all_vpcs_dirty_) *all = true;
  all_vpcs_dirty_ = false;
  return out;
}

}  // namespace efs::control

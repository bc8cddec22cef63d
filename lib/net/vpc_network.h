// VpcNetwork: one VPC of the netns backend as Linux network namespaces, made to match a
// description (VpcSpec) of what the catalog says the VPC holds.
//
// ** The shape of a VPC **
// A VPC is the namespace efs-<vpc-id> (its "core") and one namespace per availability zone,
// efs-<vpc-id>-<az-id>. They are joined by a veth pair per zone ("zone<N>" in the core, "core"
// in the zone) numbered from 169.254.255.0/24 (zone N: .4N-3 in the core, .4N-2 in the zone).
// The links efsd makes have the MTU of `lo`, 65535. Everything is routed, nothing is bridged:
//  - A zone holds, on its `lo`, the VPC's resolver address (the VPC's base address + 2, where
//    that zone's resolver listens). Its default route goes to the core.
//  - A mount target is an interface of its zone named after its network interface id
//    ("eni" + 12 hex digits of eni-<id>, the whole id in its alias) holding its address.
//  - A client is a veth pair from its zone (named as above) into the client's namespace (a
//    container's, or one efsd made), or an existing device (a VM's tap, a physical interface or
//    a VXLAN: an uplink) moved into the zone. The zone's end holds the subnet's router address
//    (base + 1, the client's gateway) and the zone routes the client's addresses (its address,
//    and for an uplink the prefixes given to it) to that link and nothing else.
//  - The core routes each subnet to its zone, and the CIDRs of routes (CreateRoute) to peering
//    links (veth pairs between two cores, "pcx" + 12 hex, numbered from a /30 of
//    169.254.0.0/17 the catalog gives each peering) or to a VPN gateway's device.
// Every namespace has forwarding on, strict reverse-path filtering (a packet whose source is
// not routed back through the link it came in on is dropped: EC2's source/destination check,
// so no client can send from an address it was not given) and proxy ARP (a client ARPs for
// its gateway or any address and the zone answers).
// Traffic that comes in on a peering or VPN link may reach only the VPC's own subnets (policy
// rules send it to the main table, then drop it), so peering is not transitive.
// In the host namespace the VPC's CIDR is routed `unreachable` (with a metric of its own per
// VPC, so that routes the operator made win and two VPCs never share a route), so a packet for
// a VPC never leaves by the default route.
//
// ** Idempotence **
// Apply() reads what exists and issues only idempotent commands (replace, set up) and the
// missing creations, so it converges from any partial state, whether a crash interrupted it or
// an AZ failure (links down) is being undone. Links it made carry the alias "efs <id>"; only
// those are ever deleted. A device an operator attached is never deleted: ReturnDevice() moves
// it back to the host namespace.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace efs::net {

// Names of namespaces and links (see above).
std::string CoreNetns(const std::string& vpc_id);
std::string ZoneNetns(const std::string& vpc_id, const std::string& az_id);
std::string ClientNetns(const std::string& eni_id);  // a client namespace efsd makes
// "eni0123456789ab" for "eni-0123456789abcdef0": the prefix and 12 hex digits (IFNAMSIZ).
std::string LinkName(const std::string& id);

struct ZoneSpec {
  std::string az_id;                      // "lcl1-az1"
  std::vector<std::string> subnet_cidrs;  // routed from the core to this zone
  bool failed = false;
  // What this zone's resolver answers, as an /etc/hosts file (the daemon runs the resolver;
  // ApplyVpc does not look at it).
  std::string hosts;  // efs debug fail-az: links down, addresses gone
};

struct EniSpec {
  enum class Kind {
    kMountTarget,  // an interface holding the mount target's address
    kNetns,        // a veth pair into the namespace at netns_path
    kDevice,       // the existing host device `device`, moved into the zone
  };
  std::string id;     // "eni-..."
  std::string az_id;  // its zone
  Kind kind = Kind::kMountTarget;
  std::string ip;  // its primary address
  // kNetns and kDevice: what the zone routes to the link (ip/32 and any prefixes).
  std::vector<std::string> routed;
  // kNetns: the client's namespace, the interface's name there, its address's prefix length
  // (the subnet's), its gateway, and what it routes through the gateway ("default" or CIDRs).
  std::string netns_path;
  bool make_netns = false;  // efsd makes (and later deletes) the namespace ClientNetns(id)
  std::string ifname = "eth0";
  int prefix_length = 32;
  std::string gateway;
  std::vector<std::string> client_routes;
  std::string dns_ip;  // make_netns: /etc/netns/<name>/resolv.conf names this resolver
  std::string device;  // kDevice
};

struct PeeringSpec {
  std::string id;               // "pcx-..."
  std::string peer_core_netns;  // the other VPC's core
  std::string local_ip;         // this core's address on the link ("169.254.x.y/30")
  std::string peer_ip;          // the other core's ("169.254.x.z", no length)
};

struct RouteSpec {
  std::string cidr;
  std::string link;  // a peering's LinkName, or a VPN gateway's device
  std::string via;   // the peer core's address on a peering link; "" for a device
};

struct VpcSpec {
  std::string vpc_id;
  std::string cidr;
  std::string dns_ip;              // the resolver's address (base + 2)
  uint32_t host_route_metric = 0;  // of the host's unreachable route (HostRouteMetric)
  std::vector<ZoneSpec> zones;
  std::vector<EniSpec> enis;
  std::vector<PeeringSpec> peerings;
  std::vector<std::string> gateway_devices;  // attached VPN gateways' devices, in the core
  std::vector<RouteSpec> routes;             // in the core, for peerings and VPN gateways
};

// The metric of VPC `vpc_id`'s unreachable route in the host namespace: high (so any route the
// operator made for the same CIDR wins) and distinct per VPC.
uint32_t HostRouteMetric(const std::string& vpc_id);

// Makes the namespaces, links, addresses, routes and rules of `spec` exist, and removes links,
// routes and rules of efsd's that `spec` no longer has. What cannot be done for one interface
// or VPN device (a device that is not there, a container's namespace that is gone) is put in
// `failures` by its id (the interface's, or the device's name) and the rest is done; with
// `failures` null it fails the call. The returned error is about the VPC as a whole.
Status ApplyVpc(const VpcSpec& spec, std::map<std::string, Status>* failures = nullptr);

// Moves operator device `device` from the namespace named `netns` back to this process's
// namespace, down and without the addresses efsd gave it. Nothing to do if it is not there.
Status ReturnDevice(const std::string& netns, const std::string& device);

// Removes the VPC: returns `spec`'s devices to the host, deletes its namespaces (and with them
// every link efsd made in them) and the client namespaces efsd made, and the host's route.
Status RemoveVpc(const VpcSpec& spec);

// Deletes client namespace ClientNetns(eni_id) and its /etc/netns entry, if they exist.
Status RemoveClientNetns(const std::string& eni_id);

}  // namespace efs::net

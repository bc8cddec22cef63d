// Making a VPC's namespaces match its VpcSpec (see vpc_network.h): read what is there with
// `ip -j`, then one `ip -batch` of idempotent commands per namespace.
#include "net/vpc_network.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/log.h"
#include "base/macros.h"
#include "net/netns.h"

namespace efs::net {
namespace {

using Json = nlohmann::json;

constexpr char kExternalTable[] = "100";  // the core's routes to peerings and VPN gateways
constexpr int kExternalInPref = 100;      // iif <external link> lookup main
constexpr int kExternalDropPref = 101;    // iif <external link> blackhole
constexpr int kExternalTablePref = 200;   // lookup 100
constexpr char kAliasPrefix[] = "efs ";
// The MTU of the links efsd makes. They never leave this host, so they are as wide as `lo`:
// NFS's 1 MiB reads and writes go in few packets (with 1500, seq-read at 16 clients ran at 0.83x
// of loopback's; see docs/BENCHMARKS.md). Attached devices keep their own MTU, and TCP's MSS
// follows the narrowest end.
constexpr char kMtu[] = "65535";

// --- reading `ip -j` output without exceptions

std::string Str(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<Json> IpJson(const std::string& netns, std::vector<std::string> args) {
  std::vector<std::string> full;
  if (!netns.empty()) full = {"-n", netns};
  full.push_back("-j");
  full.insert(full.end(), args.begin(), args.end());
  EFS_ASSIGN_OR_RETURN(std::string out, Ip(full));
  Json parsed = Json::parse(out.empty() ? "[]" : out, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return IOError("cannot read the output of 'ip -j " + args[0] + "'");
  return parsed;
}

struct Link {
  std::string alias;  // "" when none
  std::string kind;   // "veth", "bridge", ... ("" for lo and devices without linkinfo)
};

Result<std::map<std::string, Link>> Links(const std::string& netns) {
  EFS_ASSIGN_OR_RETURN(Json links, IpJson(netns, {"-d", "link", "show"}));
  std::map<std::string, Link> out;
  for (const Json& l : links) {
    if (!l.is_object()) continue;
    Link link{Str(l, "ifalias"), ""};
    if (auto info = l.find("linkinfo"); info != l.end() && info->is_object()) {
      link.kind = Str(*info, "info_kind");
    }
    out[Str(l, "ifname")] = link;
  }
  return out;
}

// The IPv4 addresses on `dev`, as "a.b.c.d/len".
Result<std::set<std::string>> Addresses(const std::string& netns, const std::string& dev) {
  EFS_ASSIGN_OR_RETURN(Json links, IpJson(netns, {"-4", "addr", "show", "dev", dev}));
  std::set<std::string> out;
  for (const Json& l : links) {
    auto info = l.is_object() ? l.find("addr_info") : l.end();
    if (info == l.end() || !info->is_array()) continue;
    for (const Json& a : *info) {
      auto len = a.find("prefixlen");
      if (a.is_object() && len != a.end() && len->is_number_integer()) {
        out.insert(Str(a, "local") + "/" + std::to_string(len->get<int>()));
      }
    }
  }
  return out;
}

struct Route {
  std::string dst;  // "default" or "a.b.c.d" or "a.b.c.d/n"
  std::string dev;
  bool kernel = false;  // the kernel's own (an address's subnet), never efsd's to remove
};

Result<std::vector<Route>> Routes(const std::string& netns, const std::string& table) {
  Result<Json> listed = IpJson(netns, {"-4", "route", "show", "table", table});
  // A table that never had a route does not exist yet.
  if (!listed.ok() && listed.status().message().find("does not exist") != std::string::npos) {
    return std::vector<Route>{};
  }
  EFS_ASSIGN_OR_RETURN(Json routes, std::move(listed));
  std::vector<Route> out;
  for (const Json& r : routes) {
    if (r.is_object()) {
      out.push_back(Route{Str(r, "dst"), Str(r, "dev"), Str(r, "protocol") == "kernel"});
    }
  }
  return out;
}

struct Rule {
  int priority = 0;
  std::string iif;
};

Result<std::vector<Rule>> Rules(const std::string& netns) {
  EFS_ASSIGN_OR_RETURN(Json rules, IpJson(netns, {"-4", "rule", "show"}));
  std::vector<Rule> out;
  for (const Json& r : rules) {
    auto pref = r.is_object() ? r.find("priority") : r.end();
    if (pref == r.end() || !pref->is_number_integer()) continue;
    out.push_back(Rule{pref->get<int>(), Str(r, "iif")});
  }
  return out;
}

// "a.b.c.d" as ip prints a host route's dst; CIDRs given as "x/32" compare equal to it.
std::string RouteKey(const std::string& cidr) {
  const std::string host = "/32";
  if (cidr.size() > host.size() &&
      cidr.compare(cidr.size() - host.size(), host.size(), host) == 0) {
    return cidr.substr(0, cidr.size() - host.size());
  }
  return cidr;
}

bool Ours(const Link& link) { return link.alias.rfind(kAliasPrefix, 0) == 0; }

// --- the namespaces

// Forwarding, strict reverse-path filtering, proxy ARP, no IPv6: every namespace of a VPC.
Status ConfigureRouterNamespace(const std::string& name) {
  return InNetns(NetnsPath(name), [] {
    const std::pair<const char*, const char*> settings[] = {
        {"net/ipv4/ip_forward", "1"},
        {"net/ipv4/conf/all/rp_filter", "1"},
        {"net/ipv4/conf/default/rp_filter", "1"},
        {"net/ipv4/conf/all/proxy_arp", "1"},
        {"net/ipv6/conf/all/disable_ipv6", "1"},
        {"net/ipv6/conf/default/disable_ipv6", "1"},
    };
    for (const auto& [key, value] : settings) EFS_RETURN_IF_ERROR(WriteSysctl("", key, value));
    return Status::Ok();
  });
}

Status EnsureRouterNamespace(const std::string& name) {
  EFS_RETURN_IF_ERROR(CreateNetns(name));
  return ConfigureRouterNamespace(name);
}

// Collects the first error of several independent steps, and runs them all.
// Errors about the VPC as a whole (the first is returned), and about one interface or device,
// kept by its id (`failures`, may be null) so that the caller knows what did not come up.
class Errors {
 public:
  explicit Errors(std::map<std::string, Status>* failures = nullptr) : failures_(failures) {}
  void Add(const Status& status) {
    if (!status.ok()) {
      EFS_LOG(kWarn) << "network: " << status.message();
      if (first_.ok()) first_ = status;
    }
  }
  void For(const std::string& id, const Status& status) {
    if (status.ok()) return;
    EFS_LOG(kWarn) << "network: " << id << ": " << status.message();
    if (failures_ != nullptr) {
      failures_->emplace(id, status);
    } else if (first_.ok()) {
      first_ = status;
    }
  }
  bool Failed(const std::string& id) const { return failures_ && failures_->count(id); }
  const Status& first() const { return first_; }

 private:
  std::map<std::string, Status>* failures_;
  Status first_;
};

std::string Alias(const std::string& id) { return std::string(kAliasPrefix) + id; }

std::string ZoneLink(size_t index) { return "zone" + std::to_string(index + 1); }
// The addresses of zone link `index`: the core's end and the zone's, in 169.254.255.0/24.
std::string ZoneLinkCoreIp(size_t index) { return "169.254.255." + std::to_string(4 * index + 1); }
std::string ZoneLinkZoneIp(size_t index) { return "169.254.255." + std::to_string(4 * index + 2); }

// The core: zone links and their subnets, peering links, VPN devices, external routes and the
// rules that keep what comes in from outside inside the VPC.
Status ApplyCore(const VpcSpec& spec,
                 std::vector<std::pair<std::string, std::string>>* host_moves) {
  const std::string core = CoreNetns(spec.vpc_id);
  EFS_ASSIGN_OR_RETURN(auto links, Links(core));
  std::vector<std::string> cmds = {"link set lo up"};
  std::set<std::string> wanted_links;
  std::map<std::string, std::set<std::string>> wanted_routes;  // dev -> dsts (main)
  for (size_t i = 0; i < spec.zones.size(); ++i) {
    const ZoneSpec& zone = spec.zones[i];
    const std::string link = ZoneLink(i);
    wanted_links.insert(link);
    if (!links.count(link)) {
      cmds.push_back("link add " + link + " type veth peer name core netns " +
                     ZoneNetns(spec.vpc_id, zone.az_id));
    }
    cmds.push_back("link set " + link + " mtu " + kMtu);
    cmds.push_back("link set " + link + " alias \"" + Alias("zone " + zone.az_id) + "\"");
    cmds.push_back("addr replace " + ZoneLinkCoreIp(i) + "/30 dev " + link);
    cmds.push_back("link set " + link + (zone.failed ? " down" : " up"));
    for (const std::string& cidr : zone.subnet_cidrs) {
      wanted_routes[link].insert(RouteKey(cidr));
      if (!zone.failed) {
        cmds.push_back("route replace " + cidr + " via " + ZoneLinkZoneIp(i) + " dev " + link);
      }
    }
  }
  for (const PeeringSpec& p : spec.peerings) {
    const std::string link = LinkName(p.id);
    wanted_links.insert(link);
    if (!links.count(link)) {
      // The other side makes it if this one cannot yet (its VPC's Apply comes later).
      if (!NetnsExists(p.peer_core_netns)) continue;
      cmds.push_back("link add " + link + " type veth peer name " + link + " netns " +
                     p.peer_core_netns);
    }
    cmds.push_back("link set " + link + " mtu " + kMtu);
    cmds.push_back("link set " + link + " alias \"" + Alias(p.id) + "\"");
    cmds.push_back("addr replace " + p.local_ip + " dev " + link);
    cmds.push_back("link set " + link + " up");
  }
  for (const std::string& device : spec.gateway_devices) {
    if (!links.count(device))
      host_moves->emplace_back(device, "link set " + device + " netns " + core);
  }
  // Links efsd made that the spec no longer has (a deleted peering).
  for (const auto& [name, link] : links) {
    if (Ours(link) && !wanted_links.count(name)) cmds.push_back("link del " + name);
  }
  // Subnets that are gone.
  EFS_ASSIGN_OR_RETURN(std::vector<Route> main, Routes(core, "main"));
  for (const Route& r : main) {
    auto wanted = wanted_routes.find(r.dev);
    if (!r.kernel && wanted != wanted_routes.end() && !wanted->second.count(r.dst)) {
      cmds.push_back("route del " + r.dst + " dev " + r.dev);
    }
  }
  EFS_RETURN_IF_ERROR(IpBatch(core, cmds));
  return Status::Ok();
}

// After the host moved the VPN devices in: bring them up, and the external routes and rules.
Status ApplyCoreExternal(const VpcSpec& spec) {
  const std::string core = CoreNetns(spec.vpc_id);
  std::vector<std::string> cmds;
  std::set<std::string> external;
  EFS_ASSIGN_OR_RETURN(auto links, Links(core));
  for (const PeeringSpec& p : spec.peerings) {
    if (links.count(LinkName(p.id))) external.insert(LinkName(p.id));
  }
  for (const std::string& device : spec.gateway_devices) {
    if (links.count(device)) {
      external.insert(device);
      cmds.push_back("link set " + device + " up");
    }
  }
  std::set<std::string> wanted;
  for (const RouteSpec& r : spec.routes) {
    if (!external.count(r.link)) continue;  // its link is not there (yet)
    wanted.insert(RouteKey(r.cidr));
    cmds.push_back("route replace " + r.cidr + (r.via.empty() ? "" : " via " + r.via) + " dev " +
                   r.link + " table " + kExternalTable);
  }
  EFS_ASSIGN_OR_RETURN(std::vector<Route> routes, Routes(core, kExternalTable));
  for (const Route& r : routes) {
    if (!r.kernel && !wanted.count(r.dst)) {
      cmds.push_back("route del " + r.dst + " table " + kExternalTable);
    }
  }
  EFS_ASSIGN_OR_RETURN(std::vector<Rule> rules, Rules(core));
  std::set<std::pair<int, std::string>> have;
  for (const Rule& r : rules) {
    have.insert({r.priority, r.iif});
    if ((r.priority == kExternalInPref || r.priority == kExternalDropPref) &&
        !external.count(r.iif)) {
      cmds.push_back("rule del pref " + std::to_string(r.priority) + " iif " + r.iif);
    }
  }
  for (const std::string& link : external) {
    if (!have.count({kExternalInPref, link})) {
      cmds.push_back("rule add pref " + std::to_string(kExternalInPref) + " iif " + link +
                     " lookup main");
    }
    if (!have.count({kExternalDropPref, link})) {
      cmds.push_back("rule add pref " + std::to_string(kExternalDropPref) + " iif " + link +
                     " blackhole");
    }
  }
  if (!have.count({kExternalTablePref, ""})) {
    cmds.push_back("rule add pref " + std::to_string(kExternalTablePref) + " lookup " +
                   kExternalTable);
  }
  return IpBatch(core, cmds);
}

// A client's side of its veth pair, in its own namespace.
Status ApplyClientSide(const EniSpec& eni, bool failed) {
  std::vector<std::string> cmds;
  if (eni.make_netns) cmds.push_back("link set lo up");
  cmds.push_back("link set " + eni.ifname + " mtu " + kMtu);
  cmds.push_back("link set " + eni.ifname + " up");
  cmds.push_back("addr replace " + eni.ip + "/" + std::to_string(eni.prefix_length) + " dev " +
                 eni.ifname);
  if (!failed) {
    for (const std::string& dst : eni.client_routes) {
      cmds.push_back("route replace " + dst + " via " + eni.gateway + " dev " + eni.ifname);
    }
  }
  return IpBatch(eni.netns_path, cmds);
}

Status WriteResolvConf(const EniSpec& eni) {
  std::filesystem::path dir = std::filesystem::path("/etc/netns") / ClientNetns(eni.id);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IOError("cannot create '" + dir.string() + "': " + ec.message());
  std::ofstream out(dir / "resolv.conf", std::ios::trunc);
  out << "# made by efsd for network interface " << eni.id << "\nnameserver " << eni.dns_ip << "\n";
  if (!out) return IOError("cannot write '" + (dir / "resolv.conf").string() + "'");
  // Every user in the namespace resolves through it, whatever efsd's umask (077).
  for (const std::filesystem::path& d : {dir.parent_path(), dir}) {
    std::filesystem::permissions(d, std::filesystem::perms(0755), ec);
  }
  std::filesystem::permissions(dir / "resolv.conf", std::filesystem::perms(0644), ec);
  if (ec) return IOError("cannot chmod '" + dir.string() + "': " + ec.message());
  return Status::Ok();
}

// The commands that make one interface of a zone (not a device: ApplyDevice). `present`: its
// link is already there.
std::vector<std::string> InterfaceCommands(const EniSpec& eni, bool failed, bool present) {
  const std::string link = LinkName(eni.id);
  std::vector<std::string> cmds;
  if (!present) {
    cmds.push_back(eni.kind == EniSpec::Kind::kMountTarget
                       ? "link add " + link + " type bridge"
                       : "link add " + link + " type veth peer name " + eni.ifname + " netns " +
                             eni.netns_path);
  }
  if (eni.kind != EniSpec::Kind::kMountTarget) cmds.push_back("link set " + link + " mtu " + kMtu);
  cmds.push_back("link set " + link + " alias \"" + Alias(eni.id) + "\"");
  cmds.push_back("link set " + link + (failed ? " down" : " up"));
  if (eni.kind == EniSpec::Kind::kMountTarget) {
    cmds.push_back(failed ? "addr flush dev " + link
                          : "addr replace " + eni.ip + "/32 dev " + link);
    return cmds;
  }
  cmds.push_back("addr replace " + eni.gateway + "/32 dev " + link);
  if (!failed) {
    for (const std::string& r : eni.routed) cmds.push_back("route replace " + r + " dev " + link);
  }
  return cmds;
}

// One zone: its addresses, its link to the core, and its network interfaces, each in a batch of
// its own so that one that cannot be made (a container's namespace gone) spoils only itself.
// Devices to bring in are added to `host_moves` (interface id, command).
void ApplyZone(const VpcSpec& spec, size_t index, Errors& errors,
               std::vector<std::pair<std::string, std::string>>* host_moves) {
  const ZoneSpec& zone = spec.zones[index];
  const std::string ns = ZoneNetns(spec.vpc_id, zone.az_id);
  Result<std::map<std::string, Link>> links = Links(ns);
  Result<std::set<std::string>> lo_have = Addresses(ns, "lo");
  if (!links.ok() || !lo_have.ok()) {
    errors.Add(links.ok() ? lo_have.status() : links.status());
    return;
  }
  std::vector<std::string> cmds = {"link set lo up"};
  std::set<std::string> lo_wanted = {"127.0.0.1/8", spec.dns_ip + "/32"};
  for (const std::string& a : lo_wanted) cmds.push_back("addr replace " + a + " dev lo");
  for (const std::string& a : *lo_have) {
    if (!lo_wanted.count(a)) cmds.push_back("addr del " + a + " dev lo");
  }
  cmds.push_back(std::string("link set core mtu ") + kMtu);
  cmds.push_back("addr replace " + ZoneLinkZoneIp(index) + "/30 dev core");
  cmds.push_back(std::string("link set core ") + (zone.failed ? "down" : "up"));
  if (!zone.failed) {
    cmds.push_back("route replace default via " + ZoneLinkCoreIp(index) + " dev core");
  }
  std::set<std::string> wanted_links = {"core"};
  for (const EniSpec& eni : spec.enis) {
    if (eni.az_id != zone.az_id) continue;
    const bool device = eni.kind == EniSpec::Kind::kDevice;
    wanted_links.insert(device ? eni.device : LinkName(eni.id));
    if (device && !links->count(eni.device)) {
      host_moves->emplace_back(eni.id, "link set " + eni.device + " netns " + ns);
    }
  }
  for (const auto& [name, link] : *links) {
    if (Ours(link) && !wanted_links.count(name)) cmds.push_back("link del " + name);
  }
  errors.Add(IpBatch(ns, cmds));
  for (const EniSpec& eni : spec.enis) {
    if (eni.az_id != zone.az_id || eni.kind == EniSpec::Kind::kDevice) continue;
    if (eni.make_netns) errors.For(eni.id, CreateNetns(ClientNetns(eni.id)));
    errors.For(eni.id, IpBatch(ns, InterfaceCommands(eni, zone.failed,
                                                     links->count(LinkName(eni.id)) > 0)));
  }
}

// A device moved into its zone: the gateway's address, up (or down in a failed zone), routed.
Status ApplyDevice(const VpcSpec& spec, const EniSpec& eni, bool failed) {
  std::vector<std::string> cmds = {"addr replace " + eni.gateway + "/32 dev " + eni.device,
                                   "link set " + eni.device + (failed ? " down" : " up")};
  if (!failed) {
    for (const std::string& r : eni.routed)
      cmds.push_back("route replace " + r + " dev " + eni.device);
  }
  return IpBatch(ZoneNetns(spec.vpc_id, eni.az_id), cmds);
}

// GRO on every veth efsd made, both ends (see EnableGro).
void EnableGroOnLinks(const VpcSpec& spec, Errors& errors) {
  std::vector<std::string> core;
  for (size_t i = 0; i < spec.zones.size(); ++i) core.push_back(ZoneLink(i));
  for (const PeeringSpec& p : spec.peerings) core.push_back(LinkName(p.id));
  errors.Add(EnableGro(NetnsPath(CoreNetns(spec.vpc_id)), core));
  for (const ZoneSpec& zone : spec.zones) {
    std::vector<std::string> links = {"core"};
    for (const EniSpec& eni : spec.enis) {
      if (eni.az_id == zone.az_id && eni.kind == EniSpec::Kind::kNetns) {
        links.push_back(LinkName(eni.id));
      }
    }
    errors.Add(EnableGro(NetnsPath(ZoneNetns(spec.vpc_id, zone.az_id)), links));
  }
  for (const EniSpec& eni : spec.enis) {
    if (eni.kind == EniSpec::Kind::kNetns && !errors.Failed(eni.id)) {
      errors.For(eni.id, EnableGro(eni.netns_path, {eni.ifname}));
    }
  }
}

const ZoneSpec* FindZone(const VpcSpec& spec, const std::string& az_id) {
  for (const ZoneSpec& z : spec.zones) {
    if (z.az_id == az_id) return &z;
  }
  return nullptr;
}

}  // namespace

std::string CoreNetns(const std::string& vpc_id) { return "efs-" + vpc_id; }

std::string ZoneNetns(const std::string& vpc_id, const std::string& az_id) {
  return "efs-" + vpc_id + "-" + az_id;
}

std::string ClientNetns(const std::string& eni_id) { return "efs-" + eni_id; }

std::string LinkName(const std::string& id) {
  size_t dash = id.find('-');
  if (dash == std::string::npos) return id.substr(0, 15);
  return id.substr(0, std::min<size_t>(dash, 3)) + id.substr(dash + 1, 12);
}

uint32_t HostRouteMetric(const std::string& vpc_id) {
  // FNV-1a of the id, folded into the top of the metric range.
  uint32_t h = 2166136261u;
  for (char c : vpc_id) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return 0x7f000000u | (h & 0x00ffffffu);
}

Status ApplyVpc(const VpcSpec& spec, std::map<std::string, Status>* failures) {
  Errors errors(failures);
  EFS_RETURN_IF_ERROR(EnsureRouterNamespace(CoreNetns(spec.vpc_id)));
  for (const ZoneSpec& zone : spec.zones) {
    EFS_RETURN_IF_ERROR(EnsureRouterNamespace(ZoneNetns(spec.vpc_id, zone.az_id)));
  }
  Result<std::string> host_route = Ip({"route", "replace", "unreachable", spec.cidr, "metric",
                                       std::to_string(spec.host_route_metric)});
  if (!host_route.ok()) errors.Add(host_route.status());
  std::vector<std::pair<std::string, std::string>> moves;  // interface id or device, command
  EFS_RETURN_IF_ERROR(ApplyCore(spec, &moves));
  for (const EniSpec& eni : spec.enis) {
    if (eni.make_netns && !eni.dns_ip.empty()) errors.For(eni.id, WriteResolvConf(eni));
  }
  for (size_t i = 0; i < spec.zones.size(); ++i) ApplyZone(spec, i, errors, &moves);
  // Devices come in one by one, so that a missing one keeps only itself out.
  for (const auto& [id, move] : moves) errors.For(id, IpBatch("", {move}));
  for (const EniSpec& eni : spec.enis) {
    const ZoneSpec* zone = FindZone(spec, eni.az_id);
    const bool failed = zone != nullptr && zone->failed;
    if (errors.Failed(eni.id)) continue;
    if (eni.kind == EniSpec::Kind::kDevice) errors.For(eni.id, ApplyDevice(spec, eni, failed));
    if (eni.kind == EniSpec::Kind::kNetns) errors.For(eni.id, ApplyClientSide(eni, failed));
  }
  errors.Add(ApplyCoreExternal(spec));
  EnableGroOnLinks(spec, errors);
  return errors.first();
}

Status ReturnDevice(const std::string& netns, const std::string& device) {
  if (!NetnsExists(netns)) return Status::Ok();
  EFS_ASSIGN_OR_RETURN(auto links, Links(netns));
  if (!links.count(device)) return Status::Ok();
  return IpBatch(netns, {"link set " + device + " down", "addr flush dev " + device,
                         "link set " + device + " netns " + std::to_string(::getpid())});
}

Status RemoveVpc(const VpcSpec& spec) {
  Errors errors;
  for (const EniSpec& eni : spec.enis) {
    if (eni.kind == EniSpec::Kind::kDevice) {
      errors.Add(ReturnDevice(ZoneNetns(spec.vpc_id, eni.az_id), eni.device));
    }
  }
  for (const std::string& device : spec.gateway_devices) {
    errors.Add(ReturnDevice(CoreNetns(spec.vpc_id), device));
  }
  if (!errors.first().ok()) return errors.first();  // never destroy an operator's device
  for (const EniSpec& eni : spec.enis) {
    if (eni.make_netns) errors.Add(RemoveClientNetns(eni.id));
  }
  for (const ZoneSpec& zone : spec.zones) {
    errors.Add(DeleteNetns(ZoneNetns(spec.vpc_id, zone.az_id)));
  }
  errors.Add(DeleteNetns(CoreNetns(spec.vpc_id)));
  Result<std::string> route = Ip(
      {"route", "del", "unreachable", spec.cidr, "metric", std::to_string(spec.host_route_metric)});
  if (!route.ok() && route.status().message().find("No such process") == std::string::npos) {
    errors.Add(route.status());
  }
  return errors.first();
}

Status RemoveClientNetns(const std::string& eni_id) {
  EFS_RETURN_IF_ERROR(DeleteNetns(ClientNetns(eni_id)));
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path("/etc/netns") / ClientNetns(eni_id), ec);
  if (ec) return IOError("cannot remove /etc/netns/" + ClientNetns(eni_id) + ": " + ec.message());
  std::filesystem::remove("/etc/netns", ec);  // iproute2's, if nothing else is left in it
  return Status::Ok();
}

}  // namespace efs::net

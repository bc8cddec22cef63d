// Catalog rows, part 3: VPCs and what joins them to the world: client network interfaces,
// peering connections, routes, VPN gateways, failed zones; and the access keys of the HTTP API.
#include <sstream>
#include <utility>

#include "base/macros.h"
#include "store/catalog.h"
#include "store/catalog_read.h"

namespace efs::store {

namespace {

using internal::First;
using internal::ReadAll;
using internal::StringFrom;

#define EFS_VPC_SELECT "SELECT id, cidr, is_default, state, route_table_id FROM vpcs "

VpcRow VpcFrom(const Stmt& s) {
  return VpcRow{s.Text(0), s.Text(1), s.Int(2) != 0, s.Text(3), s.Text(4)};
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

#define EFS_ENI_SELECT                                                                       \
  "SELECT n.seq, n.id, n.subnet_id, n.ip, n.prefixes, n.description, n.requester, n.state, " \
  "n.attachment_id, n.attach_kind, n.attach_target, n.ifname, n.attach_time, n.owner_pid, "  \
  "n.owner_start, n.creation_time, s.vpc_id, s.az_name, s.az_id "                            \
  "FROM network_interfaces n JOIN subnets s ON s.id = n.subnet_id "

std::optional<int64_t> OptInt(const Stmt& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  return s.Int(col);
}

NetworkInterfaceRow EniFrom(const Stmt& s) {
  NetworkInterfaceRow r;
  r.seq = s.Int(0);
  r.id = s.Text(1);
  r.subnet_id = s.Text(2);
  r.ip = s.Text(3);
  r.prefixes = SplitWords(s.Text(4));
  r.description = s.Text(5);
  r.requester = s.OptText(6);
  r.state = s.Text(7);
  r.attachment_id = s.OptText(8);
  r.attach_kind = s.OptText(9);
  r.attach_target = s.OptText(10);
  r.ifname = s.OptText(11);
  r.attach_time = s.OptDouble(12);
  r.owner_pid = OptInt(s, 13);
  r.owner_start = OptInt(s, 14);
  r.creation_time = s.Double(15);
  r.vpc_id = s.Text(16);
  r.az_name = s.Text(17);
  r.az_id = s.Text(18);
  return r;
}

#define EFS_PEERING_SELECT                                                             \
  "SELECT seq, id, requester_vpc_id, accepter_vpc_id, state, message, creation_time, " \
  "expiration_time FROM vpc_peering_connections "

PeeringRow PeeringFrom(const Stmt& s) {
  return PeeringRow{s.Int(0),  s.Text(1), s.Text(2),   s.Text(3),
                    s.Text(4), s.Text(5), s.Double(6), s.OptDouble(7)};
}

#define EFS_ACCESS_KEY_SELECT \
  "SELECT seq, id, secret, user_name, uid, creation_time FROM access_keys "

AccessKeyRow AccessKeyFrom(const Stmt& s) {
  return AccessKeyRow{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Double(5)};
}

RouteRow RouteFrom(const Stmt& s) { return RouteRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3)}; }

#define EFS_VGW_SELECT                                                               \
  "SELECT seq, id, type, amazon_side_asn, device, state, vpc_id, attachment_state, " \
  "creation_time FROM vpn_gateways "

VpnGatewayRow VgwFrom(const Stmt& s) {
  return VpnGatewayRow{s.Int(0),  s.Text(1),    s.Text(2),    s.Int(3),   s.Text(4),
                       s.Text(5), s.OptText(6), s.OptText(7), s.Double(8)};
}

}  // namespace

// ----------------------------------------------------------------------------- VPCs

Status Catalog::InsertVpc(const VpcRow& v) {
  return db_->Run(
      "INSERT INTO vpcs(id, cidr, is_default, state, route_table_id) VALUES(?1, ?2, ?3, ?4, ?5)",
      v.id, v.cidr, v.is_default, v.state, v.route_table_id);
}

Result<std::vector<VpcRow>> Catalog::ListVpcs() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_VPC_SELECT "ORDER BY seq"));
  return ReadAll<VpcRow>(s, VpcFrom);
}

Result<std::optional<VpcRow>> Catalog::FindVpc(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_VPC_SELECT "WHERE id = ?1", id));
  EFS_ASSIGN_OR_RETURN(std::vector<VpcRow> rows, ReadAll<VpcRow>(s, VpcFrom));
  return First(rows);
}

Result<std::optional<VpcRow>> Catalog::DefaultVpc() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_VPC_SELECT "WHERE is_default = 1 LIMIT 1"));
  EFS_ASSIGN_OR_RETURN(std::vector<VpcRow> rows, ReadAll<VpcRow>(s, VpcFrom));
  return First(rows);
}

Result<bool> Catalog::SetVpcState(const std::string& id, const std::string& from,
                                  const std::string& to) {
  EFS_RETURN_IF_ERROR(
      db_->Run("UPDATE vpcs SET state = ?3 WHERE id = ?1 AND state = ?2", id, from, to));
  return db_->Changes() > 0;
}

Status Catalog::DeleteVpc(const std::string& id) {
  EFS_RETURN_IF_ERROR(db_->Run("DELETE FROM routes WHERE vpc_id = ?1", id));
  EFS_RETURN_IF_ERROR(db_->Run("DELETE FROM security_groups WHERE vpc_id = ?1", id));
  return db_->Run("DELETE FROM vpcs WHERE id = ?1", id);
}

Result<std::vector<std::pair<std::string, std::string>>> Catalog::AddressesInVpc(
    const std::string& vpc_id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query("SELECT m.ip, m.subnet_id FROM mount_targets m "
                                          "JOIN subnets s ON s.id = m.subnet_id "
                                          "WHERE s.vpc_id = ?1 "
                                          "UNION ALL SELECT n.ip || ' ' || n.prefixes, "
                                          "n.subnet_id FROM network_interfaces n "
                                          "JOIN subnets s ON s.id = n.subnet_id "
                                          "WHERE s.vpc_id = ?1",
                                          vpc_id));
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    for (const std::string& address : SplitWords(s.Text(0))) out.emplace_back(address, s.Text(1));
  }
  return out;
}

// ----------------------------------------------------------------------------- interfaces

Status Catalog::InsertNetworkInterface(NetworkInterfaceRow& r) {
  EFS_ASSIGN_OR_RETURN(
      r.seq, db_->QueryInt("INSERT INTO network_interfaces(id, subnet_id, ip, prefixes, "
                           "description, requester, state, creation_time) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING seq",
                           r.id, r.subnet_id, r.ip, JoinWords(r.prefixes), r.description,
                           r.requester, r.state, r.creation_time));
  return UpdateNetworkInterface(r);
}

Result<std::optional<NetworkInterfaceRow>> Catalog::FindNetworkInterface(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_ENI_SELECT "WHERE n.id = ?1", id));
  EFS_ASSIGN_OR_RETURN(std::vector<NetworkInterfaceRow> rows,
                       ReadAll<NetworkInterfaceRow>(s, EniFrom));
  return First(rows);
}

Result<std::vector<NetworkInterfaceRow>> Catalog::ListNetworkInterfaces(
    const std::optional<std::string>& subnet_id, const std::optional<std::string>& vpc_id) {
  Result<Stmt> s =
      subnet_id ? db_->Query(EFS_ENI_SELECT "WHERE n.subnet_id = ?1 ORDER BY n.seq", *subnet_id)
      : vpc_id  ? db_->Query(EFS_ENI_SELECT "WHERE s.vpc_id = ?1 ORDER BY n.seq", *vpc_id)
                : db_->Query(EFS_ENI_SELECT "ORDER BY n.seq");
  if (!s.ok()) return s.status();
  return ReadAll<NetworkInterfaceRow>(*s, EniFrom);
}

Status Catalog::UpdateNetworkInterface(const NetworkInterfaceRow& r) {
  return db_->Run(
      "UPDATE network_interfaces SET ip = ?2, prefixes = ?3, description = ?4, requester = ?5, "
      "state = ?6, attachment_id = ?7, attach_kind = ?8, attach_target = ?9, ifname = ?10, "
      "attach_time = ?11, owner_pid = ?12, owner_start = ?13 WHERE id = ?1",
      r.id, r.ip, JoinWords(r.prefixes), r.description, r.requester, r.state, r.attachment_id,
      r.attach_kind, r.attach_target, r.ifname, r.attach_time, r.owner_pid, r.owner_start);
}

Status Catalog::DeleteNetworkInterface(const std::string& id) {
  return db_->Run("DELETE FROM network_interfaces WHERE id = ?1", id);
}

// ----------------------------------------------------------------------------- peering

Status Catalog::InsertPeering(PeeringRow& r) {
  EFS_ASSIGN_OR_RETURN(
      r.seq, db_->QueryInt("INSERT INTO vpc_peering_connections(id, requester_vpc_id, "
                           "accepter_vpc_id, state, message, creation_time, expiration_time) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING seq",
                           r.id, r.requester_vpc_id, r.accepter_vpc_id, r.state, r.message,
                           r.creation_time, r.expiration_time));
  return Status::Ok();
}

Result<std::optional<PeeringRow>> Catalog::FindPeering(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_PEERING_SELECT "WHERE id = ?1", id));
  EFS_ASSIGN_OR_RETURN(std::vector<PeeringRow> rows, ReadAll<PeeringRow>(s, PeeringFrom));
  return First(rows);
}

Result<std::vector<PeeringRow>> Catalog::ListPeerings(const std::optional<std::string>& vpc_id) {
  Result<Stmt> s =
      vpc_id ? db_->Query(EFS_PEERING_SELECT
                          "WHERE requester_vpc_id = ?1 OR accepter_vpc_id = ?1 ORDER BY seq",
                          *vpc_id)
             : db_->Query(EFS_PEERING_SELECT "ORDER BY seq");
  if (!s.ok()) return s.status();
  return ReadAll<PeeringRow>(*s, PeeringFrom);
}

Status Catalog::SetPeeringState(const std::string& id, const std::string& state,
                                const std::string& message) {
  return db_->Run(
      "UPDATE vpc_peering_connections SET state = ?2, message = ?3, expiration_time = NULL "
      "WHERE id = ?1",
      id, state, message);
}

Status Catalog::DeletePeering(const std::string& id) {
  return db_->Run("DELETE FROM vpc_peering_connections WHERE id = ?1", id);
}

// ----------------------------------------------------------------------------- access keys

Status Catalog::InsertAccessKey(AccessKeyRow& r) {
  EFS_ASSIGN_OR_RETURN(r.seq, db_->QueryInt("INSERT INTO access_keys(id, secret, user_name, uid, "
                                            "creation_time) VALUES(?1, ?2, ?3, ?4, ?5) "
                                            "RETURNING seq",
                                            r.id, r.secret, r.user_name, r.uid, r.creation_time));
  return Status::Ok();
}

Result<std::optional<AccessKeyRow>> Catalog::FindAccessKey(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_ACCESS_KEY_SELECT "WHERE id = ?1", id));
  EFS_ASSIGN_OR_RETURN(std::vector<AccessKeyRow> rows, ReadAll<AccessKeyRow>(s, AccessKeyFrom));
  return First(rows);
}

Result<std::vector<AccessKeyRow>> Catalog::ListAccessKeys(
    const std::optional<std::string>& user_name) {
  Result<Stmt> s =
      user_name ? db_->Query(EFS_ACCESS_KEY_SELECT "WHERE user_name = ?1 ORDER BY seq", *user_name)
                : db_->Query(EFS_ACCESS_KEY_SELECT "ORDER BY seq");
  if (!s.ok()) return s.status();
  return ReadAll<AccessKeyRow>(*s, AccessKeyFrom);
}

Status Catalog::DeleteAccessKey(const std::string& id) {
  return db_->Run("DELETE FROM access_keys WHERE id = ?1", id);
}

// ----------------------------------------------------------------------------- routes

Status Catalog::InsertRoute(const RouteRow& r) {
  return db_->Run("INSERT INTO routes(vpc_id, cidr, target_kind, target_id) VALUES(?1, ?2, ?3, ?4)",
                  r.vpc_id, r.cidr, r.target_kind, r.target_id);
}

Result<bool> Catalog::DeleteRoute(const std::string& vpc_id, const std::string& cidr) {
  EFS_RETURN_IF_ERROR(db_->Run("DELETE FROM routes WHERE vpc_id = ?1 AND cidr = ?2", vpc_id, cidr));
  return db_->Changes() > 0;
}

Result<std::vector<RouteRow>> Catalog::ListRoutes(const std::optional<std::string>& vpc_id) {
  Result<Stmt> s = vpc_id ? db_->Query(
                                "SELECT vpc_id, cidr, target_kind, target_id FROM routes "
                                "WHERE vpc_id = ?1 ORDER BY cidr",
                                *vpc_id)
                          : db_->Query(
                                "SELECT vpc_id, cidr, target_kind, target_id FROM routes "
                                "ORDER BY vpc_id, cidr");
  if (!s.ok()) return s.status();
  return ReadAll<RouteRow>(*s, RouteFrom);
}

// ----------------------------------------------------------------------------- VPN gateways

Status Catalog::InsertVpnGateway(VpnGatewayRow& r) {
  EFS_ASSIGN_OR_RETURN(
      r.seq, db_->QueryInt("INSERT INTO vpn_gateways(id, type, amazon_side_asn, device, state, "
                           "vpc_id, attachment_state, creation_time) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING seq",
                           r.id, r.type, r.amazon_side_asn, r.device, r.state, r.vpc_id,
                           r.attachment_state, r.creation_time));
  return Status::Ok();
}

Result<std::optional<VpnGatewayRow>> Catalog::FindVpnGateway(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_VGW_SELECT "WHERE id = ?1", id));
  EFS_ASSIGN_OR_RETURN(std::vector<VpnGatewayRow> rows, ReadAll<VpnGatewayRow>(s, VgwFrom));
  return First(rows);
}

Result<std::vector<VpnGatewayRow>> Catalog::ListVpnGateways() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query(EFS_VGW_SELECT "ORDER BY seq"));
  return ReadAll<VpnGatewayRow>(s, VgwFrom);
}

Status Catalog::UpdateVpnGateway(const VpnGatewayRow& r) {
  return db_->Run(
      "UPDATE vpn_gateways SET state = ?2, vpc_id = ?3, attachment_state = ?4 WHERE id = ?1", r.id,
      r.state, r.vpc_id, r.attachment_state);
}

Status Catalog::DeleteVpnGateway(const std::string& id) {
  return db_->Run("DELETE FROM vpn_gateways WHERE id = ?1", id);
}

// ----------------------------------------------------------------------------- failed zones

Result<std::vector<std::string>> Catalog::FailedZones() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query("SELECT az_id FROM failed_zones ORDER BY az_id"));
  return ReadAll<std::string>(s, StringFrom);
}

Status Catalog::SetZoneFailed(const std::string& az_id, bool failed) {
  if (failed) {
    return db_->Run("INSERT INTO failed_zones(az_id) VALUES(?1) ON CONFLICT DO NOTHING", az_id);
  }
  return db_->Run("DELETE FROM failed_zones WHERE az_id = ?1", az_id);
}

}  // namespace efs::store

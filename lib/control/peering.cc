// VPC peering and routes, shaped as EC2 shapes them: CreateVpcPeeringConnection,
// AcceptVpcPeeringConnection, RejectVpcPeeringConnection, DeleteVpcPeeringConnection,
// DescribeVpcPeeringConnections; CreateRoute, DeleteRoute, DescribeRouteTables over each VPC's
// main route table. A peering carries traffic only once accepted and routed, and never on to a
// third network (net/vpc_network.h).
#include "base/ids.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/cidr.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr double kPeeringExpirySeconds = 7 * 86400.0;  // an unaccepted request lapses
constexpr int kPeeringLinks = 127 * 64;                // /30s of 169.254.0.0/17 .. 169.254.126

Status PeeringNotFound(const std::string& id) {
  return Ec2NotFound("InvalidVpcPeeringConnectionID.NotFound", "vpc peering connection ID", id);
}

Status InvalidTransition(const store::PeeringRow& row, const std::string& to) {
  return Error(Code::kFailedPrecondition, "InvalidStateTransition",
               "invalid state transition for " + row.id + ", attempted to transition from " +
                   row.state + " to " + to);
}

Status NotOnLoopback(const std::string& what) {
  return Error(Code::kFailedPrecondition, "UnsupportedOperation",
               what +
                   " needs the netns network backend (efsd --network-backend netns); the "
                   "loopback backend's VPCs share one network");
}

// The /30 of peering link `index`: 169.254.<index/64>.<4*(index%64)>.
std::string LinkAddress(int index, int host) {
  return "169.254." + std::to_string(index / 64) + "." + std::to_string(4 * (index % 64) + host);
}

}  // namespace

std::string PeeringLocalIp(const store::PeeringRow& row, const std::string& vpc_id) {
  const bool requester = row.requester_vpc_id == vpc_id;
  return LinkAddress(static_cast<int>(row.seq % kPeeringLinks), requester ? 1 : 2) + "/30";
}

std::string PeeringPeerIp(const store::PeeringRow& row, const std::string& vpc_id) {
  const bool requester = row.requester_vpc_id == vpc_id;
  return LinkAddress(static_cast<int>(row.seq % kPeeringLinks), requester ? 2 : 1);
}

api::VpcPeeringConnection CatalogControlPlane::DescribePeeringLocked(const store::PeeringRow& row) {
  api::VpcPeeringConnection p;
  p.vpc_peering_connection_id = row.id;
  auto info = [&](const std::string& vpc_id, bool with_cidr) REQUIRES(mu_) {
    api::VpcPeeringConnectionVpcInfo i;
    i.owner_id = options().owner_id;
    i.vpc_id = vpc_id;
    i.region = options().region;
    Result<std::optional<store::VpcRow>> vpc = catalog_->FindVpc(vpc_id);
    if (with_cidr && vpc.ok() && *vpc) i.cidr_block = (*vpc)->cidr;
    return i;
  };
  p.requester_vpc_info = info(row.requester_vpc_id, true);
  p.accepter_vpc_info = info(row.accepter_vpc_id, row.state == "active");
  p.status = {row.state, row.message};
  if (row.state == "pending-acceptance" && row.expiration_time &&
      clock_->Now() > *row.expiration_time) {
    p.status = {"expired", "Expired"};
  }
  p.expiration_time = row.expiration_time;
  return p;
}

Result<store::PeeringRow> CatalogControlPlane::FindPeeringLocked(const std::string& id) {
  if (!IsValidId(id, "pcx")) {
    return Error(Code::kInvalidArgument, "InvalidVpcPeeringConnectionId.Malformed",
                 "'" + id + "' is not a vpc peering connection id (pcx-...)");
  }
  EFS_ASSIGN_OR_RETURN(std::optional<store::PeeringRow> row, catalog_->FindPeering(id));
  if (!row || row->state == "deleting") return PeeringNotFound(id);
  return std::move(*row);
}

// ----------------------------------------------------------------------------- peering

Result<api::VpcPeeringConnectionResponse> CatalogControlPlane::CreateVpcPeeringConnection(
    const api::CreateVpcPeeringConnectionRequest& req) {
  if (!netns()) return NotOnLoopback("vpc peering");
  if (req.peer_owner_id && *req.peer_owner_id != options().owner_id) {
    return InvalidParameterValue("efsd has one account, '" + options().owner_id + "'");
  }
  if (req.peer_region && *req.peer_region != options().region) {
    return InvalidParameterValue("efsd serves one region, '" + options().region + "'");
  }
  if (req.vpc_id == req.peer_vpc_id) {
    return InvalidParameterValue("a vpc cannot peer with itself ('" + req.vpc_id + "')");
  }
  api::VpcPeeringConnectionResponse resp;
  MutexLock lock(&mu_);
  EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(store::VpcRow vpc, FindVpcLocked(req.vpc_id));
    EFS_ASSIGN_OR_RETURN(store::VpcRow peer, FindVpcLocked(req.peer_vpc_id));
    // The same pair asked again answers the connection there is, as EC2 does.
    EFS_ASSIGN_OR_RETURN(std::vector<store::PeeringRow> existing, catalog_->ListPeerings(vpc.id));
    for (const store::PeeringRow& p : existing) {
      bool same_pair = (p.requester_vpc_id == peer.id || p.accepter_vpc_id == peer.id);
      bool expired = p.state == "pending-acceptance" && p.expiration_time &&
                     clock_->Now() > *p.expiration_time;
      if (same_pair && !expired && (p.state == "pending-acceptance" || p.state == "active")) {
        resp.vpc_peering_connection = DescribePeeringLocked(p);
        return Status::Ok();
      }
    }
    store::PeeringRow row;
    row.id = NewId("pcx");
    row.requester_vpc_id = vpc.id;
    row.accepter_vpc_id = peer.id;
    row.creation_time = clock_->Now();
    if (ParseCidr(vpc.cidr)->Overlaps(*ParseCidr(peer.cidr))) {
      // EC2 takes the request and fails the connection; nothing is connected.
      row.state = "failed";
      row.message = "Overlapping CIDRs: " + vpc.cidr + " and " + peer.cidr;
    } else {
      row.state = "pending-acceptance";
      row.message = "Pending Acceptance by " + options().owner_id;
      row.expiration_time = row.creation_time + kPeeringExpirySeconds;
    }
    EFS_RETURN_IF_ERROR(catalog_->InsertPeering(row));
    resp.vpc_peering_connection = DescribePeeringLocked(row);
    return Status::Ok();
  }));
  return resp;
}

Result<api::VpcPeeringConnectionResponse> CatalogControlPlane::AcceptVpcPeeringConnection(
    const api::VpcPeeringConnectionIdRequest& req) {
  api::VpcPeeringConnectionResponse resp;
  store::PeeringRow row;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(row, FindPeeringLocked(req.vpc_peering_connection_id));
      if (row.state == "active") {
        resp.vpc_peering_connection = DescribePeeringLocked(row);
        return Status::Ok();
      }
      if (row.state != "pending-acceptance") return InvalidTransition(row, "active");
      if (row.expiration_time && clock_->Now() > *row.expiration_time) {
        // Not recorded: the transaction rolls back with the error; Describe shows it expired.
        row.state = "expired";
        return InvalidTransition(row, "active");
      }
      EFS_RETURN_IF_ERROR(catalog_->SetPeeringState(row.id, "active", "Active"));
      row.state = "active";
      row.message = "Active";
      row.expiration_time.reset();
      resp.vpc_peering_connection = DescribePeeringLocked(row);
      return Status::Ok();
    }));
  }
  MarkVpcDirty(row.requester_vpc_id);
  MarkVpcDirty(row.accepter_vpc_id);
  return resp;
}

Status CatalogControlPlane::RejectVpcPeeringConnection(
    const api::VpcPeeringConnectionIdRequest& req) {
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(store::PeeringRow row, FindPeeringLocked(req.vpc_peering_connection_id));
    if (row.state == "pending-acceptance" && row.expiration_time &&
        clock_->Now() > *row.expiration_time) {
      row.state = "expired";
    }
    if (row.state != "pending-acceptance") return InvalidTransition(row, "rejected");
    return catalog_->SetPeeringState(row.id, "rejected", "Rejected by " + options().owner_id);
  });
}

Status CatalogControlPlane::DeleteVpcPeeringConnection(
    const api::VpcPeeringConnectionIdRequest& req) {
  store::PeeringRow row;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(row, FindPeeringLocked(req.vpc_peering_connection_id));
      if (row.state != "pending-acceptance" && row.state != "active") {
        return InvalidTransition(row, "deleting");
      }
      return catalog_->SetPeeringState(row.id, "deleting", "Deleting");
    }));
  }
  MarkVpcDirty(row.requester_vpc_id);
  MarkVpcDirty(row.accepter_vpc_id);
  return Status::Ok();
}

Result<api::DescribeVpcPeeringConnectionsResponse>
CatalogControlPlane::DescribeVpcPeeringConnections(
    const api::DescribeVpcPeeringConnectionsRequest& req) {
  api::DescribeVpcPeeringConnectionsResponse resp;
  MutexLock lock(&mu_);
  if (!req.vpc_peering_connection_ids.empty()) {
    for (const std::string& id : req.vpc_peering_connection_ids) {
      EFS_ASSIGN_OR_RETURN(store::PeeringRow row, FindPeeringLocked(id));
      resp.vpc_peering_connections.push_back(DescribePeeringLocked(row));
    }
    return resp;
  }
  EFS_ASSIGN_OR_RETURN(std::vector<store::PeeringRow> rows, catalog_->ListPeerings(std::nullopt));
  for (const store::PeeringRow& row : rows) {
    if (row.state != "deleting") resp.vpc_peering_connections.push_back(DescribePeeringLocked(row));
  }
  return resp;
}

// ----------------------------------------------------------------------------- routes

Result<store::VpcRow> CatalogControlPlane::VpcOfRouteTableLocked(const std::string& rtb) {
  EFS_ASSIGN_OR_RETURN(std::vector<store::VpcRow> vpcs, catalog_->ListVpcs());
  for (const store::VpcRow& vpc : vpcs) {
    if (vpc.route_table_id == rtb && vpc.state != "deleting") return vpc;
  }
  return Ec2NotFound("InvalidRouteTableID.NotFound", "route table ID", rtb);
}

// Whether a route's target can carry traffic now: an active peering of its VPC, or a VPN
// gateway attached to it.
bool CatalogControlPlane::RouteActiveLocked(const store::RouteRow& route) {
  if (route.target_kind == "pcx") {
    Result<std::optional<store::PeeringRow>> p = catalog_->FindPeering(route.target_id);
    return p.ok() && *p && (*p)->state == "active";
  }
  Result<std::optional<store::VpnGatewayRow>> g = catalog_->FindVpnGateway(route.target_id);
  return g.ok() && *g && (*g)->vpc_id == route.vpc_id && (*g)->attachment_state == "attached";
}

Status CatalogControlPlane::CheckRouteTargetLocked(const api::CreateRouteRequest& req,
                                                   const store::VpcRow& vpc, store::RouteRow& row) {
  if (req.gateway_id.has_value() == req.vpc_peering_connection_id.has_value()) {
    return Error(Code::kInvalidArgument, "InvalidParameterCombination",
                 "give exactly one target: GatewayId (a vgw-) or VpcPeeringConnectionId");
  }
  if (req.vpc_peering_connection_id) {
    EFS_ASSIGN_OR_RETURN(store::PeeringRow p, FindPeeringLocked(*req.vpc_peering_connection_id));
    if (p.requester_vpc_id != vpc.id && p.accepter_vpc_id != vpc.id) {
      return InvalidParameterValue("vpc peering connection '" + p.id + "' does not connect vpc '" +
                                   vpc.id + "'");
    }
    row.target_kind = "pcx";
    row.target_id = p.id;
    return Status::Ok();
  }
  EFS_ASSIGN_OR_RETURN(std::optional<store::VpnGatewayRow> g,
                       catalog_->FindVpnGateway(*req.gateway_id));
  if (!g) return Ec2NotFound("InvalidGatewayID.NotFound", "gateway ID", *req.gateway_id);
  if (g->vpc_id != vpc.id || g->attachment_state == "detached") {
    return InvalidParameterValue("route table " + vpc.route_table_id + " and network gateway " +
                                 g->id + " belong to different networks");
  }
  row.target_kind = "vgw";
  row.target_id = g->id;
  return Status::Ok();
}

Status CatalogControlPlane::CreateRoute(const api::CreateRouteRequest& req) {
  if (!netns()) return NotOnLoopback("a route");
  std::string vpc_id;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(store::VpcRow vpc, VpcOfRouteTableLocked(req.route_table_id));
      std::optional<Cidr> cidr = ParseCidr(req.destination_cidr_block);
      if (!cidr || !cidr->aligned()) {
        return InvalidParameterValue("value (" + req.destination_cidr_block +
                                     ") for parameter destinationCidrBlock is invalid: not a "
                                     "valid CIDR block");
      }
      if (ParseCidr(vpc.cidr)->Overlaps(*cidr)) {
        return InvalidParameterValue("route target is not supported for " +
                                     req.destination_cidr_block + ": it overlaps the vpc's own " +
                                     vpc.cidr + ", routed locally");
      }
      store::RouteRow row{vpc.id, cidr->ToString(), "", ""};
      EFS_RETURN_IF_ERROR(CheckRouteTargetLocked(req, vpc, row));
      Status inserted = catalog_->InsertRoute(row);
      if (inserted.code() == Code::kAlreadyExists) {
        return Error(Code::kAlreadyExists, "RouteAlreadyExists",
                     "the route identified by " + row.cidr + " already exists");
      }
      vpc_id = vpc.id;
      return inserted;
    }));
  }
  MarkVpcDirty(vpc_id);
  return Status::Ok();
}

Status CatalogControlPlane::DeleteRoute(const api::DeleteRouteRequest& req) {
  std::string vpc_id;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(store::VpcRow vpc, VpcOfRouteTableLocked(req.route_table_id));
      std::optional<Cidr> cidr = ParseCidr(req.destination_cidr_block);
      EFS_ASSIGN_OR_RETURN(bool deleted,
                           catalog_->DeleteRoute(vpc.id, cidr ? cidr->ToString() : ""));
      if (!deleted) {
        return Error(Code::kNotFound, "InvalidRoute.NotFound",
                     "no route with destination-cidr-block " + req.destination_cidr_block +
                         " in route table " + req.route_table_id);
      }
      vpc_id = vpc.id;
      return Status::Ok();
    }));
  }
  MarkVpcDirty(vpc_id);
  return Status::Ok();
}

Result<api::DescribeRouteTablesResponse> CatalogControlPlane::DescribeRouteTables(
    const api::DescribeRouteTablesRequest& req) {
  api::DescribeRouteTablesResponse resp;
  MutexLock lock(&mu_);
  std::vector<store::VpcRow> vpcs;
  for (const std::string& rtb : req.route_table_ids) {
    EFS_ASSIGN_OR_RETURN(store::VpcRow vpc, VpcOfRouteTableLocked(rtb));
    vpcs.push_back(std::move(vpc));
  }
  if (req.route_table_ids.empty()) {
    EFS_ASSIGN_OR_RETURN(vpcs, catalog_->ListVpcs());
  }
  for (const store::VpcRow& vpc : vpcs) {
    if (vpc.state == "deleting" || (req.vpc_id && *req.vpc_id != vpc.id)) continue;
    api::RouteTable t;
    t.route_table_id = vpc.route_table_id;
    t.vpc_id = vpc.id;
    t.owner_id = options().owner_id;
    t.associations.push_back(
        {true, "rtbassoc-" + vpc.route_table_id.substr(4), vpc.route_table_id, {}});
    t.routes.push_back({vpc.cidr, "local", std::nullopt, "CreateRouteTable", "active"});
    EFS_ASSIGN_OR_RETURN(std::vector<store::RouteRow> routes, catalog_->ListRoutes(vpc.id));
    for (const store::RouteRow& r : routes) {
      api::Route route;
      route.destination_cidr_block = r.cidr;
      if (r.target_kind == "pcx") route.vpc_peering_connection_id = r.target_id;
      if (r.target_kind == "vgw") route.gateway_id = r.target_id;
      route.origin = "CreateRoute";
      route.state = RouteActiveLocked(r) ? "active" : "blackhole";
      t.routes.push_back(std::move(route));
    }
    resp.route_tables.push_back(std::move(t));
  }
  return resp;
}

}  // namespace efs::control

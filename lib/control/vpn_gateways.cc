// Virtual private gateways shaped as EC2 shapes them: CreateVpnGateway, AttachVpnGateway,
// DetachVpnGateway, DeleteVpnGateway, DescribeVpnGateways. A gateway is where a VPN or Direct
// Connect reaches a VPC: efsd moves its device (efsd's extension: a host interface, or the
// tunnel device of the operator's VPN software) into the VPC's core, and routes whose target is
// the gateway send their CIDRs out through it.
#include "base/ids.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr int64_t kDefaultAsn = 64512;

Status GatewayNotFound(const std::string& id) {
  return Ec2NotFound("InvalidVpnGatewayID.NotFound", "virtual private gateway ID", id);
}

bool ValidAsn(int64_t asn) {
  return (asn >= 64512 && asn <= 65534) || (asn >= 4200000000LL && asn <= 4294967294LL);
}

bool ValidDeviceName(const std::string& name) {
  if (name.empty() || name.size() > 15) return false;
  for (char c : name) {
    if (c == '/' || c == ':' || c <= ' ' || c == 127) return false;
  }
  return true;
}

}  // namespace

api::VpnGateway CatalogControlPlane::DescribeRow(const store::VpnGatewayRow& row) const {
  api::VpnGateway g;
  g.vpn_gateway_id = row.id;
  g.state = row.state;
  g.type = row.type;
  g.amazon_side_asn = row.amazon_side_asn;
  if (row.vpc_id && row.attachment_state) {
    g.vpc_attachments.push_back({*row.vpc_id, *row.attachment_state});
  }
  g.device = row.device;
  return g;
}

Result<store::VpnGatewayRow> CatalogControlPlane::FindGatewayLocked(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(std::optional<store::VpnGatewayRow> row, catalog_->FindVpnGateway(id));
  if (!row || row->state == "deleting") return GatewayNotFound(id);
  return std::move(*row);
}

Result<api::CreateVpnGatewayResponse> CatalogControlPlane::CreateVpnGateway(
    const api::CreateVpnGatewayRequest& req) {
  if (req.type != "ipsec.1") {
    return InvalidParameterValue("the gateway type must be 'ipsec.1', not '" + req.type + "'");
  }
  int64_t asn = req.amazon_side_asn.value_or(kDefaultAsn);
  if (!ValidAsn(asn)) {
    return InvalidParameterValue("AmazonSideAsn " + std::to_string(asn) +
                                 " is not a private ASN (64512-65534 or 4200000000-4294967294)");
  }
  if (!ValidDeviceName(req.device)) {
    return InvalidParameterValue("Device '" + req.device + "' is not an interface name");
  }
  store::VpnGatewayRow row;
  MutexLock lock(&mu_);
  EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_RETURN_IF_ERROR(CheckDeviceFreeLocked(req.device));
    row.id = NewId("vgw");
    row.type = req.type;
    row.amazon_side_asn = asn;
    row.device = req.device;
    row.state = "available";
    row.creation_time = clock_->Now();
    return catalog_->InsertVpnGateway(row);
  }));
  return api::CreateVpnGatewayResponse{DescribeRow(row)};
}

Result<api::AttachVpnGatewayResponse> CatalogControlPlane::AttachVpnGateway(
    const api::VpnGatewayAttachmentRequest& req) {
  if (!netns()) {
    return Error(Code::kFailedPrecondition, "UnsupportedOperation",
                 "a vpn gateway needs the netns network backend (efsd --network-backend netns)");
  }
  store::VpnGatewayRow row;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(row, FindGatewayLocked(req.vpn_gateway_id));
      EFS_ASSIGN_OR_RETURN(store::VpcRow vpc, FindVpcLocked(req.vpc_id));
      const bool attached = row.attachment_state && *row.attachment_state != "detached";
      if (attached && row.vpc_id == vpc.id) return Status::Ok();
      if (attached) {
        return Error(Code::kResourceExhausted, "VpnGatewayAttachmentLimitExceeded",
                     "vpn gateway '" + row.id + "' is attached to vpc '" + *row.vpc_id + "'");
      }
      EFS_ASSIGN_OR_RETURN(std::vector<store::VpnGatewayRow> all, catalog_->ListVpnGateways());
      for (const store::VpnGatewayRow& g : all) {
        if (g.vpc_id == vpc.id && g.attachment_state != "detached") {
          return Error(
              Code::kFailedPrecondition, "InvalidVpcState",
              "vpc " + vpc.id + " is currently attached to the virtual private gateway " + g.id);
        }
      }
      if (!endpoints_->HostDeviceExists(row.device)) {
        return InvalidParameterValue("vpn gateway '" + row.id + "' uses device '" + row.device +
                                     "', and there is no such interface on this host");
      }
      row.vpc_id = vpc.id;
      row.attachment_state = "attaching";
      return catalog_->UpdateVpnGateway(row);
    }));
  }
  MarkVpcDirty(*row.vpc_id);
  return api::AttachVpnGatewayResponse{{*row.vpc_id, *row.attachment_state}};
}

Status CatalogControlPlane::DetachVpnGateway(const api::VpnGatewayAttachmentRequest& req) {
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(store::VpnGatewayRow row, FindGatewayLocked(req.vpn_gateway_id));
      if (row.vpc_id != req.vpc_id || !row.attachment_state ||
          *row.attachment_state == "detached") {
        return Error(Code::kNotFound, "InvalidVpnGatewayAttachment.NotFound",
                     "the attachment with vpn gateway ID '" + req.vpn_gateway_id +
                         "' and vpc ID '" + req.vpc_id + "' does not exist");
      }
      if (*row.attachment_state == "detaching") return Status::Ok();
      row.attachment_state = "detaching";
      return catalog_->UpdateVpnGateway(row);
    }));
  }
  MarkVpcDirty(req.vpc_id);
  return Status::Ok();
}

Status CatalogControlPlane::DeleteVpnGateway(const api::DeleteVpnGatewayRequest& req) {
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(store::VpnGatewayRow row, FindGatewayLocked(req.vpn_gateway_id));
    if (row.attachment_state && *row.attachment_state != "detached") {
      return Error(Code::kFailedPrecondition, "IncorrectState", "the vpn gateway is in use");
    }
    return catalog_->DeleteVpnGateway(row.id);
  });
}

Result<api::DescribeVpnGatewaysResponse> CatalogControlPlane::DescribeVpnGateways(
    const api::DescribeVpnGatewaysRequest& req) {
  api::DescribeVpnGatewaysResponse resp;
  MutexLock lock(&mu_);
  for (const std::string& id : req.vpn_gateway_ids) {
    EFS_ASSIGN_OR_RETURN(store::VpnGatewayRow row, FindGatewayLocked(id));
    resp.vpn_gateways.push_back(DescribeRow(row));
  }
  if (!req.vpn_gateway_ids.empty()) return resp;
  EFS_ASSIGN_OR_RETURN(std::vector<store::VpnGatewayRow> rows, catalog_->ListVpnGateways());
  for (const store::VpnGatewayRow& row : rows) resp.vpn_gateways.push_back(DescribeRow(row));
  return resp;
}

}  // namespace efs::control

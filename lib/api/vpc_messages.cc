// JSON codecs for the VPC networking messages (vpc_messages.h), on api/codec.h. Vpc and
// DescribeVpcsResponse live here too (declared in messages.h), beside the other VPC shapes.
#include "api/vpc_messages.h"

#include "api/codec.h"

namespace efs::api {
namespace codec {

EFS_FIELDS(Vpc) {
  v("VpcId", s.vpc_id);
  v("CidrBlock", s.cidr_block);
  v("IsDefault", s.is_default);
  v("State", s.state);
  v("OwnerId", s.owner_id);
}

EFS_FIELDS(DescribeVpcsResponse) { v("Vpcs", s.vpcs); }
EFS_FIELDS(CreateVpcRequest) { v("CidrBlock", s.cidr_block, kRequired); }
EFS_FIELDS(CreateVpcResponse) { v("Vpc", s.vpc); }
EFS_FIELDS(DeleteVpcRequest) { v("VpcId", s.vpc_id, kRequired); }
EFS_FIELDS(DescribeVpcsRequest) { v("VpcIds", s.vpc_ids); }

EFS_FIELDS(PrivateIpAddressSpec) {
  v("Primary", s.primary);
  v("PrivateIpAddress", s.private_ip_address, kRequired);
}

EFS_FIELDS(Ipv4PrefixSpec) { v("Ipv4Prefix", s.ipv4_prefix, kRequired); }

EFS_FIELDS(GroupIdentifier) {
  v("GroupId", s.group_id);
  v("GroupName", s.group_name);
}

EFS_FIELDS(NetworkInterfaceAttachment) {
  v("AttachmentId", s.attachment_id);
  v("AttachTime", s.attach_time);
  v("Status", s.status);
  v("Netns", s.netns);
  v("InterfaceName", s.interface_name);
  v("Device", s.device);
}

EFS_FIELDS(NetworkInterface) {
  v("NetworkInterfaceId", s.network_interface_id);
  v("SubnetId", s.subnet_id);
  v("VpcId", s.vpc_id);
  v("AvailabilityZone", s.availability_zone);
  v("AvailabilityZoneId", s.availability_zone_id);
  v("Description", s.description);
  v("InterfaceType", s.interface_type);
  v("OwnerId", s.owner_id);
  v("RequesterId", s.requester_id);
  v("RequesterManaged", s.requester_managed);
  v("SourceDestCheck", s.source_dest_check);
  v("Status", s.status);
  v("PrivateIpAddress", s.private_ip_address);
  v("PrivateIpAddresses", s.private_ip_addresses);
  v("Ipv4Prefixes", s.ipv4_prefixes);
  v("Groups", s.groups);
  v("Attachment", s.attachment);
}

EFS_FIELDS(CreateNetworkInterfaceRequest) {
  v("SubnetId", s.subnet_id, kRequired);
  v("PrivateIpAddress", s.private_ip_address);
  v("Description", s.description);
  v("Ipv4Prefixes", s.ipv4_prefixes);
  v("Ipv4PrefixCount", s.ipv4_prefix_count);
}

EFS_FIELDS(CreateNetworkInterfaceResponse) { v("NetworkInterface", s.network_interface); }

EFS_FIELDS(DescribeNetworkInterfacesRequest) {
  v("NetworkInterfaceIds", s.network_interface_ids);
  v("SubnetId", s.subnet_id);
  v("VpcId", s.vpc_id);
}

EFS_FIELDS(DescribeNetworkInterfacesResponse) { v("NetworkInterfaces", s.network_interfaces); }

EFS_FIELDS(AttachNetworkInterfaceRequest) {
  v("NetworkInterfaceId", s.network_interface_id, kRequired);
  v("Netns", s.netns);
  v("Pid", s.pid);
  v("Device", s.device);
  v("CreateNetns", s.create_netns);
  v("InterfaceName", s.interface_name);
  v("OwnerPid", s.owner_pid);
}

EFS_FIELDS(AttachNetworkInterfaceResponse) { v("AttachmentId", s.attachment_id); }
EFS_FIELDS(DetachNetworkInterfaceRequest) { v("AttachmentId", s.attachment_id, kRequired); }
EFS_FIELDS(DeleteNetworkInterfaceRequest) {
  v("NetworkInterfaceId", s.network_interface_id, kRequired);
}
EFS_FIELDS(EnsureHostInterfaceRequest) { v("SubnetId", s.subnet_id, kRequired); }

EFS_FIELDS(VpcPeeringConnectionVpcInfo) {
  v("CidrBlock", s.cidr_block);
  v("OwnerId", s.owner_id);
  v("VpcId", s.vpc_id);
  v("Region", s.region);
}

EFS_FIELDS(VpcPeeringConnectionStateReason) {
  v("Code", s.code);
  v("Message", s.message);
}

EFS_FIELDS(VpcPeeringConnection) {
  v("VpcPeeringConnectionId", s.vpc_peering_connection_id);
  v("RequesterVpcInfo", s.requester_vpc_info);
  v("AccepterVpcInfo", s.accepter_vpc_info);
  v("Status", s.status);
  v("ExpirationTime", s.expiration_time);
}

EFS_FIELDS(CreateVpcPeeringConnectionRequest) {
  v("VpcId", s.vpc_id, kRequired);
  v("PeerVpcId", s.peer_vpc_id, kRequired);
  v("PeerOwnerId", s.peer_owner_id);
  v("PeerRegion", s.peer_region);
}

EFS_FIELDS(VpcPeeringConnectionResponse) { v("VpcPeeringConnection", s.vpc_peering_connection); }
EFS_FIELDS(VpcPeeringConnectionIdRequest) {
  v("VpcPeeringConnectionId", s.vpc_peering_connection_id, kRequired);
}
EFS_FIELDS(DescribeVpcPeeringConnectionsRequest) {
  v("VpcPeeringConnectionIds", s.vpc_peering_connection_ids);
}
EFS_FIELDS(DescribeVpcPeeringConnectionsResponse) {
  v("VpcPeeringConnections", s.vpc_peering_connections);
}

EFS_FIELDS(Route) {
  v("DestinationCidrBlock", s.destination_cidr_block);
  v("GatewayId", s.gateway_id);
  v("VpcPeeringConnectionId", s.vpc_peering_connection_id);
  v("Origin", s.origin);
  v("State", s.state);
}

EFS_FIELDS(RouteTableAssociationState) { v("State", s.state); }

EFS_FIELDS(RouteTableAssociation) {
  v("Main", s.main);
  v("RouteTableAssociationId", s.route_table_association_id);
  v("RouteTableId", s.route_table_id);
  v("AssociationState", s.association_state);
}

EFS_FIELDS(RouteTable) {
  v("RouteTableId", s.route_table_id);
  v("VpcId", s.vpc_id);
  v("OwnerId", s.owner_id);
  v("Associations", s.associations);
  v("Routes", s.routes);
}

EFS_FIELDS(CreateRouteRequest) {
  v("RouteTableId", s.route_table_id, kRequired);
  v("DestinationCidrBlock", s.destination_cidr_block, kRequired);
  v("GatewayId", s.gateway_id);
  v("VpcPeeringConnectionId", s.vpc_peering_connection_id);
}

EFS_FIELDS(DeleteRouteRequest) {
  v("RouteTableId", s.route_table_id, kRequired);
  v("DestinationCidrBlock", s.destination_cidr_block, kRequired);
}

EFS_FIELDS(DescribeRouteTablesRequest) {
  v("RouteTableIds", s.route_table_ids);
  v("VpcId", s.vpc_id);
}

EFS_FIELDS(DescribeRouteTablesResponse) { v("RouteTables", s.route_tables); }

EFS_FIELDS(VpcAttachment) {
  v("VpcId", s.vpc_id);
  v("State", s.state);
}

EFS_FIELDS(VpnGateway) {
  v("VpnGatewayId", s.vpn_gateway_id);
  v("State", s.state);
  v("Type", s.type);
  v("AmazonSideAsn", s.amazon_side_asn);
  v("VpcAttachments", s.vpc_attachments);
  v("Device", s.device);
}

EFS_FIELDS(CreateVpnGatewayRequest) {
  v("Type", s.type, kRequired);
  v("AmazonSideAsn", s.amazon_side_asn);
  v("Device", s.device, kRequired);
}

EFS_FIELDS(CreateVpnGatewayResponse) { v("VpnGateway", s.vpn_gateway); }

EFS_FIELDS(VpnGatewayAttachmentRequest) {
  v("VpcId", s.vpc_id, kRequired);
  v("VpnGatewayId", s.vpn_gateway_id, kRequired);
}

EFS_FIELDS(AttachVpnGatewayResponse) { v("VpcAttachment", s.vpc_attachment); }
EFS_FIELDS(DeleteVpnGatewayRequest) { v("VpnGatewayId", s.vpn_gateway_id, kRequired); }
EFS_FIELDS(DescribeVpnGatewaysRequest) { v("VpnGatewayIds", s.vpn_gateway_ids); }
EFS_FIELDS(DescribeVpnGatewaysResponse) { v("VpnGateways", s.vpn_gateways); }

EFS_FIELDS(AvailabilityZoneRequest) {
  v("AvailabilityZoneName", s.availability_zone_name, kRequired);
}

EFS_FIELDS(FailedAvailabilityZones) { v("FailedAvailabilityZones", s.failed_availability_zones); }

}  // namespace codec

#define EFS_API_DEFINE_CODEC(T)                                \
  Json ToJson(const T& value) { return codec::Encode(value); } \
  Status FromJson(const Json& json, T* out) { return codec::ReadTopLevel(json, out); }

EFS_API_DEFINE_CODEC(Vpc)
EFS_API_DEFINE_CODEC(DescribeVpcsResponse)
EFS_API_DEFINE_CODEC(CreateVpcRequest)
EFS_API_DEFINE_CODEC(CreateVpcResponse)
EFS_API_DEFINE_CODEC(DeleteVpcRequest)
EFS_API_DEFINE_CODEC(DescribeVpcsRequest)
EFS_API_DEFINE_CODEC(NetworkInterface)
EFS_API_DEFINE_CODEC(CreateNetworkInterfaceRequest)
EFS_API_DEFINE_CODEC(CreateNetworkInterfaceResponse)
EFS_API_DEFINE_CODEC(DescribeNetworkInterfacesRequest)
EFS_API_DEFINE_CODEC(DescribeNetworkInterfacesResponse)
EFS_API_DEFINE_CODEC(AttachNetworkInterfaceRequest)
EFS_API_DEFINE_CODEC(AttachNetworkInterfaceResponse)
EFS_API_DEFINE_CODEC(DetachNetworkInterfaceRequest)
EFS_API_DEFINE_CODEC(DeleteNetworkInterfaceRequest)
EFS_API_DEFINE_CODEC(EnsureHostInterfaceRequest)
EFS_API_DEFINE_CODEC(VpcPeeringConnection)
EFS_API_DEFINE_CODEC(CreateVpcPeeringConnectionRequest)
EFS_API_DEFINE_CODEC(VpcPeeringConnectionResponse)
EFS_API_DEFINE_CODEC(VpcPeeringConnectionIdRequest)
EFS_API_DEFINE_CODEC(DescribeVpcPeeringConnectionsRequest)
EFS_API_DEFINE_CODEC(DescribeVpcPeeringConnectionsResponse)
EFS_API_DEFINE_CODEC(RouteTable)
EFS_API_DEFINE_CODEC(CreateRouteRequest)
EFS_API_DEFINE_CODEC(DeleteRouteRequest)
EFS_API_DEFINE_CODEC(DescribeRouteTablesRequest)
EFS_API_DEFINE_CODEC(DescribeRouteTablesResponse)
EFS_API_DEFINE_CODEC(VpnGateway)
EFS_API_DEFINE_CODEC(CreateVpnGatewayRequest)
EFS_API_DEFINE_CODEC(CreateVpnGatewayResponse)
EFS_API_DEFINE_CODEC(VpnGatewayAttachmentRequest)
EFS_API_DEFINE_CODEC(AttachVpnGatewayResponse)
EFS_API_DEFINE_CODEC(DeleteVpnGatewayRequest)
EFS_API_DEFINE_CODEC(DescribeVpnGatewaysRequest)
EFS_API_DEFINE_CODEC(DescribeVpnGatewaysResponse)
EFS_API_DEFINE_CODEC(AvailabilityZoneRequest)
EFS_API_DEFINE_CODEC(FailedAvailabilityZones)
#undef EFS_API_DEFINE_CODEC

}  // namespace efs::api

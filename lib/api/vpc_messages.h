// The wire messages of VPC networking, shaped as EC2 shapes them: VPCs, network interfaces,
// peering connections, route tables and VPN gateways, plus efsd's own zone-failure actions.
// Framing, naming and codec rules are those of api/messages.h. Fields marked "efsd" are
// efsd's extensions (where a client attaches, which host device carries a VPN); EC2 has no
// such thing because it owns the hardware.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/messages.h"

namespace efs::api {

// ----------------------------------------------------------------------------- VPCs
struct CreateVpcRequest {
  std::string cidr_block;  // "CidrBlock", required, /16../28
};
struct CreateVpcResponse {
  Vpc vpc;  // "Vpc"
};
struct DeleteVpcRequest {
  std::string vpc_id;  // "VpcId", required
};
// Response: {}.
struct DescribeVpcsRequest {
  std::vector<std::string> vpc_ids;  // "VpcIds" (empty: all)
};

// ----------------------------------------------------------------------------- interfaces
struct PrivateIpAddressSpec {
  bool primary = true;             // "Primary"
  std::string private_ip_address;  // "PrivateIpAddress"
};
struct Ipv4PrefixSpec {
  std::string ipv4_prefix;  // "Ipv4Prefix": a CIDR inside the subnet
};
struct GroupIdentifier {
  std::string group_id;    // "GroupId"
  std::string group_name;  // "GroupName"
};
struct NetworkInterfaceAttachment {
  std::string attachment_id;                  // "AttachmentId": "eni-attach-..."
  double attach_time = 0;                     // "AttachTime", epoch seconds
  std::string status;                         // "Status": attaching|attached|detaching
  std::optional<std::string> netns;           // efsd "Netns": the namespace's path
  std::optional<std::string> interface_name;  // efsd "InterfaceName": its name there
  std::optional<std::string> device;          // efsd "Device": the host device moved in
};
struct NetworkInterface {
  std::string network_interface_id;  // "NetworkInterfaceId"
  std::string subnet_id;             // "SubnetId"
  std::string vpc_id;                // "VpcId"
  std::string availability_zone;     // "AvailabilityZone"
  std::string availability_zone_id;  // "AvailabilityZoneId"
  std::string description;           // "Description"
  std::string interface_type;        // "InterfaceType": interface (a client) | efs (a mount target)
  std::string owner_id;              // "OwnerId"
  std::optional<std::string> requester_id;  // "RequesterId": who manages it, if not its owner
  bool requester_managed = false;           // "RequesterManaged"
  bool source_dest_check = true;            // "SourceDestCheck": always enforced
  std::string status;                       // "Status": available|attaching|in-use|detaching
  std::string private_ip_address;           // "PrivateIpAddress"
  std::vector<PrivateIpAddressSpec> private_ip_addresses;  // "PrivateIpAddresses"
  std::vector<Ipv4PrefixSpec> ipv4_prefixes;               // "Ipv4Prefixes"
  std::vector<GroupIdentifier> groups;                     // "Groups"
  std::optional<NetworkInterfaceAttachment> attachment;    // "Attachment"
};
struct CreateNetworkInterfaceRequest {
  std::string subnet_id;                          // "SubnetId", required
  std::optional<std::string> private_ip_address;  // "PrivateIpAddress"
  std::optional<std::string> description;         // "Description", at most 255 characters
  std::vector<Ipv4PrefixSpec> ipv4_prefixes;      // "Ipv4Prefixes": CIDRs inside the subnet
  std::optional<int> ipv4_prefix_count;           // "Ipv4PrefixCount": that many free /28s
};
struct CreateNetworkInterfaceResponse {
  NetworkInterface network_interface;  // "NetworkInterface"
};
struct DescribeNetworkInterfacesRequest {
  std::vector<std::string> network_interface_ids;  // "NetworkInterfaceIds" (empty: all)
  std::optional<std::string> subnet_id;            // "SubnetId": only that subnet's
  std::optional<std::string> vpc_id;               // "VpcId": only that VPC's
};
struct DescribeNetworkInterfacesResponse {
  std::vector<NetworkInterface> network_interfaces;  // "NetworkInterfaces"
};
// Where an interface is attached (efsd): exactly one of Netns (a namespace's path, e.g. a
// container's /proc/PID/ns/net or /run/netns/NAME), Pid (that process's namespace), Device (a
// host interface: a VM's tap, a physical NIC or a VXLAN, moved into the VPC), or
// CreateNetns (a namespace efsd makes, /run/netns/efs-<eni-id>).
struct AttachNetworkInterfaceRequest {
  std::string network_interface_id;           // "NetworkInterfaceId", required
  std::optional<std::string> netns;           // efsd "Netns"
  std::optional<int> pid;                     // efsd "Pid"
  std::optional<std::string> device;          // efsd "Device"
  std::optional<bool> create_netns;           // efsd "CreateNetns"
  std::optional<std::string> interface_name;  // efsd "InterfaceName": in the namespace (eth0
                                              // in one efsd makes, efs0 otherwise)
  std::optional<int> owner_pid;               // efsd "OwnerPid": with CreateNetns, detach
                                              // and delete the interface when it ends
};
struct AttachNetworkInterfaceResponse {
  std::string attachment_id;  // "AttachmentId"
};
struct DetachNetworkInterfaceRequest {
  std::string attachment_id;  // "AttachmentId", required
};
// Response: {}.
struct DeleteNetworkInterfaceRequest {
  std::string network_interface_id;  // "NetworkInterfaceId", required
};
// Response: {}.
// EnsureHostInterface (efsd): efs mount's own interface in a subnet for this host's mounts,
// made (attached to a namespace efsd makes) on first use and shared by later ones.
struct EnsureHostInterfaceRequest {
  std::string subnet_id;  // "SubnetId", required
};
// Response: CreateNetworkInterfaceResponse.

// ----------------------------------------------------------------------------- peering
struct VpcPeeringConnectionVpcInfo {
  std::optional<std::string> cidr_block;  // "CidrBlock"
  std::string owner_id;                   // "OwnerId"
  std::string vpc_id;                     // "VpcId"
  std::string region;                     // "Region"
};
struct VpcPeeringConnectionStateReason {
  std::string code;     // "Code": pending-acceptance|active|deleting|deleted|failed|rejected
  std::string message;  // "Message"
};
struct VpcPeeringConnection {
  std::string vpc_peering_connection_id;           // "VpcPeeringConnectionId"
  VpcPeeringConnectionVpcInfo requester_vpc_info;  // "RequesterVpcInfo"
  VpcPeeringConnectionVpcInfo accepter_vpc_info;   // "AccepterVpcInfo"
  VpcPeeringConnectionStateReason status;          // "Status"
  std::optional<double> expiration_time;           // "ExpirationTime" (pending only)
};
struct CreateVpcPeeringConnectionRequest {
  std::string vpc_id;                        // "VpcId", required
  std::string peer_vpc_id;                   // "PeerVpcId", required
  std::optional<std::string> peer_owner_id;  // "PeerOwnerId": this account only
  std::optional<std::string> peer_region;    // "PeerRegion": this region only
};
struct VpcPeeringConnectionResponse {           // Create-, AcceptVpcPeeringConnection
  VpcPeeringConnection vpc_peering_connection;  // "VpcPeeringConnection"
};
struct VpcPeeringConnectionIdRequest {    // Accept-, Reject-, DeleteVpcPeeringConnection
  std::string vpc_peering_connection_id;  // "VpcPeeringConnectionId", required
};
// Reject and Delete respond {"Return": true}.
struct DescribeVpcPeeringConnectionsRequest {
  std::vector<std::string> vpc_peering_connection_ids;  // "VpcPeeringConnectionIds"
};
struct DescribeVpcPeeringConnectionsResponse {
  std::vector<VpcPeeringConnection> vpc_peering_connections;  // "VpcPeeringConnections"
};

// ----------------------------------------------------------------------------- routes
struct Route {
  std::string destination_cidr_block;                    // "DestinationCidrBlock"
  std::optional<std::string> gateway_id;                 // "GatewayId": "local" or vgw-...
  std::optional<std::string> vpc_peering_connection_id;  // "VpcPeeringConnectionId"
  std::string origin;                                    // "Origin": CreateRouteTable|CreateRoute
  std::string state;                                     // "State": active|blackhole
};
struct RouteTableAssociationState {
  std::string state = "associated";  // "State"
};
struct RouteTableAssociation {
  bool main = true;                              // "Main"
  std::string route_table_association_id;        // "RouteTableAssociationId"
  std::string route_table_id;                    // "RouteTableId"
  RouteTableAssociationState association_state;  // "AssociationState"
};
struct RouteTable {
  std::string route_table_id;                       // "RouteTableId"
  std::string vpc_id;                               // "VpcId"
  std::string owner_id;                             // "OwnerId"
  std::vector<RouteTableAssociation> associations;  // "Associations"
  std::vector<Route> routes;                        // "Routes"
};
struct CreateRouteRequest {
  std::string route_table_id;                            // "RouteTableId", required
  std::string destination_cidr_block;                    // "DestinationCidrBlock", required
  std::optional<std::string> gateway_id;                 // "GatewayId": vgw-...
  std::optional<std::string> vpc_peering_connection_id;  // "VpcPeeringConnectionId"
};
// Response: {"Return": true}.
struct DeleteRouteRequest {
  std::string route_table_id;          // "RouteTableId", required
  std::string destination_cidr_block;  // "DestinationCidrBlock", required
};
// Response: {}.
struct DescribeRouteTablesRequest {
  std::vector<std::string> route_table_ids;  // "RouteTableIds" (empty: all)
  std::optional<std::string> vpc_id;         // "VpcId": only that VPC's
};
struct DescribeRouteTablesResponse {
  std::vector<RouteTable> route_tables;  // "RouteTables"
};

// ----------------------------------------------------------------------------- VPN gateways
struct VpcAttachment {
  std::string vpc_id;  // "VpcId"
  std::string state;   // "State": attaching|attached|detaching|detached
};
struct VpnGateway {
  std::string vpn_gateway_id;                  // "VpnGatewayId"
  std::string state;                           // "State": available|deleting
  std::string type;                            // "Type": ipsec.1
  int64_t amazon_side_asn = 0;                 // "AmazonSideAsn"
  std::vector<VpcAttachment> vpc_attachments;  // "VpcAttachments"
  std::string device;                          // efsd "Device": the host device it uses
};
struct CreateVpnGatewayRequest {
  std::string type;                        // "Type", required: ipsec.1
  std::optional<int64_t> amazon_side_asn;  // "AmazonSideAsn" (default 64512)
  std::string device;                      // efsd "Device", required: the uplink (a host
                                           // interface or the VPN software's tunnel device)
};
struct CreateVpnGatewayResponse {
  VpnGateway vpn_gateway;  // "VpnGateway"
};
struct VpnGatewayAttachmentRequest {  // AttachVpnGateway, DetachVpnGateway
  std::string vpc_id;                 // "VpcId", required
  std::string vpn_gateway_id;         // "VpnGatewayId", required
};
struct AttachVpnGatewayResponse {
  VpcAttachment vpc_attachment;  // "VpcAttachment"
};
// DetachVpnGateway responds {}.
struct DeleteVpnGatewayRequest {
  std::string vpn_gateway_id;  // "VpnGatewayId", required
};
// Response: {}.
struct DescribeVpnGatewaysRequest {
  std::vector<std::string> vpn_gateway_ids;  // "VpnGatewayIds" (empty: all)
};
struct DescribeVpnGatewaysResponse {
  std::vector<VpnGateway> vpn_gateways;  // "VpnGateways"
};

// ----------------------------------------------------------------------------- zone failure
// FailAvailabilityZone / RestoreAvailabilityZone (efsd): take a zone's mount targets and client
// links down, or bring them back. Answer which zones are failed now.
struct AvailabilityZoneRequest {
  std::string availability_zone_name;  // "AvailabilityZoneName", required
};
struct FailedAvailabilityZones {
  std::vector<std::string> failed_availability_zones;  // "FailedAvailabilityZones" (names)
};

#define EFS_API_CODEC(T)       \
  Json ToJson(const T& value); \
  Status FromJson(const Json& json, T* out);

EFS_API_CODEC(CreateVpcRequest)
EFS_API_CODEC(CreateVpcResponse)
EFS_API_CODEC(DeleteVpcRequest)
EFS_API_CODEC(DescribeVpcsRequest)
EFS_API_CODEC(NetworkInterface)
EFS_API_CODEC(CreateNetworkInterfaceRequest)
EFS_API_CODEC(CreateNetworkInterfaceResponse)
EFS_API_CODEC(DescribeNetworkInterfacesRequest)
EFS_API_CODEC(DescribeNetworkInterfacesResponse)
EFS_API_CODEC(AttachNetworkInterfaceRequest)
EFS_API_CODEC(AttachNetworkInterfaceResponse)
EFS_API_CODEC(DetachNetworkInterfaceRequest)
EFS_API_CODEC(DeleteNetworkInterfaceRequest)
EFS_API_CODEC(EnsureHostInterfaceRequest)
EFS_API_CODEC(VpcPeeringConnection)
EFS_API_CODEC(CreateVpcPeeringConnectionRequest)
EFS_API_CODEC(VpcPeeringConnectionResponse)
EFS_API_CODEC(VpcPeeringConnectionIdRequest)
EFS_API_CODEC(DescribeVpcPeeringConnectionsRequest)
EFS_API_CODEC(DescribeVpcPeeringConnectionsResponse)
EFS_API_CODEC(RouteTable)
EFS_API_CODEC(CreateRouteRequest)
EFS_API_CODEC(DeleteRouteRequest)
EFS_API_CODEC(DescribeRouteTablesRequest)
EFS_API_CODEC(DescribeRouteTablesResponse)
EFS_API_CODEC(VpnGateway)
EFS_API_CODEC(CreateVpnGatewayRequest)
EFS_API_CODEC(CreateVpnGatewayResponse)
EFS_API_CODEC(VpnGatewayAttachmentRequest)
EFS_API_CODEC(AttachVpnGatewayResponse)
EFS_API_CODEC(DeleteVpnGatewayRequest)
EFS_API_CODEC(DescribeVpnGatewaysRequest)
EFS_API_CODEC(DescribeVpnGatewaysResponse)
EFS_API_CODEC(AvailabilityZoneRequest)
EFS_API_CODEC(FailedAvailabilityZones)
#undef EFS_API_CODEC

}  // namespace efs::api

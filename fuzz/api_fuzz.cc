// Fuzz target: the API socket's decoders (lib/api), as efsd reads what any local user sends.
// Arbitrary bytes arrive on a socket and go through LineReader (NDJSON framing, with a small
// line limit so that it is reached); each line is parsed as JSON and as a request envelope, and
// its params are decoded into one of the typed requests and responses of messages.h and
// vpc_messages.h, as the line picks. What decodes must encode and decode again to the same JSON;
// every error must encode as a reply line.
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/framing.h"
#include "api/messages.h"
#include "api/vpc_messages.h"

namespace {

namespace api = efs::api;

void Check(bool ok) {
  if (!ok) std::abort();
}

template <class T>
void DecodeAs(const api::Json& params) {
  T value;
  if (!api::FromJson(params, &value).ok()) return;
  api::Json encoded = api::ToJson(value);
  T again;
  Check(api::FromJson(encoded, &again).ok());
  Check(api::ToJson(again) == encoded);
}

using Decoder = void (*)(const api::Json&);

template <class... T>
constexpr std::array<Decoder, sizeof...(T)> DecodersOf() {
  return {&DecodeAs<T>...};
}

// Every typed message of messages.h and vpc_messages.h.
const auto kDecoders = DecodersOf<
    api::Tag, api::HelloRequest, api::HelloResponse, api::DaemonStatus, api::AdvanceClockRequest,
    api::ClockReading, api::SizeInBytes, api::DescribeStorageRequest, api::FileStorageDescription,
    api::DescribeStorageResponse, api::RunLifecyclePassRequest, api::LifecyclePassReport,
    api::SetBurstCreditBalanceRequest, api::BurstCreditBalance, api::FileSystemDescription,
    api::CreateFileSystemRequest, api::DescribeFileSystemsRequest, api::DescribeFileSystemsResponse,
    api::UpdateFileSystemRequest, api::DeleteFileSystemRequest, api::MountTargetDescription,
    api::CreateMountTargetRequest, api::DescribeMountTargetsRequest,
    api::DescribeMountTargetsResponse, api::DeleteMountTargetRequest,
    api::DescribeMountTargetSecurityGroupsRequest, api::DescribeMountTargetSecurityGroupsResponse,
    api::ModifyMountTargetSecurityGroupsRequest, api::LifecyclePolicy,
    api::PutLifecycleConfigurationRequest, api::DescribeLifecycleConfigurationRequest,
    api::LifecycleConfigurationDescription, api::TagResourceRequest, api::UntagResourceRequest,
    api::ListTagsForResourceRequest, api::ListTagsForResourceResponse, api::Vpc,
    api::DescribeVpcsResponse, api::Subnet, api::DescribeSubnetsRequest,
    api::DescribeSubnetsResponse, api::CreateSubnetRequest, api::CreateSubnetResponse,
    api::DeleteSubnetRequest, api::IpRange, api::IpPermission, api::SecurityGroup,
    api::CreateSecurityGroupRequest, api::CreateSecurityGroupResponse,
    api::DescribeSecurityGroupsRequest, api::DescribeSecurityGroupsResponse,
    api::SecurityGroupIngressRequest, api::DeleteSecurityGroupRequest, api::CreateVpcRequest,
    api::CreateVpcResponse, api::DeleteVpcRequest, api::DescribeVpcsRequest, api::NetworkInterface,
    api::CreateNetworkInterfaceRequest, api::CreateNetworkInterfaceResponse,
    api::DescribeNetworkInterfacesRequest, api::DescribeNetworkInterfacesResponse,
    api::AttachNetworkInterfaceRequest, api::AttachNetworkInterfaceResponse,
    api::DetachNetworkInterfaceRequest, api::DeleteNetworkInterfaceRequest,
    api::EnsureHostInterfaceRequest, api::VpcPeeringConnection,
    api::CreateVpcPeeringConnectionRequest, api::VpcPeeringConnectionResponse,
    api::VpcPeeringConnectionIdRequest, api::DescribeVpcPeeringConnectionsRequest,
    api::DescribeVpcPeeringConnectionsResponse, api::RouteTable, api::CreateRouteRequest,
    api::DeleteRouteRequest, api::DescribeRouteTablesRequest, api::DescribeRouteTablesResponse,
    api::VpnGateway, api::CreateVpnGatewayRequest, api::CreateVpnGatewayResponse,
    api::VpnGatewayAttachmentRequest, api::AttachVpnGatewayResponse, api::DeleteVpnGatewayRequest,
    api::DescribeVpnGatewaysRequest, api::DescribeVpnGatewaysResponse, api::AvailabilityZoneRequest,
    api::FailedAvailabilityZones, api::AccessKey, api::CreateAccessKeyRequest,
    api::CreateAccessKeyResponse, api::ListAccessKeysRequest, api::ListAccessKeysResponse,
    api::DeleteAccessKeyRequest>();

// The message a line's params are decoded as: picked by a value the input controls (the action
// name, or a reply's id), so that each line costs one decode and the fuzzer reaches them all.
void DecodeParams(const std::string& key, const api::Json& params) {
  size_t sum = 0;
  for (unsigned char c : key) sum += c;
  kDecoders[sum % kDecoders.size()](params);
}

// One line as the server answers it (Server::Impl::Answer), and as the client reads a reply.
void DecodeLine(const std::string& line) {
  efs::Result<api::Json> json = api::ParseJsonLine(line);
  if (!json.ok()) {
    (void)api::DumpJsonLine(
        api::ErrorReplyToJson(api::Json(nullptr), api::ToApiError(json.status())));
    return;
  }
  api::RequestEnvelope request;
  efs::Status shape = api::ParseRequestEnvelope(*json, &request);
  if (shape.ok()) {
    DecodeParams(request.action, request.params);
  } else {
    (void)api::DumpJsonLine(api::ErrorReplyToJson(request.id, api::ToApiError(shape)));
  }
  api::ReplyEnvelope reply;
  if (api::ParseReplyEnvelope(*json, &reply).ok() && !reply.error) {
    DecodeParams(reply.id.dump(), reply.result);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();
  int sndbuf = 1 << 20;
  (void)::setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  Check(api::SetNonBlocking(fds[0]));
  Check(api::WriteAll(fds[1], std::string_view(reinterpret_cast<const char*>(data), size), 1000) ==
        api::IoResult::kOk);
  ::shutdown(fds[1], SHUT_WR);
  api::LineReader reader(512);
  std::string line;
  while (reader.Next(fds[0], api::Deadline::In(1000), -1, &line) == api::IoResult::kOk) {
    DecodeLine(line);
  }
  ::close(fds[0]);
  ::close(fds[1]);
  return 0;
}

// JSON codecs for the typed API messages, the error mapping and the line envelopes.
//
// Each struct lists its fields once, in an EFS_FIELDS block (api/codec.h); the same list drives
// both ToJson (FieldWriter) and the strict FromJson (FieldReader), so a field cannot be added to
// one direction and forgotten in the other. VPC networking's messages are in vpc_messages.cc.
// This is the only file that may see nlohmann::json
// exceptions (STYLE 2.4); every other file uses the exception-free helpers declared at the end of
// messages.h.
#include "api/messages.h"

#include <cmath>
#include <concepts>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "api/codec.h"
#include "base/macros.h"

namespace efs::api {
namespace codec {

EFS_FIELDS(Tag) {
  v("Key", s.key, kRequired);
  v("Value", s.value, kRequired);
}

EFS_FIELDS(HelloRequest) { v("ApiVersion", s.api_version, kRequired); }

EFS_FIELDS(HelloResponse) {
  v("ApiVersion", s.api_version);
  v("ServerVersion", s.server_version);
}

EFS_FIELDS(DaemonStatus) {
  v("Version", s.version);
  v("ApiVersion", s.api_version);
  v("Pid", s.pid);
  v("StartTime", s.start_time);
  v("StateDir", s.state_dir);
  v("Socket", s.socket);
  v("Region", s.region);
  v("NetworkBackend", s.network_backend);
  v("NetworkIsolation", s.network_isolation);
  v("NfsPort", s.nfs_port);
  v("FileSystemCount", s.file_system_count);
  v("MountTargetCount", s.mount_target_count);
  v("HttpEndpoint", s.http_endpoint);
  v("MetadataEngine", s.metadata_engine);
}

EFS_FIELDS(SizeInBytes) {
  v("Value", s.value);
  v("Timestamp", s.timestamp, kOmitZero);
  v("ValueInIA", s.value_in_ia);
  v("ValueInStandard", s.value_in_standard);
  v("ValueInArchive", s.value_in_archive);
}

EFS_FIELDS(DescribeStorageRequest) {
  v("FileSystemId", s.file_system_id, kRequired);
  v("Path", s.path);
  v("MaxItems", s.max_items);
}

EFS_FIELDS(FileStorageDescription) {
  v("Path", s.path);
  v("StorageClass", s.storage_class);
  v("SizeInBytes", s.size_in_bytes);
}

EFS_FIELDS(DescribeStorageResponse) {
  v("FileSystemId", s.file_system_id);
  v("Path", s.path);
  v("SizeInBytes", s.size_in_bytes);
  v("FilesInStandard", s.files_in_standard);
  v("FilesInIA", s.files_in_ia);
  v("FilesInArchive", s.files_in_archive);
  v("Files", s.files);
  v("Truncated", s.truncated);
  v("DirectoriesSkipped", s.directories_skipped);
}

EFS_FIELDS(RunLifecyclePassRequest) { v("FileSystemId", s.file_system_id, kRequired); }

EFS_FIELDS(CheckFileSystemRequest) {
  v("FileSystemId", s.file_system_id, kRequired);
  v("Repair", s.repair);
}

EFS_FIELDS(CheckFinding) {
  v("Kind", s.kind);
  v("Inode", s.inode);
  v("Path", s.path);
  v("Detail", s.detail);
  v("Repaired", s.repaired);
}

EFS_FIELDS(CheckCounts) {
  v("Inodes", s.inodes);
  v("Directories", s.directories);
  v("RegularFiles", s.regular_files);
  v("Entries", s.entries);
  v("DataFiles", s.data_files);
  v("FilesBusy", s.files_busy);
}

EFS_FIELDS(FileSystemCheck) {
  v("FileSystemId", s.file_system_id);
  v("Findings", s.findings);
  v("Checked", s.checked);
  v("SizeInBytes", s.size_in_bytes);
  v("RecountedSizeInBytes", s.recounted_size);
  v("Repair", s.repair);
  v("Seconds", s.seconds);
}

EFS_FIELDS(SetBurstCreditBalanceRequest) {
  v("FileSystemId", s.file_system_id, kRequired);
  v("BurstCreditBalance", s.burst_credit_balance, kRequired);
}

EFS_FIELDS(BurstCreditBalance) {
  v("FileSystemId", s.file_system_id);
  v("BurstCreditBalance", s.burst_credit_balance);
  v("PermittedThroughput", s.permitted_throughput);
}

EFS_FIELDS(AccessKey) {
  v("UserName", s.user_name);
  v("AccessKeyId", s.access_key_id);
  v("Status", s.status);
  v("SecretAccessKey", s.secret);
  v("CreateDate", s.create_date);
}

EFS_FIELDS(CreateAccessKeyRequest) { v("UserName", s.user_name, kRequired); }
EFS_FIELDS(CreateAccessKeyResponse) { v("AccessKey", s.access_key); }
EFS_FIELDS(ListAccessKeysRequest) { v("UserName", s.user_name); }
EFS_FIELDS(ListAccessKeysResponse) { v("AccessKeyMetadata", s.access_key_metadata); }

EFS_FIELDS(DeleteAccessKeyRequest) {
  v("AccessKeyId", s.access_key_id, kRequired);
  v("UserName", s.user_name);
}

EFS_FIELDS(LifecyclePassReport) {
  v("FileSystemId", s.file_system_id);
  v("FilesMoved", s.files_moved);
  v("BytesMoved", s.bytes_moved);
  v("FilesSkipped", s.files_skipped);
  v("FilesFailed", s.files_failed);
  v("Seconds", s.seconds);
}

EFS_FIELDS(FileSystemDescription) {
  v("OwnerId", s.owner_id);
  v("CreationToken", s.creation_token);
  v("FileSystemId", s.file_system_id);
  v("FileSystemArn", s.file_system_arn);
  v("CreationTime", s.creation_time);
  v("LifeCycleState", s.life_cycle_state);
  v("Name", s.name);
  v("NumberOfMountTargets", s.number_of_mount_targets);
  v("SizeInBytes", s.size_in_bytes);
  v("PerformanceMode", s.performance_mode);
  v("Encrypted", s.encrypted);
  v("KmsKeyId", s.kms_key_id);
  v("ThroughputMode", s.throughput_mode);
  v("ProvisionedThroughputInMibps", s.provisioned_throughput_in_mibps);
  v("AvailabilityZoneName", s.availability_zone_name);
  v("AvailabilityZoneId", s.availability_zone_id);
  v("Tags", s.tags);
  v.Object("FileSystemProtection", [&s](auto& inner) {
    inner("ReplicationOverwriteProtection", s.replication_overwrite_protection);
  });
}

EFS_FIELDS(CreateFileSystemRequest) {
  v("CreationToken", s.creation_token, kRequired);
  v("PerformanceMode", s.performance_mode);
  v("Encrypted", s.encrypted);
  v("KmsKeyId", s.kms_key_id);
  v("ThroughputMode", s.throughput_mode);
  v("ProvisionedThroughputInMibps", s.provisioned_throughput_in_mibps);
  v("AvailabilityZoneName", s.availability_zone_name);
  v("Backup", s.backup);
  v("Tags", s.tags);
}

EFS_FIELDS(DescribeFileSystemsRequest) {
  v("MaxItems", s.max_items);
  v("Marker", s.marker);
  v("CreationToken", s.creation_token);
  v("FileSystemId", s.file_system_id);
}

EFS_FIELDS(DescribeFileSystemsResponse) {
  v("Marker", s.marker);
  v("FileSystems", s.file_systems);
  v("NextMarker", s.next_marker);
}

EFS_FIELDS(UpdateFileSystemRequest) {
  v("FileSystemId", s.file_system_id, kRequired);
  v("ThroughputMode", s.throughput_mode);
  v("ProvisionedThroughputInMibps", s.provisioned_throughput_in_mibps);
}

EFS_FIELDS(AdvanceClockRequest) { v("Seconds", s.seconds, kRequired); }

EFS_FIELDS(ClockReading) {
  v("Now", s.now);
  v("OffsetSeconds", s.offset_seconds);
}

EFS_FIELDS(DeleteFileSystemRequest) { v("FileSystemId", s.file_system_id, kRequired); }

EFS_FIELDS(MountTargetDescription) {
  v("OwnerId", s.owner_id);
  v("MountTargetId", s.mount_target_id);
  v("FileSystemId", s.file_system_id);
  v("SubnetId", s.subnet_id);
  v("LifeCycleState", s.life_cycle_state);
  v("IpAddress", s.ip_address);
  v("NetworkInterfaceId", s.network_interface_id);
  v("AvailabilityZoneId", s.availability_zone_id);
  v("AvailabilityZoneName", s.availability_zone_name);
  v("VpcId", s.vpc_id);
  v("Port", s.port);
}

EFS_FIELDS(CreateMountTargetRequest) {
  v("FileSystemId", s.file_system_id, kRequired);
  v("SubnetId", s.subnet_id, kRequired);
  v("IpAddress", s.ip_address);
  v("SecurityGroups", s.security_groups);
}

EFS_FIELDS(DescribeMountTargetsRequest) {
  v("MaxItems", s.max_items);
  v("Marker", s.marker);
  v("FileSystemId", s.file_system_id);
  v("MountTargetId", s.mount_target_id);
}

EFS_FIELDS(DescribeMountTargetsResponse) {
  v("Marker", s.marker);
  v("MountTargets", s.mount_targets);
  v("NextMarker", s.next_marker);
}

EFS_FIELDS(DeleteMountTargetRequest) { v("MountTargetId", s.mount_target_id, kRequired); }

EFS_FIELDS(DescribeMountTargetSecurityGroupsRequest) {
  v("MountTargetId", s.mount_target_id, kRequired);
}

EFS_FIELDS(DescribeMountTargetSecurityGroupsResponse) { v("SecurityGroups", s.security_groups); }

EFS_FIELDS(ModifyMountTargetSecurityGroupsRequest) {
  v("MountTargetId", s.mount_target_id, kRequired);
  v("SecurityGroups", s.security_groups, kRequired);
}

EFS_FIELDS(LifecyclePolicy) {
  v("TransitionToIA", s.transition_to_ia);
  v("TransitionToPrimaryStorageClass", s.transition_to_primary_storage_class);
  v("TransitionToArchive", s.transition_to_archive);
}

EFS_FIELDS(PutLifecycleConfigurationRequest) {
  v("FileSystemId", s.file_system_id, kRequired);
  v("LifecyclePolicies", s.lifecycle_policies, kRequired);
}

EFS_FIELDS(DescribeLifecycleConfigurationRequest) {
  v("FileSystemId", s.file_system_id, kRequired);
}

EFS_FIELDS(LifecycleConfigurationDescription) { v("LifecyclePolicies", s.lifecycle_policies); }

EFS_FIELDS(BackupPolicy) { v("Status", s.status, kRequired); }

EFS_FIELDS(PutBackupPolicyRequest) {
  v("FileSystemId", s.file_system_id, kRequired);
  v("BackupPolicy", s.backup_policy, kRequired);
}

EFS_FIELDS(DescribeBackupPolicyRequest) { v("FileSystemId", s.file_system_id, kRequired); }

EFS_FIELDS(BackupPolicyDescription) { v("BackupPolicy", s.backup_policy); }

EFS_FIELDS(UpdateFileSystemProtectionRequest) {
  v("FileSystemId", s.file_system_id, kRequired);
  v("ReplicationOverwriteProtection", s.replication_overwrite_protection);
}

EFS_FIELDS(FileSystemProtectionDescription) {
  v("ReplicationOverwriteProtection", s.replication_overwrite_protection);
}

EFS_FIELDS(ResourceIdPreference) {
  v("ResourceIdType", s.resource_id_type);
  v("Resources", s.resources);
}

EFS_FIELDS(DescribeAccountPreferencesRequest) {
  v("NextToken", s.next_token);
  v("MaxResults", s.max_results);
}

EFS_FIELDS(DescribeAccountPreferencesResponse) {
  v("ResourceIdPreference", s.resource_id_preference);
  v("NextToken", s.next_token);
}

EFS_FIELDS(PutAccountPreferencesRequest) { v("ResourceIdType", s.resource_id_type, kRequired); }

EFS_FIELDS(PutAccountPreferencesResponse) { v("ResourceIdPreference", s.resource_id_preference); }

EFS_FIELDS(TagResourceRequest) {
  v("ResourceId", s.resource_id, kRequired);
  v("Tags", s.tags, kRequired);
}

EFS_FIELDS(UntagResourceRequest) {
  v("ResourceId", s.resource_id, kRequired);
  v("TagKeys", s.tag_keys, kRequired);
}

EFS_FIELDS(ListTagsForResourceRequest) {
  v("ResourceId", s.resource_id, kRequired);
  v("MaxResults", s.max_results);
  v("NextToken", s.next_token);
}

EFS_FIELDS(ListTagsForResourceResponse) {
  v("Tags", s.tags);
  v("NextToken", s.next_token);
}

EFS_FIELDS(Subnet) {
  v("SubnetId", s.subnet_id);
  v("VpcId", s.vpc_id);
  v("AvailabilityZone", s.availability_zone);
  v("AvailabilityZoneId", s.availability_zone_id);
  v("CidrBlock", s.cidr_block);
  v("AvailableIpAddressCount", s.available_ip_address_count);
  v("DefaultForAz", s.default_for_az);
  v("State", s.state);
  v("OwnerId", s.owner_id);
}

EFS_FIELDS(DescribeSubnetsRequest) {
  v("SubnetIds", s.subnet_ids);
  v("VpcId", s.vpc_id);
}

EFS_FIELDS(DescribeSubnetsResponse) { v("Subnets", s.subnets); }

EFS_FIELDS(CreateSubnetRequest) {
  v("CidrBlock", s.cidr_block, kRequired);
  v("VpcId", s.vpc_id);
  v("AvailabilityZone", s.availability_zone);
  v("AvailabilityZoneId", s.availability_zone_id);
}

EFS_FIELDS(CreateSubnetResponse) { v("Subnet", s.subnet); }

EFS_FIELDS(DeleteSubnetRequest) { v("SubnetId", s.subnet_id, kRequired); }

EFS_FIELDS(IpRange) {
  v("CidrIp", s.cidr_ip, kRequired);
  v("Description", s.description);
}

EFS_FIELDS(IpPermission) {
  v("IpProtocol", s.ip_protocol, kRequired);
  v("FromPort", s.from_port);
  v("ToPort", s.to_port);
  v("IpRanges", s.ip_ranges);
}

EFS_FIELDS(SecurityGroup) {
  v("GroupId", s.group_id);
  v("GroupName", s.group_name);
  v("Description", s.description);
  v("VpcId", s.vpc_id);
  v("OwnerId", s.owner_id);
  v("IpPermissions", s.ip_permissions);
}

EFS_FIELDS(CreateSecurityGroupRequest) {
  v("GroupName", s.group_name, kRequired);
  v("Description", s.description, kRequired);
  v("VpcId", s.vpc_id);
}

EFS_FIELDS(CreateSecurityGroupResponse) { v("GroupId", s.group_id); }

EFS_FIELDS(DescribeSecurityGroupsRequest) { v("GroupIds", s.group_ids); }

EFS_FIELDS(DescribeSecurityGroupsResponse) { v("SecurityGroups", s.security_groups); }

EFS_FIELDS(SecurityGroupIngressRequest) {
  v("GroupId", s.group_id, kRequired);
  v("IpPermissions", s.ip_permissions, kRequired);
}

EFS_FIELDS(DeleteSecurityGroupRequest) { v("GroupId", s.group_id, kRequired); }

}  // namespace codec

// ----------------------------------------------------------------------------- public codecs
#define EFS_API_DEFINE_CODEC(T)                         \
  Json ToJson(const T& value) { return codec::Encode(value); } \
  Status FromJson(const Json& json, T* out) { return codec::ReadTopLevel(json, out); }

EFS_API_DEFINE_CODEC(Tag)
EFS_API_DEFINE_CODEC(HelloRequest)
EFS_API_DEFINE_CODEC(HelloResponse)
EFS_API_DEFINE_CODEC(DaemonStatus)
EFS_API_DEFINE_CODEC(AdvanceClockRequest)
EFS_API_DEFINE_CODEC(ClockReading)
EFS_API_DEFINE_CODEC(SizeInBytes)
EFS_API_DEFINE_CODEC(DescribeStorageRequest)
EFS_API_DEFINE_CODEC(FileStorageDescription)
EFS_API_DEFINE_CODEC(DescribeStorageResponse)
EFS_API_DEFINE_CODEC(RunLifecyclePassRequest)
EFS_API_DEFINE_CODEC(CheckFileSystemRequest)
EFS_API_DEFINE_CODEC(FileSystemCheck)
EFS_API_DEFINE_CODEC(SetBurstCreditBalanceRequest)
EFS_API_DEFINE_CODEC(BurstCreditBalance)
EFS_API_DEFINE_CODEC(AccessKey)
EFS_API_DEFINE_CODEC(CreateAccessKeyRequest)
EFS_API_DEFINE_CODEC(CreateAccessKeyResponse)
EFS_API_DEFINE_CODEC(ListAccessKeysRequest)
EFS_API_DEFINE_CODEC(ListAccessKeysResponse)
EFS_API_DEFINE_CODEC(DeleteAccessKeyRequest)
EFS_API_DEFINE_CODEC(LifecyclePassReport)
EFS_API_DEFINE_CODEC(FileSystemDescription)
EFS_API_DEFINE_CODEC(CreateFileSystemRequest)
EFS_API_DEFINE_CODEC(DescribeFileSystemsRequest)
EFS_API_DEFINE_CODEC(DescribeFileSystemsResponse)
EFS_API_DEFINE_CODEC(UpdateFileSystemRequest)
EFS_API_DEFINE_CODEC(DeleteFileSystemRequest)
EFS_API_DEFINE_CODEC(MountTargetDescription)
EFS_API_DEFINE_CODEC(CreateMountTargetRequest)
EFS_API_DEFINE_CODEC(DescribeMountTargetsRequest)
EFS_API_DEFINE_CODEC(DescribeMountTargetsResponse)
EFS_API_DEFINE_CODEC(DeleteMountTargetRequest)
EFS_API_DEFINE_CODEC(DescribeMountTargetSecurityGroupsRequest)
EFS_API_DEFINE_CODEC(DescribeMountTargetSecurityGroupsResponse)
EFS_API_DEFINE_CODEC(ModifyMountTargetSecurityGroupsRequest)
EFS_API_DEFINE_CODEC(LifecyclePolicy)
EFS_API_DEFINE_CODEC(PutLifecycleConfigurationRequest)
EFS_API_DEFINE_CODEC(DescribeLifecycleConfigurationRequest)
EFS_API_DEFINE_CODEC(LifecycleConfigurationDescription)
EFS_API_DEFINE_CODEC(BackupPolicy)
EFS_API_DEFINE_CODEC(PutBackupPolicyRequest)
EFS_API_DEFINE_CODEC(DescribeBackupPolicyRequest)
EFS_API_DEFINE_CODEC(BackupPolicyDescription)
EFS_API_DEFINE_CODEC(UpdateFileSystemProtectionRequest)
EFS_API_DEFINE_CODEC(FileSystemProtectionDescription)
EFS_API_DEFINE_CODEC(ResourceIdPreference)
EFS_API_DEFINE_CODEC(DescribeAccountPreferencesRequest)
EFS_API_DEFINE_CODEC(DescribeAccountPreferencesResponse)
EFS_API_DEFINE_CODEC(PutAccountPreferencesRequest)
EFS_API_DEFINE_CODEC(PutAccountPreferencesResponse)
EFS_API_DEFINE_CODEC(TagResourceRequest)
EFS_API_DEFINE_CODEC(UntagResourceRequest)
EFS_API_DEFINE_CODEC(ListTagsForResourceRequest)
EFS_API_DEFINE_CODEC(ListTagsForResourceResponse)
EFS_API_DEFINE_CODEC(Subnet)
EFS_API_DEFINE_CODEC(DescribeSubnetsRequest)
EFS_API_DEFINE_CODEC(DescribeSubnetsResponse)
EFS_API_DEFINE_CODEC(CreateSubnetRequest)
EFS_API_DEFINE_CODEC(CreateSubnetResponse)
EFS_API_DEFINE_CODEC(DeleteSubnetRequest)
EFS_API_DEFINE_CODEC(IpRange)
EFS_API_DEFINE_CODEC(IpPermission)
EFS_API_DEFINE_CODEC(SecurityGroup)
EFS_API_DEFINE_CODEC(CreateSecurityGroupRequest)
EFS_API_DEFINE_CODEC(CreateSecurityGroupResponse)
EFS_API_DEFINE_CODEC(DescribeSecurityGroupsRequest)
EFS_API_DEFINE_CODEC(DescribeSecurityGroupsResponse)
EFS_API_DEFINE_CODEC(SecurityGroupIngressRequest)
EFS_API_DEFINE_CODEC(DeleteSecurityGroupRequest)
#undef EFS_API_DEFINE_CODEC

// ----------------------------------------------------------------------------- errors
namespace {

const char* ReasonForCode(Code code) {
  switch (code) {
    case Code::kNotFound:
      return "NotFound";
    case Code::kPermissionDenied:
      return "AccessDenied";
    case Code::kInvalidArgument:
      return "BadRequest";
    case Code::kAlreadyExists:
      return "AlreadyExists";
    case Code::kResourceExhausted:
      return "LimitExceeded";
    case Code::kUnavailable:
      return "ServiceUnavailable";
    default:
      return "InternalServerError";
  }
}

}  // namespace

ApiError ToApiError(const Status& status) {
  ApiError error;
  error.code = status.reason().empty() ? ReasonForCode(status.code()) : status.reason();
  // A full disk under the catalog or a file system's store, whatever layer saw it (the store
  // names it NoSpace, SQLite's SQLITE_FULL names nothing): EFS's style of name for it.
  if (status.code() == Code::kNoSpace) error.code = "InsufficientStorageCapacity";
  error.message = status.ok() ? "unexpected ok status" : status.message();
  return error;
}

Json ToJson(const ApiError& error) {
  Json json = error.extra.is_object() ? error.extra : Json::object();
  json["code"] = error.code;
  json["message"] = error.message;
  return json;
}

// ----------------------------------------------------------------------------- envelopes
Result<Json> ParseJsonLine(std::string_view line) {
  try {
    return Json::parse(line.begin(), line.end());
  } catch (const Json::exception& e) {
    // what() reads "[json.exception.parse_error.101] parse error at line 1, ...": drop the tag.
    std::string what = e.what();
    size_t tag_end = what.find("] ");
    if (tag_end != std::string::npos) what.erase(0, tag_end + 2);
    return InvalidArgument("malformed JSON: " + what);
  }
}

namespace {

// Scans `line` as JSON text without building it: BadRequest if arrays and objects nest deeper
// than `limits` allow, or it holds more values. Commas and openings count values (each value
// but a container's first follows a comma). Malformed text passes; the parser refuses it.
Status CheckJsonShape(std::string_view line, const JsonLimits& limits) {
  int depth = 0;
  size_t values = 1;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++values;
      if (++depth > limits.max_depth) {
        return InvalidArgument("JSON nested deeper than " + std::to_string(limits.max_depth) +
                               " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',') {
      ++values;
    }
    if (values > limits.max_values) {
      return InvalidArgument("JSON with more than " + std::to_string(limits.max_values) +
                             " values");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Json> ParseJsonLine(std::string_view line, const JsonLimits& limits) {
  EFS_RETURN_IF_ERROR(CheckJsonShape(line, limits));
  return ParseJsonLine(line);
}

std::string DumpJsonLine(const Json& json) {
  std::string line = json.dump(-1, ' ', false, Json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

Status ParseRequestEnvelope(const Json& json, RequestEnvelope* out) {
  *out = RequestEnvelope{};
  if (!json.is_object()) return InvalidArgument("request must be a JSON object");
  auto id = json.find("id");
  if (id != json.end() && id->is_number_integer()) out->id = *id;
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string& key = it.key();
    if (key != "id" && key != "action" && key != "params") {
      return InvalidArgument("unknown request member '" + key + "'");
    }
  }
  if (id == json.end()) return InvalidArgument("request has no 'id'");
  if (!id->is_number_integer()) return InvalidArgument("request 'id' must be an integer");
  auto action = json.find("action");
  if (action == json.end()) return InvalidArgument("request has no 'action'");
  if (!action->is_string()) return InvalidArgument("request 'action' must be a string");
  out->action = action->get_ref<const std::string&>();
  auto params = json.find("params");
  if (params != json.end() && !params->is_null()) {
    if (!params->is_object()) return InvalidArgument("request 'params' must be an object");
    out->params = *params;
  }
  return Status::Ok();
}

Json RequestToJson(int64_t id, const std::string& action, const Json& params) {
  Json json = Json::object();
  json["id"] = id;
  json["action"] = action;
  json["params"] = params.is_null() ? Json::object() : params;
  return json;
}

namespace {

Status MalformedReply(const std::string& what) {
  return Internal("malformed reply from efsd: " + what);
}

Status ParseApiError(const Json& json, ApiError* out) {
  if (!json.is_object()) return MalformedReply("'error' is not an object");
  auto code = json.find("code");
  if (code == json.end() || !code->is_string()) return MalformedReply("error has no string 'code'");
  out->code = code->get_ref<const std::string&>();
  auto message = json.find("message");
  if (message != json.end() && message->is_string()) {
    out->message = message->get_ref<const std::string&>();
  }
  out->extra = Json::object();
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.key() != "code" && it.key() != "message") out->extra[it.key()] = it.value();
  }
  return Status::Ok();
}

}  // namespace

Status ParseReplyEnvelope(const Json& json, ReplyEnvelope* out) {
  *out = ReplyEnvelope{};
  if (!json.is_object()) return MalformedReply("not a JSON object");
  auto id = json.find("id");
  if (id == json.end() || !(id->is_number_integer() || id->is_null())) {
    return MalformedReply("no integer or null 'id'");
  }
  out->id = *id;
  auto result = json.find("result");
  auto error = json.find("error");
  if ((result == json.end()) == (error == json.end())) {
    return MalformedReply("need exactly one of 'result' and 'error'");
  }
  if (error != json.end()) {
    ApiError api_error;
    EFS_RETURN_IF_ERROR(ParseApiError(*error, &api_error));
    out->error = std::move(api_error);
    return Status::Ok();
  }
  if (!result->is_object()) return MalformedReply("'result' is not an object");
  out->result = *result;
  return Status::Ok();
}

Json ResultReplyToJson(const Json& id, Json result) {
  Json json = Json::object();
  json["id"] = id;
  json["result"] = std::move(result);
  return json;
}

Json ErrorReplyToJson(const Json& id, const ApiError& error) {
  Json json = Json::object();
  json["id"] = id;
  json["error"] = ToJson(error);
  return json;
}

}  // namespace efs::api

// The efs <-> efsd wire: typed requests and responses, AWS EFS names.
//
// Framing. One JSON object per line (NDJSON) on a Unix stream socket, UTF-8, a request at most
// kMaxLineBytes bytes including the newline (replies may be longer). A request is
//   {"id":<int>,"action":"<AwsActionName>","params":{...}}
// and its reply, on the same connection and with the same id, is either
//   {"id":<int>,"result":{...}}   or   {"id":<int>,"error":{"code":"<AwsErrorCode>","message":"..."}}
// Replies come in request order. "params" may be omitted for actions without parameters.
// A line that is not a JSON object, or lacks "action", is answered with id null and the error
// code BadRequest; a line over the limit is answered with BadRequest and the connection closed.
// A request nests at most kRequestLimits.max_depth arrays and objects and holds at most
// kRequestLimits.max_values values; one beyond either is answered BadRequest without being
// built, so a line's cost in memory stays near its length.
//
// Versioning. The first request on a connection must be Hello {"ApiVersion":N}; the daemon
// answers {"ApiVersion":kApiVersion,"ServerVersion":"x.y.z"} or UnsupportedApiVersion. Any
// other first request gets HandshakeRequired. A new API version may add actions and optional
// fields; it never renames or removes one within a version.
//
// Fields. Parameter and result field names, enum values and error codes are those of the AWS
// EFS API (2015-02-01); subnets, VPCs and security groups are shaped as EC2 shapes them.
// Optional fields that are unset are omitted from JSON, never sent as null. Unknown parameter
// names and wrong JSON types are answered BadRequest naming the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace efs::api {

using Json = nlohmann::json;

inline constexpr int kApiVersion = 1;
// 256 KiB: three times the largest request (50 tags of 4-byte characters). What a connection
// may make efsd buffer, so kept small: every local user may connect.
inline constexpr size_t kMaxLineBytes = 256 << 10;

// Bounds on the shape of one JSON text, checked before it is parsed.
struct JsonLimits {
  int max_depth = 0;      // arrays and objects nested inside each other
  size_t max_values = 0;  // values of any kind, containers included
};
// What a request may be: ten times what the largest request (50 tags) needs.
inline constexpr JsonLimits kRequestLimits = {64, 10'000};

// ----------------------------------------------------------------------------- common shapes
struct Tag {
  std::string key;    // "Key"
  std::string value;  // "Value"
  friend bool operator==(const Tag&, const Tag&) = default;
};

// ----------------------------------------------------------------------------- handshake
struct HelloRequest {
  int api_version = kApiVersion;  // "ApiVersion", required
};
struct HelloResponse {
  int api_version = kApiVersion;  // "ApiVersion"
  std::string server_version;     // "ServerVersion"
};

// GetDaemonStatus: no params.
struct DaemonStatus {
  std::string version;        // "Version"
  int api_version = kApiVersion;  // "ApiVersion"
  int pid = 0;                // "Pid"
  double start_time = 0;      // "StartTime", epoch seconds
  std::string state_dir;      // "StateDir"
  std::string socket;         // "Socket"
  std::string region;         // "Region"
  std::string network_backend;  // "NetworkBackend": "netns" or "loopback"
  // "NetworkIsolation": "vpc" (netns: a mount target is reachable only from inside its VPC) or
  // "none" (loopback: any local process reaches every mount target).
  std::string network_isolation;
  int nfs_port = 0;           // "NfsPort"
  int64_t file_system_count = 0;   // "FileSystemCount"
  int64_t mount_target_count = 0;  // "MountTargetCount"
  // "HttpEndpoint": where the AWS API is served over HTTP ("http://IP:PORT"), "" if nowhere
  std::string http_endpoint;
  // "MetadataEngine": where the catalog and the namespaces live: "sqlite" (files in the state
  // directory) or "postgresql" (efsd --postgres)
  std::string metadata_engine = "sqlite";
};

// AdvanceClock (efsd's own, not EFS's): moves a daemon started with --test-clock ahead.
struct AdvanceClockRequest {
  double seconds = 0;  // "Seconds", required: more than 0, at most 10 years
};
struct ClockReading {
  double now = 0;             // "Now", epoch seconds on the daemon's clock
  double offset_seconds = 0;  // "OffsetSeconds": how far ahead of the system's time it is
};

// ----------------------------------------------------------------------------- file systems
struct SizeInBytes {
  int64_t value = 0;               // "Value"
  double timestamp = 0;            // "Timestamp" (omitted when 0)
  int64_t value_in_ia = 0;         // "ValueInIA"
  int64_t value_in_standard = 0;   // "ValueInStandard"
  int64_t value_in_archive = 0;    // "ValueInArchive"
};

// DescribeStorage (efsd's own, not EFS's): which storage class holds a file, or each file of a
// directory tree, and what the tree is metered at by class.
struct DescribeStorageRequest {
  std::string file_system_id;    // "FileSystemId", required
  std::string path;              // "Path": from the file system's root; "" or "/" is the root
  std::optional<int> max_items;  // "MaxItems": files listed at most (1..100000, default 1000)
};
struct FileStorageDescription {
  std::string path;           // "Path"
  std::string storage_class;  // "StorageClass": "STANDARD", "IA" or "ARCHIVE"
  SizeInBytes size_in_bytes;  // "SizeInBytes": this file's share, by class
};
struct DescribeStorageResponse {
  std::string file_system_id;                 // "FileSystemId"
  std::string path;                           // "Path", as normalized ("/a/b")
  SizeInBytes size_in_bytes;                  // "SizeInBytes": the tree's, Timestamp now
  int64_t files_in_standard = 0;              // "FilesInStandard": regular files, by class
  int64_t files_in_ia = 0;                    // "FilesInIA"
  int64_t files_in_archive = 0;               // "FilesInArchive"
  std::vector<FileStorageDescription> files;  // "Files": regular files in path order
  bool truncated = false;                     // "Truncated": more files than MaxItems
  // "DirectoriesSkipped": directories whose entries the caller may not list (no read or no
  // search permission), so their files are neither listed nor counted
  int64_t directories_skipped = 0;
};

// RunLifecyclePass (efsd's own): one lifecycle pass over a file system now, as the background
// mover runs them; answers what it moved.
struct RunLifecyclePassRequest {
  std::string file_system_id;  // "FileSystemId", required
};
// CheckFileSystem (efsd's own): the consistency check of one file system (efs fsck); the
// kinds of findings and what a repair does are in lib/fs/check.h.
struct CheckFileSystemRequest {
  std::string file_system_id;  // "FileSystemId", required
  bool repair = false;         // "Repair": fix what can be fixed safely
};
struct CheckFinding {
  std::string kind;    // "Kind": DataFileLonger, LinkCountWrong, ...
  int64_t inode = 0;   // "Inode": 0 for the file system as a whole
  std::string path;    // "Path": "" when the inode has none (unreachable)
  std::string detail;  // "Detail"
  bool repaired = false;  // "Repaired"
};
struct CheckCounts {
  int64_t inodes = 0;         // "Inodes"
  int64_t directories = 0;    // "Directories"
  int64_t regular_files = 0;  // "RegularFiles"
  int64_t entries = 0;        // "Entries"
  int64_t data_files = 0;     // "DataFiles": data files and cold objects
  int64_t files_busy = 0;     // "FilesBusy": written or moving meanwhile; data not checked
};
struct FileSystemCheck {
  std::string file_system_id;         // "FileSystemId"
  std::vector<CheckFinding> findings;  // "Findings"
  CheckCounts checked;                // "Checked"
  SizeInBytes size_in_bytes;          // "SizeInBytes": what the file system reported
  SizeInBytes recounted_size;         // "RecountedSizeInBytes": the check's recount
  bool repair = false;                // "Repair": whether repairs were asked for
  double seconds = 0;                 // "Seconds"
};
// SetBurstCreditBalance (efsd's own): sets a bursting file system's burst credit balance, to
// show what running out of credits does without waiting hours for it.
struct SetBurstCreditBalanceRequest {
  std::string file_system_id;       // "FileSystemId", required
  double burst_credit_balance = 0;  // "BurstCreditBalance", bytes, required
};
struct BurstCreditBalance {
  std::string file_system_id;        // "FileSystemId"
  int64_t burst_credit_balance = 0;  // "BurstCreditBalance": bytes
  int64_t permitted_throughput = 0;  // "PermittedThroughput": bytes/s with that balance
};
// Access keys (efsd's own, shaped as IAM's): what signs requests to the HTTP endpoint. A key
// acts for a local user; the HTTP endpoint runs its requests as that user's uid, under the same
// rules as the Unix socket.
struct AccessKey {
  std::string user_name;                 // "UserName"
  std::string access_key_id;             // "AccessKeyId": AKIA + 16 characters
  std::string status = "Active";         // "Status"
  std::optional<std::string> secret;     // "SecretAccessKey": only when it is created
  double create_date = 0;                // "CreateDate": epoch seconds
};
struct CreateAccessKeyRequest {
  std::string user_name;  // "UserName", required: a local user
};
struct CreateAccessKeyResponse {
  AccessKey access_key;  // "AccessKey"
};
struct ListAccessKeysRequest {
  std::optional<std::string> user_name;  // "UserName": that user's keys only
};
struct ListAccessKeysResponse {
  std::vector<AccessKey> access_key_metadata;  // "AccessKeyMetadata": no secrets
};
struct DeleteAccessKeyRequest {
  std::string access_key_id;             // "AccessKeyId", required
  std::optional<std::string> user_name;  // "UserName": if given, the key must be that user's
};
// Response: {}.

struct LifecyclePassReport {
  std::string file_system_id;  // "FileSystemId"
  int64_t files_moved = 0;     // "FilesMoved"
  int64_t bytes_moved = 0;     // "BytesMoved": logical bytes of the files moved
  int64_t files_skipped = 0;   // "FilesSkipped": changed or in use meanwhile; next pass
  int64_t files_failed = 0;    // "FilesFailed": a storage error (in efsd's log); next pass
  double seconds = 0;          // "Seconds": how long the pass took
};

struct FileSystemDescription {
  std::string owner_id;                 // "OwnerId"
  std::string creation_token;           // "CreationToken"
  std::string file_system_id;           // "FileSystemId"
  std::string file_system_arn;          // "FileSystemArn"
  double creation_time = 0;             // "CreationTime", epoch seconds
  std::string life_cycle_state;         // "LifeCycleState": creating|available|updating|deleting|deleted|error
  std::optional<std::string> name;      // "Name": the value of the "Name" tag, if any
  int number_of_mount_targets = 0;      // "NumberOfMountTargets"
  SizeInBytes size_in_bytes;            // "SizeInBytes"
  std::string performance_mode;         // "PerformanceMode": generalPurpose|maxIO
  bool encrypted = false;               // "Encrypted": always false (no encryption at rest yet)
  std::optional<std::string> kms_key_id;  // "KmsKeyId": never set
  std::string throughput_mode;          // "ThroughputMode": bursting|provisioned|elastic
  std::optional<double> provisioned_throughput_in_mibps;  // "ProvisionedThroughputInMibps"
  std::optional<std::string> availability_zone_name;      // "AvailabilityZoneName" (One Zone)
  std::optional<std::string> availability_zone_id;        // "AvailabilityZoneId" (One Zone)
  std::vector<Tag> tags;                // "Tags"
  // "FileSystemProtection": {"ReplicationOverwriteProtection": ...}
  std::string replication_overwrite_protection = "ENABLED";
};

struct CreateFileSystemRequest {
  std::string creation_token;                     // "CreationToken", required, 1-64 chars
  std::optional<std::string> performance_mode;    // "PerformanceMode"
  std::optional<bool> encrypted;                  // "Encrypted": true is refused (not implemented)
  std::optional<std::string> kms_key_id;          // "KmsKeyId": refused (not implemented)
  std::optional<std::string> throughput_mode;     // "ThroughputMode"
  std::optional<double> provisioned_throughput_in_mibps;  // "ProvisionedThroughputInMibps"
  std::optional<std::string> availability_zone_name;      // "AvailabilityZoneName"
  std::optional<bool> backup;                     // "Backup": true is refused (not implemented)
  std::vector<Tag> tags;                          // "Tags"
};
// Response: FileSystemDescription. On a repeated CreationToken the error is
// FileSystemAlreadyExists and the error object also carries "FileSystemId".

struct DescribeFileSystemsRequest {
  std::optional<int> max_items;                 // "MaxItems", 1..1000 (default 100)
  std::optional<std::string> marker;            // "Marker", opaque, from NextMarker
  std::optional<std::string> creation_token;    // "CreationToken"
  std::optional<std::string> file_system_id;    // "FileSystemId"
};
struct DescribeFileSystemsResponse {
  std::optional<std::string> marker;            // "Marker": echo of the request's
  std::vector<FileSystemDescription> file_systems;  // "FileSystems"
  std::optional<std::string> next_marker;       // "NextMarker": set iff more remain
};

struct UpdateFileSystemRequest {
  std::string file_system_id;                   // "FileSystemId", required
  std::optional<std::string> throughput_mode;   // "ThroughputMode"
  std::optional<double> provisioned_throughput_in_mibps;  // "ProvisionedThroughputInMibps"
};
// Response: FileSystemDescription.

struct DeleteFileSystemRequest {
  std::string file_system_id;  // "FileSystemId", required
};
// Response: {} (empty object).

// ----------------------------------------------------------------------------- mount targets
struct MountTargetDescription {
  std::string owner_id;                // "OwnerId"
  std::string mount_target_id;         // "MountTargetId"
  std::string file_system_id;          // "FileSystemId"
  std::string subnet_id;               // "SubnetId"
  std::string life_cycle_state;        // "LifeCycleState"
  std::string ip_address;              // "IpAddress"
  std::string network_interface_id;    // "NetworkInterfaceId" ("eni-...")
  std::string availability_zone_id;    // "AvailabilityZoneId"
  std::string availability_zone_name;  // "AvailabilityZoneName"
  std::string vpc_id;                  // "VpcId"
  int port = 0;                        // "Port": the NFS port on IpAddress (efsd extension)
};

struct CreateMountTargetRequest {
  std::string file_system_id;                 // "FileSystemId", required
  std::string subnet_id;                      // "SubnetId", required
  std::optional<std::string> ip_address;      // "IpAddress"
  std::optional<std::vector<std::string>> security_groups;  // "SecurityGroups", <= 5
};
// Response: MountTargetDescription.

struct DescribeMountTargetsRequest {
  std::optional<int> max_items;               // "MaxItems" (default 10)
  std::optional<std::string> marker;          // "Marker"
  std::optional<std::string> file_system_id;  // "FileSystemId"  } exactly one of
  std::optional<std::string> mount_target_id; // "MountTargetId" } these two
};
struct DescribeMountTargetsResponse {
  std::optional<std::string> marker;                 // "Marker"
  std::vector<MountTargetDescription> mount_targets; // "MountTargets"
  std::optional<std::string> next_marker;            // "NextMarker"
};

struct DeleteMountTargetRequest {
  std::string mount_target_id;  // "MountTargetId", required
};
// Response: {}.

struct DescribeMountTargetSecurityGroupsRequest {
  std::string mount_target_id;  // "MountTargetId", required
};
struct DescribeMountTargetSecurityGroupsResponse {
  std::vector<std::string> security_groups;  // "SecurityGroups"
};

struct ModifyMountTargetSecurityGroupsRequest {
  std::string mount_target_id;               // "MountTargetId", required
  std::vector<std::string> security_groups;  // "SecurityGroups", required, 1..5, replaces all
};
// Response: {}.

// ----------------------------------------------------------------------------- lifecycle
// Each policy object carries exactly one of the three transitions.
struct LifecyclePolicy {
  std::optional<std::string> transition_to_ia;                     // "TransitionToIA"
  std::optional<std::string> transition_to_primary_storage_class;  // "TransitionToPrimaryStorageClass"
  std::optional<std::string> transition_to_archive;                // "TransitionToArchive"
  friend bool operator==(const LifecyclePolicy&, const LifecyclePolicy&) = default;
};

struct PutLifecycleConfigurationRequest {
  std::string file_system_id;                       // "FileSystemId", required
  std::vector<LifecyclePolicy> lifecycle_policies;  // "LifecyclePolicies", required, <= 3
};
struct DescribeLifecycleConfigurationRequest {
  std::string file_system_id;  // "FileSystemId", required
};
struct LifecycleConfigurationDescription {
  std::vector<LifecyclePolicy> lifecycle_policies;  // "LifecyclePolicies"
};

// ----------------------------------------------------------------------------- settings
// The backup policy, replication overwrite protection and the account's ID preference. efsd
// takes no backups, replicates nothing and makes only long IDs, so each has one value it can
// honour (control/fs_settings.cc says why the others are refused).
struct BackupPolicy {
  std::string status;  // "Status", required: ENABLED | ENABLING | DISABLED | DISABLING
};
struct PutBackupPolicyRequest {
  std::string file_system_id;  // "FileSystemId", required
  BackupPolicy backup_policy;  // "BackupPolicy", required
};
struct DescribeBackupPolicyRequest {
  std::string file_system_id;  // "FileSystemId", required
};
struct BackupPolicyDescription {
  BackupPolicy backup_policy;  // "BackupPolicy"
};

struct UpdateFileSystemProtectionRequest {
  std::string file_system_id;  // "FileSystemId", required
  // "ReplicationOverwriteProtection": ENABLED | DISABLED | REPLICATING
  std::optional<std::string> replication_overwrite_protection;
};
struct FileSystemProtectionDescription {
  std::string replication_overwrite_protection;  // "ReplicationOverwriteProtection"
};

struct ResourceIdPreference {
  std::string resource_id_type;        // "ResourceIdType": LONG_ID | SHORT_ID
  std::vector<std::string> resources;  // "Resources": FILE_SYSTEM, MOUNT_TARGET
};
struct DescribeAccountPreferencesRequest {
  std::optional<std::string> next_token;  // "NextToken"
  std::optional<int> max_results;         // "MaxResults", >= 1
};
struct DescribeAccountPreferencesResponse {
  ResourceIdPreference resource_id_preference;  // "ResourceIdPreference"
  std::optional<std::string> next_token;        // "NextToken"
};
struct PutAccountPreferencesRequest {
  std::string resource_id_type;  // "ResourceIdType", required
};
struct PutAccountPreferencesResponse {
  ResourceIdPreference resource_id_preference;  // "ResourceIdPreference"
};

// ----------------------------------------------------------------------------- tags
struct TagResourceRequest {
  std::string resource_id;  // "ResourceId", required: fs-/fsap- id or its ARN
  std::vector<Tag> tags;    // "Tags", required, non-empty
};
struct UntagResourceRequest {
  std::string resource_id;            // "ResourceId", required
  std::vector<std::string> tag_keys;  // "TagKeys", required, 1..50
};
struct ListTagsForResourceRequest {
  std::string resource_id;                // "ResourceId", required
  std::optional<int> max_results;         // "MaxResults" (default 100)
  std::optional<std::string> next_token;  // "NextToken"
};
struct ListTagsForResourceResponse {
  std::vector<Tag> tags;                  // "Tags"
  std::optional<std::string> next_token;  // "NextToken"
};
// TagResource and UntagResource respond {}.

// ----------------------------------------------------------------------------- network (EC2 shapes)
struct Vpc {
  std::string vpc_id;      // "VpcId"
  std::string cidr_block;  // "CidrBlock"
  bool is_default = false; // "IsDefault"
  std::string state;       // "State": available
  std::string owner_id;    // "OwnerId"
};
struct DescribeVpcsResponse {
  std::vector<Vpc> vpcs;  // "Vpcs"
};

struct Subnet {
  std::string subnet_id;             // "SubnetId"
  std::string vpc_id;                // "VpcId"
  std::string availability_zone;     // "AvailabilityZone"
  std::string availability_zone_id;  // "AvailabilityZoneId"
  std::string cidr_block;            // "CidrBlock"
  int64_t available_ip_address_count = 0;  // "AvailableIpAddressCount"
  bool default_for_az = false;       // "DefaultForAz"
  std::string state;                 // "State": available
  std::string owner_id;              // "OwnerId"
};
struct DescribeSubnetsRequest {
  std::vector<std::string> subnet_ids;  // "SubnetIds" (empty: all)
  std::optional<std::string> vpc_id;    // "VpcId"
};
struct DescribeSubnetsResponse {
  std::vector<Subnet> subnets;  // "Subnets"
};
struct CreateSubnetRequest {
  std::string cidr_block;                          // "CidrBlock", required, /16../28
  std::optional<std::string> vpc_id;               // "VpcId" (default VPC if unset)
  std::optional<std::string> availability_zone;    // "AvailabilityZone" } exactly one
  std::optional<std::string> availability_zone_id; // "AvailabilityZoneId" }
};
struct CreateSubnetResponse {
  Subnet subnet;  // "Subnet"
};
struct DeleteSubnetRequest {
  std::string subnet_id;  // "SubnetId", required
};
// Response: {}.

struct IpRange {
  std::string cidr_ip;                     // "CidrIp"
  std::optional<std::string> description;  // "Description"
  friend bool operator==(const IpRange&, const IpRange&) = default;
};
struct IpPermission {
  std::string ip_protocol;      // "IpProtocol": tcp|udp|-1 (all)
  std::optional<int> from_port; // "FromPort" (absent for -1)
  std::optional<int> to_port;   // "ToPort"
  std::vector<IpRange> ip_ranges;  // "IpRanges"
  friend bool operator==(const IpPermission&, const IpPermission&) = default;
};
struct SecurityGroup {
  std::string group_id;     // "GroupId"
  std::string group_name;   // "GroupName"
  std::string description;  // "Description"
  std::string vpc_id;       // "VpcId"
  std::string owner_id;     // "OwnerId"
  std::vector<IpPermission> ip_permissions;  // "IpPermissions" (inbound rules)
};
struct CreateSecurityGroupRequest {
  std::string group_name;             // "GroupName", required, 1-255
  std::string description;            // "Description", required, 1-255
  std::optional<std::string> vpc_id;  // "VpcId" (default VPC if unset)
};
struct CreateSecurityGroupResponse {
  std::string group_id;  // "GroupId"
};
struct DescribeSecurityGroupsRequest {
  std::vector<std::string> group_ids;  // "GroupIds" (empty: all)
};
struct DescribeSecurityGroupsResponse {
  std::vector<SecurityGroup> security_groups;  // "SecurityGroups"
};
struct SecurityGroupIngressRequest {  // AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress
  std::string group_id;                      // "GroupId", required
  std::vector<IpPermission> ip_permissions;  // "IpPermissions", required, non-empty
};
// Response: {"Return": true}.
struct DeleteSecurityGroupRequest {
  std::string group_id;  // "GroupId", required
};
// Response: {}.

// ----------------------------------------------------------------------------- codecs
// FromJson parses `params` into a typed request. It fails with BadRequest naming the field for a
// missing required field, a wrong JSON type, or an unknown field. It checks shapes only; the
// values' rules (enums, ranges, id formats) are the control plane's to check.
// ToJson emits the AWS shape, omitting unset optionals.
#define EFS_API_CODEC(T)                                   \
  Json ToJson(const T& value);                             \
  Status FromJson(const Json& json, T* out);

EFS_API_CODEC(Tag)
EFS_API_CODEC(HelloRequest)
EFS_API_CODEC(HelloResponse)
EFS_API_CODEC(DaemonStatus)
EFS_API_CODEC(AdvanceClockRequest)
EFS_API_CODEC(ClockReading)
EFS_API_CODEC(SizeInBytes)
EFS_API_CODEC(DescribeStorageRequest)
EFS_API_CODEC(FileStorageDescription)
EFS_API_CODEC(DescribeStorageResponse)
EFS_API_CODEC(RunLifecyclePassRequest)
EFS_API_CODEC(LifecyclePassReport)
EFS_API_CODEC(CheckFileSystemRequest)
EFS_API_CODEC(FileSystemCheck)
EFS_API_CODEC(SetBurstCreditBalanceRequest)
EFS_API_CODEC(BurstCreditBalance)
EFS_API_CODEC(AccessKey)
EFS_API_CODEC(CreateAccessKeyRequest)
EFS_API_CODEC(CreateAccessKeyResponse)
EFS_API_CODEC(ListAccessKeysRequest)
EFS_API_CODEC(ListAccessKeysResponse)
EFS_API_CODEC(DeleteAccessKeyRequest)
EFS_API_CODEC(FileSystemDescription)
EFS_API_CODEC(CreateFileSystemRequest)
EFS_API_CODEC(DescribeFileSystemsRequest)
EFS_API_CODEC(DescribeFileSystemsResponse)
EFS_API_CODEC(UpdateFileSystemRequest)
EFS_API_CODEC(DeleteFileSystemRequest)
EFS_API_CODEC(MountTargetDescription)
EFS_API_CODEC(CreateMountTargetRequest)
EFS_API_CODEC(DescribeMountTargetsRequest)
EFS_API_CODEC(DescribeMountTargetsResponse)
EFS_API_CODEC(DeleteMountTargetRequest)
EFS_API_CODEC(DescribeMountTargetSecurityGroupsRequest)
EFS_API_CODEC(DescribeMountTargetSecurityGroupsResponse)
EFS_API_CODEC(ModifyMountTargetSecurityGroupsRequest)
EFS_API_CODEC(LifecyclePolicy)
EFS_API_CODEC(PutLifecycleConfigurationRequest)
EFS_API_CODEC(DescribeLifecycleConfigurationRequest)
EFS_API_CODEC(LifecycleConfigurationDescription)
EFS_API_CODEC(BackupPolicy)
EFS_API_CODEC(PutBackupPolicyRequest)
EFS_API_CODEC(DescribeBackupPolicyRequest)
EFS_API_CODEC(BackupPolicyDescription)
EFS_API_CODEC(UpdateFileSystemProtectionRequest)
EFS_API_CODEC(FileSystemProtectionDescription)
EFS_API_CODEC(ResourceIdPreference)
EFS_API_CODEC(DescribeAccountPreferencesRequest)
EFS_API_CODEC(DescribeAccountPreferencesResponse)
EFS_API_CODEC(PutAccountPreferencesRequest)
EFS_API_CODEC(PutAccountPreferencesResponse)
EFS_API_CODEC(TagResourceRequest)
EFS_API_CODEC(UntagResourceRequest)
EFS_API_CODEC(ListTagsForResourceRequest)
EFS_API_CODEC(ListTagsForResourceResponse)
EFS_API_CODEC(Vpc)
EFS_API_CODEC(DescribeVpcsResponse)
EFS_API_CODEC(Subnet)
EFS_API_CODEC(DescribeSubnetsRequest)
EFS_API_CODEC(DescribeSubnetsResponse)
EFS_API_CODEC(CreateSubnetRequest)
EFS_API_CODEC(CreateSubnetResponse)
EFS_API_CODEC(DeleteSubnetRequest)
EFS_API_CODEC(IpRange)
EFS_API_CODEC(IpPermission)
EFS_API_CODEC(SecurityGroup)
EFS_API_CODEC(CreateSecurityGroupRequest)
EFS_API_CODEC(CreateSecurityGroupResponse)
EFS_API_CODEC(DescribeSecurityGroupsRequest)
EFS_API_CODEC(DescribeSecurityGroupsResponse)
EFS_API_CODEC(SecurityGroupIngressRequest)
EFS_API_CODEC(DeleteSecurityGroupRequest)
#undef EFS_API_CODEC

// An error as it travels on the wire: {"code":..., "message":..., plus extra fields such as
// "FileSystemId" for FileSystemAlreadyExists}.
struct ApiError {
  std::string code;
  std::string message;
  Json extra = Json::object();
};

// The one Status -> wire error mapping (STYLE 2.4). Uses status.reason() when set, else a code
// derived from status.code() (kNotFound -> "NotFound", kPermissionDenied -> "AccessDenied", ...).
ApiError ToApiError(const Status& status);

// ----------------------------------------------------------------------------- envelopes
// Line-level helpers shared by client.cc and server.cc, so that nlohmann::json exceptions stay
// inside messages.cc (STYLE 2.4).

// Parses one line (without its newline) as JSON. Malformed JSON or invalid UTF-8 is BadRequest.
Result<Json> ParseJsonLine(std::string_view line);
// The same for a line from an untrusted peer: BadRequest, before any parsing, if the line is
// deeper or holds more values than `limits` allow.
Result<Json> ParseJsonLine(std::string_view line, const JsonLimits& limits);
// Serialises `json` as one line ending in '\n'; invalid UTF-8 in strings is replaced, never thrown.
std::string DumpJsonLine(const Json& json);

// {"id":...,"action":...,"params":{...}}
struct RequestEnvelope {
  Json id;                        // an integer, or null when the line carried no usable id
  std::string action;
  Json params = Json::object();  // absent or null "params" read as {}
};
// Checks the request shape: an object with an integer "id", a string "action", an optional
// object "params" and nothing else. On failure returns BadRequest and still sets out->id when
// the line carried an integer id, so the error can be answered with it.
Status ParseRequestEnvelope(const Json& json, RequestEnvelope* out);
Json RequestToJson(int64_t id, const std::string& action, const Json& params);

// {"id":...,"result":{...}} or {"id":...,"error":{"code":...,"message":...,...}}
struct ReplyEnvelope {
  Json id;                        // an integer, or null
  Json result = Json::object();   // used iff !error
  std::optional<ApiError> error;
};
// Checks the reply shape; a malformed reply is InternalServerError.
Status ParseReplyEnvelope(const Json& json, ReplyEnvelope* out);
Json ResultReplyToJson(const Json& id, Json result);
Json ErrorReplyToJson(const Json& id, const ApiError& error);

// {"code":..., "message":..., extra...}; extra fields never override code or message.
Json ToJson(const ApiError& error);

}  // namespace efs::api

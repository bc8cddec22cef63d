// Codec, error-mapping and envelope tests for lib/api/messages: round trips for every struct,
// golden AWS-shaped JSON, and the strictness rules of FromJson.
#include "api/messages.h"

#include <gtest/gtest.h>

#include "api/client.h"

namespace efs::api {
namespace {

// Encodes `value`, sends it through text, decodes it, and checks nothing was lost.
template <class T>
T RoundTrip(const T& value) {
  Json json = ToJson(value);
  std::string line = DumpJsonLine(json);
  Result<Json> parsed = ParseJsonLine(line.substr(0, line.size() - 1));
  EXPECT_TRUE(parsed.ok());
  T decoded;
  Status status = FromJson(*parsed, &decoded);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << line;
  EXPECT_EQ(ToJson(decoded), json);
  return decoded;
}

template <class T>
Status Decode(const char* text) {
  T out;
  return FromJson(Json::parse(text), &out);
}

std::vector<Tag> SomeTags() { return {{"Name", "projects"}, {"team", "storage"}}; }

FileSystemDescription SomeFileSystem() {
  FileSystemDescription fs;
  fs.owner_id = "123456789012";
  fs.creation_token = "console-1f2e";
  fs.file_system_id = "fs-0123456789abcdef0";
  fs.file_system_arn =
      "arn:aws:elasticfilesystem:local-1:123456789012:file-system/fs-0123456789abcdef0";
  fs.creation_time = 1700000000.5;
  fs.life_cycle_state = "available";
  fs.name = "projects";
  fs.number_of_mount_targets = 2;
  fs.size_in_bytes = {6144, 1700000100, 0, 6144, 0};
  fs.performance_mode = "generalPurpose";
  fs.encrypted = true;
  fs.kms_key_id = "arn:aws:kms:local-1:123456789012:key/1";
  fs.throughput_mode = "provisioned";
  fs.provisioned_throughput_in_mibps = 128.5;
  fs.availability_zone_name = "local-1a";
  fs.availability_zone_id = "loc1-az1";
  fs.tags = SomeTags();
  fs.replication_overwrite_protection = "DISABLED";
  return fs;
}

MountTargetDescription SomeMountTarget() {
  return {"123456789012",
          "fsmt-0123456789abcdef0",
          "fs-0123456789abcdef0",
          "subnet-0a1b2c3d",
          "available",
          "127.18.0.5",
          "eni-0a1b2c3d4e5f",
          "loc1-az1",
          "local-1a",
          "vpc-0a1b2c3d",
          12049};
}

Subnet SomeSubnet() {
  return {"subnet-0a1b2c3d", "vpc-0a1b2c3d", "local-1a", "loc1-az1", "127.18.0.0/20", 4091, true,
          "available",       "123456789012"};
}

IpPermission SomeIpPermission() {
  return {"tcp", 2049, 2049, {{"10.0.0.0/8", "office"}, {"127.0.0.0/8", std::nullopt}}};
}

TEST(Codec, FileSystemDescriptionMatchesTheAwsShapeExactly) {
  Json expected = Json::parse(R"({
    "OwnerId": "123456789012",
    "CreationToken": "console-1f2e",
    "FileSystemId": "fs-0123456789abcdef0",
    "FileSystemArn": "arn:aws:elasticfilesystem:local-1:123456789012:file-system/fs-0123456789abcdef0",
    "CreationTime": 1700000000.5,
    "LifeCycleState": "available",
    "Name": "projects",
    "NumberOfMountTargets": 2,
    "SizeInBytes": {"Value": 6144, "Timestamp": 1700000100.0, "ValueInIA": 0,
                    "ValueInStandard": 6144, "ValueInArchive": 0},
    "PerformanceMode": "generalPurpose",
    "Encrypted": true,
    "KmsKeyId": "arn:aws:kms:local-1:123456789012:key/1",
    "ThroughputMode": "provisioned",
    "ProvisionedThroughputInMibps": 128.5,
    "AvailabilityZoneName": "local-1a",
    "AvailabilityZoneId": "loc1-az1",
    "Tags": [{"Key": "Name", "Value": "projects"}, {"Key": "team", "Value": "storage"}],
    "FileSystemProtection": {"ReplicationOverwriteProtection": "DISABLED"}
  })");
  EXPECT_EQ(ToJson(SomeFileSystem()), expected);
}

TEST(Codec, UnsetOptionalsAreOmittedNeverNull) {
  FileSystemDescription fs;
  fs.file_system_id = "fs-1";
  Json json = ToJson(fs);
  for (const char* absent : {"Name", "KmsKeyId", "ProvisionedThroughputInMibps",
                             "AvailabilityZoneName", "AvailabilityZoneId"}) {
    EXPECT_FALSE(json.contains(absent)) << absent;
  }
  EXPECT_FALSE(json["SizeInBytes"].contains("Timestamp"));
  EXPECT_EQ(json["Tags"], Json::array());
  EXPECT_EQ(json["FileSystemProtection"]["ReplicationOverwriteProtection"], "ENABLED");
  EXPECT_EQ(DumpJsonLine(json).find("null"), std::string::npos);
}

TEST(Codec, FileSystemShapesRoundTrip) {
  FileSystemDescription fs = RoundTrip(SomeFileSystem());
  EXPECT_EQ(fs.name, "projects");
  EXPECT_EQ(fs.size_in_bytes.timestamp, 1700000100);
  EXPECT_EQ(fs.replication_overwrite_protection, "DISABLED");
  EXPECT_EQ(fs.tags, SomeTags());
  RoundTrip(SizeInBytes{1 << 20, 0, 512, 1 << 19, 12345678901234});
  RoundTrip(CreateFileSystemRequest{"token-1", "maxIO", true, "key-1", "elastic", 64.0, "local-1b",
                                    false, SomeTags()});
  RoundTrip(CreateFileSystemRequest{"token-2", {}, {}, {}, {}, {}, {}, {}, {}});
  RoundTrip(DescribeFileSystemsRequest{50, "m-2", "token-1", "fs-1"});
  RoundTrip(DescribeFileSystemsResponse{"m-1", {SomeFileSystem(), FileSystemDescription{}}, "m-2"});
  RoundTrip(UpdateFileSystemRequest{"fs-1", "provisioned", 256.0});
  RoundTrip(DeleteFileSystemRequest{"fs-1"});
}

TEST(Codec, MountTargetShapesRoundTrip) {
  MountTargetDescription mt = RoundTrip(SomeMountTarget());
  EXPECT_EQ(mt.port, 12049);
  EXPECT_EQ(ToJson(mt)["Port"], 12049);
  RoundTrip(CreateMountTargetRequest{"fs-1", "subnet-1", "127.18.0.9",
                                     std::vector<std::string>{"sg-1", "sg-2"}});
  RoundTrip(DescribeMountTargetsRequest{10, "m", std::nullopt, "fsmt-1"});
  RoundTrip(DescribeMountTargetsResponse{std::nullopt, {SomeMountTarget()}, "next"});
  RoundTrip(DeleteMountTargetRequest{"fsmt-1"});
  RoundTrip(DescribeMountTargetSecurityGroupsRequest{"fsmt-1"});
  RoundTrip(DescribeMountTargetSecurityGroupsResponse{{"sg-1", "sg-2"}});
  RoundTrip(ModifyMountTargetSecurityGroupsRequest{"fsmt-1", {"sg-3"}});
}

TEST(Codec, LifecycleAndTagShapesRoundTrip) {
  std::vector<LifecyclePolicy> policies = {{"AFTER_30_DAYS", std::nullopt, std::nullopt},
                                           {std::nullopt, "AFTER_1_ACCESS", std::nullopt},
                                           {std::nullopt, std::nullopt, "AFTER_90_DAYS"}};
  EXPECT_EQ(RoundTrip(PutLifecycleConfigurationRequest{"fs-1", policies}).lifecycle_policies,
            policies);
  RoundTrip(DescribeLifecycleConfigurationRequest{"fs-1"});
  RoundTrip(LifecycleConfigurationDescription{policies});
  RoundTrip(TagResourceRequest{"fs-1", SomeTags()});
  RoundTrip(UntagResourceRequest{"fs-1", {"team", "Name"}});
  RoundTrip(ListTagsForResourceRequest{"fs-1", 20, "t-1"});
  RoundTrip(ListTagsForResourceResponse{SomeTags(), "t-2"});
  RoundTrip(Tag{"k", ""});
}

TEST(Codec, NetworkShapesRoundTrip) {
  RoundTrip(DescribeVpcsResponse{{{"vpc-1", "127.16.0.0/12", true, "available", "123456789012"}}});
  RoundTrip(SomeSubnet());
  RoundTrip(DescribeSubnetsRequest{{"subnet-1", "subnet-2"}, "vpc-1"});
  RoundTrip(DescribeSubnetsResponse{{SomeSubnet(), SomeSubnet()}});
  RoundTrip(CreateSubnetRequest{"127.18.16.0/20", "vpc-1", "local-1b", std::nullopt});
  EXPECT_EQ(RoundTrip(CreateSubnetResponse{SomeSubnet()}).subnet.available_ip_address_count, 4091);
  RoundTrip(DeleteSubnetRequest{"subnet-1"});
  EXPECT_EQ(RoundTrip(SomeIpPermission()), SomeIpPermission());
  RoundTrip(IpPermission{"-1", std::nullopt, std::nullopt, {{"0.0.0.0/0", std::nullopt}}});
  RoundTrip(
      SecurityGroup{"sg-1", "nfs", "NFS clients", "vpc-1", "123456789012", {SomeIpPermission()}});
  RoundTrip(CreateSecurityGroupRequest{"nfs", "NFS clients", "vpc-1"});
  RoundTrip(CreateSecurityGroupResponse{"sg-1"});
  RoundTrip(DescribeSecurityGroupsRequest{{"sg-1"}});
  RoundTrip(DescribeSecurityGroupsResponse{{SecurityGroup{}}});
  RoundTrip(SecurityGroupIngressRequest{"sg-1", {SomeIpPermission()}});
  RoundTrip(DeleteSecurityGroupRequest{"sg-1"});
}

TEST(Codec, HandshakeAndStatusShapesRoundTrip) {
  EXPECT_EQ(RoundTrip(HelloRequest{7}).api_version, 7);
  EXPECT_EQ(RoundTrip(HelloResponse{1, "0.1.0"}).server_version, "0.1.0");
  DaemonStatus status{"0.1.0",
                      1,
                      4242,
                      1700000000.25,
                      "/var/lib/efsd",
                      "/run/efsd/efsd.sock",
                      "local-1",
                      "loopback",
                      "none",
                      12049,
                      3,
                      5,
                      "http://127.0.0.1:2099",
                      "postgresql"};
  DaemonStatus decoded = RoundTrip(status);
  EXPECT_EQ(decoded.metadata_engine, "postgresql");
  EXPECT_EQ(decoded.pid, 4242);
  EXPECT_EQ(decoded.mount_target_count, 5);
  EXPECT_EQ(decoded.http_endpoint, "http://127.0.0.1:2099");
}

TEST(JsonLimits, DeepOrLargeTextIsRefusedBeforeItIsBuilt) {
  const JsonLimits limits = {4, 10};
  EXPECT_TRUE(ParseJsonLine(R"({"a":[[[1]]]})", limits).ok());
  Result<Json> deep = ParseJsonLine(R"({"a":[[[[1]]]]})", limits);
  EXPECT_EQ(deep.status().reason(), "BadRequest");
  EXPECT_EQ(deep.status().message(), "JSON nested deeper than 4 levels");
  EXPECT_TRUE(ParseJsonLine("[1,2,3,4,5,6,7,8]", limits).ok());
  Result<Json> many = ParseJsonLine("[1,2,3,4,5,6,7,8,9,10]", limits);
  EXPECT_EQ(many.status().message(), "JSON with more than 10 values");
  // Brackets, commas and escaped quotes inside strings are text, not structure.
  EXPECT_TRUE(ParseJsonLine(R"({"a":"[[[[[,,,,,,,,,,,\"[[[[["})", limits).ok());
  // The real thing: a megabyte of '[' is refused at once, not built level by level.
  EXPECT_EQ(ParseJsonLine(std::string(1 << 20, '['), kRequestLimits).status().message(),
            "JSON nested deeper than 64 levels");
  // Malformed text passes the scan and is refused by the parser.
  EXPECT_NE(ParseJsonLine("]]]", limits).status().message().find("malformed JSON"),
            std::string::npos);
}

TEST(Strictness, MissingRequiredFieldIsNamed) {
  Status status = Decode<CreateFileSystemRequest>(R"({"PerformanceMode":"maxIO"})");
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_EQ(status.reason(), "BadRequest");
  EXPECT_EQ(status.message(), "missing required parameter 'CreationToken'");
}

TEST(Strictness, WrongTypesAreNamed) {
  EXPECT_EQ(Decode<DescribeFileSystemsRequest>(R"({"MaxItems":"10"})").message(),
            "parameter 'MaxItems' must be an integer");
  EXPECT_EQ(Decode<DescribeFileSystemsRequest>(R"({"MaxItems":1.5})").message(),
            "parameter 'MaxItems' must be an integer");
  EXPECT_EQ(Decode<DescribeFileSystemsRequest>(R"({"MaxItems":true})").message(),
            "parameter 'MaxItems' must be an integer");
  EXPECT_EQ(
      Decode<CreateFileSystemRequest>(R"({"CreationToken":"t","Encrypted":"true"})").message(),
      "parameter 'Encrypted' must be a boolean");
  EXPECT_EQ(Decode<CreateFileSystemRequest>(R"({"CreationToken":7})").message(),
            "parameter 'CreationToken' must be a string");
  EXPECT_EQ(Decode<UpdateFileSystemRequest>(
                R"({"FileSystemId":"fs-1","ProvisionedThroughputInMibps":"fast"})")
                .message(),
            "parameter 'ProvisionedThroughputInMibps' must be a number");
  EXPECT_EQ(Decode<CreateMountTargetRequest>(
                R"({"FileSystemId":"fs-1","SubnetId":"s","SecurityGroups":"sg-1"})")
                .message(),
            "parameter 'SecurityGroups' must be an array");
  EXPECT_EQ(Decode<UntagResourceRequest>(R"({"ResourceId":"fs-1","TagKeys":["a",2]})").message(),
            "parameter 'TagKeys[1]' must be a string");
}

TEST(Strictness, IntegersMustBeIntegralAndInRange) {
  DescribeFileSystemsRequest request;
  ASSERT_TRUE(FromJson(Json::parse(R"({"MaxItems":5.0})"), &request).ok());
  EXPECT_EQ(request.max_items, 5);
  EXPECT_EQ(Decode<DescribeFileSystemsRequest>(R"({"MaxItems":3000000000})").message(),
            "parameter 'MaxItems' is out of range");
  EXPECT_EQ(Decode<DescribeFileSystemsRequest>(R"({"MaxItems":-3000000000})").message(),
            "parameter 'MaxItems' is out of range");
  EXPECT_EQ(Decode<DescribeFileSystemsRequest>(R"({"MaxItems":1e300})").message(),
            "parameter 'MaxItems' is out of range");
  DaemonStatus status;
  ASSERT_TRUE(FromJson(Json::parse(R"({"FileSystemCount":12345678901234})"), &status).ok());
  EXPECT_EQ(status.file_system_count, 12345678901234);
}

TEST(Strictness, NestedErrorsNameTheirPath) {
  const char* wrong_type = R"({"ResourceId":"fs-1","Tags":[{"Key":"a","Value":"b"},
                                                            {"Key":5,"Value":"c"}]})";
  EXPECT_EQ(Decode<TagResourceRequest>(wrong_type).message(),
            "parameter 'Tags[1].Key' must be a string");
  EXPECT_EQ(Decode<TagResourceRequest>(R"({"ResourceId":"fs-1","Tags":[{"Key":"a"}]})").message(),
            "missing required parameter 'Tags[0].Value'");
  EXPECT_EQ(Decode<TagResourceRequest>(R"({"ResourceId":"fs-1","Tags":["a"]})").message(),
            "parameter 'Tags[0]' must be an object");
  EXPECT_EQ(Decode<SecurityGroupIngressRequest>(
                R"({"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcp","IpRanges":[{}]}]})")
                .message(),
            "missing required parameter 'IpPermissions[0].IpRanges[0].CidrIp'");
  EXPECT_EQ(Decode<FileSystemDescription>(R"({"FileSystemProtection":{"Other":1}})").message(),
            "unknown parameter 'FileSystemProtection.Other'");
  EXPECT_EQ(Decode<FileSystemDescription>(R"({"SizeInBytes":{"Value":"1"}})").message(),
            "parameter 'SizeInBytes.Value' must be an integer");
}

TEST(Strictness, UnknownFieldsAreRejected) {
  EXPECT_EQ(Decode<CreateFileSystemRequest>(R"({"CreationToken":"t","Foo":1})").message(),
            "unknown parameter 'Foo'");
  EXPECT_EQ(Decode<TagResourceRequest>(
                R"({"ResourceId":"fs-1","Tags":[{"Key":"a","Value":"b","Extra":true}]})")
                .message(),
            "unknown parameter 'Tags[0].Extra'");
}

TEST(Strictness, NullParamsReadAsEmptyOnlyWithoutRequiredFields) {
  DescribeFileSystemsRequest describe;
  EXPECT_TRUE(FromJson(Json(), &describe).ok());
  DescribeSubnetsRequest subnets;
  EXPECT_TRUE(FromJson(Json(), &subnets).ok());
  CreateFileSystemRequest create;
  EXPECT_EQ(FromJson(Json(), &create).message(), "missing required parameter 'CreationToken'");
  EXPECT_EQ(FromJson(Json::array(), &describe).message(), "params must be a JSON object");
  EXPECT_EQ(FromJson(Json("fs-1"), &describe).message(), "params must be a JSON object");
}

TEST(Strictness, NullOptionalFieldsReadAsAbsent) {
  DescribeFileSystemsRequest request;
  ASSERT_TRUE(FromJson(Json::parse(R"({"MaxItems":null,"FileSystemId":"fs-1"})"), &request).ok());
  EXPECT_FALSE(request.max_items.has_value());
  EXPECT_EQ(Decode<CreateFileSystemRequest>(R"({"CreationToken":null})").message(),
            "missing required parameter 'CreationToken'");
}

TEST(Strictness, FromJsonResetsFieldsThatAreAbsent) {
  DescribeFileSystemsRequest request;
  request.marker = "stale";
  ASSERT_TRUE(FromJson(Json::object(), &request).ok());
  EXPECT_FALSE(request.marker.has_value());
}

TEST(ApiErrors, ReasonWinsOverCode) {
  ApiError error = ToApiError(Error(Code::kNotFound, "FileSystemNotFound", "no 'fs-1'"));
  EXPECT_EQ(error.code, "FileSystemNotFound");
  EXPECT_EQ(error.message, "no 'fs-1'");
  EXPECT_EQ(error.extra, Json::object());
}

TEST(ApiErrors, CodesMapToGenericAwsNamesWithoutReason) {
  auto code_of = [](Code code) { return ToApiError(Status(code, "", "m")).code; };
  EXPECT_EQ(code_of(Code::kNotFound), "NotFound");
  EXPECT_EQ(code_of(Code::kPermissionDenied), "AccessDenied");
  EXPECT_EQ(code_of(Code::kInvalidArgument), "BadRequest");
  EXPECT_EQ(code_of(Code::kAlreadyExists), "AlreadyExists");
  EXPECT_EQ(code_of(Code::kResourceExhausted), "LimitExceeded");
  EXPECT_EQ(code_of(Code::kUnavailable), "ServiceUnavailable");
  EXPECT_EQ(code_of(Code::kInternal), "InternalServerError");
  EXPECT_EQ(code_of(Code::kIOError), "InternalServerError");
  EXPECT_EQ(code_of(Code::kStale), "InternalServerError");
  EXPECT_EQ(ToApiError(InvalidArgument("x")).code, "BadRequest");
}

TEST(ApiErrors, ClientMapsWireCodesBackToStatusCodes) {
  EXPECT_EQ(CodeForApiError("FileSystemNotFound"), Code::kNotFound);
  EXPECT_EQ(CodeForApiError("MountTargetNotFound"), Code::kNotFound);
  EXPECT_EQ(CodeForApiError("AccessDenied"), Code::kPermissionDenied);
  EXPECT_EQ(CodeForApiError("FileSystemAlreadyExists"), Code::kAlreadyExists);
  EXPECT_EQ(CodeForApiError("BadRequest"), Code::kInvalidArgument);
  EXPECT_EQ(CodeForApiError("FileSystemLimitExceeded"), Code::kResourceExhausted);
  EXPECT_EQ(CodeForApiError("ServiceUnavailable"), Code::kUnavailable);
  EXPECT_EQ(CodeForApiError("InternalServerError"), Code::kInternal);
  EXPECT_EQ(CodeForApiError("IncorrectFileSystemLifeCycleState"), Code::kFailedPrecondition);
  EXPECT_EQ(CodeForApiError("HandshakeRequired"), Code::kFailedPrecondition);
}

TEST(ApiErrors, ExtraFieldsTravelBesideCodeAndMessage) {
  ApiError error{"FileSystemAlreadyExists", "token in use", {{"FileSystemId", "fs-1"}}};
  Json json = ErrorReplyToJson(Json(4), error);
  EXPECT_EQ(json, Json::parse(R"({"id":4,"error":{"code":"FileSystemAlreadyExists",
      "message":"token in use","FileSystemId":"fs-1"}})"));
  ReplyEnvelope reply;
  ASSERT_TRUE(ParseReplyEnvelope(json, &reply).ok());
  ASSERT_TRUE(reply.error.has_value());
  EXPECT_EQ(reply.error->code, "FileSystemAlreadyExists");
  EXPECT_EQ(reply.error->extra, Json::parse(R"({"FileSystemId":"fs-1"})"));
  ApiError sneaky{"A", "m", {{"code", "B"}}};
  EXPECT_EQ(ToJson(sneaky)["code"], "A");
}

TEST(Envelope, RequestShapeIsChecked) {
  RequestEnvelope request;
  ASSERT_TRUE(ParseRequestEnvelope(RequestToJson(3, "DescribeVpcs", Json()), &request).ok());
  EXPECT_EQ(request.id, 3);
  EXPECT_EQ(request.action, "DescribeVpcs");
  EXPECT_EQ(request.params, Json::object());
  ASSERT_TRUE(ParseRequestEnvelope(Json::parse(R"({"id":4,"action":"A"})"), &request).ok());
  EXPECT_EQ(request.params, Json::object());

  Status status = ParseRequestEnvelope(Json::parse(R"({"id":5})"), &request);
  EXPECT_EQ(status.reason(), "BadRequest");
  EXPECT_EQ(request.id, 5) << "an error still answers the request's id";
  EXPECT_FALSE(ParseRequestEnvelope(Json::parse(R"({"id":5,"action":7})"), &request).ok());
  EXPECT_FALSE(ParseRequestEnvelope(Json::parse(R"({"id":"5","action":"A"})"), &request).ok());
  EXPECT_TRUE(request.id.is_null());
  EXPECT_FALSE(ParseRequestEnvelope(Json::parse(R"({"id":1.5,"action":"A"})"), &request).ok());
  EXPECT_FALSE(ParseRequestEnvelope(Json::parse(R"({"action":"A"})"), &request).ok());
  EXPECT_FALSE(
      ParseRequestEnvelope(Json::parse(R"({"id":1,"action":"A","params":[]})"), &request).ok());
  EXPECT_EQ(ParseRequestEnvelope(Json::parse(R"({"id":1,"action":"A","x":1})"), &request).message(),
            "unknown request member 'x'");
  EXPECT_FALSE(ParseRequestEnvelope(Json::array(), &request).ok());
}

TEST(Envelope, ReplyShapeIsChecked) {
  ReplyEnvelope reply;
  ASSERT_TRUE(ParseReplyEnvelope(ResultReplyToJson(Json(9), {{"A", 1}}), &reply).ok());
  EXPECT_EQ(reply.id, 9);
  EXPECT_EQ(reply.result["A"], 1);
  EXPECT_FALSE(reply.error.has_value());
  EXPECT_FALSE(ParseReplyEnvelope(Json::parse(R"({"id":1})"), &reply).ok());
  EXPECT_FALSE(ParseReplyEnvelope(Json::parse(R"({"id":1,"result":{},"error":{}})"), &reply).ok());
  EXPECT_FALSE(ParseReplyEnvelope(Json::parse(R"({"id":1,"error":{"message":"m"}})"), &reply).ok());
  EXPECT_FALSE(ParseReplyEnvelope(Json::parse(R"({"id":"1","result":{}})"), &reply).ok());
}

TEST(Envelope, MalformedLinesAreBadRequestNotExceptions) {
  for (std::string line : {"{not json", "", "{\"id\":1", "\"\xff\xfe\""}) {
    Result<Json> parsed = ParseJsonLine(line);
    ASSERT_FALSE(parsed.ok()) << line;
    EXPECT_EQ(parsed.status().reason(), "BadRequest");
    EXPECT_EQ(parsed.status().message().rfind("malformed JSON: ", 0), 0u)
        << parsed.status().message();
  }
}

TEST(Envelope, DumpNeverThrowsOnInvalidUtf8) {
  Json json = {{"message", std::string("bad \xff byte")}};
  std::string line = DumpJsonLine(json);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_TRUE(ParseJsonLine(line).ok());
}

}  // namespace
}  // namespace efs::api

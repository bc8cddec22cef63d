// Dispatch(): the action table, who may run what, parameter decoding and the AWS-shaped
// replies, through JSON as the daemon's socket would pass it.
#include "control/actions.h"

#include <fstream>
#include <set>
#include <sstream>

#include "base/ids.h"
#include "control/control_test_env.h"

namespace efs::control {
namespace {

using api::Json;
using testing::ControlTest;

class Actions : public ControlTest {
 protected:
  api::Reply Run(const std::string& action, const Json& params = Json(), uid_t uid = 0) {
    return Dispatch(*control, api::Caller{1, uid, 0, {}}, action, params);
  }
  static std::string CodeOf(const api::Reply& reply) {
    return reply.error ? reply.error->code : "ok";
  }
};

const char* const kMutating[] = {"CreateFileSystem",
                                 "UpdateFileSystem",
                                 "DeleteFileSystem",
                                 "CreateMountTarget",
                                 "DeleteMountTarget",
                                 "ModifyMountTargetSecurityGroups",
                                 "PutLifecycleConfiguration",
                                 "PutBackupPolicy",
                                 "UpdateFileSystemProtection",
                                 "PutAccountPreferences",
                                 "TagResource",
                                 "UntagResource",
                                 "CreateSubnet",
                                 "DeleteSubnet",
                                 "CreateSecurityGroup",
                                 "AuthorizeSecurityGroupIngress",
                                 "RevokeSecurityGroupIngress",
                                 "DeleteSecurityGroup",
                                 "AdvanceClock",
                                 "RunLifecyclePass",
                                 "CheckFileSystem",
                                 "SetBurstCreditBalance",
                                 "CreateVpc",
                                 "DeleteVpc",
                                 "CreateNetworkInterface",
                                 "AttachNetworkInterface",
                                 "DetachNetworkInterface",
                                 "DeleteNetworkInterface",
                                 "EnsureHostInterface",
                                 "CreateVpcPeeringConnection",
                                 "AcceptVpcPeeringConnection",
                                 "RejectVpcPeeringConnection",
                                 "DeleteVpcPeeringConnection",
                                 "CreateRoute",
                                 "DeleteRoute",
                                 "CreateVpnGateway",
                                 "AttachVpnGateway",
                                 "DetachVpnGateway",
                                 "DeleteVpnGateway",
                                 "FailAvailabilityZone",
                                 "RestoreAvailabilityZone",
                                 "CreateAccessKey",
                                 "DeleteAccessKey"};

TEST_F(Actions, DocsApiMdDescribesEveryActionAndMarksTheMutatingOnes) {
  std::ifstream in(EFS_SOURCE_DIR "/docs/API.md");
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  std::set<std::string> mutating(std::begin(kMutating), std::end(kMutating));
  for (const std::string& name : ActionNames()) {
    bool documented_mutating = doc.find("| `" + name + "` (M) |") != std::string::npos;
    bool documented = documented_mutating || doc.find("| `" + name + "` |") != std::string::npos;
    EXPECT_TRUE(documented) << name << " has no row in docs/API.md";
    EXPECT_EQ(documented_mutating, mutating.count(name) > 0) << name;
  }
}

TEST_F(Actions, TheTableNamesEveryControlPlaneActionOnce) {
  std::vector<std::string> names = ActionNames();
  std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size());
  EXPECT_EQ(names.size(), 60u);
  for (const char* name : {"CreateFileSystem",
                           "DescribeFileSystems",
                           "UpdateFileSystem",
                           "DeleteFileSystem",
                           "CreateMountTarget",
                           "DescribeMountTargets",
                           "DeleteMountTarget",
                           "DescribeMountTargetSecurityGroups",
                           "ModifyMountTargetSecurityGroups",
                           "PutLifecycleConfiguration",
                           "DescribeLifecycleConfiguration",
                           "PutBackupPolicy",
                           "DescribeBackupPolicy",
                           "UpdateFileSystemProtection",
                           "DescribeAccountPreferences",
                           "PutAccountPreferences",
                           "TagResource",
                           "UntagResource",
                           "ListTagsForResource",
                           "DescribeVpcs",
                           "DescribeSubnets",
                           "CreateSubnet",
                           "DeleteSubnet",
                           "CreateSecurityGroup",
                           "DescribeSecurityGroups",
                           "AuthorizeSecurityGroupIngress",
                           "RevokeSecurityGroupIngress",
                           "DeleteSecurityGroup",
                           "GetDaemonStatus",
                           "AdvanceClock",
                           "DescribeStorage",
                           "RunLifecyclePass",
                           "CheckFileSystem",
                           "SetBurstCreditBalance",
                           "CreateVpc",
                           "DeleteVpc",
                           "DescribeNetworkInterfaces",
                           "DescribeVpcPeeringConnections",
                           "DescribeRouteTables",
                           "DescribeVpnGateways"}) {
    EXPECT_TRUE(unique.count(name)) << name;
  }
}

TEST_F(Actions, MutatingActionsAreAccessDeniedToOtherUsers) {
  for (const char* action : kMutating) {
    api::Reply reply = Run(action, Json::object(), 1000);
    ASSERT_TRUE(reply.error) << action;
    EXPECT_EQ(reply.error->code, "AccessDenied") << action;
    EXPECT_NE(reply.error->message.find("1000"), std::string::npos) << reply.error->message;
  }
  EXPECT_TRUE(control->DescribeFileSystems({})->file_systems.empty());
}

TEST_F(Actions, RootAndTheAdminUidMayChangeState) {
  EXPECT_EQ(CodeOf(Run("CreateFileSystem", {{"CreationToken", "root"}}, 0)), "ok");
  options.admin_uid = 1000;
  Reopen();
  EXPECT_EQ(CodeOf(Run("CreateFileSystem", {{"CreationToken", "admin"}}, 1000)), "ok");
  EXPECT_EQ(CodeOf(Run("CreateFileSystem", {{"CreationToken", "other"}}, 1001)), "AccessDenied");
}

TEST_F(Actions, ReadOnlyActionsAreOpenToEveryone) {
  for (const char* action : {"DescribeFileSystems", "DescribeVpcs", "DescribeSubnets",
                             "DescribeSecurityGroups", "GetDaemonStatus"}) {
    EXPECT_EQ(CodeOf(Run(action, Json(), 4242)), "ok") << action;
  }
  api::Reply reply = Run("DescribeLifecycleConfiguration", {{"FileSystemId", NewId("fs")}}, 4242);
  EXPECT_EQ(CodeOf(reply), "FileSystemNotFound");
}

TEST_F(Actions, AdvanceClockMovesOnlyATestClockAndOnlyAhead) {
  api::Reply refused = Run("AdvanceClock", {{"Seconds", 86400}});
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->code, "TestClockDisabled");
  EXPECT_NE(refused.error->message.find("--test-clock"), std::string::npos);

  endpoints.UseTestClock(&clock);
  for (const Json& bad : {Json(0), Json(-5), Json(11 * 365 * 86400.0)}) {
    api::Reply reply = Run("AdvanceClock", {{"Seconds", bad}});
    ASSERT_TRUE(reply.error) << bad;
    EXPECT_EQ(reply.error->code, "BadRequest") << bad;
  }
  EXPECT_EQ(CodeOf(Run("AdvanceClock", Json::object())), "BadRequest");  // Seconds required

  const double before = clock.Now();
  api::Reply moved = Run("AdvanceClock", {{"Seconds", 7 * 86400}});
  ASSERT_FALSE(moved.error) << moved.error->message;
  EXPECT_DOUBLE_EQ(moved.result["Now"].get<double>(), before + 7 * 86400);
  // The control plane runs on that clock: what it makes now is dated a week on.
  api::Reply created = Run("CreateFileSystem", {{"CreationToken", "later"}});
  ASSERT_FALSE(created.error);
  EXPECT_GE(created.result["CreationTime"].get<double>(), before + 7 * 86400);
}

TEST_F(Actions, AnUnknownActionIsBadRequest) {
  api::Reply reply = Run("CreateBucket", Json::object());
  ASSERT_TRUE(reply.error);
  EXPECT_EQ(reply.error->code, "BadRequest");
  EXPECT_EQ(reply.error->message, "unknown action 'CreateBucket'");
}

TEST_F(Actions, FileSystemAlreadyExistsCarriesTheFileSystemId) {
  api::Reply first = Run("CreateFileSystem", {{"CreationToken", "dup"}});
  ASSERT_FALSE(first.error);
  api::Reply second = Run("CreateFileSystem", {{"CreationToken", "dup"}});
  ASSERT_TRUE(second.error);
  EXPECT_EQ(second.error->code, "FileSystemAlreadyExists");
  EXPECT_EQ(second.error->extra["FileSystemId"], first.result["FileSystemId"]);
}

TEST_F(Actions, WrongParameterTypesAreBadRequest) {
  EXPECT_EQ(CodeOf(Run("CreateFileSystem", {{"CreationToken", 5}})), "BadRequest");
  EXPECT_EQ(CodeOf(Run("CreateFileSystem", Json())), "BadRequest");  // token required
  EXPECT_EQ(CodeOf(Run("DescribeFileSystems", {{"MaxItems", "ten"}})), "BadRequest");
  EXPECT_EQ(CodeOf(Run("DescribeVpcs", {{"VpcIds", "vpc-1"}})), "BadRequest");
  EXPECT_EQ(CodeOf(Run("DescribeVpcs", {{"Filters", Json::array()}})), "BadRequest");
  EXPECT_EQ(CodeOf(Run("GetDaemonStatus", Json::array())), "BadRequest");
}

TEST_F(Actions, ParamsMayBeNullOrEmptyForActionsWithoutThem) {
  EXPECT_EQ(CodeOf(Run("DescribeVpcs", Json())), "ok");
  EXPECT_EQ(CodeOf(Run("DescribeVpcs", Json::object())), "ok");
  EXPECT_EQ(CodeOf(Run("DescribeFileSystems", Json())), "ok");
}

TEST_F(Actions, RepliesHaveTheAwsShape) {
  api::Reply created = Run("CreateFileSystem", {{"CreationToken", "shape"},
                                                {"Tags", {{{"Key", "Name"}, {"Value", "n"}}}}});
  ASSERT_FALSE(created.error) << created.error->message;
  EXPECT_EQ(created.result["LifeCycleState"], "creating");
  EXPECT_EQ(created.result["Name"], "n");
  std::string fs = created.result["FileSystemId"];
  EXPECT_TRUE(IsValidId(fs, "fs"));

  api::Reply status = Run("GetDaemonStatus");
  ASSERT_FALSE(status.error);
  EXPECT_EQ(status.result["FileSystemCount"], 1);

  api::Reply vpcs = Run("DescribeVpcs");
  ASSERT_EQ(vpcs.result["Vpcs"].size(), 1u);
  EXPECT_EQ(vpcs.result["Vpcs"][0]["CidrBlock"], "127.80.0.0/16");

  api::Reply deleted = Run("DeleteFileSystem", {{"FileSystemId", fs}});
  ASSERT_FALSE(deleted.error);
  EXPECT_EQ(deleted.result, Json::object());

  Json ingress = {{"GroupId", DefaultGroupId()},
                  {"IpPermissions",
                   {{{"IpProtocol", "tcp"},
                     {"FromPort", 22},
                     {"ToPort", 22},
                     {"IpRanges", {{{"CidrIp", "10.0.0.0/8"}}}}}}}};
  api::Reply authorized = Run("AuthorizeSecurityGroupIngress", ingress);
  ASSERT_FALSE(authorized.error) << authorized.error->message;
  EXPECT_EQ(authorized.result, (Json{{"Return", true}}));
  api::Reply revoked = Run("RevokeSecurityGroupIngress", ingress);
  ASSERT_FALSE(revoked.error) << revoked.error->message;
  EXPECT_EQ(revoked.result, (Json{{"Return", true}}));
  EXPECT_EQ(CodeOf(Run("RevokeSecurityGroupIngress", ingress)), "InvalidPermission.NotFound");
}

}  // namespace
}  // namespace efs::control

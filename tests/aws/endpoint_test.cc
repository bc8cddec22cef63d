// The EFS REST-JSON endpoint in process: every request signed, routed by method and path to the
// same actions as the Unix socket, answered with AWS's status codes and error shapes.
#include "aws/endpoint.h"

#include <gtest/gtest.h>

#include "control/actions.h"
#include "control/control_test_env.h"
#include "http/sigv4.h"

namespace efs::aws {
namespace {

using api::Json;
using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::from_time_t(1796671489);

class EndpointTest : public control::testing::ControlTest {
 protected:
  void SetUp() override {
    ControlTest::SetUp();
    root_ = MakeKey("root");
    daemon_ = MakeKey("daemon");  // uid 1: may describe, may not change
    endpoint_ = std::make_unique<Endpoint>(control.get(), [] { return kNow; });
  }

  std::pair<std::string, std::string> MakeKey(const std::string& user) {
    api::CreateAccessKeyRequest req;
    req.user_name = user;
    Result<api::CreateAccessKeyResponse> made = control->CreateAccessKey(req);
    EXPECT_TRUE(made.ok());
    return {made->access_key.access_key_id, *made->access_key.secret};
  }

  // A request as an SDK sends it, signed with `key` (unsigned if key.first is empty).
  http::Response Call(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      std::pair<std::string, std::string> key = {"", ""}) {
    if (key.first.empty() && key.second.empty()) key = root_;
    http::SignedRequest s{method, target, {{"Host", "127.0.0.1:2099"}}, body};
    if (!body.empty()) s.headers.emplace_back("Content-Type", "application/json");
    if (key.first != "-") {
      http::Sign(&s, http::Signer{key.first, "", "local-1", "elasticfilesystem"}, key.second,
                 kNow);
    }
    http::Request request;
    request.method = method;
    request.target = target;
    request.headers = s.headers;
    request.body = body;
    return endpoint_->Handle(request);
  }

  static Json BodyOf(const http::Response& r) {
    Result<Json> json = api::ParseJsonLine(r.body);
    return json.ok() ? *json : Json();
  }
  static std::string ErrorOf(const http::Response& r) {
    for (const auto& [k, v] : r.headers) {
      if (k == "x-amzn-ErrorType") return v;
    }
    return "none";
  }

  std::unique_ptr<Endpoint> endpoint_;
  std::pair<std::string, std::string> root_, daemon_;
};

TEST_F(EndpointTest, FileSystemsAreMadeDescribedUpdatedAndDeletedWithAwsStatusCodes) {
  http::Response made = Call("POST", "/2015-02-01/file-systems",
                             R"({"CreationToken":"t1","Tags":[{"Key":"Name","Value":"web"}]})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = BodyOf(made)["FileSystemId"];
  EXPECT_EQ(BodyOf(made)["Name"], "web");

  // The same object as the Unix socket's action answers.
  api::Reply direct = control::Dispatch(*control, api::Caller{}, "DescribeFileSystems",
                                        {{"FileSystemId", id}});
  http::Response described = Call("GET", "/2015-02-01/file-systems?FileSystemId=" + id);
  ASSERT_EQ(described.status, 200);
  EXPECT_EQ(BodyOf(described), direct.result);

  control->Reconcile();
  http::Response updated = Call("PUT", "/2015-02-01/file-systems/" + id,
                                R"({"ThroughputMode":"elastic"})");
  EXPECT_EQ(updated.status, 202) << updated.body;
  EXPECT_EQ(BodyOf(updated)["ThroughputMode"], "elastic");

  http::Response deleted = Call("DELETE", "/2015-02-01/file-systems/" + id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
}

TEST_F(EndpointTest, ErrorsCarryTheirCodeInHeaderAndBodyWithTheStatusAwsUses) {
  http::Response dup;
  ASSERT_EQ(Call("POST", "/2015-02-01/file-systems", R"({"CreationToken":"t"})").status, 201);
  dup = Call("POST", "/2015-02-01/file-systems", R"({"CreationToken":"t"})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(ErrorOf(dup), "FileSystemAlreadyExists");
  EXPECT_EQ(BodyOf(dup)["ErrorCode"], "FileSystemAlreadyExists");
  EXPECT_TRUE(BodyOf(dup)["FileSystemId"].is_string()) << dup.body;

  http::Response missing = Call("GET", "/2015-02-01/file-systems?FileSystemId=fs-0123456789abcdef0");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorOf(missing), "FileSystemNotFound");

  EXPECT_EQ(Call("POST", "/2015-02-01/file-systems", "{not json").status, 400);
  EXPECT_EQ(Call("POST", "/2015-02-01/file-systems", "[1]").status, 400);
  EXPECT_EQ(ErrorOf(Call("POST", "/2015-02-01/file-systems", R"({"CreationToken":"u","X":1})")),
            "BadRequest");
  EXPECT_EQ(ErrorOf(Call("GET", "/2015-02-01/file-systems?MaxItems=ten")), "BadRequest");
  EXPECT_EQ(ErrorOf(Call("GET", "/2015-02-01/file-systems?Color=red")), "BadRequest");
  EXPECT_EQ(ErrorOf(Call("GET", "/2015-02-01/file-systems", "{}")), "BadRequest");
  EXPECT_EQ(ErrorOf(Call("PATCH", "/2015-02-01/file-systems")), "BadRequest");
  http::Response nowhere = Call("GET", "/2015-02-01/nothing-here");
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(ErrorOf(nowhere), "UnknownOperation");
}

TEST_F(EndpointTest, UnsignedUnknownAndBadlySignedRequestsAreRefusedBeforeAnything) {
  http::Response unsigned_call =
      Call("POST", "/2015-02-01/file-systems", R"({"CreationToken":"x"})", {"-", ""});
  EXPECT_EQ(unsigned_call.status, 403);
  EXPECT_EQ(ErrorOf(unsigned_call), "MissingAuthenticationToken");
  EXPECT_EQ(ErrorOf(Call("GET", "/2015-02-01/file-systems", "", {"AKIAUNKNOWNKEY000000", "s"})),
            "InvalidClientTokenId");
  EXPECT_EQ(ErrorOf(Call("GET", "/2015-02-01/file-systems", "", {root_.first, "wrong"})),
            "SignatureDoesNotMatch");
  EXPECT_TRUE(control->DescribeFileSystems({})->file_systems.empty());
  // A deleted key signs nothing.
  api::DeleteAccessKeyRequest del;
  del.access_key_id = root_.first;
  ASSERT_TRUE(control->DeleteAccessKey(del).ok());
  EXPECT_EQ(ErrorOf(Call("GET", "/2015-02-01/file-systems")), "InvalidClientTokenId");
}

TEST_F(EndpointTest, AKeyActsAsItsUserUnderTheSocketsRules) {
  EXPECT_EQ(Call("GET", "/2015-02-01/file-systems", "", daemon_).status, 200);
  http::Response denied =
      Call("POST", "/2015-02-01/file-systems", R"({"CreationToken":"d"})", daemon_);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(ErrorOf(denied), "AccessDenied");
  EXPECT_NE(BodyOf(denied)["Message"].get<std::string>().find("uid 1 "), std::string::npos);
}

TEST_F(EndpointTest, MountTargetsLifecycleAndBothTagApisAreRouted) {
  const std::string id =
      BodyOf(Call("POST", "/2015-02-01/file-systems", R"({"CreationToken":"m"})"))["FileSystemId"];
  control->Reconcile();
  const std::string subnet = control->DescribeSubnets({})->subnets.at(0).subnet_id;
  http::Response mt = Call("POST", "/2015-02-01/mount-targets",
                           R"({"FileSystemId":")" + id + R"(","SubnetId":")" + subnet + R"("})");
  ASSERT_EQ(mt.status, 200) << mt.body;
  const std::string mt_id = BodyOf(mt)["MountTargetId"];
  control->Reconcile();
  Json listed = BodyOf(Call("GET", "/2015-02-01/mount-targets?FileSystemId=" + id));
  ASSERT_EQ(listed["MountTargets"].size(), 1u);
  Json groups = BodyOf(Call("GET", "/2015-02-01/mount-targets/" + mt_id + "/security-groups"));
  ASSERT_EQ(groups["SecurityGroups"].size(), 1u) << groups.dump();
  EXPECT_EQ(Call("PUT", "/2015-02-01/mount-targets/" + mt_id + "/security-groups",
                 R"({"SecurityGroups":[")" + groups["SecurityGroups"][0].get<std::string>() +
                     R"("]})")
                .status,
            204);

  EXPECT_EQ(Call("PUT", "/2015-02-01/file-systems/" + id + "/lifecycle-configuration",
                 R"({"LifecyclePolicies":[{"TransitionToIA":"AFTER_7_DAYS"}]})")
                .status,
            200);
  EXPECT_EQ(BodyOf(Call("GET", "/2015-02-01/file-systems/" + id + "/lifecycle-configuration"))
                ["LifecyclePolicies"][0]["TransitionToIA"],
            "AFTER_7_DAYS");

  // TagResource by ARN (encoded in the path), UntagResource by repeated tagKeys.
  const std::string arn = "arn%3Aaws%3Aelasticfilesystem%3Alocal-1%3A000000000000%3Afile-system%2F" + id;
  EXPECT_EQ(Call("POST", "/2015-02-01/resource-tags/" + arn,
                 R"({"Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"},{"Key":"c","Value":"3"}]})")
                .status,
            200);
  EXPECT_EQ(Call("DELETE", "/2015-02-01/resource-tags/" + id + "?tagKeys=a&tagKeys=b").status, 200);
  Json tags = BodyOf(Call("GET", "/2015-02-01/resource-tags/" + id + "?MaxResults=10"));
  ASSERT_EQ(tags["Tags"].size(), 1u);
  EXPECT_EQ(tags["Tags"][0]["Key"], "c");
  // The older CreateTags/DeleteTags/DescribeTags, paged by Marker.
  EXPECT_EQ(Call("POST", "/2015-02-01/create-tags/" + id, R"({"Tags":[{"Key":"d","Value":"4"}]})")
                .status,
            204);
  Json page = BodyOf(Call("GET", "/2015-02-01/tags/" + id + "/?MaxItems=1"));
  ASSERT_EQ(page["Tags"].size(), 1u);
  ASSERT_TRUE(page["NextMarker"].is_string()) << page.dump();
  Json rest = BodyOf(Call(
      "GET", "/2015-02-01/tags/" + id + "/?MaxItems=1&Marker=" + page["NextMarker"].get<std::string>()));
  ASSERT_EQ(rest["Tags"].size(), 1u);
  EXPECT_NE(rest["Tags"][0]["Key"], page["Tags"][0]["Key"]);
  EXPECT_EQ(Call("POST", "/2015-02-01/delete-tags/" + id, R"({"TagKeys":["c","d"]})").status, 204);
  EXPECT_TRUE(BodyOf(Call("GET", "/2015-02-01/tags/" + id + "/"))["Tags"].empty());

  EXPECT_EQ(Call("DELETE", "/2015-02-01/mount-targets/" + mt_id).status, 204);
}

TEST_F(EndpointTest, BackupPolicyProtectionAndAccountPreferencesAreRouted) {
  const std::string fs = CreateFs("settings");
  const std::string base = "/2015-02-01/file-systems/" + fs;
  http::Response backup = Call("GET", base + "/backup-policy");
  EXPECT_EQ(backup.status, 200);
  EXPECT_EQ(BodyOf(backup), Json::parse(R"({"BackupPolicy":{"Status":"DISABLED"}})"));
  http::Response enable =
      Call("PUT", base + "/backup-policy", R"({"BackupPolicy":{"Status":"ENABLED"}})");
  EXPECT_EQ(enable.status, 400);
  EXPECT_EQ(ErrorOf(enable), "BadRequest");
  http::Response enabling =
      Call("PUT", base + "/backup-policy", R"({"BackupPolicy":{"Status":"ENABLING"}})");
  EXPECT_EQ(ErrorOf(enabling), "ValidationException");
  EXPECT_EQ(Call("PUT", base + "/backup-policy", R"({"BackupPolicy":{"Status":"DISABLED"}})").status,
            200);
  EXPECT_EQ(Call("GET", "/2015-02-01/file-systems/fs-0123456789abcdef0/backup-policy").status, 404);

  http::Response protect =
      Call("PUT", base + "/protection", R"({"ReplicationOverwriteProtection":"ENABLED"})");
  EXPECT_EQ(protect.status, 200);
  EXPECT_EQ(BodyOf(protect)["ReplicationOverwriteProtection"], "ENABLED");
  EXPECT_EQ(ErrorOf(Call("PUT", base + "/protection",
                         R"({"ReplicationOverwriteProtection":"DISABLED"})")),
            "BadRequest");
  // A key whose user may only read cannot change a setting.
  EXPECT_EQ(ErrorOf(Call("PUT", base + "/protection",
                         R"({"ReplicationOverwriteProtection":"ENABLED"})", daemon_)),
            "AccessDenied");

  // MaxResults and NextToken travel in the body of a GET, as AWS's model has them.
  http::Response prefs = Call("GET", "/2015-02-01/account-preferences");
  EXPECT_EQ(prefs.status, 200);
  EXPECT_EQ(BodyOf(prefs)["ResourceIdPreference"]["ResourceIdType"], "LONG_ID");
  EXPECT_EQ(Call("GET", "/2015-02-01/account-preferences", R"({"MaxResults":5})").status, 200);
  EXPECT_EQ(ErrorOf(Call("GET", "/2015-02-01/account-preferences", R"({"MaxResults":0})")),
            "BadRequest");
  EXPECT_EQ(Call("PUT", "/2015-02-01/account-preferences", R"({"ResourceIdType":"LONG_ID"})").status,
            200);
  EXPECT_EQ(ErrorOf(Call("PUT", "/2015-02-01/account-preferences",
                         R"({"ResourceIdType":"SHORT_ID"})")),
            "BadRequest");
}

TEST_F(EndpointTest, MetricsAreServedUnsignedInThePrometheusFormat) {
  metrics::Snapshot snapshot;
  snapshot.file_system_id = "fs-0123456789abcdef0";
  snapshot.storage_standard = 6144;
  Endpoint with_metrics(control.get(), [] { return kNow; },
                        [&]() -> Result<std::vector<metrics::Snapshot>> {
                          return std::vector<metrics::Snapshot>{snapshot};
                        });
  http::Request scrape;
  scrape.method = "GET";
  scrape.target = "/metrics";
  http::Response r = with_metrics.Handle(scrape);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("# TYPE efs_storage_bytes gauge"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("file_system_id=\"fs-0123456789abcdef0\""), std::string::npos);
  scrape.method = "POST";
  EXPECT_EQ(with_metrics.Handle(scrape).status, 405);
  // Without a source there is no such page, and nothing unsigned is answered.
  scrape.method = "GET";
  EXPECT_EQ(ErrorOf(endpoint_->Handle(scrape)), "MissingAuthenticationToken");

  // A listener of its own (--metrics-listen) serves the same page and nothing else.
  Endpoint::MetricsSource source = [&]() -> Result<std::vector<metrics::Snapshot>> {
    return std::vector<metrics::Snapshot>{snapshot};
  };
  EXPECT_EQ(ServeMetricsOnly(source, scrape).body, r.body);
  scrape.target = "/metrics?name[]=efs_storage_bytes";
  EXPECT_EQ(ServeMetricsOnly(source, scrape).status, 200);
  scrape.target = "/2015-02-01/file-systems";
  EXPECT_EQ(ServeMetricsOnly(source, scrape).status, 404);
  scrape.target = "/";
  EXPECT_EQ(ServeMetricsOnly(source, scrape).status, 404);
}

TEST_F(EndpointTest, EcTwoQueryDescribesInEcTwosXml) {
  http::Response vpcs = Call("POST", "/", "Action=DescribeVpcs&Version=2016-11-15");
  ASSERT_EQ(vpcs.status, 200) << vpcs.body;
  const std::string vpc_id = control->DescribeVpcs({})->vpcs.at(0).vpc_id;
  EXPECT_NE(vpcs.body.find("<DescribeVpcsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                           "<requestId>"),
            std::string::npos)
      << vpcs.body;
  EXPECT_NE(vpcs.body.find("<vpcSet><item>"), std::string::npos);
  EXPECT_NE(vpcs.body.find("<vpcId>" + vpc_id + "</vpcId>"), std::string::npos);
  EXPECT_NE(vpcs.body.find("<isDefault>true</isDefault>"), std::string::npos);

  http::Response groups =
      Call("POST", "/", "Action=DescribeSecurityGroups&GroupName.1=default&Filter.1.Name=vpc-id"
                        "&Filter.1.Value.1=" + vpc_id);
  EXPECT_NE(groups.body.find("<securityGroupInfo><item>"), std::string::npos) << groups.body;
  EXPECT_NE(groups.body.find("<groupDescription>default VPC security group</groupDescription>"),
            std::string::npos);
  EXPECT_NE(groups.body.find("<ipPermissions><item>"), std::string::npos);
  EXPECT_NE(groups.body.find("<ipProtocol>tcp</ipProtocol>"), std::string::npos);

  http::Response none = Call("POST", "/", "Action=DescribeSubnets&Filter.1.Name=availability-zone"
                                          "&Filter.1.Value.1=nowhere-*");
  EXPECT_NE(none.body.find("<subnetSet></subnetSet>"), std::string::npos) << none.body;

  http::Response bad = Call("POST", "/", "Action=RunInstances");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("<Errors><Error><Code>InvalidAction</Code>"), std::string::npos);
  EXPECT_NE(Call("POST", "/", "Version=2016-11-15").body.find("MissingParameter"), std::string::npos);
  // Unsigned: refused in EC2's XML.
  http::Response unsigned_call = Call("POST", "/", "Action=DescribeVpcs", {"-", ""});
  EXPECT_EQ(unsigned_call.status, 403);
  EXPECT_NE(unsigned_call.body.find("<Code>MissingAuthenticationToken</Code>"), std::string::npos);
}

TEST_F(EndpointTest, StatusCodesFollowTheReference) {
  EXPECT_EQ(Endpoint::StatusOf("FileSystemInUse"), 409);
  EXPECT_EQ(Endpoint::StatusOf("FileSystemLimitExceeded"), 403);
  EXPECT_EQ(Endpoint::StatusOf("SubnetNotFound"), 400);
  EXPECT_EQ(Endpoint::StatusOf("TooManyRequests"), 429);
  EXPECT_EQ(Endpoint::StatusOf("InsufficientThroughputCapacity"), 503);
  EXPECT_EQ(Endpoint::StatusOf("DependencyTimeout"), 504);
  EXPECT_EQ(Endpoint::StatusOf("InvalidVpcID.NotFound"), 404);
  EXPECT_EQ(Endpoint::StatusOf("InternalServerError"), 500);
}

}  // namespace
}  // namespace efs::aws

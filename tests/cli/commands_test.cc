// Commands build the right requests (checked against a fake transport), wait, and map errors;
// plus the pieces they share: tags, ports, "did you mean" and exit codes.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "cmd/exit_codes.h"
#include "cmd/ip_permissions.h"
#include "cmd/options.h"
#include "tests/cli/cli_test_util.h"

namespace efs::cli::testing {
namespace {

using api::Json;

const Json kCreating = {{"FileSystemId", "fs-1"}, {"LifeCycleState", "creating"}};
const Json kAvailable = {{"FileSystemId", "fs-1"}, {"LifeCycleState", "available"}};

TEST(CreateFs, SendsAFreshUuidTokenAndTheOptions) {
  FakeRun run = RunFake({"create-fs", "--performance-mode", "maxIO", "--throughput-mode",
                         "provisioned", "--provisioned-throughput-in-mibps", "64", "--encrypted",
                         "--no-backup", "--tags", "Key=Name,Value=home", "Key=team,Value="},
                        {kCreating});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.requests.size(), 1u);
  EXPECT_EQ(run.requests[0].action, "CreateFileSystem");
  const Json& p = run.requests[0].params;
  EXPECT_TRUE(std::regex_match(p["CreationToken"].get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                          "[0-9a-f]{12}")))
      << p["CreationToken"];
  EXPECT_EQ(p["PerformanceMode"], "maxIO");
  EXPECT_EQ(p["ThroughputMode"], "provisioned");
  EXPECT_EQ(p["ProvisionedThroughputInMibps"], 64.0);
  EXPECT_EQ(p["Encrypted"], true);
  EXPECT_EQ(p["Backup"], false);
  EXPECT_EQ(p["Tags"], Json::parse(R"([{"Key":"Name","Value":"home"},{"Key":"team","Value":""}])"));
  EXPECT_EQ(Json::parse(run.out), kCreating);
}

TEST(CreateFs, PlainCallSendsOnlyAToken) {
  FakeRun run = RunFake({"create-fs"}, {kCreating});
  ASSERT_TRUE(run.status.ok());
  const Json& p = run.requests[0].params;
  EXPECT_TRUE(p.contains("CreationToken"));
  for (const char* unset : {"PerformanceMode", "ThroughputMode", "ProvisionedThroughputInMibps",
                            "Encrypted", "KmsKeyId", "AvailabilityZoneName", "Backup"}) {
    EXPECT_FALSE(p.contains(unset)) << unset << " should be left to the daemon's default";
  }
}

TEST(CreateFs, AlreadyExistsNamesTheExistingFileSystem) {
  FakeRun run = RunFake(
      {"create-fs", "--creation-token", "t"},
      {Reply(Error(Code::kAlreadyExists, "FileSystemAlreadyExists", "token 't' is taken"),
             Json{{"FileSystemId", "fs-0abc"}})});
  EXPECT_EQ(run.status.reason(), "FileSystemAlreadyExists");
  EXPECT_NE(run.status.message().find("fs-0abc"), std::string::npos) << run.status.message();
  EXPECT_EQ(ToExitCode(run.status), kExitServiceError);
}

TEST(CreateFs, WaitPollsUntilAvailableAndPrintsThatDescription) {
  Json creating_list = {{"FileSystems", {kCreating}}};
  Json available_list = {{"FileSystems", {kAvailable}}};
  FakeRun run = RunFake({"create-fs", "--wait"},
                        {kCreating, creating_list, creating_list, available_list});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.requests.size(), 4u);
  EXPECT_EQ(run.requests[1].action, "DescribeFileSystems");
  EXPECT_EQ(run.requests[1].params, Json({{"FileSystemId", "fs-1"}}));
  EXPECT_EQ(Json::parse(run.out), kAvailable);
}

TEST(CreateFs, WaitTimesOutWithExitCode4) {
  FakeRun run = RunFake({"create-fs", "--wait", "--wait-timeout", "0.25"},
                        {kCreating, Json{{"FileSystems", {kCreating}}}});
  EXPECT_EQ(run.status.reason(), kWaitTimeout);
  EXPECT_EQ(ToExitCode(run.status), kExitWaitTimeout);
  EXPECT_GE(run.requests.size(), 3u);
}

TEST(DeleteFs, WaitPollsUntilNotFoundAndPrintsNothing) {
  FakeRun run = RunFake(
      {"delete-fs", "--file-system-id", "fs-1", "--wait"},
      {Json::object(), Json{{"FileSystems", {{{"FileSystemId", "fs-1"}, {"LifeCycleState", "deleting"}}}}},
       Reply(Error(Code::kNotFound, "FileSystemNotFound", "gone"))});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.requests[0].action, "DeleteFileSystem");
  EXPECT_EQ(run.requests.size(), 3u);
  EXPECT_EQ(run.out, "");
}

TEST(CreateMountTarget, WaitFailsWhenTheMountTargetEntersError) {
  Json mt = {{"MountTargetId", "fsmt-1"}, {"LifeCycleState", "creating"}};
  Json failed = {{"MountTargets", {{{"MountTargetId", "fsmt-1"}, {"LifeCycleState", "error"}}}}};
  FakeRun run = RunFake({"create-mount-target", "--file-system-id", "fs-1", "--subnet-id",
                         "subnet-1", "--security-groups", "sg-1", "sg-2", "--wait"},
                        {mt, failed});
  EXPECT_EQ(ToExitCode(run.status), kExitServiceError);
  EXPECT_NE(run.status.message().find("fsmt-1"), std::string::npos);
  EXPECT_EQ(run.requests[0].params,
            Json::parse(R"({"FileSystemId":"fs-1","SubnetId":"subnet-1",
                            "SecurityGroups":["sg-1","sg-2"]})"));
  EXPECT_EQ(run.requests[1].params, Json({{"MountTargetId", "fsmt-1"}}));
}

TEST(DescribeMountTargets, NeedsAFileSystemOrAMountTarget) {
  FakeRun run = RunFake({"describe-mount-targets"});
  EXPECT_EQ(ToExitCode(run.status), kExitUsage);
  EXPECT_TRUE(run.requests.empty());
  EXPECT_EQ(ToExitCode(RunFake({"describe-mount-targets", "--file-system-id", "fs-1",
                                "--mount-target-id", "fsmt-1"})
                           .status),
            kExitUsage);
}

TEST(SetLifecycle, SendsOnePolicyObjectPerTransition) {
  FakeRun run = RunFake({"set-lifecycle", "--file-system-id", "fs-1", "--transition-to-ia",
                         "AFTER_30_DAYS", "--transition-to-primary-storage-class",
                         "AFTER_1_ACCESS", "--transition-to-archive", "AFTER_90_DAYS"});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.requests[0].action, "PutLifecycleConfiguration");
  EXPECT_EQ(run.requests[0].params, Json::parse(R"({"FileSystemId":"fs-1","LifecyclePolicies":[
      {"TransitionToIA":"AFTER_30_DAYS"},{"TransitionToPrimaryStorageClass":"AFTER_1_ACCESS"},
      {"TransitionToArchive":"AFTER_90_DAYS"}]})"));
}

TEST(SetLifecycle, NoneSendsAnEmptyList) {
  FakeRun run = RunFake({"set-lifecycle", "--file-system-id", "fs-1", "--none"});
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.requests[0].params["LifecyclePolicies"], Json::array());
}

TEST(SetLifecycle, NothingToSetIsAUsageError) {
  FakeRun run = RunFake({"set-lifecycle", "--file-system-id", "fs-1"});
  EXPECT_EQ(ToExitCode(run.status), kExitUsage);
  EXPECT_TRUE(run.requests.empty());
  EXPECT_EQ(ToExitCode(RunFake({"set-lifecycle", "--file-system-id", "fs-1", "--none",
                                "--transition-to-ia", "AFTER_1_DAY"})
                           .status),
            kExitUsage);
  EXPECT_EQ(ToExitCode(RunFake({"set-lifecycle", "--file-system-id", "fs-1",
                                "--transition-to-ia", "AFTER_2_DAYS"})
                           .status),
            kExitUsage);
}

TEST(UpdateFs, NothingToUpdateIsAUsageError) {
  EXPECT_EQ(ToExitCode(RunFake({"update-fs", "--file-system-id", "fs-1"}).status), kExitUsage);
}

TEST(Untag, SendsTheKeys) {
  FakeRun run = RunFake({"untag", "--resource-id", "fs-1", "--tag-keys", "a", "b"});
  EXPECT_EQ(run.requests[0].params, Json::parse(R"({"ResourceId":"fs-1","TagKeys":["a","b"]})"));
}

TEST(Ingress, ShorthandBuildsOnePermission) {
  FakeRun run = RunFake({"authorize-security-group-ingress", "--group-id", "sg-1", "--protocol",
                         "tcp", "--port", "2049-2050", "--cidr", "10.0.0.0/16"},
                        {Json{{"Return", true}}});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.requests[0].action, "AuthorizeSecurityGroupIngress");
  EXPECT_EQ(run.requests[0].params, Json::parse(R"({"GroupId":"sg-1","IpPermissions":[
      {"IpProtocol":"tcp","FromPort":2049,"ToPort":2050,"IpRanges":[{"CidrIp":"10.0.0.0/16"}]}]})"));
}

TEST(Ingress, JsonFormIsPassedThrough) {
  FakeRun run = RunFake({"revoke-security-group-ingress", "--group-id", "sg-1",
                         "--ip-permissions", R"([{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}])"});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.requests[0].action, "RevokeSecurityGroupIngress");
  EXPECT_EQ(run.requests[0].params["IpPermissions"][0]["IpProtocol"], "-1");
}

TEST(Ingress, MissingOrBadPiecesAreUsageErrors) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--protocol", "tcp", "--cidr", "10.0.0.0/8"},           // no port
           {"--protocol", "tcp", "--port", "99999", "--cidr", "10.0.0.0/8"},
           {"--protocol", "tcp", "--port", "20-10", "--cidr", "10.0.0.0/8"},
           {"--protocol", "sctp", "--port", "1", "--cidr", "10.0.0.0/8"},
           {"--port", "1"},                                         // no protocol
           {"--ip-permissions", "not json"},
           {"--ip-permissions", "[]", "--protocol", "tcp"}}) {
    args.insert(args.begin(), {"authorize-security-group-ingress", "--group-id", "sg-1"});
    FakeRun run = RunFake(args);
    EXPECT_EQ(ToExitCode(run.status), kExitUsage) << args.back();
    EXPECT_TRUE(run.requests.empty());
  }
}

TEST(PortRange, ParsesOneOrTwoEnds) {
  EXPECT_EQ(*ParsePortRange("2049"), std::make_pair(2049, 2049));
  EXPECT_EQ(*ParsePortRange("1-65535"), std::make_pair(1, 65535));
  EXPECT_EQ(*ParsePortRange("-1"), std::make_pair(-1, -1));
  EXPECT_FALSE(ParsePortRange("").ok());
  EXPECT_FALSE(ParsePortRange("a-b").ok());
}

TEST(Tags, ParseTheAwsShorthandAndJson) {
  Result<api::Tag> tag = ParseTag("Key=Name,Value=a,b=c");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->key, "Name");
  EXPECT_EQ(tag->value, "a,b=c");
  EXPECT_EQ(ParseTag("Key=k")->value, "");
  EXPECT_FALSE(ParseTag("Name=x").ok());
  EXPECT_FALSE(ParseTag("Key=,Value=x").ok());
  Result<std::vector<api::Tag>> tags = ParseTags({R"([{"Key":"a","Value":"1"}])"});
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  EXPECT_EQ(tags->at(0).key, "a");
  EXPECT_FALSE(ParseTags({"[oops"}).ok());
}

TEST(Commands, SuggestTheNearestCommandForATypo) {
  EXPECT_EQ(SuggestCommand("creat-fs"), "create-fs");
  EXPECT_EQ(SuggestCommand("describe-f"), "describe-fs");
  EXPECT_EQ(SuggestCommand("__complet"), "") << "hidden commands are never suggested";
  EXPECT_EQ(SuggestCommand("frobnicate-everything"), "");
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(Commands, TableRowsAreWellFormed) {
  for (const CommandSpec& spec : Commands()) {
    SCOPED_TRACE(spec.name);
    EXPECT_TRUE(std::regex_match(spec.name, std::regex("(__)?[a-z]+(-[a-z]+)*")));
    EXPECT_EQ(FindCommand(spec.name), &spec);
    if (spec.flags & kHidden) continue;
    ASSERT_NE(spec.summary, nullptr);
    std::string summary = spec.summary;
    EXPECT_FALSE(summary.empty());
    EXPECT_TRUE(std::islower(static_cast<unsigned char>(summary[0])) || summary[0] == 'V');
    EXPECT_NE(summary.back(), '.');
  }
}

TEST(ExitCodes, MapStatusesAndReportLikeGit) {
  EXPECT_EQ(ToExitCode(Status::Ok()), 0);
  EXPECT_EQ(ToExitCode(Error(Code::kNotFound, "FileSystemNotFound", "x")), 1);
  EXPECT_EQ(ToExitCode(UsageError("x")), 2);
  EXPECT_EQ(ToExitCode(Error(Code::kUnavailable, "DaemonUnreachable", "x")), 3);
  EXPECT_EQ(ToExitCode(Error(Code::kUnavailable, "WaitTimeout", "x")), 4);
  std::ostringstream err;
  ReportError(Error(Code::kNotFound, "FileSystemNotFound", "file system 'fs-0123' does not exist"),
              "describe-fs", err);
  EXPECT_EQ(err.str(), "efs: error: FileSystemNotFound: file system 'fs-0123' does not exist\n");
  err.str("");
  ReportError(UsageError("give --file-system-id"), "describe-fs", err);
  EXPECT_EQ(err.str(), "efs: error: give --file-system-id\n"
                       "hint: run 'efs describe-fs --help' for its options\n");
}

}  // namespace
}  // namespace efs::cli::testing

// The pure parts of mounting: which mount target a mount uses, the kernel client's options, and
// the exit code of each mount failure.
#include "cmd/mounting.h"

#include <gtest/gtest.h>

#include <set>

#include "cmd/exit_codes.h"

namespace efs::cli {
namespace {

api::Json Targets() {
  return api::Json::parse(R"({"MountTargets": [
    {"MountTargetId": "fsmt-a", "IpAddress": "127.80.0.4", "AvailabilityZoneName": "local-1a",
     "LifeCycleState": "available", "Port": 12049},
    {"MountTargetId": "fsmt-b", "IpAddress": "127.80.16.4", "AvailabilityZoneName": "local-1b",
     "LifeCycleState": "creating", "Port": 12049},
    {"MountTargetId": "fsmt-c", "IpAddress": "127.80.32.4", "AvailabilityZoneName": "local-1c",
     "LifeCycleState": "available", "Port": 12049}]})");
}

MountRequest Request(std::string zone = "", std::string ip = "") {
  MountRequest r;
  r.fs_id = "fs-0123456789abcdef0";
  r.availability_zone = std::move(zone);
  r.mount_target_ip = std::move(ip);
  return r;
}

TEST(PickMountTarget, TheFirstAvailableOneWithoutPreference) {
  Result<MountTarget> t = PickMountTarget(Targets(), Request());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->id, "fsmt-a");
  EXPECT_EQ(t->ip, "127.80.0.4");
  EXPECT_EQ(t->port, 12049);
}

TEST(PickMountTarget, TheOneInTheZoneAndOnlyIfAvailable) {
  EXPECT_EQ(PickMountTarget(Targets(), Request("local-1c"))->id, "fsmt-c");
  Result<MountTarget> creating = PickMountTarget(Targets(), Request("local-1b"));
  ASSERT_FALSE(creating.ok());
  EXPECT_EQ(creating.status().reason(), kNoMountTarget);
  EXPECT_NE(creating.status().message().find("in local-1b"), std::string::npos);
  EXPECT_EQ(ToExitCode(creating.status()), kExitNoMountTarget);
}

TEST(PickMountTarget, TheOneAtTheAddress) {
  EXPECT_EQ(PickMountTarget(Targets(), Request("", "127.80.32.4"))->id, "fsmt-c");
  EXPECT_FALSE(PickMountTarget(Targets(), Request("", "127.80.16.4")).ok());
  EXPECT_FALSE(PickMountTarget(api::Json::object(), Request()).ok());
}

TEST(KernelNfsOptions, EfsDefaultsThenTheCallersThenPortAndAddress) {
  MountTarget t{"fsmt-a", "127.80.0.4", "local-1a", "subnet-a", 12049, ""};
  MountRequest r = Request();
  EXPECT_EQ(KernelNfsOptions(r, t),
            "vers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,"
            "port=12049,addr=127.80.0.4");
  r.nfs_options = {{"timeo", "100"}, {"soft", ""}, {"port", "2049"}};
  r.read_only = true;
  EXPECT_EQ(KernelNfsOptions(r, t),
            "vers=4.1,rsize=1048576,wsize=1048576,hard,retrans=2,noresvport,ro,timeo=100,soft,"
            "port=2049,addr=127.80.0.4");
}

TEST(SplitMountOptions, FlagsValuesAndEmptyItems) {
  using Options = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(SplitMountOptions("ro,,actimeo=3,addr=1.2.3.4,"),
            (Options{{"ro", ""}, {"actimeo", "3"}, {"addr", "1.2.3.4"}}));
  EXPECT_EQ(SplitMountOptions("a=b=c"), (Options{{"a", "b=c"}}));
  EXPECT_TRUE(SplitMountOptions("").empty());
}

TEST(ApplyMountOptions, ReadOnlyTheCacheAndTheKernelClientsOptions) {
  MountRequest r = Request();
  EXPECT_EQ(r.attr_cache_seconds, 1);  // the default: names and attributes for one second
  ASSERT_TRUE(ApplyMountOptions(SplitMountOptions("ro,actimeo=2.5,timeo=100"), &r).ok());
  EXPECT_TRUE(r.read_only);
  EXPECT_EQ(r.attr_cache_seconds, 2.5);
  using Options = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(r.nfs_options, (Options{{"actimeo", "2.5"}, {"timeo", "100"}}));
  ASSERT_TRUE(ApplyMountOptions(SplitMountOptions("rw,noac"), &r).ok());
  EXPECT_FALSE(r.read_only);
  EXPECT_EQ(r.attr_cache_seconds, 0);
  for (const char* bad : {"actimeo=", "actimeo=-1", "actimeo=3601", "actimeo=1s", "actimeo=nan"}) {
    MountRequest q = Request();
    Status s = ApplyMountOptions(SplitMountOptions(bad), &q);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("actimeo takes seconds from 0 to 3600"), std::string::npos) << bad;
  }
}

TEST(MountExitCodes, EachCauseHasItsOwn) {
  std::set<int> codes;
  for (const char* reason : {kNoMountTarget, kMountTargetUnreachable, kNoMountPoint,
                             kMountPointBusy, kNoFuse, kNotMounted}) {
    int code = ToExitCode(Status(Code::kFailedPrecondition, reason, "x"));
    EXPECT_GE(code, 5) << reason;
    codes.insert(code);
  }
  EXPECT_EQ(codes.size(), 6u);
  EXPECT_EQ(ToExitCode(Status(Code::kNotFound, "FileSystemNotFound", "x")), kExitServiceError);
}

TEST(MountEfsArgs, DeviceDirectoryFlagsAndOptions) {
  MountEfsInvocation inv;
  ASSERT_TRUE(ParseMountEfsArgs({"local-1a.fs-0123456789abcdef0.efs.local-1.amazonaws.com:/d",
                                 "/mnt", "-v", "-o", "rw,az=local-1a,timeo=100"},
                                &inv));
  EXPECT_EQ(inv.fs_id, "fs-0123456789abcdef0");
  EXPECT_EQ(inv.device_az, "local-1a");
  EXPECT_EQ(inv.path, "/d");
  EXPECT_TRUE(inv.verbose);
  EXPECT_EQ(MountEfsOption(inv, "az"), "local-1a");
  Result<MountRequest> r = MountEfsRequest(inv);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->availability_zone, "local-1a");
  EXPECT_EQ(r->nfs_options, (std::vector<std::pair<std::string, std::string>>{{"timeo", "100"}}));
  MountEfsInvocation bad;
  EXPECT_FALSE(ParseMountEfsArgs({"fs-0123456789abcdef0", "/mnt", "-x"}, &bad));
  EXPECT_FALSE(ParseMountEfsArgs({"fs-0123456789abcdef0"}, &bad));
  MountEfsInvocation tls;
  ASSERT_TRUE(ParseMountEfsArgs({"fs-0123456789abcdef0", "/mnt", "-o", "tls"}, &tls));
  EXPECT_FALSE(MountEfsRequest(tls).ok());
}

}  // namespace
}  // namespace efs::cli

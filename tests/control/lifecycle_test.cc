// PutLifecycleConfiguration and DescribeLifecycleConfiguration: the policy rules, replacement,
// deletion by an empty list, and a stable IA, Archive, Primary order.
#include "base/ids.h"
#include "control/control_test_env.h"

namespace efs::control {
namespace {

using testing::CodeOf;
using testing::ControlTest;
using testing::ReasonOf;

api::LifecyclePolicy ToIa(const std::string& v) { return {v, std::nullopt, std::nullopt}; }
api::LifecyclePolicy ToPrimary(const std::string& v) { return {std::nullopt, v, std::nullopt}; }
api::LifecyclePolicy ToArchive(const std::string& v) { return {std::nullopt, std::nullopt, v}; }

class Lifecycle : public ControlTest {
 protected:
  void SetUp() override {
    ControlTest::SetUp();
    api::CreateFileSystemRequest req;
    req.throughput_mode = "elastic";
    fs_ = CreateFs("elastic", req);
  }
  Result<api::LifecycleConfigurationDescription> Put(std::vector<api::LifecyclePolicy> policies,
                                                     std::string fs = "") {
    return control->PutLifecycleConfiguration({fs.empty() ? fs_ : fs, std::move(policies)});
  }
  std::vector<api::LifecyclePolicy> Stored() {
    Result<api::LifecycleConfigurationDescription> d =
        control->DescribeLifecycleConfiguration({fs_});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->lifecycle_policies : std::vector<api::LifecyclePolicy>{};
  }
  std::string fs_;
};

TEST_F(Lifecycle, PoliciesAreStoredAndReturnedInStableOrder) {
  EXPECT_TRUE(Stored().empty());
  std::vector<api::LifecyclePolicy> want = {ToIa("AFTER_30_DAYS"), ToArchive("AFTER_90_DAYS"),
                                            ToPrimary("AFTER_1_ACCESS")};
  Result<api::LifecycleConfigurationDescription> put =
      Put({ToPrimary("AFTER_1_ACCESS"), ToArchive("AFTER_90_DAYS"), ToIa("AFTER_30_DAYS")});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->lifecycle_policies, want);
  EXPECT_EQ(Stored(), want);
}

TEST_F(Lifecycle, APutReplacesAndAnEmptyListDeletes) {
  ASSERT_TRUE(Put({ToIa("AFTER_7_DAYS"), ToPrimary("AFTER_1_ACCESS")}).ok());
  ASSERT_TRUE(Put({ToIa("AFTER_1_DAY")}).ok());
  EXPECT_EQ(Stored(), std::vector<api::LifecyclePolicy>{ToIa("AFTER_1_DAY")});
  Result<api::LifecycleConfigurationDescription> cleared = Put({});
  ASSERT_TRUE(cleared.ok());
  EXPECT_TRUE(cleared->lifecycle_policies.empty());
  EXPECT_TRUE(Stored().empty());
}

TEST_F(Lifecycle, EveryIaValueIsAccepted) {
  for (const char* v :
       {"AFTER_1_DAY", "AFTER_7_DAYS", "AFTER_14_DAYS", "AFTER_30_DAYS", "AFTER_60_DAYS",
        "AFTER_90_DAYS", "AFTER_180_DAYS", "AFTER_270_DAYS", "AFTER_365_DAYS"}) {
    EXPECT_TRUE(Put({ToIa(v)}).ok()) << v;
    EXPECT_TRUE(Put({ToArchive(v)}).ok()) << v;
  }
}

TEST_F(Lifecycle, MalformedConfigurationsAreBadRequest) {
  EXPECT_EQ(ReasonOf(Put({ToIa("AFTER_2_DAYS")})), "BadRequest");
  EXPECT_EQ(ReasonOf(Put({ToArchive("AFTER_1_ACCESS")})), "BadRequest");
  EXPECT_EQ(ReasonOf(Put({ToPrimary("AFTER_7_DAYS")})), "BadRequest");
  EXPECT_EQ(ReasonOf(Put({api::LifecyclePolicy{}})), "BadRequest");  // no transition
  EXPECT_EQ(ReasonOf(Put({api::LifecyclePolicy{"AFTER_7_DAYS", "AFTER_1_ACCESS", std::nullopt}})),
            "BadRequest");  // two in one policy
  EXPECT_EQ(ReasonOf(Put({ToIa("AFTER_7_DAYS"), ToIa("AFTER_14_DAYS")})), "BadRequest");
  EXPECT_EQ(ReasonOf(Put({ToIa("AFTER_7_DAYS"), ToArchive("AFTER_14_DAYS"),
                          ToPrimary("AFTER_1_ACCESS"), ToPrimary("AFTER_1_ACCESS")})),
            "BadRequest");  // four
  EXPECT_EQ(ReasonOf(Put({ToIa("AFTER_30_DAYS"), ToArchive("AFTER_30_DAYS")})), "BadRequest");
  EXPECT_EQ(ReasonOf(Put({ToIa("AFTER_90_DAYS"), ToArchive("AFTER_30_DAYS")})), "BadRequest");
  EXPECT_TRUE(Stored().empty());
}

TEST_F(Lifecycle, ArchiveNeedsElasticThroughputAndGeneralPurpose) {
  std::string bursting = CreateFs("bursting");
  EXPECT_EQ(ReasonOf(Put({ToArchive("AFTER_90_DAYS")}, bursting)), "BadRequest");
  EXPECT_TRUE(Put({ToIa("AFTER_90_DAYS")}, bursting).ok());
  api::CreateFileSystemRequest req;
  req.performance_mode = "maxIO";
  req.throughput_mode = "provisioned";
  req.provisioned_throughput_in_mibps = 10;
  std::string max_io = CreateFs("max-io", req);
  EXPECT_EQ(ReasonOf(Put({ToArchive("AFTER_90_DAYS")}, max_io)), "BadRequest");
}

TEST_F(Lifecycle, AnArchivePolicyKeepsTheFileSystemElastic) {
  ASSERT_TRUE(Put({ToArchive("AFTER_90_DAYS")}).ok());
  api::UpdateFileSystemRequest req{fs_, "bursting", std::nullopt};
  EXPECT_EQ(ReasonOf(control->UpdateFileSystem(req)), "BadRequest");
  ASSERT_TRUE(Put({}).ok());
  EXPECT_TRUE(control->UpdateFileSystem(req).ok());
}

TEST_F(Lifecycle, UnknownOrUnavailableFileSystems) {
  std::string missing = NewId("fs");
  EXPECT_EQ(ReasonOf(Put({ToIa("AFTER_7_DAYS")}, missing)), "FileSystemNotFound");
  EXPECT_EQ(ReasonOf(control->DescribeLifecycleConfiguration({missing})), "FileSystemNotFound");
  EXPECT_EQ(ReasonOf(control->DescribeLifecycleConfiguration({"fs"})), "BadRequest");
  api::CreateFileSystemRequest req;
  req.creation_token = "creating";
  std::string creating = control->CreateFileSystem(req)->file_system_id;
  Result<api::LifecycleConfigurationDescription> put = Put({ToIa("AFTER_7_DAYS")}, creating);
  EXPECT_EQ(ReasonOf(put), "IncorrectFileSystemLifeCycleState");
  EXPECT_EQ(CodeOf(put), Code::kFailedPrecondition);
  EXPECT_TRUE(control->DescribeLifecycleConfiguration({creating}).ok());
}

}  // namespace
}  // namespace efs::control

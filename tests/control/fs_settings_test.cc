// The settings efsd has one honest value for: the backup policy (DISABLED: efsd takes no
// backups), replication overwrite protection (ENABLED: it replicates nothing) and the account's
// ID preference (LONG_ID). Each answers AWS's shapes and errors, and refuses the values it cannot
// honour with a message that says why.
#include "control/control_test_env.h"

namespace efs::control {
namespace {

using testing::CodeOf;
using testing::ControlTest;
using testing::ReasonOf;

class Settings : public ControlTest {
 protected:
  void SetUp() override {
    ControlTest::SetUp();
    fs_ = CreateFs("settings");
  }
  Result<api::BackupPolicyDescription> PutBackup(const std::string& status, std::string fs = "") {
    return control->PutBackupPolicy({fs.empty() ? fs_ : fs, api::BackupPolicy{status}});
  }
  Result<api::FileSystemProtectionDescription> Protect(std::optional<std::string> value,
                                                       std::string fs = "") {
    return control->UpdateFileSystemProtection({fs.empty() ? fs_ : fs, std::move(value)});
  }
  std::string fs_;
};

TEST_F(Settings, BackupPolicyIsDisabledAndStaysSoWhenEnablingIsRefused) {
  Result<api::BackupPolicyDescription> d = control->DescribeBackupPolicy({fs_});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->backup_policy.status, "DISABLED");

  Result<api::BackupPolicyDescription> put = PutBackup("DISABLED");
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->backup_policy.status, "DISABLED");

  Result<api::BackupPolicyDescription> enabled = PutBackup("ENABLED");
  EXPECT_EQ(ReasonOf(enabled), "BadRequest");
  EXPECT_NE(enabled.status().message().find("stays DISABLED"), std::string::npos)
      << enabled.status().message();
  EXPECT_EQ(control->DescribeBackupPolicy({fs_})->backup_policy.status, "DISABLED");
}

TEST_F(Settings, BackupPolicyChecksItsValuesAndItsFileSystem) {
  EXPECT_EQ(ReasonOf(PutBackup("ENABLING")), "ValidationException");
  EXPECT_EQ(ReasonOf(PutBackup("DISABLING")), "ValidationException");
  EXPECT_EQ(ReasonOf(PutBackup("disabled")), "ValidationException");
  EXPECT_EQ(CodeOf(PutBackup("on")), Code::kInvalidArgument);
  EXPECT_EQ(ReasonOf(PutBackup("DISABLED", "fs-0123456789abcdef0")), "FileSystemNotFound");
  EXPECT_EQ(ReasonOf(control->DescribeBackupPolicy({"fs-0123456789abcdef0"})),
            "FileSystemNotFound");

  api::CreateFileSystemRequest creating;
  creating.creation_token = "still-creating";
  Result<api::FileSystemDescription> young = control->CreateFileSystem(creating);
  ASSERT_TRUE(young.ok());
  EXPECT_EQ(ReasonOf(PutBackup("DISABLED", young->file_system_id)),
            "IncorrectFileSystemLifeCycleState");
  EXPECT_TRUE(control->DescribeBackupPolicy({young->file_system_id}).ok());
}

TEST_F(Settings, ProtectionStaysEnabledBecauseNothingReplicates) {
  Result<api::FileSystemProtectionDescription> on = Protect("ENABLED");
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->replication_overwrite_protection, "ENABLED");
  EXPECT_TRUE(Protect(std::nullopt).ok());  // nothing asked, nothing changed

  Result<api::FileSystemProtectionDescription> off = Protect("DISABLED");
  EXPECT_EQ(ReasonOf(off), "BadRequest");
  EXPECT_NE(off.status().message().find("stays ENABLED"), std::string::npos);
  EXPECT_EQ(ReasonOf(Protect("REPLICATING")), "ValidationException");
  EXPECT_EQ(ReasonOf(Protect("OFF")), "ValidationException");
  EXPECT_EQ(ReasonOf(Protect("ENABLED", "fs-0123456789abcdef0")), "FileSystemNotFound");

  Result<api::DescribeFileSystemsResponse> all = control->DescribeFileSystems({});
  ASSERT_TRUE(all.ok());
  for (const api::FileSystemDescription& fs : all->file_systems) {
    EXPECT_EQ(fs.replication_overwrite_protection, "ENABLED") << fs.file_system_id;
  }
}

TEST_F(Settings, AccountPreferencesAreLongIdsAndShortIdsAreRefused) {
  Result<api::DescribeAccountPreferencesResponse> d = control->DescribeAccountPreferences({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->resource_id_preference.resource_id_type, "LONG_ID");
  EXPECT_EQ(d->resource_id_preference.resources,
            (std::vector<std::string>{"FILE_SYSTEM", "MOUNT_TARGET"}));
  EXPECT_FALSE(d->next_token.has_value());
  // The ids efsd makes are what the preference says: 17 hex digits.
  EXPECT_EQ(fs_.size(), std::string("fs-").size() + 17) << fs_;

  Result<api::PutAccountPreferencesResponse> put = control->PutAccountPreferences({"LONG_ID"});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->resource_id_preference.resource_id_type, "LONG_ID");
  EXPECT_EQ(ReasonOf(control->PutAccountPreferences({"SHORT_ID"})), "BadRequest");
  EXPECT_EQ(ReasonOf(control->PutAccountPreferences({"MEDIUM_ID"})), "ValidationException");

  api::DescribeAccountPreferencesRequest paged;
  paged.max_results = 0;
  EXPECT_EQ(ReasonOf(control->DescribeAccountPreferences(paged)), "BadRequest");
  paged.max_results = 1;
  paged.next_token = "forged";
  EXPECT_EQ(ReasonOf(control->DescribeAccountPreferences(paged)), "BadRequest");
}

}  // namespace
}  // namespace efs::control

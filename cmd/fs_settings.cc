// efs describe-backup-policy, put-backup-policy, update-fs-protection,
// describe-account-preferences, put-account-preferences: the settings efsd has one honest value
// for (control/fs_settings.cc says why). Each sends its action and prints the answer.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

// A command that is one action: options fill `request`, Run sends it and prints the result.
template <class Request>
struct OneAction : Command {
  explicit OneAction(const char* action) : action(action) {}

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send(action, request));
    ctx.Print(result);
    return Status::Ok();
  }

  void AddFileSystemId(CLI::App& app, std::string* field) {
    app.add_option("--file-system-id", *field, "the file system")->required()->type_name("ID");
  }

  const char* const action;
  Request request;
};

struct DescribeBackupPolicy final : OneAction<api::DescribeBackupPolicyRequest> {
  DescribeBackupPolicy() : OneAction("DescribeBackupPolicy") {}
  void Setup(CLI::App& app) override { AddFileSystemId(app, &request.file_system_id); }
};

struct PutBackupPolicy final : OneAction<api::PutBackupPolicyRequest> {
  PutBackupPolicy() : OneAction("PutBackupPolicy") {}
  void Setup(CLI::App& app) override {
    AddFileSystemId(app, &request.file_system_id);
    AddEnum(app, "--status", &request.backup_policy.status, {"ENABLED", "DISABLED"},
            "turn automatic backups on or off")
        ->required();
  }
};

struct UpdateFsProtection final : OneAction<api::UpdateFileSystemProtectionRequest> {
  UpdateFsProtection() : OneAction("UpdateFileSystemProtection") {}
  void Setup(CLI::App& app) override {
    AddFileSystemId(app, &request.file_system_id);
    AddEnum(app, "--replication-overwrite-protection", &request.replication_overwrite_protection,
            {"ENABLED", "DISABLED"}, "whether replication may overwrite the file system")
        ->required();
  }
};

struct DescribeAccountPreferences final : OneAction<api::DescribeAccountPreferencesRequest> {
  DescribeAccountPreferences() : OneAction("DescribeAccountPreferences") {}
  void Setup(CLI::App&) override {}
};

struct PutAccountPreferences final : OneAction<api::PutAccountPreferencesRequest> {
  PutAccountPreferences() : OneAction("PutAccountPreferences") {}
  void Setup(CLI::App& app) override {
    AddEnum(app, "--resource-id-type", &request.resource_id_type, {"LONG_ID", "SHORT_ID"},
            "the length of new file system and mount target ids")
        ->required();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeBackupPolicy() {
  return std::make_unique<DescribeBackupPolicy>();
}
std::unique_ptr<Command> NewPutBackupPolicy() { return std::make_unique<PutBackupPolicy>(); }
std::unique_ptr<Command> NewUpdateFsProtection() { return std::make_unique<UpdateFsProtection>(); }
std::unique_ptr<Command> NewDescribeAccountPreferences() {
  return std::make_unique<DescribeAccountPreferences>();
}
std::unique_ptr<Command> NewPutAccountPreferences() {
  return std::make_unique<PutAccountPreferences>();
}

}  // namespace efs::cli

// efs create-fs: CreateFileSystem, optionally waiting until the file system is available.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"
#include "cmd/wait.h"

namespace efs::cli {
namespace {

struct CreateFs final : Command {
  api::CreateFileSystemRequest request;
  std::optional<std::string> creation_token;
  std::vector<std::string> tags;
  WaitOptions wait;

  void Setup(CLI::App& app) override {
    AddOptional(app, "--creation-token", &creation_token,
                "idempotency token, 1-64 characters (default: a new random token)")
        ->type_name("TOKEN");
    AddEnum(app, "--performance-mode", &request.performance_mode, kPerformanceModes,
            "generalPurpose (default) or maxIO");
    AddEnum(app, "--throughput-mode", &request.throughput_mode, kThroughputModes,
            "bursting (default), provisioned or elastic");
    AddOptional(app, "--provisioned-throughput-in-mibps", &request.provisioned_throughput_in_mibps,
                "MiB/s for the provisioned throughput mode")
        ->type_name("MIBPS");
    AddBoolPair(app, "encrypted", &request.encrypted,
                "encryption at rest: not implemented yet, so --encrypted is refused");
    AddOptional(app, "--kms-key-id", &request.kms_key_id,
                "the key for --encrypted: refused, as --encrypted is")
        ->type_name("KEY");
    AddOptional(app, "--availability-zone-name", &request.availability_zone_name,
                "make a One Zone file system in this availability zone")
        ->type_name("AZ");
    AddBoolPair(app, "backup", &request.backup,
                "automatic backups: not implemented yet, so --backup is refused");
    app.add_option("--tags", tags, "tags as Key=K,Value=V (several allowed)")->type_name("TAG");
    AddWaitOptions(app, &wait, "the file system is available");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(request.tags, ParseTags(tags));
    request.creation_token = creation_token.value_or(NewCreationToken());
    Json extra = Json::object();
    Result<Json> created = ctx.Send("CreateFileSystem", request, &extra);
    if (!created.ok()) return NameExisting(created.status(), extra);
    Json description = std::move(created).value();
    if (wait.wait) {
      EFS_ASSIGN_OR_RETURN(description,
                           WaitForState(ctx, wait, Resource::kFileSystem,
                                        StringField(description, "FileSystemId"), "available"));
    }
    ctx.Print(description);
    return Status::Ok();
  }

  // FileSystemAlreadyExists carries the existing id; make sure the message names it.
  static Status NameExisting(const Status& status, const Json& extra) {
    const std::string id = StringField(extra, "FileSystemId");
    if (status.reason() != "FileSystemAlreadyExists" || id.empty() ||
        status.message().find(id) != std::string::npos) {
      return status;
    }
    return Status(status.code(), status.reason(),
                  status.message() + " (existing file system '" + id + "')");
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateFs() { return std::make_unique<CreateFs>(); }

}  // namespace efs::cli

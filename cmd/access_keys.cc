// efs create-access-key, list-access-keys, delete-access-key: the keys that sign requests to
// efsd's HTTP endpoint (CreateAccessKey, ListAccessKeys, DeleteAccessKey; root only).
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"

namespace efs::cli {
namespace {

struct CreateAccessKey final : Command {
  api::CreateAccessKeyRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--user-name", request.user_name, "the local user the key acts for")
        ->required()
        ->type_name("USER");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("CreateAccessKey", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

struct ListAccessKeys final : Command {
  api::ListAccessKeysRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--user-name", request.user_name, "list only this user's keys")
        ->type_name("USER");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("ListAccessKeys", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

struct DeleteAccessKey final : Command {
  api::DeleteAccessKeyRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--access-key-id", request.access_key_id, "the key to delete")
        ->required()
        ->type_name("ID");
    app.add_option("--user-name", request.user_name, "delete it only if it is this user's")
        ->type_name("USER");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DeleteAccessKey", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateAccessKey() { return std::make_unique<CreateAccessKey>(); }
std::unique_ptr<Command> NewListAccessKeys() { return std::make_unique<ListAccessKeys>(); }
std::unique_ptr<Command> NewDeleteAccessKey() { return std::make_unique<DeleteAccessKey>(); }

}  // namespace efs::cli

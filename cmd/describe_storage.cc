// efs describe-storage: DescribeStorage, the storage class of a file or of each file of a tree.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct DescribeStorage final : Command {
  api::DescribeStorageRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--file-system-id", request.file_system_id, "the file system")
        ->required()
        ->type_name("ID");
    app.add_option("--path", request.path,
                   "a file or directory, from the file system's root (default: the root)")
        ->type_name("PATH");
    AddOptional(app, "--max-items", &request.max_items,
                "list at most this many files (1-100000, default 1000)")
        ->check(CLI::Range(1, 100000))
        ->type_name("N");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("DescribeStorage", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDescribeStorage() { return std::make_unique<DescribeStorage>(); }

}  // namespace efs::cli

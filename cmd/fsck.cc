// efs fsck: CheckFileSystem, the consistency check of one file system, with --repair. Exits
// kExitFsckFindings while a finding is left unrepaired, kExitFsckRepaired when every one was.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"

namespace efs::cli {
namespace {

struct Fsck final : Command {
  api::CheckFileSystemRequest request;

  void Setup(CLI::App& app) override {
    app.add_option("--file-system-id", request.file_system_id, "the file system to check")
        ->required()
        ->type_name("ID");
    app.add_flag("--repair", request.repair, "fix what can be fixed safely, and say what was done");
  }

  Status Run(Context& ctx) override {
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("CheckFileSystem", request));
    ctx.Print(result);
    size_t found = 0, left = 0;
    for (const Json& finding : result.value("Findings", Json::array())) {
      found++;
      if (!finding.value("Repaired", false)) left++;
    }
    const std::string of = " in " + request.file_system_id;
    if (left > 0) {
      return Status(Code::kFailedPrecondition, kFsckFindings,
                    std::to_string(found) + " problem(s) found" + of + ", " +
                        std::to_string(left) + " not repaired");
    }
    if (found > 0) {
      return Status(Code::kFailedPrecondition, kFsckRepaired,
                    std::to_string(found) + " problem(s) found" + of + ", all repaired");
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewFsck() { return std::make_unique<Fsck>(); }

}  // namespace efs::cli

// efs set-lifecycle: PutLifecycleConfiguration, one policy object per transition given.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct SetLifecycle final : Command {
  api::PutLifecycleConfigurationRequest request;
  api::LifecyclePolicy transitions;  // the options given; split into one object each
  bool none = false;

  void Setup(CLI::App& app) override {
    app.add_option("--file-system-id", request.file_system_id, "the file system")
        ->required()
        ->type_name("ID");
    CLI::Option* ia = AddEnum(app, "--transition-to-ia", &transitions.transition_to_ia,
                              kTransitionAfterDays, "move files to Infrequent Access after");
    CLI::Option* primary =
        AddEnum(app, "--transition-to-primary-storage-class",
                &transitions.transition_to_primary_storage_class, kTransitionAfterAccess,
                "move files back to Standard on first access");
    CLI::Option* archive =
        AddEnum(app, "--transition-to-archive", &transitions.transition_to_archive,
                kTransitionAfterDays, "move files to Archive after");
    app.add_flag("--none", none, "remove every lifecycle policy")
        ->excludes(ia)
        ->excludes(primary)
        ->excludes(archive);
  }

  Status Run(Context& ctx) override {
    using Transition = std::optional<std::string> api::LifecyclePolicy::*;
    for (Transition transition : {&api::LifecyclePolicy::transition_to_ia,
                                  &api::LifecyclePolicy::transition_to_primary_storage_class,
                                  &api::LifecyclePolicy::transition_to_archive}) {
      if (!(transitions.*transition)) continue;
      api::LifecyclePolicy policy;  // AWS wants one transition per policy object
      policy.*transition = transitions.*transition;
      request.lifecycle_policies.push_back(std::move(policy));
    }
    if (request.lifecycle_policies.empty() && !none) {
      return UsageError(
          "give at least one --transition-to-* option, or --none to remove the policy");
    }
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("PutLifecycleConfiguration", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewSetLifecycle() { return std::make_unique<SetLifecycle>(); }

}  // namespace efs::cli

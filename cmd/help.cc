// efs help [COMMAND]: the command list, or a command's man page (git style) or CLI11 help.
#include <unistd.h>

#include <cstdlib>

#include "cmd/command.h"
#include "cmd/commands.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"

namespace efs::cli {
namespace {

// Returns true iff man(1) can find `page` (so exec'ing man will show it).
bool ManFinds(const std::string& page) {
  const std::string probe = "man -w " + page + " >/dev/null 2>&1";
  return std::system(probe.c_str()) == 0;
}

struct Help final : Command {
  std::string command;

  void Setup(CLI::App& app) override {
    app.add_option("command", command, "the command to explain")->type_name("COMMAND");
  }

  Status Run(Context& ctx) override {
    if (command.empty()) {
      WriteCommandList(ctx.out());
      return Status::Ok();
    }
    const CommandSpec* spec = FindCommand(command);
    if (spec == nullptr || (spec->flags & kHidden)) {
      std::string suggestion = SuggestCommand(command);
      return UsageError("'" + command + "' is not an efs command" +
                        (suggestion.empty() ? "" : ". Did you mean '" + suggestion + "'?"));
    }
    // Names come from kCommands, so the page name is safe for the shell.
    const std::string page = std::string("efs-") + spec->name;
    if (ManFinds(page)) {
      ctx.out().flush();
      ::execlp("man", "man", page.c_str(), static_cast<char*>(nullptr));
      // exec failed: fall through to the built-in help.
    }
    CLI::App* sub = ctx.root_app() ? ctx.root_app()->get_subcommand(spec->name) : nullptr;
    if (sub != nullptr) ctx.out() << sub->help("efs");
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewHelp() { return std::make_unique<Help>(); }

}  // namespace efs::cli

// efs: the operator's CLI for efsd. Builds the CLI11 app from kCommands, parses, runs the one
// selected command and maps its Status to the exit code (cmd/exit_codes.h).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <iostream>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"

namespace efs::cli {
namespace {

// Returns the index of the command word in `args`, skipping global options (and the value
// of those that take one), or args.size() when there is none.
size_t CommandWordIndex(CLI::App& app, const std::vector<std::string>& args) {
  size_t i = 0;
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-') {
    bool takes_value = false;
    if (args[i].rfind("--", 0) == 0 && args[i].find('=') == std::string::npos) {
      for (CLI::Option* option : app.get_options()) {
        const auto& names = option->get_lnames();
        if (std::find(names.begin(), names.end(), args[i].substr(2)) != names.end()) {
          takes_value = option->get_expected_max() > 0;  // flags expect 0
        }
      }
    }
    i += takes_value ? 2 : 1;
  }
  return i;
}

// CLI11 messages start with a capital; ours follow git (lowercase).
std::string Lowercased(std::string message) {
  if (!message.empty()) message[0] = static_cast<char>(std::tolower(message[0]));
  return message;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Context ctx;
  CLI::App app("efs: manage efsd's elastic file systems, shaped like Amazon EFS", "efs");
  app.fallthrough();                 // global options also work after the command
  app.require_subcommand(0, 1);
  ctx.AddGlobalOptions(app);
  std::vector<BoundCommand> commands = BuildCommandTree(app);
  ctx.set_root_app(&app);

  const size_t at = CommandWordIndex(app, args);
  const CommandSpec* spec = at < args.size() ? FindCommand(args[at]) : nullptr;
  if (at < args.size() && spec == nullptr && args[at] != "--") {
    std::string suggestion = SuggestCommand(args[at]);
    std::cerr << "efs: '" << args[at] << "' is not an efs command.";
    if (suggestion.empty()) {
      std::cerr << " See 'efs help'.\n";
    } else {
      std::cerr << " Did you mean '" << suggestion << "'?\n";
    }
    return kExitUsage;
  }
  if (spec != nullptr && (spec->flags & kRawArgs)) {
    ctx.set_raw_args(std::vector<std::string>(args.begin() + at + 1, args.end()));
    args.resize(at + 1);
  }

  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    ReportError(UsageError(Lowercased(e.what())), spec ? spec->name : "", std::cerr);
    return kExitUsage;
  }

  for (BoundCommand& bound : commands) {
    if (!bound.app->parsed()) continue;
    Status status = bound.command->Run(ctx);
    std::cout.flush();
    ReportError(status, bound.spec->name, std::cerr);
    return status.ok() ? ctx.exit_code() : ToExitCode(status);
  }
  WriteCommandList(std::cerr);
  return kExitUsage;
}

}  // namespace
}  // namespace efs::cli

int main(int argc, char** argv) { return efs::cli::Main(argc, argv); }

// The one table of `efs` subcommands (git's cmd_struct, ninja's Tool). Help, completion, main
// and the docs-sync test all walk kCommands; adding a command is a row here, a file, a man page.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cmd/command.h"

namespace efs::cli {

enum CommandFlags : uint32_t {
  kNoFlags = 0,
  // Not listed, not documented, not completed (internal helpers such as __complete).
  kHidden = 1 << 0,
  // CLI11 does not parse the words after the command name; they reach Run() verbatim through
  // Context::raw_args() (so `efs __complete create-fs --` keeps its "--").
  kRawArgs = 1 << 1,
};

struct CommandSpec {
  const char* name;      // kebab-case, e.g. "create-fs"; file cmd/create_fs.cc
  const char* summary;   // lowercase, no period; equals the man page's NAME line
  CommandFactory factory;
  uint32_t flags;
};

// Every subcommand, in the order `efs help` lists them.
std::span<const CommandSpec> Commands();

// Returns the row named `name`, or nullptr.
const CommandSpec* FindCommand(std::string_view name);

// Returns the Levenshtein distance between `a` and `b`.
size_t EditDistance(std::string_view a, std::string_view b);

// Returns the non-hidden command nearest to `name` by edit distance, or "" when none is
// close enough to be a plausible typo (ninja's SpellcheckString).
std::string SuggestCommand(std::string_view name);

// Writes the usage line and the list of non-hidden commands with their summaries.
void WriteCommandList(std::ostream& out);

// A command object with the CLI11 subcommand its options are bound to.
struct BoundCommand {
  const CommandSpec* spec;
  CLI::App* app;
  std::unique_ptr<Command> command;
};

// Adds one CLI11 subcommand per row to `app` (which must already carry the global options)
// and calls each command's Setup. The returned commands must outlive parsing.
std::vector<BoundCommand> BuildCommandTree(CLI::App& app);

}  // namespace efs::cli

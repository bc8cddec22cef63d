// Shell completion that asks the binary (git --git-completion-helper, ninja -t targets): the
// bash, zsh and fish scripts run `efs __complete <words>` and print what it prints.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace efs::cli {

// Lists live ids for an id-valued option such as "--file-system-id"; `words` is the whole
// command line being completed (so --mount-target-id can use a --file-system-id on it).
using IdLister = std::function<std::vector<std::string>(const std::string& option,
                                                        const std::vector<std::string>& words)>;

// Returns true iff `option` (e.g. "--subnet-id") takes ids that efsd can list.
bool IsIdOption(const std::string& option);

// Returns the candidates for the last of `words` (the words after "efs"; the last one is the
// partial word being typed, possibly ""), filtered by that prefix:
//  - before a command: the non-hidden command names (or the global options after "-");
//  - after a command: its long options; after an enum option: its values; after an id option:
//    whatever `list_ids` returns; after `help`: the command names.
std::vector<std::string> Complete(CLI::App& root, const std::vector<std::string>& words,
                                  const IdLister& list_ids);

}  // namespace efs::cli

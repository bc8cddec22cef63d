// efs __complete (hidden): completion candidates from the CLI11 tree and, for ids, from efsd.
#include "cmd/complete.h"

#include <algorithm>

#include "cmd/command.h"
#include "cmd/commands.h"
#include "cmd/context.h"
#include "cmd/live_ids.h"
#include "cmd/mounting.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The option `name` ("--x") of `app`, or nullptr.
CLI::Option* FindLongOption(CLI::App& app, const std::string& name) {
  if (!StartsWith(name, "--")) return nullptr;
  for (CLI::Option* option : app.get_options()) {
    const auto& names = option->get_lnames();
    if (std::find(names.begin(), names.end(), name.substr(2)) != names.end()) return option;
  }
  return nullptr;
}

// Flags are CLI11 options that expect 0 values.
bool TakesValue(const CLI::Option& option) { return option.get_expected_max() > 0; }

std::vector<std::string> CommandNames() {
  std::vector<std::string> names;
  for (const CommandSpec& spec : Commands()) {
    if (!(spec.flags & kHidden)) names.push_back(spec.name);
  }
  return names;
}

std::vector<std::string> LongOptions(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

std::vector<std::string> Values(CLI::Option& option, const std::string& name,
                                const std::vector<std::string>& words, const IdLister& list_ids) {
  std::vector<std::string> values = EnumValues(option);
  if (values.empty() && IsIdOption(name) && list_ids) values = list_ids(name, words);
  return values;
}

// How many positional arguments come before the word being typed (the last of `args`).
size_t PositionalIndex(CLI::App& sub, const std::vector<std::string>& args) {
  size_t count = 0;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (!StartsWith(args[i], "-")) {
      ++count;
      continue;
    }
    CLI::Option* option =
        args[i].find('=') == std::string::npos ? sub.get_option_no_throw(args[i]) : nullptr;
    if (option != nullptr && TakesValue(*option)) ++i;
  }
  return count;
}

// Completes the words after the command `sub` (`args`, the last being typed).
std::vector<std::string> CompleteInCommand(CLI::App& sub, const std::vector<std::string>& args,
                                           const std::vector<std::string>& words,
                                           const IdLister& list_ids) {
  const std::string& current = args.back();
  // A command made of subcommands (`debug advance-clock`): first the subcommand's name, then
  // what follows it, as for a command.
  if (std::vector<CLI::App*> nested = sub.get_subcommands({}); !nested.empty()) {
    std::vector<std::string> names;
    for (CLI::App* n : nested) {
      if (args.size() > 1 && n->get_name() == args.front()) {
        return CompleteInCommand(*n, std::vector<std::string>(args.begin() + 1, args.end()), words,
                                 list_ids);
      }
      names.push_back(n->get_name());
    }
    return args.size() == 1 ? names : std::vector<std::string>{};
  }
  if (StartsWith(current, "--") && current.find('=') != std::string::npos) {
    const std::string name = current.substr(0, current.find('='));
    CLI::Option* option = FindLongOption(sub, name);
    std::vector<std::string> values;
    if (option != nullptr) {
      for (const std::string& v : Values(*option, name, words, list_ids)) {
        values.push_back(name + "=" + v);
      }
    }
    return values;
  }
  if (StartsWith(current, "-")) return LongOptions(sub);
  // The nearest option before the current word decides what a value here would be.
  for (size_t i = args.size() - 1; i-- > 0;) {
    if (!StartsWith(args[i], "-")) continue;
    CLI::Option* option = FindLongOption(sub, args[i]);
    const bool adjacent = i + 2 == args.size();
    if (option != nullptr && TakesValue(*option) && (adjacent || option->get_expected_max() > 1)) {
      return Values(*option, args[i], words, list_ids);
    }
    break;
  }
  if (sub.get_name() == "help") return CommandNames();
  // Positional arguments: `mount FS DIR` (the shell offers directories for DIR), `umount DIR`.
  size_t positional = PositionalIndex(sub, args);
  if (sub.get_name() == "mount" && positional == 0 && list_ids) {
    return list_ids("--file-system-id", words);
  }
  if (sub.get_name() == "umount" && positional == 0) {
    std::vector<std::string> points;
    for (const MountInfo& m : ListMounts()) points.push_back(m.mount_point);
    return points;
  }
  if (sub.get_name() == "mount" && positional == 1) return {};
  return current.empty() ? LongOptions(sub) : std::vector<std::string>{};
}

std::vector<std::string> CompleteUnfiltered(CLI::App& root, const std::vector<std::string>& words,
                                            const IdLister& list_ids) {
  const std::string& current = words.back();
  size_t i = 0;
  while (i + 1 < words.size() && StartsWith(words[i], "-")) {
    CLI::Option* option = FindLongOption(root, words[i]);
    const bool takes_value =
        option != nullptr && TakesValue(*option) && words[i].find('=') == std::string::npos;
    if (takes_value && i + 2 == words.size()) return EnumValues(*option);
    i += takes_value ? 2 : 1;
  }
  if (i + 1 >= words.size()) {
    return StartsWith(current, "-") ? LongOptions(root) : CommandNames();
  }
  const CommandSpec* spec = FindCommand(words[i]);
  if (spec == nullptr || (spec->flags & kHidden)) return {};
  return CompleteInCommand(*root.get_subcommand(spec->name),
                           std::vector<std::string>(words.begin() + i + 1, words.end()), words,
                           list_ids);
}

struct CompleteCommand final : Command {
  void Setup(CLI::App&) override {}

  Status Run(Context& ctx) override {
    ctx.set_timeout_ms(300);
    IdLister lister = [&ctx](const std::string& option, const std::vector<std::string>& words) {
      return ListLiveIds(ctx, option, words);
    };
    std::vector<std::string> words = ctx.raw_args();
    if (words.empty()) words.push_back("");
    for (const std::string& candidate : Complete(*ctx.root_app(), words, lister)) {
      ctx.out() << candidate << "\n";
    }
    return Status::Ok();
  }
};

}  // namespace

bool IsIdOption(const std::string& option) { return HasLiveIds(option); }

std::vector<std::string> Complete(CLI::App& root, const std::vector<std::string>& words,
                                  const IdLister& list_ids) {
  if (words.empty()) return Complete(root, {""}, list_ids);
  std::vector<std::string> candidates = CompleteUnfiltered(root, words, list_ids);
  const std::string& prefix = words.back();
  std::vector<std::string> matching;
  for (std::string& c : candidates) {
    if (StartsWith(c, prefix)) matching.push_back(std::move(c));
  }
  return matching;
}

std::unique_ptr<Command> NewComplete() { return std::make_unique<CompleteCommand>(); }

}  // namespace efs::cli

// Docs stay in sync with the code (git t0450): every kCommands row has a man page with its
// summary, every option is documented and every documented option exists, efs(1) lists every
// command, SEE ALSO references resolve, the completion scripts ask the binary, and no page
// points outside the repository.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "tests/cli/cli_test_util.h"

namespace efs::cli::testing {
namespace {

const std::string kManDir = EFS_SOURCE_DIR "/man/";

std::string PagePath(const CommandSpec& spec) {
  return kManDir + "efs-" + spec.name + ".1.scd";
}

std::vector<const CommandSpec*> Visible() {
  std::vector<const CommandSpec*> specs;
  for (const CommandSpec& spec : Commands()) {
    if (!(spec.flags & kHidden)) specs.push_back(&spec);
  }
  return specs;
}

// Every "*--option*" on the entry lines (not the indented descriptions) of OPTIONS.
std::set<std::string> DocumentedOptions(const std::string& scd, const std::string& section) {
  std::set<std::string> options;
  static const std::regex kOption(R"(\*(--[a-z0-9][a-z0-9-]*)\*)");
  for (const std::string& line : Section(scd, section)) {
    if (line.empty() || line[0] == '\t' || line[0] != '*') continue;
    for (std::sregex_iterator it(line.begin(), line.end(), kOption), end; it != end; ++it) {
      options.insert((*it)[1]);
    }
  }
  return options;
}

// A command's long options, with those of its subcommands (`debug advance-clock`), which its
// page documents too. --help, which CLI11 gives every command, is documented once in efs(1),
// so it counts only for the root.
std::set<std::string> CliOptions(CLI::App& app, bool with_help = false) {
  std::set<std::string> options;
  for (CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) {
      if (with_help || name != "help") options.insert("--" + name);
    }
  }
  if (app.get_parent() != nullptr) {
    for (CLI::App* nested : app.get_subcommands({})) options.merge(CliOptions(*nested));
  }
  return options;
}

TEST(DocsSync, EveryCommandHasAPageWhoseNameLineIsItsSummary) {
  for (const CommandSpec* spec : Visible()) {
    SCOPED_TRACE(spec->name);
    ASSERT_TRUE(FileExists(PagePath(*spec))) << "missing " << PagePath(*spec);
    std::vector<std::string> name = Section(ReadFile(PagePath(*spec)), "NAME");
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(name[0], std::string("efs-") + spec->name + " - " + spec->summary);
  }
}

TEST(DocsSync, EveryPageHasGitsSectionsInOrder) {
  const std::vector<std::string> kSections = {"NAME",     "SYNOPSIS",    "DESCRIPTION", "OPTIONS",
                                              "EXAMPLES", "EXIT STATUS", "SEE ALSO"};
  for (const CommandSpec* spec : Visible()) {
    SCOPED_TRACE(spec->name);
    const std::string scd = ReadFile(PagePath(*spec));
    EXPECT_EQ(scd.rfind(std::string("efs-") + spec->name + "(1)\n", 0), 0u) << "title line";
    size_t at = 0;
    for (const std::string& section : kSections) {
      size_t found = scd.find("\n# " + section + "\n", at);
      EXPECT_NE(found, std::string::npos) << "section " << section << " missing or out of order";
      if (found != std::string::npos) at = found + 1;
    }
  }
}

TEST(DocsSync, EveryOptionIsDocumentedAndEveryDocumentedOptionExists) {
  Tree tree;
  for (const CommandSpec* spec : Visible()) {
    SCOPED_TRACE(spec->name);
    std::set<std::string> real = CliOptions(tree.Sub(spec->name));
    std::set<std::string> documented = DocumentedOptions(ReadFile(PagePath(*spec)), "OPTIONS");
    for (const std::string& option : real) {
      EXPECT_TRUE(documented.count(option)) << option << " is not in OPTIONS";
    }
    for (const std::string& option : documented) {
      EXPECT_TRUE(real.count(option)) << option << " is documented but does not exist";
    }
  }
}

TEST(DocsSync, NoPageForAMissingOrHiddenCommand) {
  for (const std::string& name : ManSources()) {
    if (name.rfind("efs-", 0) != 0) continue;
    std::string command = name.substr(4, name.size() - 4 - std::string(".1.scd").size());
    const CommandSpec* spec = FindCommand(command);
    EXPECT_TRUE(spec != nullptr && !(spec->flags & kHidden)) << name << " documents no command";
  }
}

TEST(DocsSync, EfsPageListsEveryCommandWithItsSummary) {
  const std::vector<std::string> lines = Section(ReadFile(kManDir + "efs.1.scd"), "COMMANDS");
  std::set<std::string> listed;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    static const std::regex kEntry(R"(\*([a-z][a-z-]*)\*)");
    std::smatch m;
    if (!std::regex_match(lines[i], m, kEntry)) continue;
    listed.insert(m[1]);
    const CommandSpec* spec = FindCommand(m[1].str());
    ASSERT_TRUE(spec != nullptr) << "efs(1) lists unknown command " << m[1];
    EXPECT_EQ(lines[i + 1].rfind(std::string("\t") + spec->summary, 0), 0u)
        << "efs(1) summary of " << spec->name << ": " << lines[i + 1];
  }
  for (const CommandSpec* spec : Visible()) {
    EXPECT_TRUE(listed.count(spec->name)) << "efs(1) does not list " << spec->name;
  }
}

TEST(DocsSync, EfsPageDocumentsGlobalOptionsEnvironmentAndExitCodes) {
  Tree tree;
  const std::string scd = ReadFile(kManDir + "efs.1.scd");
  std::set<std::string> documented = DocumentedOptions(scd, "GLOBAL OPTIONS");
  const std::set<std::string> real = CliOptions(tree.app, /*with_help=*/true);
  for (const std::string& option : real) {
    EXPECT_TRUE(documented.count(option)) << option << " is not in GLOBAL OPTIONS";
  }
  for (const std::string& option : documented) {
    EXPECT_TRUE(real.count(option)) << option << " does not exist";
  }
  std::string env;
  for (const std::string& line : Section(scd, "ENVIRONMENT")) env += line + "\n";
  EXPECT_NE(env.find("*EFS_SOCKET*"), std::string::npos);
  EXPECT_NE(env.find("*EFS_OUTPUT*"), std::string::npos);
  std::string exit;
  for (const std::string& line : Section(scd, "EXIT STATUS")) exit += line + "\n";
  for (const char* code : {"*0*", "*1*", "*2*", "*3*", "*4*"}) {
    EXPECT_NE(exit.find(code), std::string::npos) << code;
  }
}

TEST(DocsSync, SeeAlsoReferencesResolve) {
  static const std::regex kRef(R"(\*([a-z][a-z0-9._-]*)\*\(([1-8])\))");
  for (const std::string& name : ManSources()) {
    SCOPED_TRACE(name);
    std::string see_also;
    for (const std::string& line : Section(ReadFile(kManDir + name), "SEE ALSO")) {
      see_also += line + "\n";
    }
    EXPECT_FALSE(see_also.empty()) << "no SEE ALSO";
    for (std::sregex_iterator it(see_also.begin(), see_also.end(), kRef), end; it != end; ++it) {
      const std::string page = (*it)[1];
      if (page.rfind("efs", 0) != 0 && page.rfind("mount.efs", 0) != 0) continue;  // not ours
      EXPECT_TRUE(FileExists(kManDir + page + "." + (*it)[2].str() + ".scd"))
          << page << "(" << (*it)[2] << ") has no page";
    }
  }
}

// efsd(8) documents exactly the options `efsd --help` lists.
TEST(DocsSync, DaemonPageDocumentsItsOptions) {
  const std::string scd = ReadFile(kManDir + "efsd.8.scd");
  std::set<std::string> documented = DocumentedOptions(scd, "OPTIONS");
  testutil::RunResult help = testutil::Run({testutil::BinPath("efsd"), "--help"});
  ASSERT_EQ(help.rc, 0) << help.err;
  std::set<std::string> offered;
  static const std::regex kOption(R"((?:^|[ ,])(--[a-z0-9][a-z0-9-]*))");
  for (std::sregex_iterator it(help.out.begin(), help.out.end(), kOption), end; it != end; ++it) {
    offered.insert((*it)[1]);
  }
  EXPECT_TRUE(offered.count("--lease-time")) << help.out;
  EXPECT_EQ(documented, offered);
  for (const char* section : {"FILES", "SIGNALS", "EXIT STATUS"}) {
    EXPECT_FALSE(Section(scd, section).empty()) << section;
  }
}

// The pages a reader of a clone has: README.md, docs/ and man/.
std::vector<std::filesystem::path> ReaderPages() {
  std::vector<std::filesystem::path> pages = {EFS_SOURCE_DIR "/README.md"};
  for (const char* dir : {"/docs", "/man"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(EFS_SOURCE_DIR + std::string(dir))) {
      if (entry.is_regular_file()) pages.push_back(entry.path());
    }
  }
  return pages;
}

// A clone stands alone: no page sends its reader to a file that is not in the repository or
// installed by it, as a relative path climbing out of the tree ("../shared/DESIGN.md") or by
// the name of a document that lives beside the project rather than in it.
TEST(DocsSync, NoPagePointsOutsideTheRepository) {
  const std::filesystem::path root = std::filesystem::weakly_canonical(EFS_SOURCE_DIR);
  static const std::regex kClimb(R"((?:\.\./)+[A-Za-z0-9_.-][A-Za-z0-9_./-]*)");
  static const std::regex kOutsider(R"(\b(DESIGN|EFS-REFERENCE|STYLE)\.md\b|/work/)");
  for (const std::filesystem::path& page : ReaderPages()) {
    const std::string text = ReadFile(page.string());
    for (std::sregex_iterator it(text.begin(), text.end(), kClimb), end; it != end; ++it) {
      const std::filesystem::path target =
          std::filesystem::weakly_canonical(page.parent_path() / it->str());
      const std::string rel = target.lexically_relative(root).string();
      EXPECT_FALSE(rel.empty() || rel.rfind("..", 0) == 0)
          << page.filename() << " points outside the repository: " << it->str();
    }
    std::smatch outsider;
    EXPECT_FALSE(std::regex_search(text, outsider, kOutsider))
        << page.filename() << " names a document outside the repository: " << outsider.str();
  }
}

TEST(DocsSync, CompletionScriptsAskTheBinary) {
  for (const char* script : {"efs.bash", "_efs", "efs.fish"}) {
    const std::string text = ReadFile(std::string(EFS_SOURCE_DIR "/completions/") + script);
    EXPECT_NE(text.find("__complete"), std::string::npos) << script;
    EXPECT_LT(std::count(text.begin(), text.end(), '\n'), 40) << script << " should stay thin";
  }
}

}  // namespace
}  // namespace efs::cli::testing

// Every man page renders with scdoc and passes `mandoc -T lint -W warning` without a word.
// scdoc and mandoc are build dependencies (scripts/install-deps); a missing tool fails loudly.
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"

namespace efs::cli::testing {
namespace {

bool HaveTool(const std::string& tool) {
  return RunShell("command -v " + tool + " >/dev/null").rc == 0;
}

TEST(ManLint, EveryPageRendersWithoutWarnings) {
  ASSERT_TRUE(HaveTool("scdoc")) << "scdoc is not installed: run scripts/install-deps (apt "
                                    "install scdoc) to check the man pages";
  ASSERT_TRUE(HaveTool("mandoc")) << "mandoc is not installed: run scripts/install-deps (apt "
                                     "install mandoc) to check the man pages";
  const std::vector<std::string> pages = ManSources();
  ASSERT_FALSE(pages.empty());
  for (const std::string& name : pages) {
    SCOPED_TRACE(name);
    const std::string source = EFS_SOURCE_DIR "/man/" + name;
    const std::string rendered = "/tmp/efs_man_lint_" + std::to_string(::getpid()) + "_" +
                                 name.substr(0, name.size() - 4);
    Exec scdoc = RunShell("scdoc < '" + source + "' > '" + rendered + "'");
    ASSERT_EQ(scdoc.rc, 0) << "scdoc failed: " << scdoc.out;
    Exec lint = RunShell("mandoc -T lint -W warning '" + rendered + "'");
    std::remove(rendered.c_str());
    EXPECT_EQ(lint.out, "") << "mandoc lint of " << name << " (hint: in scdoc, put no blank "
                               "line right after a heading or between two indented entries)";
    EXPECT_EQ(lint.rc, 0);
  }
}

}  // namespace
}  // namespace efs::cli::testing

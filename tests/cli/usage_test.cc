// Usage errors of the built `efs` binary: exit 2 with a useful message; 3 with no daemon.
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"

namespace efs::cli::testing {
namespace {

const std::map<std::string, std::string> kNoDaemon = {{"EFS_SOCKET", "/nonexistent/efsd.sock"}};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Usage, UnknownOptionExits2WithAHint) {
  Exec run = RunEfs({"create-fs", "--bogus"}, kNoDaemon);
  EXPECT_EQ(run.rc, 2);
  EXPECT_TRUE(Contains(run.err, "efs: error: ")) << run.err;
  EXPECT_TRUE(Contains(run.err, "--bogus")) << run.err;
  EXPECT_TRUE(Contains(run.err, "efs create-fs --help")) << run.err;
}

TEST(Usage, BadEnumValueExits2AndListsTheAllowedValues) {
  Exec run = RunEfs({"create-fs", "--performance-mode", "fast"}, kNoDaemon);
  EXPECT_EQ(run.rc, 2);
  EXPECT_TRUE(Contains(run.err, "generalPurpose")) << run.err;
  EXPECT_TRUE(Contains(run.err, "maxIO")) << run.err;
}

TEST(Usage, UnknownCommandSuggestsTheNearest) {
  Exec run = RunEfs({"creat-fs"}, kNoDaemon);
  EXPECT_EQ(run.rc, 2);
  EXPECT_EQ(run.err, "efs: 'creat-fs' is not an efs command. Did you mean 'create-fs'?\n");
  run = RunEfs({"--debug", "--output", "text", "describe-f"}, kNoDaemon);
  EXPECT_EQ(run.rc, 2);
  EXPECT_TRUE(Contains(run.err, "Did you mean 'describe-fs'?")) << run.err;
}

TEST(Usage, NoCommandListsTheCommandsAndExits2) {
  Exec run = RunEfs({}, kNoDaemon);
  EXPECT_EQ(run.rc, 2);
  EXPECT_TRUE(Contains(run.err, "create-fs")) << run.err;
  EXPECT_FALSE(Contains(run.err, "__complete"));
}

TEST(Usage, MissingRequiredOptionExits2) {
  EXPECT_EQ(RunEfs({"delete-fs"}, kNoDaemon).rc, 2);
  EXPECT_EQ(RunEfs({"set-lifecycle", "--file-system-id", "fs-1"}, kNoDaemon).rc, 2);
}

TEST(Usage, BadOutputFormatFromTheEnvironmentExits2) {
  Exec run = RunEfs({"describe-fs"}, {{"EFS_SOCKET", "/nonexistent/efsd.sock"},
                                      {"EFS_OUTPUT", "yaml"}});
  EXPECT_EQ(run.rc, 2);
  EXPECT_TRUE(Contains(run.err, "json")) << run.err;
}

TEST(Usage, UnreachableDaemonExits3) {
  Exec run = RunEfs({"--socket", "/nonexistent/sock", "describe-fs"});
  EXPECT_EQ(run.rc, 3);
  EXPECT_TRUE(Contains(run.err, "efs: error: DaemonUnreachable: ")) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(RunEfs({"status"}, kNoDaemon).rc, 3) << "global options come from EFS_SOCKET too";
  EXPECT_EQ(RunEfs({"describe-fs", "--socket", "/nonexistent/sock"}).rc, 3)
      << "global options work after the command";
}

TEST(Usage, VersionAndHelpExit0) {
  Exec run = RunEfs({"--version"});
  EXPECT_EQ(run.rc, 0);
  EXPECT_EQ(run.out, std::string("efs ") + EFS_VERSION + "\n");
  run = RunEfs({"help"});
  EXPECT_EQ(run.rc, 0);
  EXPECT_TRUE(Contains(run.out, "describe-mount-targets")) << run.out;
  run = RunEfs({"create-fs", "--help"});
  EXPECT_EQ(run.rc, 0);
  EXPECT_TRUE(Contains(run.out, "--creation-token")) << run.out;
}

TEST(Usage, HelpForAnUnknownCommandExits2) {
  Exec run = RunEfs({"help", "creat-fs"});
  EXPECT_EQ(run.rc, 2);
  EXPECT_TRUE(Contains(run.err, "Did you mean 'create-fs'?")) << run.err;
}

}  // namespace
}  // namespace efs::cli::testing

// `efs __complete` walks the CLI11 tree: command names, options, enum values, live ids.
#include <gtest/gtest.h>

#include "cmd/complete.h"
#include "tests/cli/cli_test_util.h"

namespace efs::cli::testing {
namespace {

using Words = std::vector<std::string>;

std::vector<std::string> VisibleNames() {
  std::vector<std::string> names;
  for (const CommandSpec& spec : Commands()) {
    if (!(spec.flags & kHidden)) names.push_back(spec.name);
  }
  return names;
}

// Completes `words` with a lister that records what it was asked and answers `ids`.
struct Completer {
  Tree tree;
  std::vector<std::string> asked;
  Words ids = {"fs-0aa", "fs-0bb"};
  Words operator()(const Words& words) {
    return Complete(tree.app, words, [this](const std::string& option, const Words&) {
      asked.push_back(option);
      return ids;
    });
  }
};

bool Has(const Words& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

TEST(Complete, EmptyWordGivesExactlyTheVisibleCommandNames) {
  Completer complete;
  EXPECT_EQ(complete({""}), VisibleNames());
  EXPECT_EQ(complete({}), VisibleNames());
}

TEST(Complete, CommandNamesAreFilteredByThePrefix) {
  Completer complete;
  EXPECT_EQ(complete({"delete-"}),
            (Words{"delete-fs", "delete-mount-target", "delete-subnet", "delete-security-group",
                   "delete-vpc", "delete-network-interface", "delete-vpc-peering-connection",
                   "delete-route", "delete-vpn-gateway", "delete-access-key"}));
  EXPECT_TRUE(complete({"__"}).empty()) << "hidden commands are not offered";
}

TEST(Complete, AfterACommandOffersItsLongOptions) {
  Completer complete;
  Words options = complete({"create-fs", "--"});
  for (const char* option :
       {"--creation-token", "--performance-mode", "--throughput-mode", "--encrypted",
        "--no-encrypted", "--tags", "--wait", "--wait-timeout"}) {
    EXPECT_TRUE(Has(options, option)) << option;
  }
  EXPECT_FALSE(Has(options, "--file-system-id"));
  EXPECT_EQ(complete({"create-fs", ""}), options) << "an empty word also lists the options";
  EXPECT_EQ(complete({"create-fs", "--perf"}), Words{"--performance-mode"});
}

TEST(Complete, ACommandOfSubcommandsOffersThemAndThenTheirOptions) {
  Completer complete;
  EXPECT_EQ(complete({"debug", ""}), (Words{"advance-clock", "run-lifecycle", "set-burst-credits",
                                            "fail-az", "restore-az"}));
  EXPECT_EQ(complete({"debug", "set-burst-credits", "--"}),
            (Words{"--help", "--file-system-id", "--bytes"}));
  EXPECT_EQ(complete({"debug", "adv"}), Words{"advance-clock"});
  EXPECT_TRUE(complete({"debug", "--"}).empty()) << "debug has no options of its own";
  EXPECT_EQ(complete({"debug", "advance-clock", "--"}), (Words{"--help", "--days", "--hours"}));
  EXPECT_EQ(complete({"debug", "run-lifecycle", "--"}), (Words{"--help", "--file-system-id"}));
  EXPECT_TRUE(complete({"debug", "rewind-clock", "--"}).empty());
}

TEST(Complete, AfterAnEnumOptionOffersItsValues) {
  Completer complete;
  EXPECT_EQ(complete({"create-fs", "--performance-mode", ""}), (Words{"generalPurpose", "maxIO"}));
  EXPECT_EQ(complete({"update-fs", "--throughput-mode", "p"}), Words{"provisioned"});
  EXPECT_EQ(complete({"set-lifecycle", "--transition-to-primary-storage-class", ""}),
            Words{"AFTER_1_ACCESS"});
  EXPECT_EQ(complete({"authorize-security-group-ingress", "--protocol", ""}),
            (Words{"tcp", "udp", "icmp", "-1"}));
  EXPECT_EQ(complete({"create-fs", "--performance-mode=m"}), Words{"--performance-mode=maxIO"});
  EXPECT_TRUE(complete.asked.empty()) << "enum values need no daemon";
}

TEST(Complete, AfterAGlobalOptionOffersItsValues) {
  Completer complete;
  EXPECT_EQ(complete({"--output", ""}), (Words{"json", "text", "table"}));
  EXPECT_EQ(complete({"--output", "table", "describe-f"}), Words{"describe-fs"});
  EXPECT_TRUE(Has(complete({"--"}), "--socket"));
}

TEST(Complete, AfterAnIdOptionAsksForLiveIds) {
  Completer complete;
  EXPECT_EQ(complete({"describe-fs", "--file-system-id", ""}), (Words{"fs-0aa", "fs-0bb"}));
  EXPECT_EQ(complete({"delete-fs", "--file-system-id", "fs-0b"}), Words{"fs-0bb"});
  EXPECT_EQ(complete.asked, (Words{"--file-system-id", "--file-system-id"}));
  for (const char* option : {"--mount-target-id",
                             "--subnet-id",
                             "--group-id",
                             "--resource-id",
                             "--vpc-id",
                             "--subnet-ids",
                             "--group-ids",
                             "--security-groups",
                             "--vpc-ids",
                             "--peer-vpc-id",
                             "--network-interface-id",
                             "--network-interface-ids",
                             "--attachment-id",
                             "--vpc-peering-connection-id",
                             "--vpc-peering-connection-ids",
                             "--route-table-id",
                             "--route-table-ids",
                             "--vpn-gateway-id",
                             "--vpn-gateway-ids",
                             "--gateway-id"}) {
    EXPECT_TRUE(IsIdOption(option)) << option;
  }
  EXPECT_FALSE(IsIdOption("--creation-token"));
}

TEST(Complete, MultiValueOptionsKeepOfferingValues) {
  Completer complete;
  complete.ids = {"sg-1", "sg-2"};
  EXPECT_EQ(complete({"modify-mount-target-security-groups", "--security-groups", "sg-1", ""}),
            (Words{"sg-1", "sg-2"}));
  EXPECT_TRUE(
      Has(complete({"modify-mount-target-security-groups", "--security-groups", "sg-1", "--"}),
                  "--mount-target-id"));
}

TEST(Complete, AFlagTakesNoValue) {
  Completer complete;
  EXPECT_TRUE(Has(complete({"create-fs", "--wait", ""}), "--tags"));
  EXPECT_TRUE(complete.asked.empty());
}

TEST(Complete, HelpOffersCommandNames) {
  Completer complete;
  EXPECT_EQ(complete({"help", "set-"}), Words{"set-lifecycle"});
}

TEST(Complete, UnknownOrHiddenCommandsCompleteNothing) {
  Completer complete;
  EXPECT_TRUE(complete({"creat-fs", ""}).empty());
  EXPECT_TRUE(complete({"__complete", ""}).empty());
}

TEST(Complete, TheBinaryPrintsOneCandidatePerLine) {
  Exec run = RunEfs({"__complete", ""});
  EXPECT_EQ(run.rc, 0);
  std::string expected;
  for (const std::string& name : VisibleNames()) expected += name + "\n";
  EXPECT_EQ(run.out, expected);
  EXPECT_EQ(run.err, "");
  run = RunEfs({"__complete", "create-fs", "--"});
  EXPECT_EQ(run.rc, 0);
  EXPECT_NE(run.out.find("--performance-mode\n"), std::string::npos) << "keeps '--' verbatim";
}

TEST(Complete, TheBinaryIsSilentWhenTheDaemonIsUnreachable) {
  Exec run = RunEfs(
      {"--socket", "/nonexistent/efsd.sock", "__complete", "describe-fs", "--file-system-id", ""});
  EXPECT_EQ(run.rc, 0);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "");
}

}  // namespace
}  // namespace efs::cli::testing

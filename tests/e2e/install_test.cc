// `make install`: the binaries, every man page, the completions and the systemd unit land under
// DESTDIR/PREFIX; and the bash completion, sourced by a real bash, completes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "testutil/subprocess.h"
#include "testutil/temp_dir.h"

namespace efs::e2e {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Install, PutsBinariesPagesCompletionsAndTheUnitUnderDestdir) {
  testutil::TempDir dest;
  testutil::RunOptions options;
  options.env["DESTDIR"] = dest.path();
  testutil::RunResult r =
      testutil::Run({EFS_CMAKE, "--install", EFS_BUILD_DIR, "--prefix", "/usr/local"},
                    options);
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  std::string root = dest.path() + "/usr/local";
  for (const char* file : {"bin/efs", "sbin/efsd", "sbin/mount.efs"}) {
    EXPECT_TRUE(fs::exists(root + "/" + file)) << file;
    EXPECT_NE(fs::status(root + "/" + file).permissions() & fs::perms::owner_exec, fs::perms::none)
        << file;
  }
  // One page for every scdoc source.
  int sources = 0;
  for (const auto& entry : fs::directory_iterator(EFS_SOURCE_DIR "/man")) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".scd") continue;
    ++sources;
    std::string page = name.substr(0, name.size() - 4);  // efs-create-fs.1
    std::string section = page.substr(page.size() - 1);
    EXPECT_TRUE(fs::exists(root + "/share/man/man" + section + "/" + page)) << page;
  }
  EXPECT_GE(sources, 27);
  EXPECT_TRUE(fs::exists(root + "/share/bash-completion/completions/efs"));
  EXPECT_TRUE(fs::exists(root + "/share/zsh/vendor-completions/_efs"));
  EXPECT_TRUE(fs::exists(root + "/share/fish/vendor_completions.d/efs.fish"));
  std::string unit = Slurp(root + "/lib/systemd/system/efsd.service");
  EXPECT_NE(unit.find("ExecStart=/usr/local/sbin/efsd"), std::string::npos) << unit;
}

TEST(Install, TheBashCompletionCompletesCommandsAndOptions) {
  // Sources the real script in bash and calls its function as bash would on <TAB>.
  std::string script = std::string("source ") + EFS_SOURCE_DIR + "/completions/efs.bash; " +
                       "COMP_WORDS=(" + testutil::BinPath("efs") + " create-f); COMP_CWORD=1; " +
                       "_efs; printf '%s\\n' \"${COMPREPLY[@]}\"; " +
                       "COMP_WORDS=(" + testutil::BinPath("efs") +
                       " create-fs --performance-mode ''); COMP_CWORD=3; " +
                       "_efs; printf '%s\\n' \"${COMPREPLY[@]}\"";
  testutil::RunOptions options;
  options.env["EFS_SOCKET"] = "/nonexistent/efsd.sock";
  testutil::RunResult r = testutil::Run({"/bin/bash", "-c", script}, options);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "create-fs\ngeneralPurpose\nmaxIO\n");
}

}  // namespace
}  // namespace efs::e2e

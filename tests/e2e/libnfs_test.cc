// NFSv4.0 interop: libnfs's command-line tools (Debian libnfs-utils 4.0, which speak NFSv4.0
// when a URL says version=4) against a real efsd's mount target. Files written over NFSv4.1
// are listed and read back byte for byte, and a small file is copied in and out again.
// Debian's libnfs 4.0 cannot send a COMPOUND over about 4 KiB, so what it writes stays small.
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/wire_client.h"
#include "testutil/subprocess.h"
#include "testutil/temp_dir.h"

namespace efs::e2e {
namespace {

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(gen());
  return s;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Libnfs : public E2eTest {
 protected:
  void SetUp() override {
    for (const char* tool : {"nfs-ls", "nfs-cat", "nfs-cp"}) {
      // A missing tool fails the test: scripts/install-deps installs libnfs-utils.
      ASSERT_EQ(::access((std::string("/usr/bin/") + tool).c_str(), X_OK), 0)
          << tool << " is missing; scripts/install-deps installs libnfs-utils";
    }
    E2eTest::SetUp();
    Json mt = CreateMountTarget(CreateFs(), DefaultSubnet());
    ip_ = mt["IpAddress"].get<std::string>();
    port_ = mt["Port"].get<int>();
    ASSERT_TRUE(writer_.Connect(ip_, port_));
    ASSERT_TRUE(writer_.StartSession("nfsv41-writer"));
  }

  // nfs://IP/path?version=4&nfsport=PORT: libnfs's NFSv4 (minor version 0). libnfs splits a
  // file's path at its last '/' into the directory to mount and the file, so a file in the
  // root is "//name".
  std::string Url(const std::string& path) const {
    return "nfs://" + ip_ + path + "?version=4&nfsport=" + std::to_string(port_);
  }
  // Runs a libnfs tool; expects exit 0 and returns its stdout.
  std::string Tool(const std::vector<std::string>& argv) {
    testutil::RunOptions options;
    options.timeout_seconds = 30;
    testutil::RunResult r = testutil::Run(argv, options);
    EXPECT_EQ(r.rc, 0) << argv[0] << " " << argv[1] << ": " << r.err;
    EXPECT_FALSE(r.timed_out);
    return r.out;
  }

  std::string ip_;
  int port_ = 0;
  WireClient writer_;
  testutil::TempDir tmp_;
};

TEST_F(Libnfs, NfsLsListsADirectoryWrittenOverNfsv41) {
  nfs4::testing::CompoundBuilder mkdir = writer_.Seq();
  mkdir.PutRootFh().Create(NF4DIR, "dir");
  auto r = writer_.Compound(mkdir);
  ASSERT_TRUE(r && (*r)->status == NFS4_OK);
  ASSERT_TRUE(writer_.WriteFile("alpha.txt", "alpha\n", "dir"));
  ASSERT_TRUE(writer_.WriteFile("beta.bin", RandomBytes(5000, 1), "dir"));
  std::string out = Tool({"/usr/bin/nfs-ls", Url("/dir")});
  EXPECT_NE(out.find("alpha.txt"), std::string::npos) << out;
  EXPECT_NE(out.find("beta.bin"), std::string::npos) << out;
  EXPECT_NE(out.find("5000"), std::string::npos) << "beta.bin's size: " << out;
}

TEST_F(Libnfs, NfsCatReadsAFileBackByteForByte) {
  std::string data = RandomBytes(300 * 1000, 2);  // several READs
  ASSERT_TRUE(writer_.WriteFile("random.bin", data));
  std::string out = Tool({"/usr/bin/nfs-cat", Url("//random.bin")});
  EXPECT_EQ(out.size(), data.size());
  EXPECT_TRUE(out == data) << "nfs-cat returned other bytes";
}

TEST_F(Libnfs, NfsCpCopiesASmallFileInAndOutAgain) {
  std::string data = RandomBytes(3000, 3);
  std::string local = tmp_.Join("in.bin");
  {
    std::ofstream f(local, std::ios::binary);
    f << data;
  }
  Tool({"/usr/bin/nfs-cp", local, Url("//copied.bin")});
  EXPECT_EQ(writer_.ReadFile("copied.bin").value_or("<failed>"), data) << "seen over NFSv4.1";
  std::string back = tmp_.Join("out.bin");
  Tool({"/usr/bin/nfs-cp", Url("//copied.bin"), back});
  EXPECT_TRUE(Slurp(back) == data) << "nfs-cp copied other bytes back out";
}

}  // namespace
}  // namespace efs::e2e

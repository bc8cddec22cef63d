// efs fsck against the real efsd: a file written over NFS, a data file left longer than its
// inode (as a kill -9 that cut off a write leaves it) found while the file system is served,
// the exit codes, --repair, and text output. And a full disk (EFS_FAULT) answered over NFS
// with NFS4ERR_NOSPC, and by the control plane with InsufficientStorageCapacity.
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/wire_client.h"
#include "testutil/eventually.h"

namespace efs::e2e {
namespace {

namespace stdfs = std::filesystem;
using nfs4::testing::CompoundBuilder;

stateid4 CurrentStateid() {
  stateid4 s{};
  s.seqid = 1;  // RFC 8881 s16.2.3.1.2: the current stateid
  return s;
}

// The data files under `dir`, leaving out incoming/.
std::vector<std::string> DataFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(dir, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() == "incoming") it.disable_recursion_pending();
    if (it->is_regular_file()) out.push_back(it->path());
  }
  return out;
}

class Fsck : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    fs_ = CreateFs();
    mt_ = CreateMountTarget(fs_, DefaultSubnet());
  }
  testutil::RunResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"fsck", "--file-system-id", fs_});
    return daemon_.Efs(args);
  }
  Json Parse(const testutil::RunResult& r) {
    Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }
  std::string fs_;
  Json mt_;
};

TEST_F(Fsck, FindsAndTrimsADataFileACrashLeftLongerWhileTheFileSystemIsServed) {
  WireClient client;
  ASSERT_TRUE(client.Connect(mt_["IpAddress"], mt_["Port"]));
  ASSERT_TRUE(client.StartSession("fsck-host"));
  ASSERT_TRUE(client.WriteFile("a.txt", "hello"));

  testutil::RunResult clean = Run({});
  ASSERT_EQ(clean.rc, 0) << clean.err;
  Json report = Parse(clean);
  EXPECT_TRUE(report["Findings"].empty());
  EXPECT_EQ(report["Checked"]["RegularFiles"], 1);
  EXPECT_EQ(report["Checked"]["Inodes"], 2);
  EXPECT_EQ(report["SizeInBytes"]["Value"], report["RecountedSizeInBytes"]["Value"]);

  // What an unstable write cut off by kill -9 leaves: bytes past the size the inode records.
  std::vector<std::string> files = DataFiles(daemon_.state_dir() + "/fs/" + fs_ + "/data");
  ASSERT_EQ(files.size(), 1u);
  std::ofstream(files[0], std::ios::app) << "STALE BYTES";

  testutil::RunResult found = Run({});
  EXPECT_EQ(found.rc, 12) << found.err;
  EXPECT_NE(found.err.find("efs: fsck: "), std::string::npos) << found.err;
  Json findings = Parse(found)["Findings"];
  ASSERT_GE(findings.size(), 1u) << found.out;
  EXPECT_EQ(findings[0]["Kind"], "DataFileLonger");
  EXPECT_EQ(findings[0]["Path"], "/a.txt");
  EXPECT_EQ(findings[0]["Repaired"], false);
  EXPECT_EQ(stdfs::file_size(files[0]), 16u);  // the check changed nothing

  testutil::RunResult repaired = Run({"--repair"});
  EXPECT_EQ(repaired.rc, 13) << repaired.err;
  EXPECT_EQ(Parse(repaired)["Findings"][0]["Repaired"], true);
  EXPECT_EQ(stdfs::file_size(files[0]), 5u);
  EXPECT_EQ(client.ReadFile("a.txt").value_or("<failed>"), "hello");

  testutil::RunResult text = Run({"--output", "text"});
  EXPECT_EQ(text.rc, 0) << text.err;
  EXPECT_NE(text.out.find(fs_), std::string::npos) << text.out;
  EXPECT_EQ(Run({"--output", "table"}).rc, 0);
  ASSERT_TRUE(client.EndSession());
}

TEST_F(Fsck, AnUnknownFileSystemIsAnApiError) {
  testutil::RunResult r = daemon_.Efs({"fsck", "--file-system-id", "fs-00000000000000000"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("FileSystemNotFound"), std::string::npos) << r.err;
}

// EFS_FAULT=op=write,...: every data write fails with ENOSPC (a full disk), until restart. A
// short lease, so that the grace period after the restart (the first client kept its open)
// is short too.
class FullDisk : public E2eTest {
 protected:
  std::vector<std::string> DaemonArgs() const override {
    return {"--idle-timeout", "2", "--lease-time", "2"};
  }
  void SetUp() override {
    ::setenv("EFS_FAULT", "op=write,n=1,action=enospc,repeat=1", 1);
    E2eTest::SetUp();
    ::unsetenv("EFS_FAULT");
  }
};

TEST_F(FullDisk, NfsAnswersNospcAndTheFileSystemWorksAfterTheFaultIsGone) {
  const std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet());
  {
    WireClient client;
    ASSERT_TRUE(client.Connect(mt["IpAddress"], mt["Port"]));
    ASSERT_TRUE(client.StartSession("full-host"));
    CompoundBuilder b = client.Seq();
    b.PutRootFh().Open("writer", "f", UNCHECKED4).Write(CurrentStateid(), 0, "data", FILE_SYNC4);
    auto r = client.Compound(b);
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)->status, NFS4ERR_NOSPC);
    ASSERT_EQ((*r)->resarray.resarray_len, 4u);  // SEQUENCE, PUTROOTFH, OPEN, WRITE: the write failed
  }
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(daemon_.Start(DaemonArgs())) << daemon_.log();  // without the fault
  WireClient client;
  ASSERT_TRUE(client.Connect(mt["IpAddress"], mt["Port"]));
  ASSERT_TRUE(client.StartSession("after-host"));
  // NFS4ERR_GRACE until the grace period (one lease) ends.
  ASSERT_TRUE(testutil::Eventually([&] { return client.WriteFile("f", "data"); },
                                   std::chrono::seconds(15), std::chrono::milliseconds(200)));
  EXPECT_EQ(client.ReadFile("f").value_or("<failed>"), "data");
  testutil::RunResult check = daemon_.Efs({"fsck", "--file-system-id", fs});
  EXPECT_EQ(check.rc, 0) << check.out << check.err;
  ASSERT_TRUE(client.EndSession());
}

}  // namespace
}  // namespace efs::e2e

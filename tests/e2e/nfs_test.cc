// NFSv4.1 through the real efsd: over TCP to mount-target addresses, with the RPC framing and
// AUTH_SYS a client sends. Both mount targets of a file system see the same bytes; data
// survives a restart; security groups and mount-target deletion decide who gets in.
#include <arpa/inet.h>

#include <chrono>
#include <cstring>
#include <thread>

#include <unistd.h>

#include "testutil/pg_server.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/wire_client.h"

namespace efs::e2e {
namespace {

using nfs4::testing::CompoundBuilder;

stateid4 CurrentStateid() {
  stateid4 s{};
  s.seqid = 1;  // RFC 5661 s16.2.3.1.2: the current stateid
  return s;
}

const nfs_resop4& Op(const xdr::XdrOwned<COMPOUND4res>& r, uint32_t i) {
  return r->resarray.resarray_val[i];
}

// Each test runs with the metadata in SQLite files and in PostgreSQL (efsd --postgres, a
// database of its own on a server the test program shares).
enum class Engine { kSqlite, kPostgres };

class Nfs : public E2eTest, public ::testing::WithParamInterface<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == Engine::kPostgres) {
      std::string why;
      testutil::PgServer* server = testutil::SharedPgServer(&why);
      ASSERT_NE(server, nullptr) << why;
      const std::string database = testutil::NewPgSchema();
      ASSERT_TRUE(server->CreateDatabase(database)) << server->why();
      postgres_ = server->conninfo(database);
    }
    E2eTest::SetUp();
  }
  // The daemon's arguments, and `more`.
  std::vector<std::string> With(std::vector<std::string> more) const {
    if (!postgres_.empty()) {
      more.push_back("--postgres");
      more.push_back(postgres_);
    }
    return more;
  }
  std::vector<std::string> DaemonArgs() const override {
    return With(E2eTest::DaemonArgs());
  }

  // Writes `data` to root/`name` through `client`.
  void WriteFile(WireClient& client, const std::string& name, const std::string& data) {
    EXPECT_TRUE(client.WriteFile(name, data)) << name;
  }
  // Reads root/`name` through `client`.
  std::string ReadFile(WireClient& client, const std::string& name) {
    return client.ReadFile(name).value_or("<failed>");
  }

  std::string postgres_;  // efsd --postgres, if the test runs on PostgreSQL
};

INSTANTIATE_TEST_SUITE_P(Engines, Nfs, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const ::testing::TestParamInfo<Engine>& info) {
                           return info.param == Engine::kSqlite ? "Sqlite" : "Postgres";
                         });

// The catalog and the namespaces live where the engine says, and a deleted file system's
// namespace goes with it.
TEST_P(Nfs, MetadataLivesInTheEngineAndGoesWithTheFileSystem) {
  const bool postgres = GetParam() == Engine::kPostgres;
  EXPECT_EQ(EfsJson({"status"})["MetadataEngine"], postgres ? "postgresql" : "sqlite");
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet());
  WireClient client;
  ASSERT_TRUE(client.Connect(mt["IpAddress"], mt["Port"]) && client.StartSession("meta"));
  WriteFile(client, "f", "bytes\n");
  ASSERT_TRUE(client.EndSession());
  EXPECT_EQ(::access((daemon_.state_dir() + "/catalog.db").c_str(), F_OK) == 0, !postgres);
  EXPECT_EQ(::access((daemon_.state_dir() + "/fs/" + fs + "/namespace.db").c_str(), F_OK) == 0,
            !postgres);
  // The schemas in the database, one line each.
  auto schemas = [this] {
    return testutil::Run({"/usr/lib/postgresql/15/bin/psql", "-At", "-d", postgres_, "-c",
                          "SELECT schema_name FROM information_schema.schemata"})
        .out;
  };
  if (postgres) {
    EXPECT_NE(schemas().find("efs_catalog\n"), std::string::npos) << schemas();
    EXPECT_NE(schemas().find(fs + "\n"), std::string::npos) << schemas();
  }
  EfsJson({"delete-mount-target", "--mount-target-id", mt["MountTargetId"], "--wait"});
  EfsJson({"delete-fs", "--file-system-id", fs, "--wait"});
  EXPECT_NE(::access((daemon_.state_dir() + "/fs/" + fs).c_str(), F_OK), 0);
  if (postgres) {
    EXPECT_EQ(schemas().find(fs + "\n"), std::string::npos) << schemas();
  }
}

// PostgreSQL restarts under a mounted client (as a promoted standby would take over): what was
// acknowledged before is there after, the calls made while it was down fail and may be made
// again, and then the file system and the API work as before.
class NfsOnPostgres : public Nfs {};
INSTANTIATE_TEST_SUITE_P(Engine, NfsOnPostgres, ::testing::Values(Engine::kPostgres),
                         [](const ::testing::TestParamInfo<Engine>&) { return "Postgres"; });

TEST_P(NfsOnPostgres, APostgresRestartLosesNothingAcknowledgedAndServiceResumes) {
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet());
  WireClient client;
  ASSERT_TRUE(client.Connect(mt["IpAddress"], mt["Port"]) && client.StartSession("through"));
  WriteFile(client, "before", "acknowledged before the restart\n");

  std::string why;
  testutil::PgServer* server = testutil::SharedPgServer(&why);
  ASSERT_NE(server, nullptr) << why;
  ASSERT_TRUE(server->Restart()) << server->why();

  // Each call made while efsd's sessions are found gone fails; within a few, they work.
  bool written = false;
  for (int attempt = 0; attempt < 20 && !written; ++attempt) {
    written = client.WriteFile("after", "written after the restart\n");
    if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(written);
  EXPECT_EQ(ReadFile(client, "before"), "acknowledged before the restart\n");
  EXPECT_EQ(ReadFile(client, "after"), "written after the restart\n");
  bool described = false;
  for (int attempt = 0; attempt < 20 && !described; ++attempt) {
    described = daemon_.Efs({"describe-fs", "--file-system-id", fs}).rc == 0;
    if (!described) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(described);
  ASSERT_TRUE(client.EndSession());
}

TEST_P(Nfs, AMountTargetAnswersNfsAndRefusesTheEfsUtilsProxyProgram) {
  Json mt = CreateMountTarget(CreateFs(), DefaultSubnet());
  WireClient client;
  ASSERT_TRUE(client.Connect(mt["IpAddress"], mt["Port"]));
  auto null_call = client.Call(100003, 4, 0, "");
  ASSERT_TRUE(null_call);
  EXPECT_EQ(null_call->first, 0u);  // SUCCESS
  auto proxy = client.Call(400123, 1, 2, "");
  ASSERT_TRUE(proxy);
  EXPECT_EQ(proxy->first, 1u);  // PROG_UNAVAIL: efs-utils falls back to a plain connection
}

TEST_P(Nfs, BothMountTargetsOfAFileSystemSeeTheSameBytesAndTheySurviveARestart) {
  std::string fs = CreateFs();
  Json a = CreateMountTarget(fs, DefaultSubnet("local-1a"));
  Json b = CreateMountTarget(fs, DefaultSubnet("local-1b"));
  WireClient writer, reader;
  ASSERT_TRUE(writer.Connect(a["IpAddress"], a["Port"]));
  ASSERT_TRUE(writer.StartSession("writer-host"));
  WriteFile(writer, "shared.txt", "written through zone a\n");
  ASSERT_TRUE(reader.Connect(b["IpAddress"], b["Port"]));
  ASSERT_TRUE(reader.StartSession("reader-host"));
  EXPECT_EQ(ReadFile(reader, "shared.txt"), "written through zone a\n");
  // Both unmount, so the restarted efsd has no client to wait for (no grace period).
  ASSERT_TRUE(writer.EndSession());
  ASSERT_TRUE(reader.EndSession());

  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(daemon_.Start(DaemonArgs())) << daemon_.log();
  WireClient after;
  ASSERT_TRUE(after.Connect(b["IpAddress"], b["Port"]));
  ASSERT_TRUE(after.StartSession("after-restart"));
  EXPECT_EQ(ReadFile(after, "shared.txt"), "written through zone a\n");
}

TEST_P(Nfs, ALockHeldThroughOneMountTargetConflictsWithAnotherClientsThroughTheOther) {
  std::string fs = CreateFs();
  Json a = CreateMountTarget(fs, DefaultSubnet("local-1a"));
  Json b = CreateMountTarget(fs, DefaultSubnet("local-1b"));
  WireClient holder, other;
  ASSERT_TRUE(holder.Connect(a["IpAddress"], a["Port"]) && holder.StartSession("holder"));
  ASSERT_TRUE(other.Connect(b["IpAddress"], b["Port"]) && other.StartSession("other"));
  WriteFile(holder, "locked", "0123456789");

  CompoundBuilder lock = holder.Seq();
  lock.PutRootFh().Open("holder-open", "locked", -1).LockNew(WRITE_LT, 0, 10, CurrentStateid(),
                                                              "holder-lock");
  auto locked = holder.Compound(lock);
  ASSERT_TRUE(locked);
  ASSERT_EQ((*locked)->status, NFS4_OK);

  CompoundBuilder test = other.Seq();
  test.PutRootFh().Lookup("locked").LockT(READ_LT, 5, 1, "other-lock");
  auto tested = other.Compound(test);
  ASSERT_TRUE(tested);
  EXPECT_EQ((*tested)->status, NFS4ERR_DENIED);
  CompoundBuilder beside = other.Seq();
  beside.PutRootFh().Lookup("locked").LockT(WRITE_LT, 10, 5, "other-lock");
  auto free_range = other.Compound(beside);
  ASSERT_TRUE(free_range);
  EXPECT_EQ((*free_range)->status, NFS4_OK);
}

TEST_P(Nfs, ARetransmittedRequestIsAnsweredFromTheReplyCacheNotRunTwice) {
  Json mt = CreateMountTarget(CreateFs(), DefaultSubnet());
  WireClient client;
  ASSERT_TRUE(client.Connect(mt["IpAddress"], mt["Port"]) && client.StartSession("retry"));
  CompoundBuilder first = client.Seq(/*cache=*/true);
  first.PutRootFh().Create(NF4DIR, "made-once");
  auto made = client.Compound(first);
  ASSERT_TRUE(made);
  ASSERT_EQ((*made)->status, NFS4_OK);
  // Run again, CREATE would fail with NFS4ERR_EXIST; the slot's cached reply says OK.
  CompoundBuilder again = client.Retransmission();
  again.PutRootFh().Create(NF4DIR, "made-once");
  auto replayed = client.Compound(again);
  ASSERT_TRUE(replayed);
  EXPECT_EQ((*replayed)->status, NFS4_OK);
  CompoundBuilder next = client.Seq();
  next.PutRootFh().Create(NF4DIR, "made-once");
  auto fresh = client.Compound(next);
  ASSERT_TRUE(fresh);
  EXPECT_EQ((*fresh)->status, NFS4ERR_EXIST);
}

TEST_P(Nfs, KillNineDuringFileSyncWritesLosesNoAcknowledgedByte) {
  Json mt = CreateMountTarget(CreateFs(), DefaultSubnet());
  WireClient writer;
  ASSERT_TRUE(writer.Connect(mt["IpAddress"], mt["Port"]) && writer.StartSession("writer"));
  CompoundBuilder open = writer.Seq();
  open.PutRootFh().Open("w", "journal", UNCHECKED4);
  auto opened = writer.Compound(open);
  ASSERT_TRUE(opened);
  ASSERT_EQ((*opened)->status, NFS4_OK);
  stateid4 sid = Op(*opened, 2).nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid;

  // Blocks of 4 KiB, each saying its number; the daemon dies after some are acknowledged.
  auto block = [](int i) {
    std::string b(4096, static_cast<char>('a' + i % 26));
    std::string tag = "block " + std::to_string(i) + ";";
    return b.replace(0, tag.size(), tag);
  };
  int acked = 0;
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    daemon_.Kill();
  });
  for (int i = 0; i < 100000; ++i) {
    CompoundBuilder w = writer.Seq();
    std::string data = block(i);
    w.PutRootFh().Lookup("journal").Write(sid, uint64_t(i) * 4096, data, FILE_SYNC4);
    auto r = writer.Compound(w);
    if (!r || (*r)->status != NFS4_OK) break;
    const WRITE4resok& ok = Op(*r, 3).nfs_resop4_u.opwrite.WRITE4res_u.resok4;
    ASSERT_EQ(ok.committed, FILE_SYNC4);
    acked = i + 1;
  }
  killer.join();
  ASSERT_GT(acked, 0);

  ASSERT_TRUE(daemon_.Start(DaemonArgs())) << daemon_.log();
  // The writer's host comes back (with nothing to reclaim, which ends the grace period) and
  // reads what was acknowledged.
  WireClient reader;
  ASSERT_TRUE(reader.Connect(mt["IpAddress"], mt["Port"]) && reader.StartSession("writer"));
  std::string data;
  for (uint64_t offset = 0; offset < uint64_t(acked) * 4096; offset += 1 << 20) {
    CompoundBuilder b = reader.Seq();
    b.PutRootFh().Open("r", "journal", -1, OPEN4_SHARE_ACCESS_READ).Read(CurrentStateid(), offset,
                                                                         1 << 20);
    auto r = reader.Compound(b);
    ASSERT_TRUE(r);
    ASSERT_EQ((*r)->status, NFS4_OK);
    const READ4resok& read = Op(*r, 3).nfs_resop4_u.opread.READ4res_u.resok4;
    data.append(read.data.data_val, read.data.data_len);
  }
  ASSERT_GE(data.size(), uint64_t(acked) * 4096);
  for (int i = 0; i < acked; ++i) {
    ASSERT_EQ(data.substr(uint64_t(i) * 4096, 4096), block(i)) << "block " << i << " of " << acked;
  }
}

TEST_P(Nfs, AFileSystemSeesOnlyItsOwnFiles) {
  Json one = CreateMountTarget(CreateFs(), DefaultSubnet());
  Json two = CreateMountTarget(CreateFs(), DefaultSubnet());
  WireClient c1, c2;
  ASSERT_TRUE(c1.Connect(one["IpAddress"], one["Port"]) && c1.StartSession("one"));
  ASSERT_TRUE(c2.Connect(two["IpAddress"], two["Port"]) && c2.StartSession("two"));
  WriteFile(c1, "mine", "1");
  CompoundBuilder lookup = c2.Seq();
  lookup.PutRootFh().Lookup("mine");
  auto r = c2.Compound(lookup);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)->status, NFS4ERR_NOENT);
}

TEST_P(Nfs, ASecurityGroupWithoutARuleForTheClientRefusesItsConnections) {
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet());
  std::string closed = EfsJson({"create-security-group", "--group-name", "closed",
                                "--description", "no inbound rules"})["GroupId"];
  EfsJson({"modify-mount-target-security-groups", "--mount-target-id", mt["MountTargetId"],
           "--security-groups", closed});
  WireClient refused;
  ASSERT_TRUE(refused.Connect(mt["IpAddress"], mt["Port"]));  // accepted, then closed
  EXPECT_FALSE(refused.Call(100003, 4, 0, ""));
  // Rules speak of NFS's port 2049 whatever port efsd listens on.
  EfsJson({"authorize-security-group-ingress", "--group-id", closed, "--protocol", "tcp",
           "--port", "2049", "--cidr", "127.0.0.0/8"});
  WireClient admitted;
  ASSERT_TRUE(admitted.Connect(mt["IpAddress"], mt["Port"]));
  EXPECT_TRUE(admitted.Call(100003, 4, 0, ""));
}

TEST_P(Nfs, DeletingAMountTargetBreaksItsMounts) {
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet());
  WireClient client;
  ASSERT_TRUE(client.Connect(mt["IpAddress"], mt["Port"]));
  ASSERT_TRUE(client.StartSession("doomed"));
  EfsJson({"delete-mount-target", "--mount-target-id", mt["MountTargetId"], "--wait"});
  EXPECT_FALSE(client.Call(100003, 4, 0, ""));
}

// A client that goes silent for longer than the lease loses its lock to the next client; one
// that keeps sending requests keeps it. efsd runs with a 3-second lease here.
TEST_P(Nfs, AnExpiredLeaseReleasesTheLockAndAHeldLeaseKeepsIt) {
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(daemon_.Start(With({"--idle-timeout", "2", "--lease-time", "3"}))) << daemon_.log();
  Json mt = CreateMountTarget(CreateFs(), DefaultSubnet());
  WireClient holder, other;
  ASSERT_TRUE(holder.Connect(mt["IpAddress"], mt["Port"]) && holder.StartSession("holder"));
  ASSERT_TRUE(other.Connect(mt["IpAddress"], mt["Port"]) && other.StartSession("other"));

  CompoundBuilder attr = holder.Seq();
  attr.PutRootFh().GetAttr({FATTR4_LEASE_TIME});
  auto leased = holder.Compound(attr);
  ASSERT_TRUE(leased);
  ASSERT_EQ((*leased)->status, NFS4_OK);
  const fattr4& fattr = Op(*leased, 2).nfs_resop4_u.opgetattr.GETATTR4res_u.resok4.obj_attributes;
  ASSERT_EQ(fattr.attr_vals.attrlist4_len, 4u);
  uint32_t lease = 0;
  std::memcpy(&lease, fattr.attr_vals.attrlist4_val, 4);
  EXPECT_EQ(ntohl(lease), 3u);

  WriteFile(holder, "contended", "0123456789");
  CompoundBuilder lock = holder.Seq();
  lock.PutRootFh().Open("holder-open", "contended", -1).LockNew(WRITE_LT, 0, 10,
                                                                 CurrentStateid(), "holder-lock");
  auto locked = holder.Compound(lock);
  ASSERT_TRUE(locked);
  ASSERT_EQ((*locked)->status, NFS4_OK);
  auto test_lock = [&] {
    CompoundBuilder t = other.Seq();
    t.PutRootFh().Lookup("contended").LockT(WRITE_LT, 0, 10, "other-lock");
    auto r = other.Compound(t);
    return r ? (*r)->status : NFS4ERR_IO;
  };

  // Renewed every second for five seconds: the lock stays.
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    CompoundBuilder renew = holder.Seq();
    auto renewed = holder.Compound(renew);
    ASSERT_TRUE(renewed);
    ASSERT_EQ((*renewed)->status, NFS4_OK);
    EXPECT_EQ(test_lock(), NFS4ERR_DENIED) << "after " << i + 1 << " s";
  }

  // The holder is silent for 4.5 s while the other client keeps its own lease: the holder's
  // lease runs out, the lock is free, the holder's session is gone.
  for (int i = 0; i < 9; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CompoundBuilder renew = other.Seq();
    auto renewed = other.Compound(renew);
    ASSERT_TRUE(renewed);
    ASSERT_EQ((*renewed)->status, NFS4_OK);
  }
  EXPECT_EQ(test_lock(), NFS4_OK);
  CompoundBuilder take = other.Seq();
  take.PutRootFh().Open("other-open", "contended", -1).LockNew(WRITE_LT, 0, 10, CurrentStateid(),
                                                               "other-lock");
  auto taken = other.Compound(take);
  ASSERT_TRUE(taken);
  EXPECT_EQ((*taken)->status, NFS4_OK);
  CompoundBuilder late = holder.Seq();
  auto refused = holder.Compound(late);
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)->status, NFS4ERR_BADSESSION);
}

// SizeInBytes trails the data by about a second (the daemon samples it), as EFS's does.
TEST_P(Nfs, SizeInBytesFollowsWhatTheFileSystemStores) {
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet());
  auto size = [&] {
    return EfsJson({"describe-fs", "--file-system-id", fs})["FileSystems"][0]["SizeInBytes"];
  };
  // Polls (at most 10 s) until Value is `want`; returns the last SizeInBytes.
  auto wait_for = [&](int64_t want) {
    Json last = size();
    for (int i = 0; i < 100 && last["Value"].get<int64_t>() != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      last = size();
    }
    return last;
  };
  EXPECT_EQ(size()["Value"], 6144);  // the empty root, as on EFS

  WireClient client;
  ASSERT_TRUE(client.Connect(mt["IpAddress"], mt["Port"]) && client.StartSession("meter"));
  WriteFile(client, "a-megabyte", std::string(1000 * 1000, 'm'));  // 245 blocks of 4 KiB
  WriteFile(client, "a-byte", "b");
  const int64_t stored = 6144 + (2048 + 245 * 4096) + (2048 + 4096);
  Json after = wait_for(stored);
  EXPECT_EQ(after["Value"], stored);
  EXPECT_EQ(after["ValueInStandard"], stored);
  EXPECT_EQ(after["ValueInIA"], 0);
  EXPECT_EQ(after["ValueInArchive"], 0);
  EXPECT_GT(after["Timestamp"].get<double>(), 0);

  CompoundBuilder remove = client.Seq();
  remove.PutRootFh().Remove("a-megabyte");
  auto removed = client.Compound(remove);
  ASSERT_TRUE(removed);
  ASSERT_EQ((*removed)->status, NFS4_OK);
  EXPECT_EQ(wait_for(6144 + 2048 + 4096)["Value"], 6144 + 2048 + 4096);

  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(daemon_.Start(DaemonArgs())) << daemon_.log();
  EXPECT_EQ(size()["Value"], 6144 + 2048 + 4096);
}

}  // namespace
}  // namespace efs::e2e

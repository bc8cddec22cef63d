// The NFSv4.1 server of the real efsd over loopback TCP, as a client sees it: GETATTR round
// trips, 4 KiB random READ and WRITE, 1 MiB sequential READ and WRITE (UNSTABLE then COMMIT, or
// FILE_SYNC), and file creates (OPEN GUARDED4 + CLOSE). A client waits for each reply before it
// sends the next call. The /threads:16 runs give each of 16 threads its own connection, client
// id and session; their rates are the sums over the threads.
// Run: make bench-nfs, or build/bench/efs_nfs_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "api/messages.h"
#include "base/heap.h"
#include "tests/e2e/wire_client.h"
#include "testutil/test_daemon.h"

namespace {

using efs::api::Json;
using efs::nfs4::testing::CompoundBuilder;
using Reply = efs::xdr::XdrOwned<COMPOUND4res>;

constexpr uint32_t kSmallIo = 4 * 1024;
constexpr uint32_t kLargeIo = 1024 * 1024;
// The file the READ, GETATTR and 4 KiB WRITE benchmarks share, and the span the sequential
// writers cycle through.
constexpr uint64_t kDataSize = 64 * 1024 * 1024;
constexpr char kDataFile[] = "data";
constexpr char kCreateDir[] = "creates";

// What every benchmark connects to: efsd with one file system and a mount target on it, whose
// root holds kDataFile (kDataSize bytes, committed) and the directory kCreateDir.
struct Target {
  efs::testutil::TestDaemon daemon;
  std::string ip;
  int port = 0;
  std::string error;  // why setting it up failed; empty if it did not
};

// Gives every connection its own client owner, and every created file its own name.
std::atomic<uint64_t> g_serial{0};

std::string Unique(const char* prefix) { return prefix + std::to_string(g_serial++); }

stateid4 CurrentStateid() {
  stateid4 s{};
  s.seqid = 1;  // RFC 8881 s16.2.3.1.2: the current stateid
  return s;
}

const nfs_resop4& Op(const Reply& r, uint32_t i) { return r->resarray.resarray_val[i]; }

// One benchmark thread's NFS client: a connection, a client id and a session, and the file it
// works on. The first failure goes to the benchmark (SkipWithError, so its loop stops) and to
// error(); after it every call returns false at once.
class Client {
 public:
  // Connects to `target` and starts a session; `state` may be null (setup).
  Client(const Target& target, benchmark::State* state) : state_(state) {
    if (!target.error.empty()) {
      Fail(target.error);
    } else if (!wire_.Connect(target.ip, target.port)) {
      Fail("cannot connect to " + target.ip + ":" + std::to_string(target.port));
    } else if (!wire_.StartSession(Unique("bench-client-"))) {
      Fail("EXCHANGE_ID or CREATE_SESSION failed");
    }
    session_ = error_.empty();
  }
  // CLOSEs the open file and ends the session, so the server drops this client at once.
  ~Client() {
    if (open_) {
      CompoundBuilder b = wire_.Seq();
      b.PutFh(fh_).Close(stateid_);
      (void)wire_.Compound(b);
    }
    if (session_) (void)wire_.EndSession();
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // OPENs root/`name` for reading and writing, creating it empty if `create`; the following
  // calls work on it.
  bool Open(const std::string& name, bool create) {
    CompoundBuilder b = wire_.Seq(/*cache=*/true);
    b.PutRootFh().Open("bench-owner", name, create ? static_cast<int>(UNCHECKED4) : -1).GetFh();
    std::optional<Reply> r = Run(b);
    if (!r) return false;
    stateid_ = Op(*r, 2).nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid;
    const nfs_fh4& fh = Op(*r, 3).nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;
    fh_.assign(fh.nfs_fh4_val, fh.nfs_fh4_len);
    open_ = true;
    return true;
  }
  // Makes directory root/`name`, and looks it up: CreateFile makes files in it.
  bool MakeDirectory(const std::string& name) {
    CompoundBuilder b = wire_.Seq(/*cache=*/true);
    b.PutRootFh().Create(NF4DIR, name, efs::nfs4::testing::ModeAttr(0755)).GetFh();
    std::optional<Reply> r = Run(b);
    if (!r) return false;
    const nfs_fh4& fh = Op(*r, 3).nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;
    fh_.assign(fh.nfs_fh4_val, fh.nfs_fh4_len);
    return true;
  }
  bool LookUp(const std::string& name) {
    CompoundBuilder b = wire_.Seq();
    b.PutRootFh().Lookup(name).GetFh();
    std::optional<Reply> r = Run(b);
    if (!r) return false;
    const nfs_fh4& fh = Op(*r, 3).nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;
    fh_.assign(fh.nfs_fh4_val, fh.nfs_fh4_len);
    return true;
  }

  // The RPC layer alone: the NFS program's NULL procedure.
  bool Null() {
    if (!ok()) return false;
    auto reply = wire_.Call(100003, 4, 0, "");
    if (!reply || reply->first != 0) return Fail("NULL call failed");
    return true;
  }
  // The attributes Linux asks for after most operations.
  bool GetAttr() {
    CompoundBuilder b = wire_.Seq();
    b.PutFh(fh_).GetAttr({FATTR4_TYPE, FATTR4_CHANGE, FATTR4_SIZE, FATTR4_FSID, FATTR4_FILEID,
                          FATTR4_MODE, FATTR4_NUMLINKS, FATTR4_OWNER, FATTR4_OWNER_GROUP,
                          FATTR4_SPACE_USED, FATTR4_TIME_ACCESS, FATTR4_TIME_METADATA,
                          FATTR4_TIME_MODIFY});
    return Run(b).has_value();
  }
  // READ of `count` bytes, all of which must come back.
  bool Read(uint64_t offset, uint32_t count) {
    CompoundBuilder b = wire_.Seq();
    b.PutFh(fh_).Read(stateid_, offset, count);
    std::optional<Reply> r = Run(b);
    if (!r) return false;
    if (Op(*r, 2).nfs_resop4_u.opread.READ4res_u.resok4.data.data_len != count) {
      return Fail("short READ");
    }
    return true;
  }
  // WRITE of all of `data`, at least as stable as `stable`.
  bool Write(uint64_t offset, const std::string& data, stable_how4 stable) {
    CompoundBuilder b = wire_.Seq();
    b.PutFh(fh_).Write(stateid_, offset, data, stable);
    std::optional<Reply> r = Run(b);
    if (!r) return false;
    const WRITE4resok& ok = Op(*r, 2).nfs_resop4_u.opwrite.WRITE4res_u.resok4;
    if (ok.count != data.size()) return Fail("short WRITE");
    if (ok.committed < stable) return Fail("WRITE less stable than asked");
    return true;
  }
  // COMMIT of the whole file.
  bool Commit() {
    CompoundBuilder b = wire_.Seq();
    b.PutFh(fh_).Commit();
    return Run(b).has_value();
  }
  // OPEN GUARDED4 (it must be new) + CLOSE of file `name` in the directory looked up.
  bool CreateFile(const std::string& name) {
    CompoundBuilder b = wire_.Seq(/*cache=*/true);
    b.PutFh(fh_).Open("bench-owner", name, GUARDED4).Close(CurrentStateid());
    return Run(b).has_value();
  }

 private:
  // Runs `b`; the reply iff it came and every op in it succeeded.
  std::optional<Reply> Run(CompoundBuilder& b) {
    if (!ok()) return std::nullopt;
    std::optional<Reply> r = wire_.Compound(b);
    if (!r) {
      Fail("no reply: the connection failed or the reply did not decode");
      return std::nullopt;
    }
    const COMPOUND4res& res = **r;
    if (res.status != NFS4_OK || res.resarray.resarray_len != b.size()) {
      uint32_t n = res.resarray.resarray_len;
      Fail("COMPOUND op " + std::to_string(n) + " (nfs_opnum4 " +
           std::to_string(n ? static_cast<int>(res.resarray.resarray_val[n - 1].resop) : 0) +
           ") failed with nfsstat4 " + std::to_string(res.status));
      return std::nullopt;
    }
    return r;
  }
  bool Fail(const std::string& message) {
    if (error_.empty()) {
      error_ = message;
      if (state_) state_->SkipWithError(error_.c_str());
    }
    return false;
  }

  benchmark::State* const state_;
  efs::e2e::WireClient wire_;
  std::string error_;
  bool session_ = false;
  bool open_ = false;
  std::string fh_;
  stateid4 stateid_{};
};

// Runs efs and returns what it printed as JSON; sets *error if it failed.
Json EfsJson(const Target& t, const std::vector<std::string>& args, std::string* error) {
  efs::testutil::RunResult r = t.daemon.Efs(args);
  Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (r.rc != 0 || j.is_discarded()) *error = "efs " + args[0] + " failed: " + r.err;
  return j;
}

// Starts efsd, makes a file system with a mount target and fills it; returns what failed.
std::string SetUp(Target* t) {
  if (!t->daemon.Start({"--log-level", "warn"})) return "efsd did not start:\n" + t->daemon.log();
  std::string error;
  // elastic: no throughput limit, so the figures are the server's, not a mode's cap.
  Json fs = EfsJson(
      *t, {"create-fs", "--creation-token", "nfs-bench", "--throughput-mode", "elastic", "--wait"},
      &error);
  if (!error.empty()) return error;
  Json subnets = EfsJson(*t, {"describe-subnets"}, &error);
  if (!error.empty()) return error;
  std::string subnet;
  for (const Json& s : subnets["Subnets"]) {
    if (s.value("DefaultForAz", false)) subnet = s.value("SubnetId", "");
  }
  Json mt = EfsJson(*t,
                    {"create-mount-target", "--file-system-id", fs.value("FileSystemId", ""),
                     "--subnet-id", subnet, "--wait"},
                    &error);
  if (!error.empty()) return error;
  t->ip = mt.value("IpAddress", "");
  t->port = mt.value("Port", 0);

  Client c(*t, nullptr);
  c.MakeDirectory(kCreateDir);
  c.Open(kDataFile, /*create=*/true);
  const std::string block(kLargeIo, 'd');
  for (uint64_t offset = 0; offset < kDataSize && c.ok(); offset += kLargeIo) {
    c.Write(offset, block, UNSTABLE4);
  }
  c.Commit();
  return c.error();
}

Target* g_target = nullptr;

const Target& SharedTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_target = new Target();
    g_target->error = SetUp(g_target);
  });
  return *g_target;
}

// A random block-aligned offset of a `size`-byte block in kDataFile.
uint64_t RandomOffset(std::mt19937_64& rng, uint32_t size) {
  return rng() % (kDataSize / size) * size;
}

// ------------------------------------------------------------------------------- benchmarks

// The RPC layer alone (NULL procedure), for scale.
void BM_NullCall(benchmark::State& state) {
  Client c(SharedTarget(), &state);
  for (auto _ : state) {
    if (!c.Null()) break;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NullCall)->UseRealTime();

// SEQUENCE + PUTFH + GETATTR.
void BM_GetAttr(benchmark::State& state) {
  Client c(SharedTarget(), &state);
  c.Open(kDataFile, /*create=*/false);
  for (auto _ : state) {
    if (!c.GetAttr()) break;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetAttr)->UseRealTime()->Threads(1)->Threads(16);

// SEQUENCE + PUTFH + READ of 4 KiB at a random offset in the shared file.
void BM_Read4K(benchmark::State& state) {
  Client c(SharedTarget(), &state);
  c.Open(kDataFile, /*create=*/false);
  std::mt19937_64 rng(state.thread_index() + 1);
  for (auto _ : state) {
    if (!c.Read(RandomOffset(rng, kSmallIo), kSmallIo)) break;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kSmallIo);
}
BENCHMARK(BM_Read4K)->UseRealTime()->Threads(1)->Threads(16);

// SEQUENCE + PUTFH + WRITE (UNSTABLE) of 4 KiB at a random offset in the shared file.
void BM_Write4K(benchmark::State& state) {
  Client c(SharedTarget(), &state);
  c.Open(kDataFile, /*create=*/false);
  std::mt19937_64 rng(state.thread_index() + 1);
  const std::string block(kSmallIo, 'w');
  for (auto _ : state) {
    if (!c.Write(RandomOffset(rng, kSmallIo), block, UNSTABLE4)) break;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kSmallIo);
}
BENCHMARK(BM_Write4K)->UseRealTime()->Threads(1)->Threads(16);

// 1 MiB READs, one after another through the shared file (from the server's page cache).
void BM_Read1MSequential(benchmark::State& state) {
  Client c(SharedTarget(), &state);
  c.Open(kDataFile, /*create=*/false);
  uint64_t offset = 0;
  for (auto _ : state) {
    if (!c.Read(offset, kLargeIo)) break;
    offset = (offset + kLargeIo) % kDataSize;
  }
  state.SetBytesProcessed(state.iterations() * kLargeIo);
}
BENCHMARK(BM_Read1MSequential)->UseRealTime();

// range(0) 1 MiB UNSTABLE WRITEs one after another through a file of this client's, then one
// COMMIT: what a client's writeback followed by fsync or close sends.
void BM_Write1MThenCommit(benchmark::State& state) {
  Client c(SharedTarget(), &state);
  c.Open(Unique("sequential-"), /*create=*/true);
  const std::string block(kLargeIo, 's');
  const int64_t writes = state.range(0);
  uint64_t offset = 0;
  for (auto _ : state) {
    for (int64_t i = 0; i < writes && c.Write(offset, block, UNSTABLE4); ++i) {
      offset = (offset + kLargeIo) % kDataSize;
    }
    if (!c.Commit()) break;
  }
  state.SetBytesProcessed(state.iterations() * writes * kLargeIo);
}
BENCHMARK(BM_Write1MThenCommit)->UseRealTime()->Arg(1)->Arg(16);

// 1 MiB FILE_SYNC WRITEs one after another through a file of this client's: each is durable
// before its reply.
void BM_Write1MFileSync(benchmark::State& state) {
  Client c(SharedTarget(), &state);
  c.Open(Unique("sequential-"), /*create=*/true);
  const std::string block(kLargeIo, 'f');
  uint64_t offset = 0;
  for (auto _ : state) {
    if (!c.Write(offset, block, FILE_SYNC4)) break;
    offset = (offset + kLargeIo) % kDataSize;
  }
  state.SetBytesProcessed(state.iterations() * kLargeIo);
}
BENCHMARK(BM_Write1MFileSync)->UseRealTime();

// SEQUENCE + PUTFH + OPEN (create, GUARDED4) + CLOSE of a new empty file, all threads in one
// directory.
void BM_CreateFile(benchmark::State& state) {
  Client c(SharedTarget(), &state);
  c.LookUp(kCreateDir);
  for (auto _ : state) {
    if (!c.CreateFile(Unique("file-"))) break;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CreateFile)->UseRealTime()->Threads(1)->Threads(16);

}  // namespace

int main(int argc, char** argv) {
  // The client's 1 MiB buffers stay in the heap, as a kernel client's pages would: faulting
  // them in afresh for every call is the client's cost, which on a small machine would be
  // counted against the server.
  efs::KeepLargeBuffersInTheHeap();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  if (g_target && g_target->daemon.running() && g_target->daemon.Stop() != 0) {
    std::fprintf(stderr, "efsd did not stop cleanly:\n%s\n", g_target->daemon.log().c_str());
  }
  delete g_target;
  return 0;
}

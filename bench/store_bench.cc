// The per-file-system store (namespace.db and data files) without any protocol in front:
// creates, 4 KiB FILE_SYNC writes, and 4 KiB UNSTABLE writes with one COMMIT per 256.
// Run: build/bench/efs_store_bench
#include <benchmark/benchmark.h>

#include <string>

#include "store/store_fs.h"
#include "testutil/temp_dir.h"

namespace {

using efs::fs::CreateArgs;
using efs::fs::Credentials;
using efs::fs::FileId;
using efs::fs::Stability;

struct Store {
  efs::testutil::TempDir dir;
  std::unique_ptr<efs::fs::FileSystem> fs;
  Store() : fs(std::move(efs::store::OpenStoreFs(dir.path())).value()) {}
  FileId NewFile(const std::string& name) {
    return fs->Create(Credentials::Root(), fs->Root(), name, CreateArgs{})->attrs.id;
  }
};

void BM_Create(benchmark::State& state) {
  Store s;
  int64_t n = 0;
  for (auto _ : state) {
    auto r = s.fs->Create(Credentials::Root(), s.fs->Root(), "f" + std::to_string(n++),
                          CreateArgs{});
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Create)->UseRealTime()->Iterations(1000);

void Write4k(benchmark::State& state, Stability stability, int commit_every) {
  Store s;
  FileId f = s.NewFile("data");
  std::string block(4096, 'x');
  uint64_t offset = 0;
  for (auto _ : state) {
    auto r = s.fs->Write(Credentials::Root(), f, offset, block, stability);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    offset = (offset + 4096) % (64 << 20);
    if (commit_every && offset % (uint64_t(commit_every) * 4096) == 0) (void)s.fs->Commit(f);
  }
  state.SetBytesProcessed(state.iterations() * 4096);
  state.SetItemsProcessed(state.iterations());
}
void BM_Write4kFileSync(benchmark::State& state) { Write4k(state, Stability::kFileSync, 0); }
void BM_Write4kUnstable(benchmark::State& state) { Write4k(state, Stability::kUnstable, 256); }
BENCHMARK(BM_Write4kFileSync)->UseRealTime()->Iterations(1000);
BENCHMARK(BM_Write4kUnstable)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

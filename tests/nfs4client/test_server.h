// TestServer: the real Nfs4Server behind the real rpc::Server on 127.0.0.1 (an ephemeral port),
// over MemFs or the store in a temporary directory, for nfs4client tests. It can cut its
// connections and restart on the same port over the same store directory, losing every
// session and, with volatile_unstable, every UNSTABLE write not yet committed (TestFs).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/unique_fd.h"
#include "fs/filesystem.h"
#include "nfs4/nfs4_server.h"
#include "nfs4client/client.h"
#include "rpc/program_table.h"
#include "rpc/server.h"
#include "testutil/temp_dir.h"

namespace efs::nfs4client::testing {

// A file-system decorator for tests. It counts how many calls run at once (each waits `delay`
// inside), and with `volatile_unstable` it keeps UNSTABLE writes in memory until Commit (or a
// read, size change or stable write of the file), as a server with a volatile write cache does:
// destroying it loses them. Its write verifier is new for every instance.
class TestFs final : public fs::FileSystem {
 public:
  TestFs(fs::FileSystem* base, bool volatile_unstable, std::chrono::microseconds delay);

  int max_concurrent() const { return max_concurrent_.load(); }
  void set_delay(std::chrono::microseconds d) { delay_us_ = d.count(); }
  // Bytes of unstable writes held in memory.
  size_t buffered_bytes();

  fs::FileId Root() const override { return base_->Root(); }
  Result<fs::Attributes> GetAttr(fs::FileId id) override;
  Result<fs::Attributes> SetAttr(const fs::Credentials& cred, fs::FileId id,
                                 const fs::SetAttrs& attrs) override;
  Result<fs::Attributes> Lookup(const fs::Credentials& cred, fs::FileId dir,
                                std::string_view name) override;
  Result<fs::Attributes> LookupParent(const fs::Credentials& cred, fs::FileId dir) override;
  Result<uint32_t> Access(const fs::Credentials& cred, fs::FileId id, uint32_t want) override;
  Result<fs::CreateResult> Create(const fs::Credentials& cred, fs::FileId dir,
                                  std::string_view name, const fs::CreateArgs& args) override;
  Result<fs::DirChange> Remove(const fs::Credentials& cred, fs::FileId dir,
                               std::string_view name) override;
  Result<fs::RenameResult> Rename(const fs::Credentials& cred, fs::FileId src_dir,
                                  std::string_view src_name, fs::FileId dst_dir,
                                  std::string_view dst_name) override;
  Result<fs::DirChange> Link(const fs::Credentials& cred, fs::FileId file, fs::FileId dir,
                             std::string_view name) override;
  Result<std::string> ReadLink(fs::FileId id) override;
  Result<fs::DirPage> ReadDir(const fs::Credentials& cred, fs::FileId dir,
                              const fs::ReadDirArgs& args) override;
  Result<fs::ReadResult> Read(const fs::Credentials& cred, fs::FileId id, uint64_t offset,
                              uint32_t count) override;
  Result<fs::WriteResult> Write(const fs::Credentials& cred, fs::FileId id, uint64_t offset,
                                std::string_view data, fs::Stability stability) override;
  Status Commit(fs::FileId id) override;
  Status Pin(fs::FileId id) override { return base_->Pin(id); }
  Status Unpin(fs::FileId id) override { return base_->Unpin(id); }
  Result<fs::FsStat> StatFs() override { return base_->StatFs(); }
  fs::StorageSizes Metered() override { return base_->Metered(); }
  void SetLifecycle(const fs::LifecyclePolicy& policy) override { base_->SetLifecycle(policy); }
  Result<fs::TransitionReport> RunLifecyclePass(const std::function<bool()>& keep_going) override {
    return base_->RunLifecyclePass(keep_going);
  }
  Result<fs::FileStorage> Storage(fs::FileId id) override { return base_->Storage(id); }
  uint64_t WriteVerifier() const override { return verifier_; }

 private:
  struct Pending {
    fs::Credentials cred;
    uint64_t offset;
    std::string data;
  };
  // Counts one call in flight for its scope, after the delay.
  class Busy {
   public:
    explicit Busy(TestFs* fs);
    ~Busy();

   private:
    TestFs* fs_;
  };
  // Writes what is buffered for `ino` through to the base file system.
  Status Flush(fs::FileId id);

  fs::FileSystem* const base_;
  const bool volatile_unstable_;
  std::atomic<int64_t> delay_us_;
  const uint64_t verifier_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_concurrent_{0};
  std::mutex mu_;
  std::map<uint64_t, std::vector<Pending>> pending_;  // by inode
};

class TestServer {
 public:
  struct Options {
    bool store = false;              // the real store in a temporary directory, else MemFs
    bool volatile_unstable = false;  // TestFs loses uncommitted UNSTABLE writes on Restart
    std::chrono::microseconds delay{0};
    uint32_t lease_seconds = 90;
  };
  explicit TestServer(Options options);
  ~TestServer();

  int port() const { return port_; }
  // Client options for this server (short timeouts so a failing test fails quickly).
  Client::Options ClientOptions(const std::string& owner) const;
  TestFs& fs() { return *fs_; }
  // Moves the server's clock (leases expire by it) forward.
  void AdvanceClock(double seconds) { clock_.Advance(seconds); }

  // Closes every connection, as a network fault would; the server keeps its state.
  void CutConnections() { rpc_->CloseConnectionsTo(kMountTarget); }
  // Stops the whole server and its file system, opens the store again and serves on the same
  // port: sessions, client ids, opens and locks are gone, and so is uncommitted data; the
  // clients the server had confirmed may reclaim in a grace period (nfs4/state/grace.h).
  void Restart();

  static constexpr char kMountTarget[] = "fsmt-0000000000000001";

 private:
  void Start();
  void Stop();
  void AcceptLoop();

  const Options options_;
  FakeClock clock_;
  testutil::TempDir tmp_;
  std::unique_ptr<fs::FileSystem> base_;
  std::unique_ptr<TestFs> fs_;
  nfs4::state::MemoryClientRecords records_;  // stable storage: survives Restart
  std::unique_ptr<nfs4::Nfs4Server> nfs_;
  std::unique_ptr<rpc::ProgramTable> table_;
  std::unique_ptr<rpc::Server> rpc_;
  UniqueFd listen_fd_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
};

// All of `file` read through `c` in max_read() pieces (at most 10000 READs); failures are test
// failures.
std::string ReadAll(Client& c, const Identity& who, OpenFile& file);

// `name` in `dir` opened for reading and writing, created as `how` says; null (and a test
// failure) if that fails.
std::shared_ptr<OpenFile> CreateFile(Client& c, const Identity& who, const FileHandle& dir,
                                     const std::string& name, CreateHow how = CreateHow::kGuarded);

}  // namespace efs::nfs4client::testing

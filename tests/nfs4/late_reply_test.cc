// COMPOUNDs answered late (compound.h): a change that must be durable is answered by the thread
// that completes its sync, never before; a failed sync answers the op that waited with the
// error, and that is what the slot keeps for a retransmission.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "fs/posix_fs.h"
#include "nfs4_test_env.h"
#include "store/tiered_data.h"
#include "store/namespace_store.h"
#include "testutil/eventually.h"

namespace efs::nfs4::testing {
namespace {

// The real namespace store, with a gate on Sync: held until released, or failing.
class GatedStore final : public fs::MetadataBackend {
 public:
  explicit GatedStore(std::unique_ptr<fs::MetadataBackend> inner) : inner_(std::move(inner)) {}

  Status Sync() override {
    syncs.fetch_add(1);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !hold_; });
    if (fail) return IOError("sync failed: the disk is gone");
    return inner_->Sync();
  }
  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }

  Status Begin() override { return inner_->Begin(); }
  Status Commit() override { return inner_->Commit(); }
  Status Rollback() override { return inner_->Rollback(); }
  Status Flush() override { return inner_->Flush(); }
  Status Recover() override { return inner_->Recover(); }
  Result<std::optional<fs::InodeRecord>> LoadInode(uint64_t ino) override {
    return inner_->LoadInode(ino);
  }
  Result<uint64_t> InsertInode(const fs::InodeRecord& rec) override {
    return inner_->InsertInode(rec);
  }
  Status UpdateInode(const fs::InodeRecord& rec) override { return inner_->UpdateInode(rec); }
  Status DeleteInode(uint64_t ino) override { return inner_->DeleteInode(ino); }
  Result<std::optional<fs::EntryRecord>> LookupEntry(uint64_t dir, std::string_view name) override {
    return inner_->LookupEntry(dir, name);
  }
  Status InsertEntry(uint64_t dir, const fs::EntryRecord& entry) override {
    return inner_->InsertEntry(dir, entry);
  }
  Status DeleteEntry(uint64_t dir, std::string_view name) override {
    return inner_->DeleteEntry(dir, name);
  }
  Result<bool> HasEntries(uint64_t dir) override { return inner_->HasEntries(dir); }
  Result<std::vector<fs::EntryRecord>> ListEntries(uint64_t dir, uint64_t after,
                                                   uint32_t limit) override {
    return inner_->ListEntries(dir, after, limit);
  }
  Result<std::string> LoadSymlink(uint64_t ino) override { return inner_->LoadSymlink(ino); }
  Status StoreSymlink(uint64_t ino, std::string_view target) override {
    return inner_->StoreSymlink(ino, target);
  }
  Result<std::vector<uint64_t>> UnlinkedInodes() override { return inner_->UnlinkedInodes(); }
  Result<uint64_t> CountInodes() override { return inner_->CountInodes(); }
  Result<fs::StorageSizes> SumMetered() override { return inner_->SumMetered(); }
  Result<std::vector<fs::IdleFile>> IdleFiles(fs::StorageClass where, int64_t accessed_before,
                                              fs::IdleFile after, uint32_t limit) override {
    return inner_->IdleFiles(where, accessed_before, after, limit);
  }
  Status AddStray(uint64_t ino, fs::StorageClass where) override {
    return inner_->AddStray(ino, where);
  }
  Status DeleteStray(uint64_t ino, fs::StorageClass where) override {
    return inner_->DeleteStray(ino, where);
  }
  Result<std::vector<std::pair<uint64_t, fs::StorageClass>>> Strays() override {
    return inner_->Strays();
  }

  std::atomic<int> syncs{0};
  std::atomic<bool> fail{false};

 private:
  std::unique_ptr<fs::MetadataBackend> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
};

// What a LateReply sent.
struct Sent {
  std::mutex mu;
  std::optional<std::string> results;
  int count = 0;

  std::optional<std::string> Get() {
    std::lock_guard<std::mutex> lock(mu);
    return results;
  }
};

class LateReplyTest : public Nfs4TestEnv {
 protected:
  LateReplyTest() {
    auto meta = store::NamespaceStore::Open(tmp_.Join("gated.db"));
    auto data = store::TieredData::Open(
        {tmp_.Join("gated-data"), tmp_.Join("gated-ia"), tmp_.Join("gated-archive")});
    EXPECT_TRUE(meta.ok() && data.ok());
    auto gated = std::make_unique<GatedStore>(std::move(meta).value());
    store_ = gated.get();
    auto opened = fs::PosixFs::Open(std::move(gated), std::move(data).value(), &clock_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    server_.reset();
    fs_ = std::move(opened).value();
    server_ = NewServer();
  }

  // Runs `b` through the handler as rpc::Server does, letting it answer late into *sent.
  // Returns what the handler appended at once (empty if it answers late).
  std::string RunLate(CompoundBuilder& b, Sent* sent) {
    std::string reply;
    Status s = HandleBytes(b.Encode(), &reply, Cred(0, 0), [sent]() -> rpc::LateReply {
      return [sent](std::string_view results) {
        std::lock_guard<std::mutex> lock(sent->mu);
        sent->results = std::string(results);
        ++sent->count;
      };
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return reply;
  }

  static Reply Decode(const std::string& bytes) {
    Reply r;
    r.bytes = bytes;
    auto decoded = efs::xdr::Decode(xdr_COMPOUND4res, bytes);
    EXPECT_TRUE(decoded.ok());
    if (decoded.ok()) r.res.emplace(std::move(decoded).value());
    return r;
  }

  GatedStore* store_ = nullptr;
};

using testutil::Eventually;

TEST_P(LateReplyTest, ACreatingOpenIsAnsweredOnlyOnceItsChangeIsDurable) {
  Connect();
  CompoundBuilder open = Seq();
  open.PutRootFh().Open("owner", "late", UNCHECKED4).GetFh();
  const int syncs_before = store_->syncs;
  store_->Hold();
  Sent sent;
  std::string at_once;
  std::thread worker([&] { at_once = RunLate(open, &sent); });
  ASSERT_TRUE(Eventually([&] { return store_->syncs > syncs_before; }));
  // The sync is under way: its creator has no answer, and a retransmission is told to wait
  // rather than answered early.
  EXPECT_FALSE(sent.Get().has_value());
  EXPECT_EQ(Run(open).op_status(0), NFS4ERR_DELAY);
  store_->Release();
  worker.join();
  EXPECT_TRUE(at_once.empty()) << "answered late, not on return";
  std::optional<std::string> results = sent.Get();
  ASSERT_TRUE(results.has_value());
  EXPECT_EQ(sent.count, 1);
  Reply r = Decode(*results);
  EXPECT_EQ(r.status(), NFS4_OK);
  EXPECT_EQ(r.count(), 4u);
  // The slot keeps the answer that left: a retransmission now gets it byte for byte.
  EXPECT_EQ(Run(open).bytes, *results);
  CompoundBuilder look = Seq();
  look.PutRootFh().Lookup("late");
  EXPECT_EQ(Ok(look).status(), NFS4_OK);
}

TEST_P(LateReplyTest, AFailedSyncFailsTheOpThatWaitedAndTheSlotKeepsThatAnswer) {
  Connect();
  store_->fail = true;
  CompoundBuilder open = Seq();
  open.Tag("create doomed").PutRootFh().Open("owner", "doomed", UNCHECKED4).GetFh();
  Sent sent;
  EXPECT_TRUE(RunLate(open, &sent).empty());
  std::optional<std::string> results = sent.Get();
  ASSERT_TRUE(results.has_value()) << "no sync ran: the caller synced and answered itself";
  Reply r = Decode(*results);
  EXPECT_EQ(r.status(), NFS4ERR_IO);
  ASSERT_EQ(r.count(), 3u) << "the answer ends at OPEN; GETFH is not in it";
  EXPECT_EQ(std::string((*r.res)->tag.utf8string_val, (*r.res)->tag.utf8string_len),
            "create doomed");
  EXPECT_EQ(r.op(0).resop, OP_SEQUENCE);
  EXPECT_EQ(r.op_status(0), NFS4_OK);
  EXPECT_EQ(r.op_status(1), NFS4_OK);
  EXPECT_EQ(r.op(2).resop, OP_OPEN);
  EXPECT_EQ(r.op_status(2), NFS4ERR_IO);
  Reply again = Run(open);
  EXPECT_EQ(again.bytes, *results) << "a retransmission must not find a success in the slot";
}

TEST_P(LateReplyTest, ACompoundThatChangesNothingIsAnsweredOnReturn) {
  Connect();
  CompoundBuilder b = Seq();
  b.PutRootFh().GetAttr({FATTR4_SIZE});
  Sent sent;
  const int syncs_before = store_->syncs;
  std::string at_once = RunLate(b, &sent);
  EXPECT_FALSE(sent.Get().has_value());
  EXPECT_EQ(Decode(at_once).status(), NFS4_OK);
  EXPECT_EQ(store_->syncs, syncs_before);
}

INSTANTIATE_TEST_SUITE_P(Backends, LateReplyTest, ::testing::Values(Backend::kStoreFs),
                         BackendName);

}  // namespace
}  // namespace efs::nfs4::testing

// MemFs: PosixFs over map-backed metadata and sparse in-memory contents.
#include "fs/mem_fs.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "base/check.h"
#include "base/macros.h"
#include "base/mutex.h"
#include "fs/backend.h"
#include "fs/posix_fs.h"

namespace efs::fs {

namespace {

// PosixFs checks before it mutates, so a transaction never needs undoing here: Begin, Commit
// and Rollback only track nesting.
class MemMetadata final : public MetadataBackend {
 public:
  Status Begin() override {
    EFS_CHECK(!in_txn_);
    in_txn_ = true;
    return Status::Ok();
  }
  Status Commit() override {
    in_txn_ = false;
    return Status::Ok();
  }
  Status Rollback() override {
    in_txn_ = false;
    return Status::Ok();
  }
  Status Flush() override { return Status::Ok(); }
  Status Sync() override { return Status::Ok(); }  // memory is as stable as it gets
  Status Recover() override { return Status::Ok(); }

  Result<std::optional<InodeRecord>> LoadInode(uint64_t ino) override {
    auto it = inodes_.find(ino);
    if (it == inodes_.end()) return std::optional<InodeRecord>();
    return std::optional<InodeRecord>(it->second);
  }
  Result<uint64_t> InsertInode(const InodeRecord& rec) override {
    uint64_t ino = next_ino_++;
    InodeRecord& stored = inodes_[ino] = rec;
    stored.attrs.id.ino = ino;
    return ino;
  }
  Status UpdateInode(const InodeRecord& rec) override {
    EFS_CHECK(inodes_.count(rec.ino()) == 1);
    inodes_[rec.ino()] = rec;
    return Status::Ok();
  }
  Status DeleteInode(uint64_t ino) override {
    inodes_.erase(ino);
    symlinks_.erase(ino);
    dirs_.erase(ino);
    return Status::Ok();
  }

  Result<std::optional<EntryRecord>> LookupEntry(uint64_t dir, std::string_view name) override {
    Dir& d = dirs_[dir];
    auto it = d.by_name.find(std::string(name));
    if (it == d.by_name.end()) return std::optional<EntryRecord>();
    return std::optional<EntryRecord>(EntryRecord{it->first, it->second, d.by_cookie[it->second]});
  }
  Status InsertEntry(uint64_t dir, const EntryRecord& entry) override {
    Dir& d = dirs_[dir];
    EFS_CHECK(d.by_name.emplace(entry.name, entry.cookie).second);
    d.by_cookie[entry.cookie] = entry.ino;
    d.names[entry.cookie] = entry.name;
    return Status::Ok();
  }
  Status DeleteEntry(uint64_t dir, std::string_view name) override {
    Dir& d = dirs_[dir];
    auto it = d.by_name.find(std::string(name));
    EFS_CHECK(it != d.by_name.end());
    d.by_cookie.erase(it->second);
    d.names.erase(it->second);
    d.by_name.erase(it);
    return Status::Ok();
  }
  Result<bool> HasEntries(uint64_t dir) override { return !dirs_[dir].by_name.empty(); }
  Result<std::vector<EntryRecord>> ListEntries(uint64_t dir, uint64_t after,
                                               uint32_t limit) override {
    Dir& d = dirs_[dir];
    std::vector<EntryRecord> out;
    for (auto it = d.by_cookie.upper_bound(after); it != d.by_cookie.end() && out.size() < limit;
         ++it) {
      out.push_back(EntryRecord{d.names[it->first], it->first, it->second});
    }
    return out;
  }

  Result<std::string> LoadSymlink(uint64_t ino) override { return symlinks_[ino]; }
  Status StoreSymlink(uint64_t ino, std::string_view target) override {
    symlinks_[ino] = std::string(target);
    return Status::Ok();
  }
  Result<std::vector<uint64_t>> UnlinkedInodes() override {
    std::vector<uint64_t> out;
    for (const auto& [ino, rec] : inodes_) {
      if (rec.attrs.nlink == 0) out.push_back(ino);
    }
    return out;
  }
  Result<uint64_t> CountInodes() override { return inodes_.size(); }
  Result<StorageSizes> SumMetered() override {
    StorageSizes sum;
    for (const auto& [ino, rec] : inodes_) {
      StorageSizes share = MeteredShare(rec);
      for (int i = 0; i < kStorageClasses; ++i) sum.bytes[i] += share.bytes[i];
    }
    return sum;
  }
  Result<std::vector<IdleFile>> IdleFiles(StorageClass where, int64_t accessed_before,
                                          IdleFile after, uint32_t limit) override {
    auto order = [](const IdleFile& a, const IdleFile& b) {
      return std::tie(a.last_access, a.ino) < std::tie(b.last_access, b.ino);
    };
    std::vector<IdleFile> out;
    for (const auto& [ino, rec] : inodes_) {
      IdleFile file{rec.last_access.sec, ino};
      if (rec.attrs.type == FileType::kRegular && rec.attrs.nlink > 0 &&
          rec.storage_class == where && rec.last_access.sec < accessed_before &&
          order(after, file)) {
        out.push_back(file);
      }
    }
    std::sort(out.begin(), out.end(), order);
    if (out.size() > limit) out.resize(limit);
    return out;
  }
  Status AddStray(uint64_t ino, StorageClass where) override {
    strays_.emplace(ino, where);
    return Status::Ok();
  }
  Status DeleteStray(uint64_t ino, StorageClass where) override {
    strays_.erase({ino, where});
    return Status::Ok();
  }
  Result<std::vector<std::pair<uint64_t, StorageClass>>> Strays() override {
    return std::vector<std::pair<uint64_t, StorageClass>>(strays_.begin(), strays_.end());
  }
  Status ScanInodes(const InodeVisitor& fn) override {
    for (const auto& [ino, rec] : inodes_) EFS_RETURN_IF_ERROR(fn(rec));
    return Status::Ok();
  }
  Status ScanEntries(const EntryVisitor& fn) override {
    for (const auto& [dir, d] : dirs_) {
      for (const auto& [cookie, ino] : d.by_cookie) {
        EFS_RETURN_IF_ERROR(fn(dir, EntryRecord{d.names.at(cookie), cookie, ino}));
      }
    }
    return Status::Ok();
  }

 private:
  struct Dir {
    std::map<std::string, uint64_t> by_name;  // name -> cookie
    std::map<uint64_t, uint64_t> by_cookie;   // cookie -> ino
    std::map<uint64_t, std::string> names;    // cookie -> name
  };
  bool in_txn_ = false;
  uint64_t next_ino_ = 1;
  std::map<uint64_t, InodeRecord> inodes_;
  std::map<uint64_t, Dir> dirs_;
  std::map<uint64_t, std::string> symlinks_;
  std::set<std::pair<uint64_t, StorageClass>> strays_;
};

constexpr uint64_t kBlock = 4096;
constexpr uint64_t kMemCapacity = uint64_t{1} << 40;

// Each class is a map of its own: moving copies the blocks.
class MemData final : public DataBackend {
 public:
  Result<std::string> Read(uint64_t ino, StorageClass where, uint64_t offset,
                           uint32_t count) override {
    MutexLock lock(&mu_);
    std::string out(count, '\0');
    const Blocks& blocks = Tier(where)[ino];
    for (auto it = blocks.lower_bound(offset / kBlock);
         it != blocks.end() && it->first * kBlock < offset + count; ++it) {
      uint64_t start = std::max(offset, it->first * kBlock);
      uint64_t stop = std::min(offset + count, (it->first + 1) * kBlock);
      std::copy_n(it->second.data() + (start - it->first * kBlock), stop - start,
                  out.data() + (start - offset));
    }
    return out;
  }
  Status Copy(uint64_t ino, uint64_t size, StorageClass from, StorageClass to) override {
    MutexLock lock(&mu_);
    Blocks blocks = Tier(from)[ino];
    blocks.erase(blocks.lower_bound((size + kBlock - 1) / kBlock), blocks.end());
    Tier(to)[ino] = std::move(blocks);
    return Status::Ok();
  }
  Status Drop(uint64_t ino, StorageClass where) override {
    MutexLock lock(&mu_);
    Tier(where).erase(ino);
    return Status::Ok();
  }
  Status PrepareWrite(uint64_t, uint64_t) override { return Status::Ok(); }
  Status Write(uint64_t ino, uint64_t offset, std::string_view data, bool) override {
    MutexLock lock(&mu_);
    Blocks& blocks = Standard()[ino];
    for (uint64_t pos = offset; pos < offset + data.size();) {
      uint64_t index = pos / kBlock;
      uint64_t stop = std::min<uint64_t>(offset + data.size(), (index + 1) * kBlock);
      std::string& block = blocks[index];
      if (block.empty()) block.assign(kBlock, '\0');
      std::copy_n(data.data() + (pos - offset), stop - pos, block.data() + (pos - index * kBlock));
      pos = stop;
    }
    return Status::Ok();
  }
  Status Sync(uint64_t) override { return Status::Ok(); }
  Status Truncate(uint64_t ino, uint64_t size) override {
    MutexLock lock(&mu_);
    Blocks& blocks = Standard()[ino];
    blocks.erase(blocks.lower_bound((size + kBlock - 1) / kBlock), blocks.end());
    if (size % kBlock != 0) {
      auto it = blocks.find(size / kBlock);
      if (it != blocks.end()) std::fill(it->second.begin() + size % kBlock, it->second.end(), '\0');
    }
    return Status::Ok();
  }
  Status Remove(uint64_t ino) override {
    MutexLock lock(&mu_);
    for (auto& tier : tiers_) tier.erase(ino);
    return Status::Ok();
  }
  Result<uint64_t> SpaceUsed(uint64_t ino) override {
    MutexLock lock(&mu_);
    auto it = Standard().find(ino);
    return it == Standard().end() ? 0 : it->second.size() * kBlock;
  }
  Status ScanData(const std::function<Status(const DataCopy&)>& fn) override {
    std::vector<DataCopy> copies;
    {
      MutexLock lock(&mu_);
      for (int i = 0; i < kStorageClasses; ++i) {
        for (const auto& [ino, blocks] : tiers_[i]) {
          // Blocks keep no exact length (Truncate zeroes the tail of the last one): length 0.
          if (blocks.empty()) continue;
          copies.push_back(DataCopy{ino, static_cast<StorageClass>(i), 0, blocks.size() * kBlock});
        }
      }
    }
    for (const DataCopy& copy : copies) EFS_RETURN_IF_ERROR(fn(copy));
    return Status::Ok();
  }
  Result<FsStat> StatFs() override {
    MutexLock lock(&mu_);
    uint64_t used = 0;
    for (const auto& tier : tiers_) {
      for (const auto& [ino, blocks] : tier) used += blocks.size() * kBlock;
    }
    FsStat stat;
    stat.total_bytes = kMemCapacity;
    stat.free_bytes = stat.avail_bytes = kMemCapacity - std::min(used, kMemCapacity);
    return stat;
  }

 private:
  using Blocks = std::map<uint64_t, std::string>;
  std::map<uint64_t, Blocks>& Tier(StorageClass where) REQUIRES(mu_) {
    return tiers_[static_cast<int>(where)];
  }
  std::map<uint64_t, Blocks>& Standard() REQUIRES(mu_) { return Tier(StorageClass::kStandard); }
  Mutex mu_;
  std::array<std::map<uint64_t, Blocks>, kStorageClasses> tiers_ GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<FileSystem> NewMemFs(const Clock* clock) {
  Result<std::unique_ptr<FileSystem>> fs =
      PosixFs::Open(std::make_unique<MemMetadata>(), std::make_unique<MemData>(), clock);
  EFS_CHECK(fs.ok());
  return std::move(fs).value();
}

}  // namespace efs::fs

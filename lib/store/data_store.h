// DataStore: fs::DataBackend keeping each inode's contents in its own sparse file under
// <fs_dir>/data/<ab>/<cd>/<ino>, where ab and cd are the low and next byte of the inode number
// in hex (65,536 shards). Files are created by the first write; a missing file reads as zeros.
//
// Durability: a sync write is pwrite + fdatasync; creating a data file also fsyncs its shard
// directory (and each directory it had to create), so a synced byte survives a crash.
// Open descriptors are cached (LRU, kMaxOpenFiles); I/O happens outside the cache lock.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "base/mutex.h"
#include "base/unique_fd.h"
#include "fs/backend.h"

namespace efs::store {

class DataStore final : public fs::DataBackend {
 public:
  static constexpr size_t kMaxOpenFiles = 256;

  // Uses (creating if missing) `data_dir`.
  static Result<std::unique_ptr<DataStore>> Open(const std::string& data_dir);

  Result<std::string> Read(uint64_t ino, uint64_t offset, uint32_t count) override;
  Status PrepareWrite(uint64_t ino, uint64_t size) override;
  Status Write(uint64_t ino, uint64_t offset, std::string_view data, bool sync) override;
  Status Sync(uint64_t ino) override;
  Status Truncate(uint64_t ino, uint64_t size) override;
  Status Remove(uint64_t ino) override;
  Result<uint64_t> SpaceUsed(uint64_t ino) override;
  Result<fs::FsStat> StatFs() override;

  // The path of `ino`'s data file (for tests).
  std::string PathOf(uint64_t ino) const;

 private:
  struct File {
    UniqueFd fd;
  };
  explicit DataStore(std::string dir) : dir_(std::move(dir)) {}

  // The open data file of `ino`; nullptr if it does not exist and !create.
  Result<std::shared_ptr<File>> Get(uint64_t ino, bool create) EXCLUDES(mu_);
  Result<UniqueFd> OpenFile(uint64_t ino, bool create);
  void Forget(uint64_t ino) EXCLUDES(mu_);
  // fdatasync of `file`, the data file of `ino`.
  Status DataSync(const File& file, uint64_t ino);

  const std::string dir_;
  Mutex mu_;
  std::unordered_map<uint64_t, std::pair<std::shared_ptr<File>, std::list<uint64_t>::iterator>>
      open_ GUARDED_BY(mu_);
  std::list<uint64_t> lru_ GUARDED_BY(mu_);                  // most recently used first
  std::unordered_set<uint64_t> reconciled_ GUARDED_BY(mu_);  // PrepareWrite done
};

}  // namespace efs::store

// DataStore: the Standard tier of TieredData, keeping each inode's contents in its own sparse
// file under <fs_dir>/data/<ab>/<cd>/<ino>, where ab and cd are the low and next byte of the
// inode number in hex (65,536 shards). Files are created by the first write; a missing file
// reads as zeros.
//
// Durability: a sync write is pwrite + fdatasync; creating a data file also fsyncs its shard
// directory (and each directory it had to create), so a synced byte survives a crash. Install
// writes a whole file under <data_dir>/incoming/ and renames it into place; Open empties
// incoming/ of what a crash left there.
// Open descriptors are cached (LRU, kMaxOpenFiles); I/O happens outside the cache lock.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "base/mutex.h"
#include "base/unique_fd.h"
#include "fs/backend.h"

namespace efs::store {

class DataStore {
 public:
  static constexpr size_t kMaxOpenFiles = 256;

  // Supplies `count` bytes of a file at `offset`; fewer is an error.
  using Source = std::function<Result<std::string>(uint64_t offset, uint32_t count)>;
  static constexpr uint32_t kInstallChunk = 1 << 20;

  // Uses (creating if missing) `data_dir`.
  static Result<std::unique_ptr<DataStore>> Open(const std::string& data_dir);

  // As fs::DataBackend's methods of the same names, for the Standard copy.
  // Makes `size` bytes read from `source` (in kInstallChunk pieces, in order) the contents of
  // `ino`, replacing its data file atomically and durably. Chunks of zeros stay holes.
  Status Install(uint64_t ino, uint64_t size, const Source& source);

  Result<std::string> Read(uint64_t ino, uint64_t offset, uint32_t count);
  Status PrepareWrite(uint64_t ino, uint64_t size);
  Status Write(uint64_t ino, uint64_t offset, std::string_view data, bool sync);
  Status Sync(uint64_t ino);
  Status Truncate(uint64_t ino, uint64_t size);
  Status Remove(uint64_t ino);
  Result<uint64_t> SpaceUsed(uint64_t ino);
  Result<fs::FsStat> StatFs();

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

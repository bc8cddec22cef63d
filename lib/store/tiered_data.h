// TieredData: fs::DataBackend over one tier per storage class: Standard is a DataStore (sparse
// data files beside namespace.db), Infrequent Access and Archive are ColdStores (whole-file
// objects, zstd-compressed where that saves space), each in a directory that may sit on a disk
// of its own (efsd --tier-dir).
#pragma once

#include <memory>
#include <string>

#include "fs/backend.h"
#include "store/cold_store.h"
#include "store/data_store.h"

namespace efs::store {

// Where one file system keeps each class.
struct TierDirs {
  std::string standard;  // <fs_dir>/data
  std::string ia;
  std::string archive;
};

class TieredData final : public fs::DataBackend {
 public:
  // Opens (creating if missing) every tier.
  static Result<std::unique_ptr<TieredData>> Open(const TierDirs& dirs);

  Result<std::string> Read(uint64_t ino, fs::StorageClass where, uint64_t offset,
                           uint32_t count) override;
  Status Copy(uint64_t ino, uint64_t size, fs::StorageClass from, fs::StorageClass to) override;
  Status Drop(uint64_t ino, fs::StorageClass where) override;
  Status PrepareWrite(uint64_t ino, uint64_t size) override;
  Status Write(uint64_t ino, uint64_t offset, std::string_view data, bool sync) override;
  Status Sync(uint64_t ino) override;
  Status Truncate(uint64_t ino, uint64_t size) override;
  Status Remove(uint64_t ino) override;
  Result<uint64_t> SpaceUsed(uint64_t ino) override;
  Result<fs::FsStat> StatFs() override;
  Status ScanData(const std::function<Status(const fs::DataCopy&)>& fn) override;

  DataStore& standard() { return *standard_; }
  // The tier of a cold class (REQUIRES: not Standard).
  ColdStore& cold(fs::StorageClass where);

 private:
  TieredData(TierDirs dirs, std::unique_ptr<DataStore> standard, std::unique_ptr<ColdStore> ia,
             std::unique_ptr<ColdStore> archive)
      : dirs_(std::move(dirs)),
        standard_(std::move(standard)),
        ia_(std::move(ia)),
        archive_(std::move(archive)) {}

  const TierDirs dirs_;
  const std::unique_ptr<DataStore> standard_;
  const std::unique_ptr<ColdStore> ia_;
  const std::unique_ptr<ColdStore> archive_;
};

}  // namespace efs::store

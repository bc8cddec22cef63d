// One DataBackend over the three tiers (see tiered_data.h).
#include "store/tiered_data.h"

#include "base/macros.h"
#include "store/files.h"

namespace efs::store {

using fs::StorageClass;

Result<std::unique_ptr<TieredData>> TieredData::Open(const TierDirs& dirs) {
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<DataStore> standard, DataStore::Open(dirs.standard));
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<ColdStore> ia, ColdStore::Open(dirs.ia));
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<ColdStore> archive, ColdStore::Open(dirs.archive));
  return std::unique_ptr<TieredData>(
      new TieredData(dirs, std::move(standard), std::move(ia), std::move(archive)));
}

ColdStore& TieredData::cold(StorageClass where) {
  return where == StorageClass::kArchive ? *archive_ : *ia_;
}

Result<std::string> TieredData::Read(uint64_t ino, StorageClass where, uint64_t offset,
                                     uint32_t count) {
  if (where == StorageClass::kStandard) return standard_->Read(ino, offset, count);
  Result<std::string> bytes = cold(where).Read(ino, offset, count);
  if (!bytes.ok() && bytes.status().code() == Code::kNotFound) {
    // The namespace says the data is in this tier: a missing object is lost data, not a hole.
    return IOError("inode " + std::to_string(ino) + " has no data in " +
                   std::string(fs::StorageClassName(where)) + " (" + cold(where).PathOf(ino) + ")");
  }
  return bytes;
}

Status TieredData::Copy(uint64_t ino, uint64_t size, StorageClass from, StorageClass to) {
  if (from == to) return InvalidArgument("a copy within one storage class");
  auto source = [&](uint64_t offset, uint32_t count) { return Read(ino, from, offset, count); };
  if (to == StorageClass::kStandard) return standard_->Install(ino, size, source);
  return cold(to).Put(ino, size, source);
}

Status TieredData::Drop(uint64_t ino, StorageClass where) {
  if (where == StorageClass::kStandard) return standard_->Remove(ino);
  return cold(where).Remove(ino);
}

Status TieredData::PrepareWrite(uint64_t ino, uint64_t size) {
  return standard_->PrepareWrite(ino, size);
}

Status TieredData::Write(uint64_t ino, uint64_t offset, std::string_view data, bool sync) {
  return standard_->Write(ino, offset, data, sync);
}

Status TieredData::Sync(uint64_t ino) { return standard_->Sync(ino); }

Status TieredData::Truncate(uint64_t ino, uint64_t size) { return standard_->Truncate(ino, size); }

Status TieredData::Remove(uint64_t ino) {
  EFS_RETURN_IF_ERROR(standard_->Remove(ino));
  EFS_RETURN_IF_ERROR(ia_->Remove(ino));
  return archive_->Remove(ino);
}

Result<uint64_t> TieredData::SpaceUsed(uint64_t ino) { return standard_->SpaceUsed(ino); }

Result<fs::FsStat> TieredData::StatFs() { return standard_->StatFs(); }

Status TieredData::ScanData(const std::function<Status(const fs::DataCopy&)>& fn) {
  const std::pair<StorageClass, const std::string*> tiers[] = {
      {StorageClass::kStandard, &dirs_.standard},
      {StorageClass::kIA, &dirs_.ia},
      {StorageClass::kArchive, &dirs_.archive}};
  for (const auto& tier : tiers) {
    const StorageClass where = tier.first;
    EFS_RETURN_IF_ERROR(ScanSharded(*tier.second, [&](uint64_t ino, const struct stat& st) {
      const uint64_t length = where == StorageClass::kStandard ? uint64_t(st.st_size) : 0;
      return fn(fs::DataCopy{ino, where, length, uint64_t(st.st_blocks) * 512});
    }));
  }
  return Status::Ok();
}

}  // namespace efs::store

// OpenStoreFs: wiring NamespaceStore and TieredData under PosixFs.
#include "store/store_fs.h"

#include <errno.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>

#include "base/macros.h"
#include "fs/posix_fs.h"
#include "store/tiered_data.h"
#include "store/namespace_store.h"

namespace efs::store {

Result<std::unique_ptr<fs::FileSystem>> OpenStoreFs(const std::string& fs_dir, const Clock* clock,
                                                    TierDirs tiers, std::unique_ptr<Db> metadata) {
  std::error_code ec;
  std::filesystem::create_directories(fs_dir, ec);
  if (ec) return IOError("mkdir '" + fs_dir + "': " + ec.message());
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<NamespaceStore> meta,
                       metadata ? NamespaceStore::Open(std::move(metadata))
                                : NamespaceStore::Open(fs_dir + "/namespace.db"));
  if (tiers.standard.empty()) tiers.standard = fs_dir + "/data";
  if (tiers.ia.empty()) tiers.ia = fs_dir + "/ia";
  if (tiers.archive.empty()) tiers.archive = fs_dir + "/archive";
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<TieredData> data, TieredData::Open(tiers));
  return fs::PosixFs::Open(std::move(meta), std::move(data), clock);
}

}  // namespace efs::store

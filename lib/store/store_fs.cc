// OpenStoreFs: wiring NamespaceStore and DataStore under PosixFs.
#include "store/store_fs.h"

#include <errno.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>

#include "base/macros.h"
#include "fs/posix_fs.h"
#include "store/data_store.h"
#include "store/namespace_store.h"

namespace efs::store {

Result<std::unique_ptr<fs::FileSystem>> OpenStoreFs(const std::string& fs_dir, const Clock* clock) {
  std::error_code ec;
  std::filesystem::create_directories(fs_dir, ec);
  if (ec) return IOError("mkdir '" + fs_dir + "': " + ec.message());
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<NamespaceStore> meta,
                       NamespaceStore::Open(fs_dir + "/namespace.db"));
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<DataStore> data, DataStore::Open(fs_dir + "/data"));
  return fs::PosixFs::Open(std::move(meta), std::move(data), clock);
}

}  // namespace efs::store

// Data files of one file system (see data_store.h).
#include "store/data_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/blocking.h"
#include "base/macros.h"
#include "store/files.h"
#include "store/io.h"

namespace efs::store {

Result<std::unique_ptr<DataStore>> DataStore::Open(const std::string& data_dir) {
  EFS_RETURN_IF_ERROR(MakeDirs(data_dir));
  EFS_RETURN_IF_ERROR(EmptyDir(data_dir + "/incoming", data_dir));
  return std::unique_ptr<DataStore>(new DataStore(data_dir));
}

Status DataStore::Install(uint64_t ino, uint64_t size, const Source& source) {
  const std::string temp = IncomingPath(dir_, ino);
  UniqueFd fd(::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus(errno, "create '" + temp + "'");
  Status status = [&]() -> Status {
    for (uint64_t offset = 0; offset < size; offset += kInstallChunk) {
      const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(kInstallChunk, size - offset));
      EFS_ASSIGN_OR_RETURN(std::string chunk, source(offset, n));
      if (chunk.size() != n) {
        return IOError("short read while copying inode " + std::to_string(ino));
      }
      if (AllZeros(chunk)) continue;  // a hole
      EFS_RETURN_IF_ERROR(PwriteAll(fd.get(), chunk, offset, temp));
    }
    if (io::Ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
      return ErrnoStatus(errno, "truncate '" + temp + "'");
    }
    {
      ScopedBlocking blocking;  // the RPC pool runs other calls meanwhile
      if (io::Fdatasync(fd.get()) != 0) return ErrnoStatus(errno, "fdatasync '" + temp + "'");
    }
    return InstallSharded(temp, dir_, ino);
  }();
  Forget(ino);  // a descriptor of the file replaced (a failed install may still have renamed)
  if (!status.ok()) io::Unlink(temp.c_str());
  return status;
}

std::string DataStore::PathOf(uint64_t ino) const { return ShardedPath(dir_, ino); }

Result<UniqueFd> DataStore::OpenFile(uint64_t ino, bool create) {
  const std::string path = PathOf(ino);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.valid()) return fd;
  if (errno != ENOENT) return ErrnoStatus(errno, "open '" + path + "'");
  if (!create) return UniqueFd();
  EFS_ASSIGN_OR_RETURN(std::string shard, MakeShardDirs(dir_, ino));
  fd.Reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus(errno, "create '" + path + "'");
  EFS_RETURN_IF_ERROR(FsyncDir(shard));
  return fd;
}

Result<std::shared_ptr<DataStore::File>> DataStore::Get(uint64_t ino, bool create) {
  {
    MutexLock lock(&mu_);
    auto it = open_.find(ino);
    if (it != open_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.second);
      return it->second.first;
    }
  }
  EFS_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(ino, create));
  if (!fd.valid()) return std::shared_ptr<File>();
  MutexLock lock(&mu_);
  auto it = open_.find(ino);
  if (it != open_.end()) return it->second.first;  // another thread was faster
  auto file = std::make_shared<File>(File{std::move(fd)});
  lru_.push_front(ino);
  open_[ino] = {file, lru_.begin()};
  while (open_.size() > kMaxOpenFiles) {
    open_.erase(lru_.back());
    lru_.pop_back();
  }
  return file;
}

void DataStore::Forget(uint64_t ino) {
  MutexLock lock(&mu_);
  reconciled_.erase(ino);
  auto it = open_.find(ino);
  if (it == open_.end()) return;
  lru_.erase(it->second.second);
  open_.erase(it);
}

Result<std::string> DataStore::Read(uint64_t ino, uint64_t offset, uint32_t count) {
  std::string out(count, '\0');
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<File> file, Get(ino, false));
  if (!file) return out;
  // Bytes past the end of the data file stay zeros.
  Result<size_t> read = PreadAll(file->fd.get(), out.data(), count, offset, PathOf(ino));
  if (!read.ok()) return read.status();
  return out;
}

Status DataStore::PrepareWrite(uint64_t ino, uint64_t size) {
  {
    MutexLock lock(&mu_);
    if (reconciled_.count(ino) != 0) return Status::Ok();
  }
  EFS_RETURN_IF_ERROR(Truncate(ino, size));
  MutexLock lock(&mu_);
  reconciled_.insert(ino);
  return Status::Ok();
}

Status DataStore::Write(uint64_t ino, uint64_t offset, std::string_view data, bool sync) {
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<File> file, Get(ino, true));
  EFS_RETURN_IF_ERROR(PwriteAll(file->fd.get(), data, offset, PathOf(ino)));
  return sync ? DataSync(*file, ino) : Status::Ok();
}

Status DataStore::DataSync(const File& file, uint64_t ino) {
  ScopedBlocking blocking;  // the RPC pool runs other calls meanwhile
  if (io::Fdatasync(file.fd.get()) != 0) {
    return ErrnoStatus(errno, "fdatasync '" + PathOf(ino) + "'");
  }
  return Status::Ok();
}

Status DataStore::Sync(uint64_t ino) {
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<File> file, Get(ino, false));
  return file ? DataSync(*file, ino) : Status::Ok();
}

Status DataStore::Truncate(uint64_t ino, uint64_t size) {
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<File> file, Get(ino, false));
  if (!file) return Status::Ok();
  struct stat st;
  if (::fstat(file->fd.get(), &st) != 0) return ErrnoStatus(errno, "stat '" + PathOf(ino) + "'");
  if (static_cast<uint64_t>(st.st_size) <= size) return Status::Ok();
  if (io::Ftruncate(file->fd.get(), static_cast<off_t>(size)) != 0 ||
      io::Fdatasync(file->fd.get()) != 0) {
    return ErrnoStatus(errno, "truncate '" + PathOf(ino) + "'");
  }
  return Status::Ok();
}

Status DataStore::Remove(uint64_t ino) {
  Forget(ino);
  if (io::Unlink(PathOf(ino).c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "unlink '" + PathOf(ino) + "'");
  }
  return Status::Ok();
}

Result<uint64_t> DataStore::SpaceUsed(uint64_t ino) {
  struct stat st;
  std::shared_ptr<File> open;
  {
    MutexLock lock(&mu_);
    if (auto it = open_.find(ino); it != open_.end()) open = it->second.first;
  }
  if (open != nullptr) {  // no path walk
    if (::fstat(open->fd.get(), &st) != 0) return ErrnoStatus(errno, "stat '" + PathOf(ino) + "'");
    return static_cast<uint64_t>(st.st_blocks) * 512;
  }
  if (::stat(PathOf(ino).c_str(), &st) != 0) {
    if (errno == ENOENT) return uint64_t{0};
    return ErrnoStatus(errno, "stat '" + PathOf(ino) + "'");
  }
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

Result<fs::FsStat> DataStore::StatFs() {
  struct statvfs sv;
  if (::statvfs(dir_.c_str(), &sv) != 0) return ErrnoStatus(errno, "statvfs '" + dir_ + "'");
  fs::FsStat stat;
  stat.total_bytes = static_cast<uint64_t>(sv.f_blocks) * sv.f_frsize;
  stat.free_bytes = static_cast<uint64_t>(sv.f_bfree) * sv.f_frsize;
  stat.avail_bytes = static_cast<uint64_t>(sv.f_bavail) * sv.f_frsize;
  return stat;
}

}  // namespace efs::store

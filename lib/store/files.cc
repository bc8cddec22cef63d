// File helpers of the data tiers (see files.h).
#include "store/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "base/blocking.h"
#include "base/macros.h"
#include "base/unique_fd.h"
#include "store/io.h"

namespace efs::store {

namespace {

std::string Hex2(uint64_t v) {
  char buf[3];
  std::snprintf(buf, sizeof(buf), "%02x", static_cast<unsigned>(v & 0xff));
  return buf;
}

// The directory holding `path` ("." for a bare name).
std::string Parent(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The names in directory `path` (none if it does not exist).
Result<std::vector<std::string>> Names(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return names;
    return ErrnoStatus(errno, "opendir '" + path + "'");
  }
  while (const dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  return names;
}

bool IsShard(const std::string& name) {
  return name.size() == 2 && std::isxdigit(static_cast<unsigned char>(name[0])) &&
         std::isxdigit(static_cast<unsigned char>(name[1]));
}

}  // namespace

Status ErrnoStatus(int err, const std::string& what) {
  std::string message = what + ": " + std::strerror(err);
  switch (err) {
    case EFBIG:
      return Status(Code::kFileTooBig, "FileTooBig", message);
    case ENOSPC:
    case EDQUOT:
      return Status(Code::kNoSpace, "NoSpace", message);
    case EROFS:
      return Status(Code::kReadOnly, "ReadOnly", message);
    default:
      return IOError(message);
  }
}

Status FsyncDir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "open '" + path + "'");
  ScopedBlocking blocking;  // the RPC pool runs other calls meanwhile
  if (io::Fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync '" + path + "'");
  return Status::Ok();
}

Status MakeDir(const std::string& path, const std::string& parent) {
  if (::mkdir(path.c_str(), 0700) == 0) return FsyncDir(parent);
  if (errno == EEXIST) return Status::Ok();
  return ErrnoStatus(errno, "mkdir '" + path + "'");
}

Status MakeDirs(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return FsyncDir(Parent(path));
  if (errno == EEXIST) return Status::Ok();
  if (errno != ENOENT) return ErrnoStatus(errno, "mkdir '" + path + "'");
  const std::string parent = Parent(path);
  if (parent == path) return ErrnoStatus(ENOENT, "mkdir '" + path + "'");
  EFS_RETURN_IF_ERROR(MakeDirs(parent));
  return MakeDir(path, parent);
}

Status EmptyDir(const std::string& path, const std::string& parent) {
  EFS_RETURN_IF_ERROR(MakeDir(path, parent));
  // All names first: unlinking while reading may skip entries.
  EFS_ASSIGN_OR_RETURN(std::vector<std::string> names, Names(path));
  for (const std::string& name : names) {
    const std::string file = path + "/" + name;
    if (io::Unlink(file.c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "unlink '" + file + "'");
    }
  }
  return Status::Ok();
}

std::string ShardedPath(const std::string& dir, uint64_t ino) {
  return dir + "/" + Hex2(ino) + "/" + Hex2(ino >> 8) + "/" + std::to_string(ino);
}

Result<std::string> MakeShardDirs(const std::string& dir, uint64_t ino) {
  const std::string shard1 = dir + "/" + Hex2(ino);
  const std::string shard2 = shard1 + "/" + Hex2(ino >> 8);
  EFS_RETURN_IF_ERROR(MakeDir(shard1, dir));
  EFS_RETURN_IF_ERROR(MakeDir(shard2, shard1));
  return shard2;
}

Status InstallSharded(const std::string& temp, const std::string& dir, uint64_t ino) {
  EFS_ASSIGN_OR_RETURN(std::string shard2, MakeShardDirs(dir, ino));
  const std::string path = ShardedPath(dir, ino);
  if (io::Rename(temp.c_str(), path.c_str()) != 0) {
    return ErrnoStatus(errno, "rename '" + temp + "' to '" + path + "'");
  }
  return FsyncDir(shard2);
}

namespace {

// ScanSharded's work in one shard directory: each file is stat'ed relative to the directory,
// so that a million files cost no path walks.
Status ScanShard(const std::string& shard,
                 const std::function<Status(uint64_t ino, const struct stat& st)>& fn) {
  DIR* dir = ::opendir(shard.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus(errno, "opendir '" + shard + "'");
  }
  Status status = Status::Ok();
  while (const dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    const uint64_t ino = std::strtoull(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;  // ".", "..", or not an inode's
    struct stat st;
    if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed meanwhile
      status = ErrnoStatus(errno, "stat '" + shard + "/" + e->d_name + "'");
      break;
    }
    status = fn(ino, st);
    if (!status.ok()) break;
  }
  ::closedir(dir);
  return status;
}

}  // namespace

Status ScanSharded(const std::string& dir,
                   const std::function<Status(uint64_t ino, const struct stat& st)>& fn) {
  EFS_ASSIGN_OR_RETURN(std::vector<std::string> shards1, Names(dir));
  for (const std::string& s1 : shards1) {
    if (!IsShard(s1)) continue;
    EFS_ASSIGN_OR_RETURN(std::vector<std::string> shards2, Names(dir + "/" + s1));
    for (const std::string& s2 : shards2) {
      if (!IsShard(s2)) continue;
      EFS_RETURN_IF_ERROR(ScanShard(dir + "/" + s1 + "/" + s2, fn));
    }
  }
  return Status::Ok();
}

std::string IncomingPath(const std::string& dir, uint64_t ino) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  char suffix[17];
  std::snprintf(suffix, sizeof(suffix), "%016" PRIx64, static_cast<uint64_t>(rng()));
  return dir + "/incoming/" + std::to_string(ino) + "." + suffix;
}

bool AllZeros(std::string_view bytes) {
  return bytes.empty() ||
         (bytes[0] == 0 && std::memcmp(bytes.data(), bytes.data() + 1, bytes.size() - 1) == 0);
}

Result<size_t> PreadAll(int fd, char* buf, size_t count, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < count) {
    ssize_t n = ::pread(fd, buf + done, count - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "read '" + path + "'");
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status PwriteAll(int fd, std::string_view data, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        io::Pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "write '" + path + "'");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace efs::store

// Small file helpers the data tiers share (DataStore, ColdStore): errno mapping, durable
// directory creation, whole reads and writes, and the sharded layout <dir>/<ab>/<cd>/<ino>
// (ab and cd the low and next byte of the inode number in hex: 65,536 shards).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace efs::store {

// `what`: strerror(err), as the Status code errno means (kNoSpace, kFileTooBig, kReadOnly,
// else kIOError).
Status ErrnoStatus(int err, const std::string& what);

// fsync of the directory `path`.
Status FsyncDir(const std::string& path);
// mkdir `path` (0700); if it was created, fsyncs `parent` so the new entry is durable.
Status MakeDir(const std::string& path, const std::string& parent);
// mkdir -p `path`, fsyncing the parent of each directory it creates.
Status MakeDirs(const std::string& path);
// Creates the directory `path` if missing (as MakeDir) and unlinks every file in it.
Status EmptyDir(const std::string& path, const std::string& parent);

// <dir>/<ab>/<cd>/<ino>.
std::string ShardedPath(const std::string& dir, uint64_t ino);
// Creates (durably) the shard directories of `ino` under `dir`; returns <dir>/<ab>/<cd>.
Result<std::string> MakeShardDirs(const std::string& dir, uint64_t ino);
// Renames `temp` (written and synced) to ShardedPath(dir, ino), creating the shard
// directories, and fsyncs the shard directory: the file is durably in place on return.
Status InstallSharded(const std::string& temp, const std::string& dir, uint64_t ino);
// Calls `fn` with the inode number and stat of every file at <dir>/<ab>/<cd>/<ino> (other
// names, such as incoming/, are passed over); stops at the first error `fn` returns.
Status ScanSharded(const std::string& dir,
                   const std::function<Status(uint64_t ino, const struct stat& st)>& fn);
// <dir>/incoming/<ino>.<16 random hex digits>: where a whole file is written before
// InstallSharded.
std::string IncomingPath(const std::string& dir, uint64_t ino);

bool AllZeros(std::string_view bytes);
// Reads up to `count` bytes at `offset`; returns how many there were before the end of file.
Result<size_t> PreadAll(int fd, char* buf, size_t count, uint64_t offset, const std::string& path);
Status PwriteAll(int fd, std::string_view data, uint64_t offset, const std::string& path);

}  // namespace efs::store

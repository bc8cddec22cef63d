// ColdStore: the contents of the files one cold storage class (Infrequent Access or Archive) of
// one file system holds: one object per inode under <dir>/<ab>/<cd>/<ino> (ab and cd as in
// DataStore), written whole by Put and never changed in place.
//
// ** Object format ** (little-endian)
//   header   "EFSC" | u32 version (1) | u64 file size | u32 chunk size (kChunkSize) |
//            u32 chunk count = ceil(size / chunk size)
//   table    per chunk: u64 offset of its stored bytes in the object | u32 stored length |
//            u32 kind (0 hole: all zeros, nothing stored; 1 raw; 2 zstd frame)
//   chunks   the stored bytes.
// A chunk is a zstd frame (with its content checksum) when that is smaller than the raw bytes,
// the raw bytes otherwise; a chunk of zeros is a hole. So IA and Archive keep contents
// compressed where that saves space and sparse files stay sparse.
//
// ** Durability ** Put writes the object to <dir>/incoming/<ino>.<random> first, fsyncs it,
// renames it into place (replacing any older object of the inode atomically) and fsyncs the
// shard directory. A crash leaves either the old object or the new one, never a mix; Open
// empties incoming/ of what a crash left there.
//
// Thread safety: all methods may be called concurrently (Put and Remove of one inode are not
// called concurrently with each other by PosixFs).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"

namespace efs::store {

class ColdStore {
 public:
  static constexpr uint32_t kChunkSize = 1 << 20;
  // Supplies `count` bytes of the file at `offset` (the source copy); fewer is an error.
  using Source = std::function<Result<std::string>(uint64_t offset, uint32_t count)>;

  // Uses (creating if missing, with parents) `dir`; empties dir/incoming.
  static Result<std::unique_ptr<ColdStore>> Open(const std::string& dir);
  ~ColdStore();

  // Stores `size` bytes read from `source` (in kChunkSize pieces, in order) as the object of
  // `ino`, durably (see above). `zstd_level` as ZSTD_compress's level.
  Status Put(uint64_t ino, uint64_t size, const Source& source, int zstd_level = 3);

  // `count` bytes at `offset` of `ino`'s object. kIOError ("... corrupt ...") for an object
  // that fails its checks (bad magic, table out of bounds, a frame that does not decompress to
  // its chunk); kNotFound when the inode has no object. Reads past the stored size are zeros.
  // Recently decompressed chunks are cached (a few MiB), so sequential reads in pieces smaller
  // than a chunk decompress each chunk once.
  Result<std::string> Read(uint64_t ino, uint64_t offset, uint32_t count);

  // The file size the object of `ino` records; kNotFound without an object.
  Result<uint64_t> Size(uint64_t ino);

  // Removes the object of `ino` (a missing one is fine) and forgets its cached chunks.
  Status Remove(uint64_t ino);

  // Bytes of disk the object of `ino` occupies (st_blocks * 512; 0 without an object).
  Result<uint64_t> SpaceUsed(uint64_t ino);

  std::string PathOf(uint64_t ino) const;

 private:
  struct Impl;
  explicit ColdStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace efs::store

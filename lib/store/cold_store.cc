// Objects of one cold storage class (see cold_store.h for their format and durability).
#include "store/cold_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <list>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/blocking.h"
#include "base/macros.h"
#include "base/mutex.h"
#include "base/unique_fd.h"
#include "store/files.h"
#include "store/io.h"

namespace efs::store {

namespace {

constexpr char kMagic[4] = {'E', 'F', 'S', 'C'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kHeaderSize = 24;  // magic, version, file size, chunk size, chunk count
constexpr uint64_t kEntrySize = 16;   // offset, stored length, kind
constexpr uint64_t kChunk = ColdStore::kChunkSize;
constexpr size_t kMaxOpenObjects = 64;
constexpr size_t kMaxCachedChunks = 8;

enum Kind : uint32_t { kHole = 0, kRaw = 1, kZstd = 2 };

struct Entry {
  uint64_t offset;
  uint32_t length;
  uint32_t kind;
};

// An open object whose header and table passed their checks.
struct Object {
  uint64_t ino = 0;
  uint64_t id = 0;  // unique per load: keys the chunk cache, so a replaced object's chunks miss
  std::string path;
  UniqueFd fd;
  uint64_t size = 0;
  std::vector<Entry> table;
};

// A decompressed chunk.
struct CachedChunk {
  uint64_t ino;
  uint64_t object_id;
  uint64_t index;
  std::shared_ptr<const std::string> bytes;
};

Status Corrupt(const std::string& path, const std::string& what) {
  return IOError("corrupt object '" + path + "': " + what);
}

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutU64(std::string* out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v));
  PutU32(out, static_cast<uint32_t>(v >> 32));
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

uint64_t GetU64(const char* p) { return GetU32(p) | uint64_t{GetU32(p + 4)} << 32; }

uint64_t ChunkCount(uint64_t size) { return size / kChunk + (size % kChunk != 0 ? 1 : 0); }

uint32_t ChunkLength(uint64_t size, uint64_t index) {
  return static_cast<uint32_t>(std::min(kChunk, size - index * kChunk));
}

// Checks the header `h` of `object`, whose file has `file_size` bytes; sets object->size.
// Returns the chunk count.
Result<uint64_t> ParseHeader(const char* h, uint64_t file_size, Object* object) {
  const std::string& path = object->path;
  if (std::memcmp(h, kMagic, sizeof(kMagic)) != 0) return Corrupt(path, "bad magic");
  if (GetU32(h + 4) != kVersion) return Corrupt(path, "unknown version");
  object->size = GetU64(h + 8);
  if (GetU32(h + 16) != kChunk) return Corrupt(path, "chunk size is not 1 MiB");
  const uint64_t count = GetU32(h + 20);
  if (count != ChunkCount(object->size)) return Corrupt(path, "chunk count does not match size");
  if (kHeaderSize + count * kEntrySize > file_size) return Corrupt(path, "table past its end");
  return count;
}

// Checks entry `index` of `object`: its kind and length agree, its bytes lie after the table
// and inside the file's `file_size` bytes.
Status CheckEntry(const Object& object, uint64_t index, uint64_t file_size) {
  const Entry& e = object.table[index];
  const uint64_t data_start = kHeaderSize + object.table.size() * kEntrySize;
  const std::string what = "chunk " + std::to_string(index) + ": ";
  switch (e.kind) {
    case kHole:
      if (e.length != 0) return Corrupt(object.path, what + "hole with stored bytes");
      return Status::Ok();
    case kRaw:
      if (e.length != ChunkLength(object.size, index)) {
        return Corrupt(object.path, what + "raw length is not the chunk's");
      }
      break;
    case kZstd:
      if (e.length == 0 || e.length > ZSTD_compressBound(kChunk)) {
        return Corrupt(object.path, what + "bad frame length");
      }
      break;
    default:
      return Corrupt(object.path, what + "unknown kind");
  }
  if (e.offset < data_start || e.offset > file_size || e.length > file_size - e.offset) {
    return Corrupt(object.path, what + "stored bytes out of bounds");
  }
  return Status::Ok();
}

// Opens and checks the object at `path`; kNotFound if there is none.
Result<Object> LoadObject(uint64_t ino, const std::string& path) {
  Object object;
  object.ino = ino;
  object.path = path;
  object.fd.Reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!object.fd.valid() && errno == ENOENT) {
    return Status(Code::kNotFound, "NotFound", "no cold object '" + path + "'");
  }
  if (!object.fd.valid()) return ErrnoStatus(errno, "open '" + path + "'");
  struct stat st;
  if (::fstat(object.fd.get(), &st) != 0) return ErrnoStatus(errno, "stat '" + path + "'");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  char header[kHeaderSize];
  EFS_ASSIGN_OR_RETURN(size_t n, PreadAll(object.fd.get(), header, kHeaderSize, 0, path));
  if (n < kHeaderSize) return Corrupt(path, "shorter than its header");
  EFS_ASSIGN_OR_RETURN(uint64_t count, ParseHeader(header, file_size, &object));
  std::string table(count * kEntrySize, '\0');
  EFS_ASSIGN_OR_RETURN(n, PreadAll(object.fd.get(), table.data(), table.size(), kHeaderSize, path));
  if (n < table.size()) return Corrupt(path, "shorter than its table");
  object.table.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    const char* p = table.data() + i * kEntrySize;
    object.table[i] = Entry{GetU64(p), GetU32(p + 8), GetU32(p + 12)};
    EFS_RETURN_IF_ERROR(CheckEntry(object, i, file_size));
  }
  return object;
}

// The bytes of zstd chunk `index` of `object`, decompressed.
Result<std::shared_ptr<const std::string>> Inflate(const Object& object, uint64_t index) {
  const Entry& e = object.table[index];
  const std::string what = "chunk " + std::to_string(index) + ": ";
  std::string frame(e.length, '\0');
  EFS_ASSIGN_OR_RETURN(size_t n,
                       PreadAll(object.fd.get(), frame.data(), e.length, e.offset, object.path));
  if (n < e.length) return Corrupt(object.path, what + "truncated");
  const uint32_t length = ChunkLength(object.size, index);
  auto bytes = std::make_shared<std::string>(length, '\0');
  n = ZSTD_decompress(bytes->data(), length, frame.data(), frame.size());
  if (ZSTD_isError(n)) return Corrupt(object.path, what + ZSTD_getErrorName(n));
  if (n != length) return Corrupt(object.path, what + "frame is shorter than the chunk");
  return std::shared_ptr<const std::string>(std::move(bytes));
}

// Writes the non-hole `raw` at `offset` of the object being written to `fd`, compressed when
// that is smaller; returns its table entry. `scratch` holds ZSTD_compressBound(kChunk) bytes.
Result<Entry> WriteChunk(int fd, const std::string& path, ZSTD_CCtx* cctx, std::string_view raw,
                         uint64_t offset, std::string* scratch) {
  const size_t n = ZSTD_compress2(cctx, scratch->data(), scratch->size(), raw.data(), raw.size());
  if (ZSTD_isError(n)) return Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  const bool compressed = n < raw.size();
  const std::string_view stored = compressed ? std::string_view(scratch->data(), n) : raw;
  EFS_RETURN_IF_ERROR(PwriteAll(fd, stored, offset, path));
  return Entry{offset, static_cast<uint32_t>(stored.size()), compressed ? kZstd : kRaw};
}

// Writes the whole object of a `size`-byte file read from `source` to `fd` (a new file).
Status WriteObject(int fd, const std::string& path, uint64_t size, const ColdStore::Source& source,
                   int zstd_level) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  if (cctx == nullptr) return Internal("zstd: cannot create a compression context");
  if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, zstd_level)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1))) {
    return InvalidArgument("bad zstd level " + std::to_string(zstd_level));
  }
  const uint64_t count = ChunkCount(size);
  std::string head(kMagic, sizeof(kMagic));
  PutU32(&head, kVersion);
  PutU64(&head, size);
  PutU32(&head, ColdStore::kChunkSize);
  PutU32(&head, static_cast<uint32_t>(count));
  std::string scratch(ZSTD_compressBound(kChunk), '\0');
  uint64_t offset = kHeaderSize + count * kEntrySize;
  for (uint64_t i = 0; i < count; ++i) {
    const uint32_t length = ChunkLength(size, i);
    EFS_ASSIGN_OR_RETURN(std::string raw, source(i * kChunk, length));
    if (raw.size() != length) {
      return IOError("source of '" + path + "' gave " + std::to_string(raw.size()) + " bytes at " +
                     std::to_string(i * kChunk) + ", not " + std::to_string(length));
    }
    Entry e{0, 0, kHole};
    if (!AllZeros(raw)) {
      EFS_ASSIGN_OR_RETURN(e, WriteChunk(fd, path, cctx.get(), raw, offset, &scratch));
    }
    offset += e.length;
    PutU64(&head, e.offset);
    PutU32(&head, e.length);
    PutU32(&head, e.kind);
  }
  return PwriteAll(fd, head, 0, path);
}

Status SyncFile(int fd, const std::string& path) {
  ScopedBlocking blocking;  // the RPC pool runs other calls meanwhile
  if (io::Fsync(fd) != 0) return ErrnoStatus(errno, "fsync '" + path + "'");
  return Status::Ok();
}

}  // namespace

struct ColdStore::Impl {
  explicit Impl(std::string d) : dir(std::move(d)) {}

  // The checked, open object of `ino`, from the cache or loaded into it.
  Result<std::shared_ptr<const Object>> GetObject(uint64_t ino) EXCLUDES(mu);
  // Decompressed zstd chunk `index` of `object`, from the cache or inflated into it.
  Result<std::shared_ptr<const std::string>> GetChunk(const Object& object, uint64_t index)
      EXCLUDES(mu);
  // Copies `n` bytes at `from` in chunk `index` of `object` to `dst` (zeroed by the caller).
  Status CopyChunk(const Object& object, uint64_t index, uint64_t from, size_t n, char* dst)
      EXCLUDES(mu);
  // Drops the cached object and chunks of `ino`.
  void Forget(uint64_t ino) EXCLUDES(mu);

  const std::string dir;
  Mutex mu;
  // Bumped by each Forget; a load that saw another value raced a Put or Remove and is not cached.
  uint64_t forgets GUARDED_BY(mu) = 0;
  uint64_t next_object_id GUARDED_BY(mu) = 1;
  std::unordered_map<uint64_t, std::list<std::shared_ptr<const Object>>::iterator> objects
      GUARDED_BY(mu);
  std::list<std::shared_ptr<const Object>> object_lru GUARDED_BY(mu);  // most recent first
  std::list<CachedChunk> chunk_lru GUARDED_BY(mu);                     // most recent first
};

Result<std::shared_ptr<const Object>> ColdStore::Impl::GetObject(uint64_t ino) {
  uint64_t forgets_seen;
  {
    MutexLock lock(&mu);
    if (auto it = objects.find(ino); it != objects.end()) {
      object_lru.splice(object_lru.begin(), object_lru, it->second);
      return *it->second;
    }
    forgets_seen = forgets;
  }
  EFS_ASSIGN_OR_RETURN(Object loaded, LoadObject(ino, ShardedPath(dir, ino)));
  MutexLock lock(&mu);
  loaded.id = next_object_id++;
  auto object = std::make_shared<const Object>(std::move(loaded));
  if (forgets != forgets_seen) return object;
  if (auto it = objects.find(ino); it != objects.end()) return *it->second;  // a faster thread
  object_lru.push_front(object);
  objects[ino] = object_lru.begin();
  while (object_lru.size() > kMaxOpenObjects) {
    objects.erase(object_lru.back()->ino);
    object_lru.pop_back();
  }
  return object;
}

Result<std::shared_ptr<const std::string>> ColdStore::Impl::GetChunk(const Object& object,
                                                                     uint64_t index) {
  {
    MutexLock lock(&mu);
    for (auto it = chunk_lru.begin(); it != chunk_lru.end(); ++it) {
      if (it->object_id == object.id && it->index == index) {
        chunk_lru.splice(chunk_lru.begin(), chunk_lru, it);
        return it->bytes;
      }
    }
  }
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> bytes, Inflate(object, index));
  MutexLock lock(&mu);
  chunk_lru.push_front(CachedChunk{object.ino, object.id, index, bytes});
  if (chunk_lru.size() > kMaxCachedChunks) chunk_lru.pop_back();
  return bytes;
}

Status ColdStore::Impl::CopyChunk(const Object& object, uint64_t index, uint64_t from, size_t n,
                                  char* dst) {
  const Entry& e = object.table[index];
  if (e.kind == kHole) return Status::Ok();
  if (e.kind == kRaw) {
    EFS_ASSIGN_OR_RETURN(size_t got,
                         PreadAll(object.fd.get(), dst, n, e.offset + from, object.path));
    if (got < n) return Corrupt(object.path, "chunk " + std::to_string(index) + ": truncated");
    return Status::Ok();
  }
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> bytes, GetChunk(object, index));
  std::memcpy(dst, bytes->data() + from, n);
  return Status::Ok();
}

void ColdStore::Impl::Forget(uint64_t ino) {
  MutexLock lock(&mu);
  ++forgets;
  if (auto it = objects.find(ino); it != objects.end()) {
    object_lru.erase(it->second);
    objects.erase(it);
  }
  chunk_lru.remove_if([ino](const CachedChunk& c) { return c.ino == ino; });
}

ColdStore::ColdStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ColdStore::~ColdStore() = default;

Result<std::unique_ptr<ColdStore>> ColdStore::Open(const std::string& dir) {
  EFS_RETURN_IF_ERROR(MakeDirs(dir));
  EFS_RETURN_IF_ERROR(EmptyDir(dir + "/incoming", dir));
  return std::unique_ptr<ColdStore>(new ColdStore(std::make_unique<Impl>(dir)));
}

Status ColdStore::Put(uint64_t ino, uint64_t size, const Source& source, int zstd_level) {
  if (ChunkCount(size) > UINT32_MAX) {
    return InvalidArgument("a file of " + std::to_string(size) + " bytes is too big to store");
  }
  const std::string temp = IncomingPath(impl_->dir, ino);
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus(errno, "create '" + temp + "'");
  Status status = WriteObject(fd.get(), temp, size, source, zstd_level);
  if (status.ok()) status = SyncFile(fd.get(), temp);
  fd.Reset();
  if (status.ok()) status = InstallSharded(temp, impl_->dir, ino);
  impl_->Forget(ino);  // a failed Install may still have renamed
  if (!status.ok()) io::Unlink(temp.c_str());
  return status;
}

Result<std::string> ColdStore::Read(uint64_t ino, uint64_t offset, uint32_t count) {
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<const Object> object, impl_->GetObject(ino));
  std::string out(count, '\0');
  if (offset >= object->size) return out;
  const uint64_t end = offset + std::min<uint64_t>(count, object->size - offset);
  for (uint64_t pos = offset; pos < end;) {
    const uint64_t from = pos % kChunk;
    const size_t n = static_cast<size_t>(std::min(end - pos, kChunk - from));
    EFS_RETURN_IF_ERROR(
        impl_->CopyChunk(*object, pos / kChunk, from, n, out.data() + (pos - offset)));
    pos += n;
  }
  return out;
}

Result<uint64_t> ColdStore::Size(uint64_t ino) {
  EFS_ASSIGN_OR_RETURN(std::shared_ptr<const Object> object, impl_->GetObject(ino));
  return object->size;
}

Status ColdStore::Remove(uint64_t ino) {
  const std::string path = PathOf(ino);
  Status status;
  if (io::Unlink(path.c_str()) != 0 && errno != ENOENT) {
    status = ErrnoStatus(errno, "unlink '" + path + "'");
  }
  impl_->Forget(ino);
  return status;
}

Result<uint64_t> ColdStore::SpaceUsed(uint64_t ino) {
  const std::string path = PathOf(ino);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return uint64_t{0};
    return ErrnoStatus(errno, "stat '" + path + "'");
  }
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

std::string ColdStore::PathOf(uint64_t ino) const { return ShardedPath(impl_->dir, ino); }

}  // namespace efs::store

// ColdStore: objects read back byte-identical (holes, raw and zstd chunks, odd pieces), take
// less space than their files when they can, replace atomically, and fail loudly when corrupt.
#include "store/cold_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "testutil/temp_dir.h"

namespace efs::store {
namespace {

using testutil::TempDir;

constexpr uint64_t kChunk = ColdStore::kChunkSize;

std::unique_ptr<ColdStore> OpenOrDie(const std::string& dir) {
  Result<std::unique_ptr<ColdStore>> store = ColdStore::Open(dir);
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.status().ToString());
  return store.ok() ? std::move(store).value() : nullptr;
}

// A source that serves `bytes` and counts its calls.
ColdStore::Source FromString(const std::string& bytes, int* calls = nullptr) {
  return [&bytes, calls](uint64_t offset, uint32_t count) -> Result<std::string> {
    if (calls != nullptr) ++*calls;
    return bytes.substr(offset, count);
  };
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// Text that compresses well, and differs with `seed`.
std::string TextBytes(size_t n, int seed) {
  std::string out;
  for (int line = 0; out.size() < n; ++line) {
    out += "seed " + std::to_string(seed) + " line " + std::to_string(line) +
           ": the quick brown fox jumps over the lazy dog\n";
  }
  out.resize(n);
  return out;
}

void PutOrDie(ColdStore& store, uint64_t ino, const std::string& bytes) {
  Status s = store.Put(ino, bytes.size(), FromString(bytes));
  ASSERT_TRUE(s.ok()) << s.ToString();
}

std::string ReadOrDie(ColdStore& store, uint64_t ino, uint64_t offset, uint32_t count) {
  Result<std::string> r = store.Read(ino, offset, count);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.status().ToString());
  return r.ok() ? std::move(r).value() : std::string();
}

// Puts `bytes` as `ino`, then reads it back whole and in 4 KiB pieces from an odd offset.
void ExpectRoundTrip(ColdStore& store, uint64_t ino, const std::string& bytes) {
  PutOrDie(store, ino, bytes);
  Result<uint64_t> size = store.Size(ino);
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, bytes.size());
  EXPECT_TRUE(ReadOrDie(store, ino, 0, static_cast<uint32_t>(bytes.size())) == bytes);
  for (uint64_t offset = 3; offset < bytes.size(); offset += 4093) {
    const uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(4096, bytes.size() - offset));
    ASSERT_TRUE(ReadOrDie(store, ino, offset, count) == bytes.substr(offset, count))
        << "at " << offset;
  }
}

uint64_t SpaceUsedOrDie(ColdStore& store, uint64_t ino) {
  Result<uint64_t> used = store.SpaceUsed(ino);
  EXPECT_TRUE(used.ok()) << (used.ok() ? "" : used.status().ToString());
  return used.ok() ? *used : 0;
}

std::vector<std::string> ListDir(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return names;
  while (const dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  return names;
}

// Overwrites `bytes.size()` bytes at `offset` of the file at `path`.
void Patch(const std::string& path, uint64_t offset, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

uint64_t LittleEndian(const std::string& bytes, size_t at, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// Expects a fresh store over `dir` to read `ino` as a corrupt object, never as bytes.
void ExpectCorrupt(const std::string& dir, uint64_t ino, uint64_t size) {
  auto store = OpenOrDie(dir);
  Result<std::string> r = store->Read(ino, 0, static_cast<uint32_t>(size));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIOError);
  EXPECT_NE(r.status().message().find("corrupt"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find(store->PathOf(ino)), std::string::npos)
      << r.status().ToString();
}

TEST(ColdStore, RoundTripsAnEmptyFile) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  ExpectRoundTrip(*store, 7, "");
  EXPECT_EQ(ReadOrDie(*store, 7, 0, 10), std::string(10, '\0'));
}

TEST(ColdStore, RoundTripsAOneByteFile) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  ExpectRoundTrip(*store, 7, "x");
  EXPECT_EQ(ReadOrDie(*store, 7, 0, 3), std::string("x\0\0", 3));  // past the size: zeros
}

TEST(ColdStore, RoundTripsAFileOfExactlyOneChunk) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  ExpectRoundTrip(*store, 7, RandomBytes(kChunk, 1));
  ExpectRoundTrip(*store, 8, TextBytes(kChunk, 1));
}

TEST(ColdStore, RoundTripsIncompressibleMultiChunkFile) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  const std::string bytes = RandomBytes(2 * kChunk + 12345, 2);
  ExpectRoundTrip(*store, 0x1234, bytes);
  EXPECT_GE(SpaceUsedOrDie(*store, 0x1234), bytes.size());
}

TEST(ColdStore, CompressibleFileRoundTripsAndTakesLittleSpace) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  const std::string bytes = TextBytes(3 * kChunk + 999, 3);
  ExpectRoundTrip(*store, 42, bytes);
  EXPECT_LT(SpaceUsedOrDie(*store, 42), bytes.size() / 4);
}

TEST(ColdStore, SparseFileReadsBackAndTakesLessThanItsSize) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  std::string bytes(5 * kChunk + 77, '\0');
  bytes.replace(2 * kChunk + 100, kChunk, RandomBytes(kChunk, 4));  // spans chunks 2 and 3
  ExpectRoundTrip(*store, 9, bytes);
  EXPECT_LT(SpaceUsedOrDie(*store, 9), 3 * kChunk);
}

TEST(ColdStore, PutReplacesTheOlderObject) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  const std::string old_bytes = TextBytes(kChunk + 500, 5);
  const std::string new_bytes = TextBytes(kChunk + 100, 6);
  PutOrDie(*store, 3, old_bytes);
  EXPECT_TRUE(ReadOrDie(*store, 3, 0, 4096) == old_bytes.substr(0, 4096));  // cached now
  PutOrDie(*store, 3, new_bytes);
  EXPECT_EQ(*store->Size(3), new_bytes.size());
  EXPECT_TRUE(ReadOrDie(*store, 3, 0, 4096) == new_bytes.substr(0, 4096));
  EXPECT_TRUE(ReadOrDie(*store, 3, 0, static_cast<uint32_t>(new_bytes.size())) == new_bytes);
  EXPECT_TRUE(ListDir(tmp.Join("ia/incoming")).empty());
}

TEST(ColdStore, RemovedObjectIsNotFound) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  EXPECT_EQ(store->Read(5, 0, 1).status().code(), Code::kNotFound);
  PutOrDie(*store, 5, TextBytes(10000, 7));
  ASSERT_EQ(ReadOrDie(*store, 5, 0, 10), TextBytes(10, 7));
  ASSERT_TRUE(store->Remove(5).ok());
  EXPECT_EQ(store->Read(5, 0, 10).status().code(), Code::kNotFound);
  EXPECT_EQ(store->Size(5).status().code(), Code::kNotFound);
  EXPECT_EQ(SpaceUsedOrDie(*store, 5), 0u);
  EXPECT_TRUE(store->Remove(5).ok());  // a missing object is fine
}

TEST(ColdStore, ObjectsLiveInShardDirectories) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  EXPECT_EQ(store->PathOf(0x1234), tmp.Join("ia/34/12/4660"));
  PutOrDie(*store, 0x1234, "abc");
  struct stat st;
  EXPECT_EQ(::stat(tmp.Join("ia/34/12/4660").c_str(), &st), 0);
}

TEST(ColdStore, OpenEmptiesIncoming) {
  TempDir tmp;
  const std::string dir = tmp.Join("a/b/ia");  // Open creates the parents too
  PutOrDie(*OpenOrDie(dir), 11, "kept");
  std::ofstream(dir + "/incoming/11.deadbeef") << "left by a crash";
  ASSERT_EQ(ListDir(dir + "/incoming").size(), 1u);
  auto store = OpenOrDie(dir);
  EXPECT_TRUE(ListDir(dir + "/incoming").empty());
  EXPECT_EQ(ReadOrDie(*store, 11, 0, 4), "kept");
}

TEST(ColdStore, FlippedBytesInACompressedChunkReadAsCorrupt) {
  TempDir tmp;
  const std::string dir = tmp.Join("ia");
  const std::string bytes = TextBytes(2 * kChunk, 8);
  PutOrDie(*OpenOrDie(dir), 1, bytes);
  const std::string path = OpenOrDie(dir)->PathOf(1);
  const std::string object = Slurp(path);
  ASSERT_EQ(LittleEndian(object, 24 + 12, 4), 2u);  // chunk 0 is a zstd frame
  const uint64_t offset = LittleEndian(object, 24, 8);
  const uint64_t length = LittleEndian(object, 24 + 8, 4);
  Patch(path, offset + length / 2, std::string("\xff\x00\x55", 3));
  ExpectCorrupt(dir, 1, bytes.size());
}

TEST(ColdStore, TruncatedObjectReadsAsCorrupt) {
  TempDir tmp;
  const std::string dir = tmp.Join("ia");
  const std::string bytes = RandomBytes(2 * kChunk, 9);
  PutOrDie(*OpenOrDie(dir), 1, bytes);
  const std::string path = OpenOrDie(dir)->PathOf(1);
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(kChunk)), 0);
  ExpectCorrupt(dir, 1, bytes.size());
  ASSERT_EQ(::truncate(path.c_str(), 10), 0);  // inside the header
  ExpectCorrupt(dir, 1, bytes.size());
}

TEST(ColdStore, BadMagicReadsAsCorrupt) {
  TempDir tmp;
  const std::string dir = tmp.Join("ia");
  PutOrDie(*OpenOrDie(dir), 1, "hello");
  Patch(OpenOrDie(dir)->PathOf(1), 0, "EFSX");
  ExpectCorrupt(dir, 1, 5);
}

TEST(ColdStore, FailingSourceLeavesNoObjectAndNoTempFile) {
  TempDir tmp;
  const std::string dir = tmp.Join("ia");
  auto store = OpenOrDie(dir);
  const std::string old_bytes = TextBytes(1000, 10);
  PutOrDie(*store, 2, old_bytes);
  const std::string bytes = RandomBytes(3 * kChunk, 10);
  auto failing = [&bytes](uint64_t offset, uint32_t count) -> Result<std::string> {
    if (offset >= kChunk) return IOError("source disk on fire");
    return bytes.substr(offset, count);
  };
  Status s = store->Put(4, bytes.size(), failing);
  EXPECT_EQ(s.code(), Code::kIOError);
  EXPECT_EQ(s.message(), "source disk on fire");
  EXPECT_EQ(store->Size(4).status().code(), Code::kNotFound);
  // A failed Put keeps the older object.
  EXPECT_FALSE(store->Put(2, bytes.size(), failing).ok());
  EXPECT_EQ(ReadOrDie(*store, 2, 0, 1000), old_bytes);
  // A source that gives fewer bytes than asked fails too.
  auto short_source = [](uint64_t, uint32_t count) -> Result<std::string> {
    return std::string(count / 2, 'x');
  };
  EXPECT_FALSE(store->Put(6, 100, short_source).ok());
  EXPECT_EQ(store->Size(6).status().code(), Code::kNotFound);
  EXPECT_TRUE(ListDir(dir + "/incoming").empty());
}

TEST(ColdStore, PutReadsTheSourceInChunks) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  const std::string bytes = TextBytes(3 * kChunk + 1, 11);
  int calls = 0;
  ASSERT_TRUE(store->Put(1, bytes.size(), FromString(bytes, &calls)).ok());
  EXPECT_EQ(calls, 4);
}

TEST(ColdStore, ConcurrentReadsReturnTheRightBytes) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.Join("ia"));
  std::string bytes;
  for (int i = 0; i < 12; ++i) {  // more chunks than the cache holds, zstd and raw
    bytes += i % 3 == 0 ? RandomBytes(kChunk, i) : TextBytes(kChunk, i);
  }
  bytes += TextBytes(5000, 99);
  PutOrDie(*store, 77, bytes);
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; i < 300; ++i) {
        const uint64_t offset = (rng() % bytes.size()) / 4 * 4 + static_cast<uint64_t>(t);
        const uint32_t count = static_cast<uint32_t>(1 + rng() % 70000);
        Result<std::string> r = store->Read(77, offset, count);
        std::string want = bytes.substr(std::min<uint64_t>(offset, bytes.size()), count);
        want.resize(count, '\0');
        if (!r.ok() || *r != want) ++bad[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace efs::store

// The metrics region: slots claimed, released and reused; every field round-trips to a
// reader; files that are not a region are refused; and the seqlock, the lock-free counters and
// a reader's crash keep the writer and other readers right.
#include "metrics/counters.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/interprocess/file_mapping.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "testutil/temp_dir.h"

namespace efs::metrics {
namespace {

using std::chrono::steady_clock;

struct RegionTest : ::testing::Test {
  testutil::TempDir dir;
  std::string path = dir.Join("efsd.metrics");

  std::unique_ptr<Region> MakeRegion(uint32_t capacity = kDefaultCapacity) {
    Result<std::unique_ptr<Region>> region = Region::Create(path, capacity);
    EXPECT_TRUE(region.ok()) << region.status().ToString();
    return region.ok() ? std::move(region).value() : nullptr;
  }

  Reading Read() {
    Result<Reading> reading = ReadRegion(path);
    EXPECT_TRUE(reading.ok()) << reading.status().ToString();
    return reading.ok() ? std::move(reading).value() : Reading{};
  }

  // A copy of the region file with `bytes` written at `offset`, for readers to refuse.
  std::string PatchedCopy(size_t offset, const void* bytes, size_t size) {
    const std::string copy = dir.Join("patched.metrics");
    std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing);
    std::fstream file(copy, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(offset));
    file.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(size));
    return copy;
  }
};

void ExpectNotARegion(const std::string& path) {
  Result<Reading> reading = ReadRegion(path);
  ASSERT_FALSE(reading.ok()) << path;
  EXPECT_EQ(reading.status().code(), Code::kCorruption) << reading.status().ToString();
  EXPECT_NE(reading.status().message().find("not an efsd metrics region"), std::string::npos)
      << reading.status().message();
}

TEST_F(RegionTest, CreatePublishesAnEmptyRegionOwnedByThisProcess) {
  const double before = static_cast<double>(::time(nullptr)) - 1;
  auto region = MakeRegion(4);
  ASSERT_NE(region, nullptr);
  EXPECT_EQ(region->path(), path);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(static_cast<size_t>(st.st_size), sizeof(Header) + 4 * sizeof(FsCounters));
  Reading reading = Read();
  EXPECT_EQ(reading.pid, ::getpid());
  EXPECT_GE(reading.started, before);
  EXPECT_EQ(reading.heartbeat, reading.started);
  EXPECT_TRUE(reading.file_systems.empty());
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(entry.path().string(), path) << "no temporary file is left behind";
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(RegionTest, CreateInAMissingDirectoryFails) {
  Result<std::unique_ptr<Region>> region = Region::Create(dir.Join("no/such/dir/efsd.metrics"));
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.status().code(), Code::kIOError);
}

TEST_F(RegionTest, DestroyingTheRegionRemovesItsFileButNotAReplacement) {
  auto first = MakeRegion(2);
  auto second = MakeRegion(2);  // a restarted efsd replaces the file
  first.reset();
  EXPECT_TRUE(std::filesystem::exists(path));
  ASSERT_NE(second->Claim("fs-1"), nullptr);
  EXPECT_EQ(Read().file_systems.size(), 1u);
  second.reset();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(RegionTest, ClaimGivesEachIdOneSlotUntilReleasedThenReusesItZeroed) {
  auto region = MakeRegion(2);
  FsCounters* a = region->Claim("fs-a");
  FsCounters* b = region->Claim("fs-b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(region->Claim("fs-a"), a) << "the same id keeps its slot and its counts";
  a->metadata_requests.store(7);
  EXPECT_EQ(region->Claim("fs-a")->metadata_requests.load(), 7u);

  region->Release("fs-a");
  region->Release("fs-unknown");  // a no-op
  Reading reading = Read();
  ASSERT_EQ(reading.file_systems.size(), 1u);
  EXPECT_EQ(reading.file_systems[0].file_system_id, "fs-b");

  FsCounters* c = region->Claim("fs-c");
  EXPECT_EQ(c, a) << "the freed slot is reused";
  EXPECT_EQ(c->metadata_requests.load(), 0u) << "and zeroed";
  EXPECT_EQ(Read().file_systems.size(), 2u);
}

TEST_F(RegionTest, ClaimReturnsNullWhenFullOrForAnInvalidId) {
  auto region = MakeRegion(2);
  ASSERT_NE(region->Claim("fs-1"), nullptr);
  ASSERT_NE(region->Claim("fs-2"), nullptr);
  EXPECT_EQ(region->Claim("fs-3"), nullptr);
  EXPECT_NE(region->Claim("fs-2"), nullptr) << "a claimed id still finds its slot";
  region->Release("fs-1");
  EXPECT_NE(region->Claim("fs-3"), nullptr);

  auto roomy = MakeRegion(4);
  EXPECT_NE(roomy->Claim(std::string(kMaxIdLength, 'x')), nullptr);
  EXPECT_EQ(roomy->Claim(std::string(kMaxIdLength + 1, 'x')), nullptr);
  EXPECT_EQ(roomy->Claim(""), nullptr);
  EXPECT_EQ(roomy->Claim(std::string("fs-\0x", 5)), nullptr);
  ASSERT_EQ(Read().file_systems.size(), 1u);
  EXPECT_EQ(Read().file_systems[0].file_system_id, std::string(kMaxIdLength, 'x'));
}

TEST_F(RegionTest, EveryCounterAndGaugeReachesTheReader) {
  auto region = MakeRegion(3);
  ASSERT_NE(region->Claim("fs-idle"), nullptr);
  FsCounters* c = region->Claim("fs-busy");
  ASSERT_NE(c, nullptr);
  c->AddRequest({Request::kDataRead, 3 * 1024 * 1024, 1024 * 1024, 3 * 1024 * 1024});
  c->AddRequest({Request::kDataWrite, 100, 4096, 32 * 1024});
  c->AddRequest({Request::kMetadata, 300, 4096, 4096});
  c->AddRequest({Request::kMetadata, 200, 4096, 4096});
  c->throttled_requests.store(3);
  c->throttled_micros.store(2500000);
  c->burst_credit_balance.store(-5);
  c->permitted_throughput.store(104857600);
  c->percent_io_limit.store(12.5);
  c->client_connections.store(4);
  c->throughput_mode.store(static_cast<uint32_t>(ThroughputMode::kProvisioned));
  c->performance_mode.store(static_cast<uint32_t>(PerformanceMode::kMaxIo));
  c->provisioned_mibps.store(256);
  c->storage_standard.store(1000);
  c->storage_ia.store(2000);
  c->storage_archive.store(3000);
  region->Heartbeat(1767225600.25);

  Reading reading = Read();
  EXPECT_EQ(reading.heartbeat, 1767225600.25);
  ASSERT_EQ(reading.file_systems.size(), 2u);
  EXPECT_EQ(reading.file_systems[0].file_system_id, "fs-idle");
  EXPECT_EQ(reading.file_systems[0].metered_io_bytes, 0u);
  const Snapshot& s = reading.file_systems[1];
  EXPECT_EQ(s.file_system_id, "fs-busy");
  EXPECT_EQ(s.data_read_io_bytes, 3u * 1024 * 1024);
  EXPECT_EQ(s.data_write_io_bytes, 100u);
  EXPECT_EQ(s.metadata_io_bytes, 500u);
  EXPECT_EQ(s.data_read_requests, 1u);
  EXPECT_EQ(s.data_write_requests, 1u);
  EXPECT_EQ(s.metadata_requests, 2u);
  EXPECT_EQ(s.metered_io_bytes, 1024u * 1024 + 3 * 4096);
  EXPECT_EQ(s.total_io_bytes, 3u * 1024 * 1024 + 32 * 1024 + 2 * 4096);
  EXPECT_EQ(s.throttled_requests, 3u);
  EXPECT_EQ(s.throttled_micros, 2500000u);
  EXPECT_EQ(s.burst_credit_balance, -5);
  EXPECT_EQ(s.permitted_throughput, 104857600u);
  EXPECT_EQ(s.percent_io_limit, 12.5);
  EXPECT_EQ(s.client_connections, 4u);
  EXPECT_EQ(s.throughput_mode, ThroughputMode::kProvisioned);
  EXPECT_EQ(s.performance_mode, PerformanceMode::kMaxIo);
  EXPECT_EQ(s.provisioned_mibps, 256);
  EXPECT_EQ(s.storage_standard, 1000u);
  EXPECT_EQ(s.storage_ia, 2000u);
  EXPECT_EQ(s.storage_archive, 3000u);
}

TEST(ModeNames, AreTheApiNames) {
  EXPECT_STREQ(Name(ThroughputMode::kBursting), "bursting");
  EXPECT_STREQ(Name(ThroughputMode::kProvisioned), "provisioned");
  EXPECT_STREQ(Name(ThroughputMode::kElastic), "elastic");
  EXPECT_STREQ(Name(static_cast<ThroughputMode>(9)), "unknown");
  EXPECT_STREQ(Name(PerformanceMode::kGeneralPurpose), "generalPurpose");
  EXPECT_STREQ(Name(PerformanceMode::kMaxIo), "maxIO");
}

TEST_F(RegionTest, AMissingRegionMeansTheDaemonIsUnreachable) {
  Result<Reading> reading = ReadRegion(path);
  ASSERT_FALSE(reading.ok());
  EXPECT_EQ(reading.status().code(), Code::kNotFound);
  EXPECT_EQ(reading.status().reason(), "DaemonUnreachable");
  EXPECT_EQ(reading.status().message(), "no efsd metrics at " + path + ": is efsd running?");
}

TEST_F(RegionTest, GarbageAndShortFilesAreNotRegions) {
  for (size_t size : {size_t{0}, size_t{10}, sizeof(Header) + 2 * sizeof(FsCounters)}) {
    SCOPED_TRACE(size);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(size, '\x5a');
    ExpectNotARegion(path);
  }
}

TEST_F(RegionTest, AWrongMagicVersionSlotSizeOrLengthIsNotARegion) {
  auto region = MakeRegion(2);
  const uint64_t magic = 0x1122334455667788;
  const uint32_t version = kVersion + 1, slot_size = sizeof(FsCounters) + 8, capacity = 3;
  ExpectNotARegion(PatchedCopy(offsetof(Header, magic), &magic, sizeof magic));
  ExpectNotARegion(PatchedCopy(offsetof(Header, version), &version, sizeof version));
  ExpectNotARegion(PatchedCopy(offsetof(Header, capacity), &capacity, sizeof capacity));
  ExpectNotARegion(PatchedCopy(offsetof(Header, slot_size), &slot_size, sizeof slot_size));
  const std::string copy = PatchedCopy(offsetof(Header, magic), &kMagic, sizeof kMagic);
  EXPECT_TRUE(ReadRegion(copy).ok()) << "the unpatched copy is a region";
  std::filesystem::resize_file(copy, std::filesystem::file_size(copy) - 1);
  ExpectNotARegion(copy);
  std::filesystem::resize_file(copy, std::filesystem::file_size(copy) + 2);
  ExpectNotARegion(copy);
}

TEST(RegionPathFor, ReplacesTheSocketsDotSockOrAppends) {
  EXPECT_EQ(RegionPathFor("/run/efsd/efsd.sock"), "/run/efsd/efsd.metrics");
  EXPECT_EQ(RegionPathFor("/run/user/1000/efsd/efsd.sock"), "/run/user/1000/efsd/efsd.metrics");
  EXPECT_EQ(RegionPathFor("efsd.sock"), "efsd.metrics");
  EXPECT_EQ(RegionPathFor("/tmp/api"), "/tmp/api.metrics");
  EXPECT_EQ(RegionPathFor("/tmp/a.sock/api"), "/tmp/a.sock/api.metrics");
  EXPECT_EQ(RegionPathFor("/tmp/api.socket"), "/tmp/api.socket.metrics");
}

TEST_F(RegionTest, ConcurrentRequestsAddUpExactly) {
  auto region = MakeRegion(1);
  FsCounters* c = region->Claim("fs-1");
  ASSERT_NE(c, nullptr);
  constexpr int kThreads = 4, kEach = 50000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([c, t] {
      const auto kind = static_cast<Request::Kind>(t % 3);
      for (int i = 0; i < kEach; ++i) c->AddRequest({kind, 10, 4096, 32768});
    });
  }
  for (std::thread& t : threads) t.join();
  const Snapshot s = Read().file_systems.at(0);
  EXPECT_EQ(s.data_read_requests, 2u * kEach);  // threads 0 and 3
  EXPECT_EQ(s.data_write_requests, 1u * kEach);
  EXPECT_EQ(s.metadata_requests, 1u * kEach);
  EXPECT_EQ(s.data_read_io_bytes, 2u * kEach * 10);
  EXPECT_EQ(s.metered_io_bytes, uint64_t{kThreads} * kEach * 4096);
  EXPECT_EQ(s.total_io_bytes, uint64_t{kThreads} * kEach * 32768);
}

// One slot passes between two file systems over and over, each leaving its own mark in it;
// a reader must never see one's mark under the other's id.
TEST_F(RegionTest, AReaderNeverSeesASlotUnderAnotherFileSystemsId) {
  auto region = MakeRegion(1);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    const auto deadline = steady_clock::now() + std::chrono::seconds(1);
    for (int i = 0; i < 5000000 && steady_clock::now() < deadline; ++i) {
      const bool a = i % 2 == 0;
      FsCounters* c = region->Claim(a ? "fs-a" : "fs-b");
      c->metered_io_bytes.store(a ? 1 : 2, std::memory_order_relaxed);
      c->storage_ia.store(a ? 1 : 2, std::memory_order_relaxed);
      region->Release(a ? "fs-a" : "fs-b");
    }
    done = true;
  });
  int reads = 0, seen = 0;
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  while (!done && reads < 1000000 && steady_clock::now() < deadline) {
    ++reads;
    Reading reading = Read();
    for (const Snapshot& s : reading.file_systems) {
      ++seen;
      const uint64_t mark = s.file_system_id == "fs-a" ? 1 : 2;
      ASSERT_TRUE(s.file_system_id == "fs-a" || s.file_system_id == "fs-b") << s.file_system_id;
      ASSERT_TRUE(s.metered_io_bytes == 0 || s.metered_io_bytes == mark) << s.file_system_id;
      ASSERT_TRUE(s.storage_ia == 0 || s.storage_ia == mark) << s.file_system_id;
    }
  }
  writer.join();
  EXPECT_GT(seen, 0) << "in " << reads << " reads";
}

// Waits up to 10 s for one byte on `fd`.
bool ReadByte(int fd) {
  pollfd p = {fd, POLLIN, 0};
  char byte;
  return ::poll(&p, 1, 10000) == 1 && ::read(fd, &byte, 1) == 1;
}

TEST_F(RegionTest, AReaderKilledWhileItHasTheRegionMappedLeavesTheWriterWorking) {
  auto region = MakeRegion(4);
  FsCounters* c = region->Claim("fs-1");
  ASSERT_NE(c, nullptr);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The reader: hold a mapping, say so, and keep reading until killed (at most 10 s).
    namespace bip = boost::interprocess;
    bip::file_mapping file(path.c_str(), bip::read_only);
    bip::mapped_region held(file, bip::read_only);
    bool told = false;
    const auto deadline = steady_clock::now() + std::chrono::seconds(10);
    for (int i = 0; i < 10000000 && steady_clock::now() < deadline; ++i) {
      if (ReadRegion(path).ok() && !told) told = ::write(ready[1], "r", 1) == 1;
    }
    ::_exit(0);
  }
  ::close(ready[1]);
  ASSERT_TRUE(ReadByte(ready[0])) << "the reader did not start";
  ::close(ready[0]);
  for (int i = 0; i < 1000; ++i) c->AddRequest({Request::kDataWrite, 1, 4096, 32768});
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  for (int i = 0; i < 1000; ++i) c->AddRequest({Request::kDataWrite, 1, 4096, 32768});
  ASSERT_NE(region->Claim("fs-2"), nullptr);
  region->Heartbeat(42);
  Reading reading = Read();
  EXPECT_EQ(reading.heartbeat, 42);
  ASSERT_EQ(reading.file_systems.size(), 2u);
  EXPECT_EQ(reading.file_systems[0].data_write_requests, 2000u);
  EXPECT_EQ(reading.file_systems[0].data_write_io_bytes, 2000u);
  EXPECT_EQ(reading.file_systems[1].file_system_id, "fs-2");
}

}  // namespace
}  // namespace efs::metrics

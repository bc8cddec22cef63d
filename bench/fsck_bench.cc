// How long the consistency check (efs fsck) takes on a large file system. Builds one directly in
// the store, without NFS and without a sync per file: namespace.db rows in one transaction, in
// DIRS directories of FILES/DIRS regular files of 100 bytes each (a data file apiece, metered as
// the store meters it), then opens it and times PosixFs::Check.
// Run: build/bench/efs_fsck_bench [FILES [DIRS]]   (default 1000000 files in 1000 directories)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "store/db.h"
#include "store/files.h"
#include "store/store_fs.h"
#include "testutil/temp_dir.h"

namespace {

using efs::Status;
using efs::store::Db;
using Clock = std::chrono::steady_clock;

constexpr int kFileBytes = 100;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void Die(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "fsck_bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}
template <class T>
void Die(const efs::Result<T>& r, const char* what) {
  if (!r.ok()) Die(r.status(), what);
}

// mkdir of the two shard directories above `path`, without the store's fsyncs.
void MakeParents(const std::string& path) {
  const std::string shard2 = path.substr(0, path.rfind('/'));
  const std::string shard1 = shard2.substr(0, shard2.rfind('/'));
  ::mkdir(shard1.c_str(), 0700);
  ::mkdir(shard2.c_str(), 0700);
}

// Inserts an inode row with the columns the check reads; the rest take their defaults.
Status Inode(Db& db, int64_t ino, int type, int64_t nlink, int64_t size, int64_t parent,
             int64_t next_cookie, int64_t entry_bytes, int64_t metered, int64_t data_space) {
  return db.Run(
      "INSERT INTO inodes (ino, generation, type, mode, nlink, uid, gid, size, atime_sec, "
      "atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec, btime_sec, btime_nsec, change, "
      "parent, next_cookie, last_access, entry_bytes, metered, data_space) VALUES "
      "(?, ?, ?, 420, ?, 0, 0, ?, 1, 0, 1, 0, 1, 0, 1, 0, 1, ?, ?, 1, ?, ?, ?)",
      ino, ino * 7919 | 1, type, nlink, size, parent, next_cookie, entry_bytes, metered,
      data_space);
}

void Build(const std::string& dir, int64_t files, int64_t dirs) {
  { Die(efs::store::OpenStoreFs(dir), "create"); }  // schema and root, then closed
  auto opened = Db::Open(dir + "/namespace.db");
  Die(opened, "open namespace.db");
  Db& db = **opened;
  // Rows go in directory by directory, entries before their inodes.
  Die(db.Exec("PRAGMA foreign_keys=OFF; PRAGMA synchronous=OFF; BEGIN"), "begin");
  const int64_t per_dir = files / dirs;
  int64_t ino = 2;
  int64_t root_bytes = 0;
  for (int64_t d = 0; d < dirs; ++d) {
    const int64_t dir_ino = ino++;
    const std::string dname = "d" + std::to_string(d);
    root_bytes += dname.size() + 24;
    Die(db.Run("INSERT INTO dirents (dir, name, cookie, ino) VALUES (1, ?, ?, ?)", dname, d + 3,
               dir_ino),
        "dirent");
    int64_t bytes = 0;
    for (int64_t f = 0; f < per_dir; ++f) {
      const int64_t file = ino++;
      const std::string name = "file-" + std::to_string(f);
      bytes += name.size() + 24;
      Die(db.Run("INSERT INTO dirents (dir, name, cookie, ino) VALUES (?, ?, ?, ?)", dir_ino, name,
                 f + 3, file),
          "dirent");
      Die(Inode(db, file, 1, 1, kFileBytes, 0, 3, 0, 2048 + 4096, 4096), "inode");
      const std::string path = efs::store::ShardedPath(dir + "/data", file);
      MakeParents(path);
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd < 0 || ::write(fd, std::string(kFileBytes, 'x').data(), kFileBytes) != kFileBytes) {
        Die(efs::IOError("cannot write " + path), "data");
      }
      ::close(fd);
    }
    const int64_t metered = 2048 + std::max<int64_t>(4096, (bytes + 4095) / 4096 * 4096);
    Die(Inode(db, dir_ino, 2, 2, 0, 1, per_dir + 3, bytes, metered, 0), "directory");
  }
  const int64_t root_metered = 2048 + std::max<int64_t>(4096, (root_bytes + 4095) / 4096 * 4096);
  Die(db.Run("UPDATE inodes SET nlink = ?, next_cookie = ?, entry_bytes = ?, metered = ? "
             "WHERE ino = 1",
             2 + dirs, dirs + 3, root_bytes, root_metered),
      "root");
  Die(db.Exec("COMMIT"), "commit");
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as it comes, into a file too
  const int64_t files = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const int64_t dirs = argc > 2 ? std::atoll(argv[2]) : 1000;
  efs::testutil::TempDir tmp;
  auto start = Clock::now();
  Build(tmp.path(), files, dirs);
  std::printf("built %lld files in %lld directories in %.1f s\n", static_cast<long long>(files),
              static_cast<long long>(dirs), Since(start));
  auto fs = efs::store::OpenStoreFs(tmp.path());
  Die(fs, "open");
  for (int run = 0; run < 2; ++run) {  // the first with a cold page cache for namespace.db
    start = Clock::now();
    auto report = (*fs)->Check(false);
    Die(report, "check");
    std::printf("check %d: %.2f s, %zu findings, %llu inodes, %llu entries, %llu data files\n",
                run + 1, Since(start), report->findings.size(),
                static_cast<unsigned long long>(report->checked.inodes),
                static_cast<unsigned long long>(report->checked.entries),
                static_cast<unsigned long long>(report->checked.data_copies));
    for (size_t i = 0; i < report->findings.size() && i < 5; ++i) {
      std::printf("  %s %llu %s\n", report->findings[i].kind.c_str(),
                  static_cast<unsigned long long>(report->findings[i].ino),
                  report->findings[i].detail.c_str());
    }
  }
  return 0;
}

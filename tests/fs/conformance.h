// The fs::FileSystem conformance suite, written once and instantiated for every
// implementation: MemFs in tests/fs/mem_fs_test.cc, StoreFs in tests/store/store_fs_test.cc.
// An instantiation supplies a factory that opens a file system in a fresh directory.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "base/clock.h"
#include "fs/filesystem.h"
#include "testutil/temp_dir.h"

namespace efs::fs {

struct FsFactory {
  std::string name;
  // Opens (creating) a file system kept in `dir` (MemFs ignores it) on `clock` (null: the
  // system clock).
  std::function<std::unique_ptr<FileSystem>(const std::string& dir, const Clock* clock)> open;
};

inline void PrintTo(const FsFactory& f, std::ostream* os) { *os << f.name; }

// The status of a Status or a Result, ok or not.
inline const Status& StatusOf(const Status& s) { return s; }
template <class T>
Status StatusOf(const Result<T>& r) {
  return r.ok() ? Status::Ok() : r.status();
}

inline std::string FactoryName(const testing::TestParamInfo<FsFactory>& info) {
  return info.param.name;
}

class FsConformance : public testing::TestWithParam<FsFactory> {
 protected:
  void SetUp() override;

  // Creates `name` in `dir` as `cred` and returns its id; fails the test on error.
  FileId Make(FileId dir, const std::string& name, FileType type = FileType::kRegular,
              uint32_t mode = 0644, const Credentials& cred = Credentials::Root());
  FileId MakeDir(FileId dir, const std::string& name, uint32_t mode = 0755,
                 const Credentials& cred = Credentials::Root()) {
    return Make(dir, name, FileType::kDirectory, mode, cred);
  }
  Attributes Attr(FileId id);
  void SetMode(FileId id, uint32_t mode);
  void Chown(FileId id, uint32_t uid, uint32_t gid);
  void WriteAt(FileId id, uint64_t offset, const std::string& data,
               Stability stability = Stability::kFileSync);
  std::string ReadAt(FileId id, uint64_t offset, uint32_t count);
  Code LookupCode(FileId dir, const std::string& name);

  testutil::TempDir tmp_;
  std::unique_ptr<FileSystem> fs_;
  FileId root_;
  const Credentials kRoot = Credentials::Root();
  const Credentials alice_{1000, 1000, {}};
  const Credentials bob_{1001, 1001, {}};
  const Credentials carol_{1002, 1002, {1000, 500}};  // in alice's group and group 500
};

}  // namespace efs::fs

// Temporary directories for tests.
#include "testutil/temp_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "base/check.h"

namespace efs::testutil {

TempDir::TempDir() {
  char tmpl[] = "/tmp/efs-test-XXXXXX";
  EFS_CHECK(::mkdtemp(tmpl) != nullptr);
  path_ = tmpl;
  ::chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace efs::testutil

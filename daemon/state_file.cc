// Small state files written whole (see state_file.h).
#include "daemon/state_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/macros.h"

namespace efs::daemon {

Status ReplaceFile(const std::string& path, const std::string& contents) {
  const std::string temp = path + ".new";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!(out << contents) || !out.flush()) return IOError("cannot write '" + temp + "'");
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return IOError("cannot rename '" + temp + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

namespace {

// The private mode for a file of `st`'s kind, or 0 to leave it as it is.
mode_t PrivateMode(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return 0700;
  if (S_ISREG(st.st_mode)) return st.st_mode & 07700;
  return 0;
}

// Sets `path` to its private mode if it is looser; true iff it changed it.
Result<bool> Privatize(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;  // gone meanwhile
    return IOError("cannot stat '" + path + "': " + std::strerror(errno));
  }
  const mode_t want = PrivateMode(st);
  if (want == 0 || (st.st_mode & 07777) == want) return false;
  if (::chmod(path.c_str(), want) != 0) {
    return IOError("cannot chmod '" + path + "': " + std::strerror(errno));
  }
  return true;
}

}  // namespace

Result<int> MakePrivate(const std::string& dir) {
  int changed = 0;
  EFS_ASSIGN_OR_RETURN(bool top, Privatize(dir));
  changed += top;
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    EFS_ASSIGN_OR_RETURN(bool one, Privatize(it->path().string()));
    changed += one;
  }
  if (ec) return IOError("cannot walk '" + dir + "': " + ec.message());
  return changed;
}

}  // namespace efs::daemon

// Small state files written whole (see state_file.h).
#include "daemon/state_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

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

}  // namespace efs::daemon

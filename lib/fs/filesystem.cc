// The small value-type helpers of filesystem.h.
#include "fs/filesystem.h"

#include <time.h>

#include <algorithm>

namespace efs::fs {

Status ValidateName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of(std::string_view("/\0", 2)) != std::string_view::npos) {
    return Status(Code::kInvalidArgument, "BadName", "invalid name '" + std::string(name) + "'");
  }
  if (name.size() > kMaxNameBytes) {
    return Status(Code::kNameTooLong, "NameTooLong", "name longer than 255 bytes");
  }
  return Status::Ok();
}

Time Time::Now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Time{ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec)};
}

bool Credentials::InGroup(uint32_t g) const {
  return gid == g || std::find(gids.begin(), gids.end(), g) != gids.end();
}

}  // namespace efs::fs

// ListLiveIds: the ids efsd knows for an id-valued option, for `efs __complete`.
#include "cmd/live_ids.h"

#include <algorithm>

namespace efs::cli {

std::vector<std::string> ListLiveIds(Context& ctx, const std::string& option,
                                     const std::vector<std::string>& words) {
  auto collect = [&](const char* action, const Json& params, const char* list, const char* id) {
    std::vector<std::string> ids;
    Result<Json> reply = ctx.Call(action, params);
    if (!reply.ok() || !reply->is_object() || !reply->contains(list)) return ids;
    for (const Json& item : (*reply)[list]) {
      std::string value = StringField(item, id);
      if (!value.empty()) ids.push_back(value);
    }
    return ids;
  };
  if (option == "--file-system-id" || option == "--resource-id") {
    return collect("DescribeFileSystems", Json::object(), "FileSystems", "FileSystemId");
  }
  if (option == "--subnet-id" || option == "--subnet-ids") {
    return collect("DescribeSubnets", Json::object(), "Subnets", "SubnetId");
  }
  if (option == "--security-groups" || option == "--group-id" || option == "--group-ids") {
    return collect("DescribeSecurityGroups", Json::object(), "SecurityGroups", "GroupId");
  }
  if (option == "--vpc-id") return collect("DescribeVpcs", Json::object(), "Vpcs", "VpcId");
  if (option != "--mount-target-id") return {};
  // Mount targets are listed per file system: the one on the line, else every one.
  std::vector<std::string> file_systems;
  auto given = std::find(words.begin(), words.end(), "--file-system-id");
  if (given != words.end() && given + 2 < words.end()) {
    file_systems.push_back(*(given + 1));
  } else {
    file_systems = collect("DescribeFileSystems", Json::object(), "FileSystems", "FileSystemId");
  }
  std::vector<std::string> ids;
  for (const std::string& fs : file_systems) {
    for (std::string& id : collect("DescribeMountTargets", Json{{"FileSystemId", fs}},
                                   "MountTargets", "MountTargetId")) {
      ids.push_back(std::move(id));
    }
  }
  return ids;
}

}  // namespace efs::cli

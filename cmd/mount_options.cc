// Mount option strings and mount.efs's command line (see mount_options.h).
#include "cmd/mount_options.h"

#include <cstdlib>
#include <map>
#include <regex>

#include "base/ids.h"
#include "base/macros.h"

namespace efs::cli {
namespace {

// EFS's recommended options for the kernel client (EFS-REFERENCE.md 2.6).
const char* kKernelDefaults[][2] = {
    {"vers", "4.1"},  {"rsize", "1048576"}, {"wsize", "1048576"},   {"hard", nullptr},
    {"timeo", "600"}, {"retrans", "2"},     {"noresvport", nullptr}};

// Options efs-utils defines that are not NFS options; the ones efsd cannot honour yet are refused.
const char* kEfsOnly[] = {"az", "mounttargetip", "region", "netns", "_netdev", "nofail"};
const char* kUnsupported[] = {"tls",  "iam",     "accesspoint",  "awsprofile", "awscredsuri",
                              "ocsp", "stunnel", "crossaccount", "rolearn",    "jwtpath"};

// The request `efs mount` would make for this invocation.
Result<MountRequest> ToRequest(const MountEfsInvocation& inv) {
  MountRequest r;
  r.fs_id = inv.fs_id;
  r.path = inv.path;
  r.mount_point = inv.dir;
  r.availability_zone = MountEfsOption(inv, "az");
  r.mount_target_ip = MountEfsOption(inv, "mounttargetip");
  std::vector<std::pair<std::string, std::string>> options;
  for (const auto& [k, v] : inv.options) {
    bool efs_only = false;
    for (const char* e : kEfsOnly) efs_only |= k == e;
    if (!efs_only) options.emplace_back(k, v);
  }
  EFS_RETURN_IF_ERROR(ApplyMountOptions(options, &r));
  return r;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> SplitMountOptions(std::string_view list) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    out.emplace_back(std::string(item.substr(0, eq)),
                     eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1)));
  }
  return out;
}

Status ApplyMountOptions(const std::vector<std::pair<std::string, std::string>>& options,
                         MountRequest* request) {
  for (const auto& [key, value] : options) {
    if (key == "ro" || key == "rw") {
      request->read_only = key == "ro";
      continue;
    }
    if (key == "actimeo") {
      char* end = nullptr;
      double seconds = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(seconds >= 0 && seconds <= 3600)) {
        return InvalidArgument("actimeo takes seconds from 0 to 3600, not '" + value + "'");
      }
      request->attr_cache_seconds = seconds;
    } else if (key == "noac") {
      request->attr_cache_seconds = 0;
    }
    request->nfs_options.emplace_back(key, value);
  }
  return Status::Ok();
}

std::string KernelNfsOptions(const MountRequest& request, const MountTarget& target) {
  std::map<std::string, std::string> given(request.nfs_options.begin(), request.nfs_options.end());
  std::string out;
  auto add = [&out](const std::string& k, const std::string& v) {
    out += (out.empty() ? "" : ",") + k + (v.empty() ? "" : "=" + v);
  };
  for (const auto& [k, v] : kKernelDefaults) {
    if (!given.count(k)) add(k, v ? v : "");
  }
  if (request.read_only && !given.count("ro")) add("ro", "");
  for (const auto& [k, v] : request.nfs_options) {
    if (k != "port" && k != "addr") add(k, v);
  }
  add("port", given.count("port") ? given["port"] : std::to_string(target.port));
  add("addr", target.ip);
  return out;
}

bool ParseMountEfsArgs(const std::vector<std::string>& args, MountEfsInvocation* inv) {
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-o" && i + 1 < args.size()) {
      for (auto& option : SplitMountOptions(args[++i])) inv->options.push_back(option);
    } else if ((a == "-t" || a == "-N") && i + 1 < args.size())
      ++i;
    else if (a == "-f")
      inv->fake = true;
    else if (a == "-v")
      inv->verbose = true;
    else if (a == "-n")
      inv->no_mtab = true;
    else if (a == "-s")
      continue;
    else if (!a.empty() && a[0] == '-')
      return false;
    else
      positional.push_back(a);
  }
  if (positional.size() != 2) return false;
  const std::string& spec = positional[0];
  size_t colon = spec.find(':');
  inv->fs_id = spec.substr(0, colon);
  if (colon != std::string::npos) inv->path = spec.substr(colon + 1);
  inv->dir = positional[1];
  // A DNS name of the file system, as efs-utils accepts one.
  static const std::regex kName(
      R"(^(([a-z0-9-]+)\.)?(fs-[0-9a-f]+)\.efs\.[a-z0-9-]+\.amazonaws\.com$)");
  std::smatch m;
  if (std::regex_match(inv->fs_id, m, kName)) {
    inv->device_az = m[2];
    inv->fs_id = m[3];
  }
  return true;
}

std::string MountEfsOption(const MountEfsInvocation& inv, const std::string& name) {
  for (const auto& [k, v] : inv.options) {
    if (k == name) return v;
  }
  return "";
}

Result<MountRequest> MountEfsRequest(const MountEfsInvocation& inv) {
  if (!IsValidId(inv.fs_id, "fs")) {
    return InvalidArgument("'" + inv.fs_id + "' is not a file system id (fs-...)");
  }
  for (const auto& [k, v] : inv.options) {
    for (const char* u : kUnsupported) {
      if (k == u) {
        return InvalidArgument("option '" + k + "' is not supported by efsd");
      }
    }
  }
  Result<MountRequest> request = ToRequest(inv);
  if (!request.ok() || inv.device_az.empty()) return request;
  if (!request->availability_zone.empty() && request->availability_zone != inv.device_az) {
    return InvalidArgument("the device names zone '" + inv.device_az + "' but -o az= says '" +
                           request->availability_zone + "'");
  }
  request->availability_zone = inv.device_az;
  return request;
}

}  // namespace efs::cli

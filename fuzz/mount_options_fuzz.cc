// Fuzz target: mount option strings and mount.efs's command line (cmd/mount_options.h). The
// input is argv for mount.efs, split at NUL bytes; its last argument is also an `efs mount -o`
// string. Whatever parses must give the kernel client an option string that reads back as
// the options it was made of.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/mount_options.h"

namespace {

namespace cli = efs::cli;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckKernelOptions(const cli::MountRequest& request) {
  cli::MountTarget target;
  target.ip = "10.0.0.1";
  std::string list = cli::KernelNfsOptions(request, target);
  auto options = cli::SplitMountOptions(list);
  // Every option of the request is there, and the address is the target's, last.
  Check(!options.empty() && options.back().first == "addr" && options.back().second == target.ip);
  for (const auto& [k, v] : request.nfs_options) {
    if (k == "port" || k == "addr" || k.empty()) continue;
    bool found = false;
    for (const auto& [k2, v2] : options) found |= k2 == k && v2 == v;
    Check(found);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args;
  for (size_t start = 0;;) {
    size_t nul = input.find('\0', start);
    args.emplace_back(input.substr(start, nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }

  cli::MountEfsInvocation inv;
  if (cli::ParseMountEfsArgs(args, &inv)) {
    efs::Result<cli::MountRequest> request = cli::MountEfsRequest(inv);
    if (request.ok()) CheckKernelOptions(*request);
  }

  cli::MountRequest request;
  if (cli::ApplyMountOptions(cli::SplitMountOptions(args.back()), &request).ok()) {
    Check(request.attr_cache_seconds >= 0 && request.attr_cache_seconds <= 3600);
    CheckKernelOptions(request);
  }
  return 0;
}

// WaitForState: the shared --wait loop of create-fs, delete-fs and the mount-target commands.
#include "cmd/wait.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "cmd/exit_codes.h"

namespace efs::cli {
namespace {

struct Describe {
  const char* noun;       // "file system"
  const char* action;     // "DescribeFileSystems"
  const char* id_field;   // "FileSystemId"
  const char* list;       // "FileSystems"
  const char* not_found;  // "FileSystemNotFound"
};

Describe DescribeFor(Resource kind) {
  if (kind == Resource::kFileSystem) {
    return {"file system", "DescribeFileSystems", "FileSystemId", "FileSystems",
            "FileSystemNotFound"};
  }
  return {"mount target", "DescribeMountTargets", "MountTargetId", "MountTargets",
          "MountTargetNotFound"};
}

}  // namespace

void AddWaitOptions(CLI::App& app, WaitOptions* options, const std::string& until) {
  app.add_flag("--wait", options->wait, "wait until " + until);
  app.add_option("--wait-timeout", options->timeout_seconds,
                 "with --wait, give up after this many seconds (default 300)")
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
}

Result<Json> WaitForState(Context& ctx, const WaitOptions& options, Resource kind,
                          const std::string& id, const std::string& state) {
  const Describe d = DescribeFor(kind);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(options.timeout_seconds);
  std::string last_state = "unknown";
  for (;;) {
    Result<Json> reply = ctx.Call(d.action, Json{{d.id_field, id}});
    if (!reply.ok()) {
      if (state.empty() && reply.status().reason() == d.not_found) return Json::object();
      return reply.status();
    }
    const Json* list = nullptr;
    if (reply->is_object() && reply->contains(d.list)) list = &(*reply)[d.list];
    if (list != nullptr && list->is_array() && !list->empty()) {
      const Json& description = list->front();
      last_state = StringField(description, "LifeCycleState");
      if (!state.empty() && last_state == state) return description;
      if (last_state == "error") {
        return Error(Code::kFailedPrecondition, "WaitFailed",
                     std::string(d.noun) + " '" + id + "' entered state 'error'");
      }
    } else if (state.empty()) {
      return Json::object();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", options.timeout_seconds);
      return Error(Code::kUnavailable, kWaitTimeout,
                   "timed out after " + std::string(seconds) + " s waiting for " + d.noun + " '" +
                       id + "' to " + (state.empty() ? "be deleted" : "become " + state) +
                       " (it is " + last_state + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options.interval_ms));
  }
}

}  // namespace efs::cli

// --wait and --wait-timeout: polling a describe action until a resource settles.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "base/status.h"
#include "cmd/context.h"

namespace efs::cli {

struct WaitOptions {
  bool wait = false;
  double timeout_seconds = 300;
  int interval_ms = 100;
};

// Adds --wait ("wait until <until>") and --wait-timeout SECONDS.
void AddWaitOptions(CLI::App& app, WaitOptions* options, const std::string& until);

enum class Resource { kFileSystem, kMountTarget };

// Polls the describe action for `id` every options.interval_ms until its LifeCycleState is
// `state`, then returns its description. With `state` empty, waits until efsd answers
// *NotFound and returns {}. A resource that reaches "error" fails (exit 1); one that never
// settles fails with reason WaitTimeout (exit 4) after options.timeout_seconds.
Result<Json> WaitForState(Context& ctx, const WaitOptions& options, Resource kind,
                          const std::string& id, const std::string& state);

}  // namespace efs::cli

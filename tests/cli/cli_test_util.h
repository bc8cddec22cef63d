// Helpers for the CLI tests: the command tree, running a command in-process against a fake
// transport, running the built binary, and reading the source tree.
#pragma once

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cmd/commands.h"
#include "cmd/context.h"
#include "testutil/subprocess.h"

namespace efs::cli::testing {

// The root app with the global options and every kCommands row, as main builds it.
struct Tree {
  std::ostringstream out, err;
  Context ctx{out, err};
  CLI::App app{"efs", "efs"};
  std::vector<BoundCommand> commands;
  Tree();
  CLI::App& Sub(const std::string& name) { return *app.get_subcommand(name); }
};

// One request the fake transport received.
struct Request {
  std::string action;
  api::Json params;
};

// Parses `args` (the words after "efs") and runs the selected command in-process. Each request
// is recorded and answered by `replies` in order (a Status answers with that error; the last
// reply repeats). Returns the command's status; a CLI11 parse error becomes a UsageError.
struct FakeRun {
  Status status;
  std::vector<Request> requests;
  std::string out, err;
};
struct Reply {
  Reply(api::Json json) : result(std::move(json)) {}  // NOLINT
  Reply(Status error, api::Json extra = api::Json::object())
      : ok(false), status(std::move(error)), extra(std::move(extra)) {}
  bool ok = true;
  api::Json result;
  Status status;
  api::Json extra;
};
FakeRun RunFake(const std::vector<std::string>& args, std::vector<Reply> replies = {
                                                          Reply(api::Json::object())});

// Runs the built efs binary with `args` and extra environment; captures both streams.
using Exec = testutil::RunResult;
Exec RunEfs(const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env = {});

// Runs `command` through /bin/sh, capturing stdout and stderr together.
Exec RunShell(const std::string& command);

std::string ReadFile(const std::string& path);
bool FileExists(const std::string& path);
// The .scd files in man/, as file names ("efs-create-fs.1.scd").
std::vector<std::string> ManSources();
// The lines of the scdoc section "# <title>" (up to the next "# " heading).
std::vector<std::string> Section(const std::string& scd, const std::string& title);

}  // namespace efs::cli::testing

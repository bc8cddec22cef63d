// Helpers for the CLI tests.
#include "tests/cli/cli_test_util.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cmd/exit_codes.h"

namespace efs::cli::testing {

Tree::Tree() {
  app.fallthrough();
  app.require_subcommand(0, 1);
  ctx.AddGlobalOptions(app);
  commands = BuildCommandTree(app);
  ctx.set_root_app(&app);
}

FakeRun RunFake(const std::vector<std::string>& args, std::vector<Reply> replies) {
  Tree tree;
  FakeRun run;
  size_t next = 0;
  tree.ctx.set_transport([&](const std::string& action, const api::Json& params,
                             api::Json* extra) -> Result<api::Json> {
    run.requests.push_back({action, params});
    const Reply& reply = replies[std::min(next++, replies.size() - 1)];
    if (reply.ok) return reply.result;
    if (extra != nullptr) *extra = reply.extra;
    return reply.status;
  });
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    tree.app.parse(reversed);
    run.status = Status::Ok();
    for (BoundCommand& bound : tree.commands) {
      if (bound.app->parsed()) run.status = bound.command->Run(tree.ctx);
    }
  } catch (const CLI::ParseError& e) {
    run.status = UsageError(e.what());
  }
  run.out = tree.out.str();
  run.err = tree.err.str();
  return run;
}

Exec RunEfs(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {testutil::BinPath("efs")};
  argv.insert(argv.end(), args.begin(), args.end());
  testutil::RunOptions options;
  options.env = env;
  return testutil::Run(argv, options);
}

Exec RunShell(const std::string& command) {
  return testutil::Run({"/bin/sh", "-c", "exec 2>&1; " + command});
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool FileExists(const std::string& path) { return std::filesystem::exists(path); }

std::vector<std::string> ManSources() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(EFS_SOURCE_DIR "/man")) {
    std::string name = entry.path().filename().string();
    if (name.size() > 4 && name.substr(name.size() - 4) == ".scd") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Section(const std::string& scd, const std::string& title) {
  std::vector<std::string> lines;
  std::istringstream in(scd);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) {
      inside = line == "# " + title;
      continue;
    }
    if (inside) lines.push_back(line);
  }
  return lines;
}

}  // namespace efs::cli::testing

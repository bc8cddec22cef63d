// Context: what every command runs with: the global options, the lazily-connected daemon
// client, the output streams and printers.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/messages.h"
#include "api/vpc_messages.h"
#include "base/status.h"
#include "cmd/output.h"

namespace efs::cli {

using api::Json;

// Returns object[key] if `object` is an object holding a string there, else "" (never throws).
std::string StringField(const Json& object, const char* key);

class Context {
 public:
  // How a request reaches efsd; tests substitute a fake with set_transport().
  using Transport =
      std::function<Result<Json>(const std::string& action, const Json& params, Json* extra)>;

  // Commands print to `out` and report to `err`; both must outlive the context.
  explicit Context(std::ostream& out = std::cout, std::ostream& err = std::cerr);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Adds the global options --socket, --output, --debug and --version to the root app.
  void AddGlobalOptions(CLI::App& app);

  // --socket, else $EFS_SOCKET, else api::DefaultSocketPath().
  std::string socket_path() const;
  // --output, else $EFS_OUTPUT, else json.
  OutputFormat output_format() const;
  // True iff --output or $EFS_OUTPUT chose the format (commands for people, such as efs bench,
  // print a table unless asked otherwise).
  bool output_chosen() const;
  bool debug() const { return debug_; }

  // Every read and write to efsd waits at most this long (default 60 s).
  void set_timeout_ms(int timeout_ms) { timeout_ms_ = timeout_ms; }
  void set_transport(Transport transport) { transport_ = std::move(transport); }

  // Sends one action to efsd, connecting (and saying Hello) on first use. Returns the result
  // object, or the service's error (reason = AWS error code; `extra` gets its extra fields),
  // or reason "DaemonUnreachable" when nothing answers. With --debug, logs both to err().
  Result<Json> Call(const std::string& action, const Json& params, Json* extra = nullptr);
  template <class Request>
  Result<Json> Send(const std::string& action, const Request& request, Json* extra = nullptr) {
    return Call(action, api::ToJson(request), extra);
  }

  // Prints a result in the selected output format; an empty object prints nothing.
  void Print(const Json& result);

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // The root CLI11 app, for commands that walk the tree (help, __complete).
  CLI::App* root_app() const { return root_app_; }
  void set_root_app(CLI::App* app) { root_app_ = app; }
  // The words after the command name, unparsed, for kRawArgs commands.
  const std::vector<std::string>& raw_args() const { return raw_args_; }
  void set_raw_args(std::vector<std::string> args) { raw_args_ = std::move(args); }
  // The exit code of a command that succeeded (0 unless it ran another program whose status
  // it passes on, as efs exec does).
  int exit_code() const { return exit_code_; }
  void set_exit_code(int code) { exit_code_ = code; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  std::string socket_;
  std::string output_ = "json";
  CLI::Option* output_option_ = nullptr;
  bool debug_ = false;
  int timeout_ms_ = 60000;
  Transport transport_;
  std::unique_ptr<api::Client> client_;
  CLI::App* root_app_ = nullptr;
  std::vector<std::string> raw_args_;
  int exit_code_ = 0;
};

}  // namespace efs::cli

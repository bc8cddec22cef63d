// Running the built binaries from tests: capture stdout, stderr and the exit code, with a
// deadline after which the child is killed.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace efs::testutil {

struct RunResult {
  int rc = -1;          // exit code; 128+signal if killed by a signal; -1 if it could not start
  bool timed_out = false;
  std::string out;
  std::string err;
};

struct RunOptions {
  std::map<std::string, std::string> env;  // set (or, with an empty value, unset) in the child
  std::string input;                       // written to the child's stdin
  double timeout_seconds = 60;
  uid_t uid = static_cast<uid_t>(-1);      // run as this user (needs root), -1: unchanged
};

// Runs argv[0] (a path) with argv. Bounded by options.timeout_seconds.
RunResult Run(const std::vector<std::string>& argv, const RunOptions& options = {});

// The path of a built binary: EFS_BIN_DIR "/" name.
std::string BinPath(const std::string& name);

// A process started in the background, stdout and stderr to a file.
class Child {
 public:
  Child() = default;
  Child(Child&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
  Child& operator=(Child&& o) noexcept {
    if (this != &o) {
      if (pid_ > 0) Signal(9 /* SIGKILL */, 10);
      pid_ = o.pid_;
      o.pid_ = -1;
    }
    return *this;
  }
  ~Child();  // SIGKILL and reap if still running
  // Starts argv with stdout and stderr appended to `log_path`.
  static Child Start(const std::vector<std::string>& argv, const std::string& log_path,
                     const std::map<std::string, std::string>& env = {});
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  // Sends `sig`, waits at most `timeout_seconds` and returns the exit code (128+signal if
  // killed by one), or -1 on timeout (the child is then SIGKILLed).
  int Signal(int sig, double timeout_seconds = 30);
  // Returns the exit code if the child has exited within `timeout_seconds`, else -1.
  int Wait(double timeout_seconds);

 private:
  pid_t pid_ = -1;
};

}  // namespace efs::testutil

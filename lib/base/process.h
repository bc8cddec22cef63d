// Running other programs from lib/ and the daemon: `ip` for the netns network backend, dnsmasq
// for the VPC resolvers. The child is made with fork and does only async-signal-safe calls
// before exec (everything it needs is prepared first), so this is safe in a multithreaded
// process. A child may be started inside a network namespace (setns before exec).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

namespace efs {

struct ProcessResult {
  int exit_code = -1;  // the exit status; 128 + signal when a signal ended it
  std::string out;     // what it wrote to stdout
  std::string err;     // ... and to stderr
};

struct ProcessOptions {
  std::string input;            // written to its stdin, which is then closed
  double timeout_seconds = 30;  // after this it is killed and the run fails (kUnavailable)
  std::string netns_path;       // enter this network namespace (/run/netns/NAME) before exec
};

// Runs argv (argv[0] a path, or a name looked up in PATH and then /usr/sbin and /sbin) to its
// end. Fails (kNotFound) when the program is missing, kUnavailable on timeout; a program that
// runs and exits non-zero is a successful run with that exit_code.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const ProcessOptions& options = {});

// The absolute path of program `name` (PATH, then /usr/sbin, /sbin), or "" if there is none.
std::string FindProgram(const std::string& name);

struct SpawnOptions {
  std::string netns_path;       // as ProcessOptions
  int output_fd = -1;           // its stdout and stderr (-1: /dev/null)
  bool die_with_parent = true;  // SIGTERM when this process dies (PR_SET_PDEATHSIG)
};

// Starts argv in the background and returns its pid; the caller reaps it (waitpid).
Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, const SpawnOptions& options = {});

// Enters the network namespace at `path` with the calling thread (for a process that lives in
// it from now on: threads it starts later inherit it). REQUIRES: CAP_SYS_ADMIN.
Status EnterNetns(const std::string& path);

}  // namespace efs

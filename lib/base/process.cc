// fork/exec with pipes, a deadline and an optional network namespace (see process.h).
#include "base/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "base/macros.h"

namespace efs {
namespace {

// argv as the child's exec wants it, built before fork.
struct Argv {
  std::vector<std::string> strings;
  std::vector<char*> pointers;
  explicit Argv(std::vector<std::string> argv) : strings(std::move(argv)) {
    for (std::string& s : strings) pointers.push_back(s.data());
    pointers.push_back(nullptr);
  }
};

struct Prepared {
  Argv argv;
  UniqueFd netns;
};

Result<Prepared> Prepare(const std::vector<std::string>& argv, const std::string& netns_path) {
  if (argv.empty()) return InvalidArgument("no program to run");
  std::string path = FindProgram(argv[0]);
  if (path.empty()) return Error(Code::kNotFound, "", "program '" + argv[0] + "' not found");
  std::vector<std::string> resolved = argv;
  resolved[0] = path;
  Prepared prepared{Argv(std::move(resolved)), UniqueFd()};
  if (!netns_path.empty()) {
    prepared.netns.Reset(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!prepared.netns.valid()) {
      return IOError("cannot open network namespace '" + netns_path + "': " + std::strerror(errno));
    }
  }
  return prepared;
}

// In the child, after fork: only async-signal-safe calls from here on.
[[noreturn]] void ExecChild(const Prepared& p, int in, int out, int err, bool die_with_parent) {
  if (die_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (p.netns.valid() && ::setns(p.netns.get(), CLONE_NEWNET) != 0) ::_exit(126);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
  ::close_range(3, ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execv(p.argv.pointers[0], p.argv.pointers.data());
  ::_exit(127);
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

bool Executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return Executable(name) ? name : "";
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/sbin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    std::string dir =
        dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && Executable(dir + "/" + name)) return dir + "/" + name;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const ProcessOptions& options) {
  EFS_ASSIGN_OR_RETURN(Prepared prepared, Prepare(argv, options.netns_path));
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return IOError(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1]}) ::close(fd);
    return IOError(std::string("pipe: ") + std::strerror(errno));
  }
  UniqueFd in_w(in[1]), out_r(out[0]), err_r(err[0]);
  pid_t pid = ::fork();
  if (pid == 0) ExecChild(prepared, in[0], out[1], err[1], /*die_with_parent=*/true);
  for (int fd : {in[0], out[1], err[1]}) ::close(fd);
  if (pid < 0) return IOError(std::string("fork: ") + std::strerror(errno));
  // Small inputs (ip -batch scripts) fit the pipe; a larger one is written as far as it goes.
  ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  size_t written = 0;
  ProcessResult result;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(options.timeout_seconds);
  pollfd fds[3] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}, {in_w.get(), POLLOUT, 0}};
  if (options.input.empty()) {
    in_w.Reset();
    fds[2].fd = -1;
  }
  bool timed_out = false;
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    if (::poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n =
          ::write(in_w.get(), options.input.data() + written, options.input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) written = options.input.size();
      if (written == options.input.size()) {
        in_w.Reset();
        fds[2].fd = -1;
      }
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[16384];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Error(Code::kUnavailable, "",
                 "'" + argv[0] + "' did not finish within " +
                     std::to_string(options.timeout_seconds) + " s");
  }
  result.exit_code = DecodeStatus(status);
  return result;
}

Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, const SpawnOptions& options) {
  EFS_ASSIGN_OR_RETURN(Prepared prepared, Prepare(argv, options.netns_path));
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null.valid()) return IOError(std::string("/dev/null: ") + std::strerror(errno));
  int out = options.output_fd >= 0 ? options.output_fd : null.get();
  pid_t pid = ::fork();
  if (pid == 0) ExecChild(prepared, null.get(), out, out, options.die_with_parent);
  if (pid < 0) return IOError(std::string("fork: ") + std::strerror(errno));
  return pid;
}

Status EnterNetns(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return IOError("cannot open network namespace '" + path + "': " + std::strerror(errno));
  }
  if (::setns(fd.get(), CLONE_NEWNET) != 0) {
    return IOError("cannot enter network namespace '" + path + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace efs

// POSIX through `efs mount`, in the manner of pjdfstest: chmod, chown, link, mkdir, mkfifo, open,
// rename, rmdir, symlink, truncate, unlink and utimensat, their error cases, as root and as other
// users. Each case runs twice, in a fresh directory on the FUSE mount and in one on a tmpfs, and
// each step (run in a forked child that has become the step's user) records its errno or the
// mode and owner it left; both records must be the same. The tmpfs record is what Linux does, so
// the test checks itself. What EFS does differently on purpose (EFS-REFERENCE.md 2.6: no setuid
// on directories, no block or character devices, atime not updated on read) is left out.
#include <fcntl.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace efs::e2e {
namespace {

struct User {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
};
const User kRoot{0, 0, {0}};
const User kAlice{1001, 1001, {1001}};
const User kBob{1002, 1002, {1002, 1003}};

// What the steps of one user did, one line each.
class Steps {
 public:
  explicit Steps(std::string dir) : dir_(std::move(dir)) {}
  std::string P(const std::string& name) const { return dir_ + "/" + name; }
  // `rc` of a call (0 or -1 with errno).
  void Rc(const std::string& what, int rc) {
    lines_.push_back(what + ": " + (rc >= 0 ? "ok" : strerrorname_np(errno)));
  }
  // Opens like open(2) and closes what it opened.
  void Open(const std::string& what, const std::string& name, int flags, mode_t mode = 0644) {
    int fd = ::open(P(name).c_str(), flags, mode);
    Rc(what, fd);
    if (fd >= 0) ::close(fd);
  }
  // The type, mode bits, owner and link count of `name` (lstat), or the errno.
  void Stat(const std::string& name) {
    struct stat st;
    if (::lstat(P(name).c_str(), &st) != 0) return Rc("stat " + name, -1);
    char line[160];
    std::snprintf(line, sizeof line, "stat %s: %06o %u:%u nlink %lu", name.c_str(), st.st_mode,
                  st.st_uid, st.st_gid, static_cast<unsigned long>(st.st_nlink));
    lines_.push_back(line);
  }
  // Creates `name` (mode 0644) holding `data`.
  void Write(const std::string& name, const std::string& data) {
    int fd = ::open(P(name).c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    Rc("write " + name, fd >= 0 ? static_cast<int>(::write(fd, data.data(), data.size())) : -1);
    if (fd >= 0) ::close(fd);
  }
  // The size of `name`, or the errno.
  void Size(const std::string& name) {
    struct stat st;
    if (::stat(P(name).c_str(), &st) != 0) return Rc("size " + name, -1);
    lines_.push_back("size " + name + ": " + std::to_string(st.st_size));
  }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::string dir_;
  std::vector<std::string> lines_;
};

using Body = std::function<void(Steps&)>;

// Runs `body` in `dir` as `user` in a child process; returns its lines.
std::vector<std::string> RunAs(const User& user, const std::string& dir, const Body& body) {
  int fds[2];
  if (::pipe(fds) != 0) return {"pipe failed"};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::umask(022);
    if (::setgroups(user.groups.size(), user.groups.data()) != 0 || ::setgid(user.gid) != 0 ||
        ::setuid(user.uid) != 0) {
      ::_exit(2);
    }
    Steps steps(dir);
    body(steps);
    std::string out;
    for (const std::string& l : steps.lines()) out += l + "\n";
    for (size_t at = 0; at < out.size();) {
      ssize_t n = ::write(fds[1], out.data() + at, out.size() - at);
      if (n <= 0) ::_exit(3);
      at += static_cast<size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = got.find('\n', at)) != std::string::npos; at = nl + 1) {
    lines.push_back(got.substr(at, nl - at));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) lines.push_back("child failed");
  return lines;
}

struct Phase {
  User user;
  Body body;
};

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "  " + l + "\n";
  return out;
}

const std::string kLongName(256, 'n');

// Mounted with the default options (attributes cached 1 s, the kernel checking mode bits on the
// way) and with noac (nothing cached, the server checking everything).
class Posix : public E2eTest, public ::testing::WithParamInterface<const char*> {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (other users, tmpfs)";
    if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse on this machine";
    std::string fs = CreateFs();
    CreateMountTarget(fs, DefaultSubnet("local-1a"));
    efs_ = daemon_.dir().Join("efs");
    tmpfs_ = daemon_.dir().Join("tmpfs");
    ::mkdir(efs_.c_str(), 0755);
    ::mkdir(tmpfs_.c_str(), 0755);
    ASSERT_EQ(::mount("tmpfs", tmpfs_.c_str(), "tmpfs", 0, "mode=0755"), 0) << strerror(errno);
    tmpfs_mounted_ = true;
    std::vector<std::string> argv = {"mount", fs, efs_};
    if (std::string(GetParam()) == "noac") argv.insert(argv.end(), {"-o", "noac"});
    testutil::RunResult r = daemon_.Efs(argv);
    ASSERT_EQ(r.rc, 0) << r.err;
    efs_mounted_ = true;
  }
  void TearDown() override {
    if (efs_mounted_ && daemon_.Efs({"umount", efs_}).rc != 0) ::umount2(efs_.c_str(), MNT_DETACH);
    if (tmpfs_mounted_) ::umount2(tmpfs_.c_str(), MNT_DETACH);
    E2eTest::TearDown();
  }

  // Runs the phases in a new directory (root's, mode 0777 so that every user may create in it
  // unless a phase changes that) under each root; expects the same lines from both.
  void Check(const std::string& name, const std::vector<Phase>& phases) {
    std::vector<std::string> got[2];
    const std::string roots[2] = {tmpfs_, efs_};
    for (int i = 0; i < 2; ++i) {
      std::string dir = roots[i] + "/" + name;
      ASSERT_EQ(::mkdir(dir.c_str(), 0777), 0) << dir << ": " << strerror(errno);
      ASSERT_EQ(::chmod(dir.c_str(), 0777), 0);
      for (const Phase& p : phases) {
        std::vector<std::string> lines = RunAs(p.user, dir, p.body);
        got[i].insert(got[i].end(), lines.begin(), lines.end());
      }
    }
    EXPECT_EQ(got[1], got[0]) << name << " on tmpfs (Linux):\n"
                              << Lines(got[0]) << name << " through efs mount:\n"
                              << Lines(got[1]);
  }

  std::string efs_, tmpfs_;
  bool efs_mounted_ = false, tmpfs_mounted_ = false;
};

INSTANTIATE_TEST_SUITE_P(Mount, Posix, ::testing::Values("default", "noac"));

// ------------------------------------------------------------------------------------ setuid
TEST_P(Posix, WritesByOtherUsersClearSetuidAndSetgid) {
  Check("suid_write",
        {{kAlice,
          [](Steps& s) {
            s.Open("create f", "f", O_CREAT | O_WRONLY);
            s.Rc("chmod 06777 f", ::chmod(s.P("f").c_str(), 06777));
            s.Open("create g", "g", O_CREAT | O_WRONLY);
            s.Rc("chmod 06767 g", ::chmod(s.P("g").c_str(), 06767));
            s.Open("create h", "h", O_CREAT | O_WRONLY);
            s.Rc("chmod 06777 h", ::chmod(s.P("h").c_str(), 06777));
            s.Open("create o", "o", O_CREAT | O_WRONLY);
            s.Rc("chmod 06777 o", ::chmod(s.P("o").c_str(), 06777));
          }},
         {kBob,
          [](Steps& s) {
            int fd = ::open(s.P("f").c_str(), O_WRONLY);
            s.Rc("open f for write", fd);
            s.Rc("write f", fd >= 0 ? static_cast<int>(::write(fd, "x", 1)) : -1);
            if (fd >= 0) ::close(fd);
            s.Stat("f");
            fd = ::open(s.P("g").c_str(), O_WRONLY);
            s.Rc("open g (no group x) for write", fd);
            s.Rc("write g", fd >= 0 ? static_cast<int>(::write(fd, "x", 1)) : -1);
            if (fd >= 0) ::close(fd);
            s.Stat("g");
            s.Open("open h O_TRUNC", "h", O_WRONLY | O_TRUNC);
            s.Stat("h");
            s.Rc("truncate o", ::truncate(s.P("o").c_str(), 1));
            s.Stat("o");
          }},
         {kAlice,
          [](Steps& s) {
            s.Rc("chmod 06777 f", ::chmod(s.P("f").c_str(), 06777));
            int fd = ::open(s.P("f").c_str(), O_WRONLY);
            s.Rc("owner writes f", fd >= 0 ? static_cast<int>(::write(fd, "x", 1)) : -1);
            if (fd >= 0) ::close(fd);
            s.Stat("f");
          }},
         {kRoot, [](Steps& s) {
            s.Rc("chmod 06777 f", ::chmod(s.P("f").c_str(), 06777));
            int fd = ::open(s.P("f").c_str(), O_WRONLY);
            s.Rc("root writes f", fd >= 0 ? static_cast<int>(::write(fd, "x", 1)) : -1);
            if (fd >= 0) ::close(fd);
            s.Stat("f");
          }}});
}

// ------------------------------------------------------------------------------------- chmod
TEST_P(Posix, Chmod) {
  Check("chmod", {{kAlice,
                   [](Steps& s) {
                     s.Open("create f", "f", O_CREAT | O_WRONLY);
                     s.Rc("mkdir d", ::mkdir(s.P("d").c_str(), 0755));
                     s.Rc("symlink loop", ::symlink("loop", s.P("loop").c_str()));
                     s.Rc("chmod 0640 f", ::chmod(s.P("f").c_str(), 0640));
                     s.Stat("f");
                     s.Rc("chmod missing", ::chmod(s.P("missing").c_str(), 0644));
                     s.Rc("chmod through a file", ::chmod(s.P("f/x").c_str(), 0644));
                     s.Rc("chmod a loop", ::chmod(s.P("loop").c_str(), 0644));
                     s.Rc("chmod a long name", ::chmod(s.P(kLongName).c_str(), 0644));
                     s.Rc("chmod g+s, not in the group", ::chmod(s.P("f").c_str(), 02755));
                     s.Rc("chmod sticky file", ::chmod(s.P("f").c_str(), 01644));
                     s.Stat("f");
                     s.Rc("chmod 0 d", ::chmod(s.P("d").c_str(), 0));
                   }},
                  {kRoot,
                   [](Steps& s) {
                     s.Rc("chgrp f 1003", ::chown(s.P("f").c_str(), -1, 1003));
                     s.Open("create r", "r", O_CREAT | O_WRONLY);
                   }},
                  {kBob,
                   [](Steps& s) {
                     s.Rc("chmod another's file", ::chmod(s.P("f").c_str(), 0777));
                     s.Rc("chmod root's file", ::chmod(s.P("r").c_str(), 0777));
                     s.Rc("chmod under an unsearchable dir", ::chmod(s.P("d/x").c_str(), 0777));
                   }},
                  {kAlice,
                   [](Steps& s) {
                     s.Rc("chmod 02755 f in a group not hers", ::chmod(s.P("f").c_str(), 02755));
                     s.Stat("f");
                   }},
                  {kRoot, [](Steps& s) {
                     s.Rc("chmod 07777 f", ::chmod(s.P("f").c_str(), 07777));
                     s.Stat("f");
                   }}});
}

// ------------------------------------------------------------------------------------- chown
TEST_P(Posix, Chown) {
  Check("chown",
        {{kBob,
          [](Steps& s) {
            s.Open("create f", "f", O_CREAT | O_WRONLY);
            s.Open("create g", "g", O_CREAT | O_WRONLY);
            s.Rc("chgrp f to a group of his", ::chown(s.P("f").c_str(), -1, 1003));
            s.Stat("f");
            s.Rc("chgrp f to a foreign group", ::chown(s.P("f").c_str(), -1, 1001));
            s.Rc("chown f to another user", ::chown(s.P("f").c_str(), 1001, -1));
            s.Rc("chown f to himself", ::chown(s.P("f").c_str(), 1002, -1));
            s.Rc("chmod 06755 g", ::chmod(s.P("g").c_str(), 06755));
            s.Rc("chgrp g", ::chown(s.P("g").c_str(), -1, 1003));
            s.Stat("g");
            s.Rc("chown missing", ::chown(s.P("missing").c_str(), 1002, 1002));
            s.Rc("chown through a file", ::chown(s.P("f/x").c_str(), 1002, 1002));
            s.Rc("chown a long name", ::chown(s.P(kLongName).c_str(), 1002, 1002));
            s.Rc("symlink l", ::symlink("f", s.P("l").c_str()));
            s.Rc("lchown l", ::lchown(s.P("l").c_str(), -1, 1003));
            s.Stat("l");
          }},
         {kAlice,
          [](Steps& s) { s.Rc("chgrp another's file", ::chown(s.P("f").c_str(), -1, 1001)); }},
         {kRoot, [](Steps& s) {
            s.Rc("chown f 1001:1001", ::chown(s.P("f").c_str(), 1001, 1001));
            s.Stat("f");
            s.Rc("chmod 06755 f", ::chmod(s.P("f").c_str(), 06755));
            s.Rc("chown f 1002", ::chown(s.P("f").c_str(), 1002, -1));
            s.Stat("f");
            s.Rc("chmod 06745 f", ::chmod(s.P("f").c_str(), 06745));
            s.Rc("chown f 1001", ::chown(s.P("f").c_str(), 1001, -1));
            s.Stat("f");
            s.Rc("mkdir d", ::mkdir(s.P("d").c_str(), 02755));
            s.Rc("chown d 1001", ::chown(s.P("d").c_str(), 1001, -1));
            s.Stat("d");
          }}});
}

// -------------------------------------------------------------------------------------- link
TEST_P(Posix, Link) {
  Check("link",
        {{kAlice,
          [](Steps& s) {
            s.Open("create f", "f", O_CREAT | O_WRONLY);
            s.Rc("mkdir d", ::mkdir(s.P("d").c_str(), 0755));
            s.Rc("link f g", ::link(s.P("f").c_str(), s.P("g").c_str()));
            s.Stat("f");
            s.Rc("link onto an existing name", ::link(s.P("f").c_str(), s.P("g").c_str()));
            s.Rc("link a missing file", ::link(s.P("missing").c_str(), s.P("h").c_str()));
            s.Rc("link into a missing dir", ::link(s.P("f").c_str(), s.P("none/h").c_str()));
            s.Rc("link through a file", ::link(s.P("f").c_str(), s.P("f/h").c_str()));
            s.Rc("link a directory", ::link(s.P("d").c_str(), s.P("d2").c_str()));
            s.Rc("link to a long name", ::link(s.P("f").c_str(), s.P(kLongName).c_str()));
            s.Rc("unlink g", ::unlink(s.P("g").c_str()));
            s.Stat("f");
            s.Rc("chmod 0555 d", ::chmod(s.P("d").c_str(), 0555));
            s.Rc("link into a read-only dir", ::link(s.P("f").c_str(), s.P("d/h").c_str()));
            s.Open("create p", "p", O_CREAT | O_WRONLY, 0600);
          }},
         {kBob,
          [](Steps& s) {
            s.Rc("link another's file he cannot write", ::link(s.P("p").c_str(), s.P("q").c_str()));
          }},
         {kRoot, [](Steps& s) {
            s.Rc("root links it", ::link(s.P("p").c_str(), s.P("q").c_str()));
            s.Stat("q");
          }}});
}

// ------------------------------------------------------------------------------------- mkdir
TEST_P(Posix, Mkdir) {
  Check("mkdir", {{kAlice,
                   [](Steps& s) {
                     s.Rc("mkdir d 0777", ::mkdir(s.P("d").c_str(), 0777));
                     s.Stat("d");
                     s.Rc("mkdir d again", ::mkdir(s.P("d").c_str(), 0777));
                     s.Open("create f", "f", O_CREAT | O_WRONLY);
                     s.Rc("mkdir over a file", ::mkdir(s.P("f").c_str(), 0777));
                     s.Rc("mkdir in a missing dir", ::mkdir(s.P("none/d").c_str(), 0777));
                     s.Rc("mkdir through a file", ::mkdir(s.P("f/d").c_str(), 0777));
                     s.Rc("mkdir a long name", ::mkdir(s.P(kLongName).c_str(), 0777));
                     s.Rc("mkdir with a 255-byte name",
                          ::mkdir(s.P(std::string(255, 'm')).c_str(), 0777));
                     s.Rc("symlink loop", ::symlink("loop", s.P("loop").c_str()));
                     s.Rc("mkdir under a loop", ::mkdir(s.P("loop/d").c_str(), 0777));
                     s.Rc("mkdir 01777", ::mkdir(s.P("sticky").c_str(), 01777));
                     s.Stat("sticky");
                     s.Rc("chmod 0555 d", ::chmod(s.P("d").c_str(), 0555));
                   }},
                  {kRoot,
                   [](Steps& s) {
                     s.Rc("mkdir sg 02777", ::mkdir(s.P("sg").c_str(), 0777));
                     s.Rc("chown sg 0:1003", ::chown(s.P("sg").c_str(), 0, 1003));
                     s.Rc("chmod sg 02777", ::chmod(s.P("sg").c_str(), 02777));
                   }},
                  {kBob, [](Steps& s) {
                     s.Rc("mkdir in a read-only dir", ::mkdir(s.P("d/e").c_str(), 0777));
                     s.Rc("mkdir in a setgid dir", ::mkdir(s.P("sg/e").c_str(), 0755));
                     s.Stat("sg/e");
                     s.Open("create in a setgid dir", "sg/f", O_CREAT | O_WRONLY);
                     s.Stat("sg/f");
                   }}});
}

// ------------------------------------------------------------------------------------ mkfifo
TEST_P(Posix, Mkfifo) {
  Check("mkfifo", {{kAlice, [](Steps& s) {
                      s.Rc("mkfifo p", ::mkfifo(s.P("p").c_str(), 0666));
                      s.Stat("p");
                      s.Rc("mkfifo p again", ::mkfifo(s.P("p").c_str(), 0666));
                      s.Rc("mkfifo in a missing dir", ::mkfifo(s.P("none/p").c_str(), 0666));
                      s.Rc("mkfifo a long name", ::mkfifo(s.P(kLongName).c_str(), 0666));
                      s.Open("open p nonblocking for read", "p", O_RDONLY | O_NONBLOCK);
                      s.Open("open p nonblocking for write, no reader", "p", O_WRONLY | O_NONBLOCK);
                      s.Rc("mkdir d", ::mkdir(s.P("d").c_str(), 0555));
                      s.Rc("mkfifo in a read-only dir", ::mkfifo(s.P("d/p").c_str(), 0666));
                    }}});
}

// -------------------------------------------------------------------------------------- open
TEST_P(Posix, Open) {
  Check("open", {{kAlice,
                  [](Steps& s) {
                    s.Open("create f 0600", "f", O_CREAT | O_EXCL | O_WRONLY, 0600);
                    s.Stat("f");
                    s.Open("O_EXCL on f", "f", O_CREAT | O_EXCL | O_WRONLY);
                    s.Open("missing", "missing", O_RDONLY);
                    s.Open("a dir for write", ".", O_WRONLY);
                    s.Open("a dir O_RDONLY", ".", O_RDONLY);
                    s.Open("O_DIRECTORY on a file", "f", O_RDONLY | O_DIRECTORY);
                    s.Open("through a file", "f/x", O_RDONLY);
                    s.Open("a long name", kLongName, O_RDONLY);
                    s.Open("create a long name", kLongName, O_CREAT | O_WRONLY);
                    s.Rc("symlink l", ::symlink("f", s.P("l").c_str()));
                    s.Open("O_NOFOLLOW on a symlink", "l", O_RDONLY | O_NOFOLLOW);
                    s.Rc("symlink loop", ::symlink("loop", s.P("loop").c_str()));
                    s.Open("a loop", "loop", O_RDONLY);
                    s.Rc("symlink dangling", ::symlink("target", s.P("dangling").c_str()));
                    s.Open("create through a dangling symlink", "dangling", O_CREAT | O_WRONLY);
                    s.Stat("target");
                    s.Open("O_EXCL through a symlink", "l", O_CREAT | O_EXCL | O_WRONLY);
                    s.Open("create g 0444", "g", O_CREAT | O_WRONLY, 0444);
                    s.Open("owner opens her 0444 file for write", "g", O_WRONLY);
                    s.Open("owner opens her 0444 file O_TRUNC", "g", O_RDONLY | O_TRUNC);
                    s.Rc("mkdir d", ::mkdir(s.P("d").c_str(), 0755));
                    s.Open("create h 0644", "h", O_CREAT | O_WRONLY, 0644);
                    s.Write("t", "data");
                    s.Open("O_RDONLY|O_TRUNC on her 0644 file", "t", O_RDONLY | O_TRUNC);
                    s.Size("t");
                  }},
                 {kBob, [](Steps& s) {
                    s.Open("another's 0600 for read", "f", O_RDONLY);
                    s.Open("another's 0644 for read", "h", O_RDONLY);
                    s.Open("another's 0644 for write", "h", O_WRONLY);
                    s.Open("create in another's 0755 dir", "d/x", O_CREAT | O_WRONLY);
                    s.Open("another's 0644 O_CREAT, existing", "h", O_CREAT | O_RDONLY);
                  }}});
}

// ------------------------------------------------------------------------------------ rename
TEST_P(Posix, Rename) {
  Check("rename",
        {{kAlice,
          [](Steps& s) {
            s.Open("create f", "f", O_CREAT | O_WRONLY);
            s.Open("create g", "g", O_CREAT | O_WRONLY);
            s.Rc("mkdir d", ::mkdir(s.P("d").c_str(), 0755));
            s.Rc("mkdir e", ::mkdir(s.P("e").c_str(), 0755));
            s.Rc("mkdir full", ::mkdir(s.P("full").c_str(), 0755));
            s.Open("create full/x", "full/x", O_CREAT | O_WRONLY);
            s.Rc("rename f g", ::rename(s.P("f").c_str(), s.P("g").c_str()));
            s.Stat("f");
            s.Rc("rename missing", ::rename(s.P("missing").c_str(), s.P("x").c_str()));
            s.Rc("rename a file over a dir", ::rename(s.P("g").c_str(), s.P("d").c_str()));
            s.Rc("rename a dir over a file", ::rename(s.P("d").c_str(), s.P("g").c_str()));
            s.Rc("rename a dir over an empty dir", ::rename(s.P("d").c_str(), s.P("e").c_str()));
            s.Rc("rename a dir over a full dir", ::rename(s.P("e").c_str(), s.P("full").c_str()));
            s.Rc("rename a dir into itself", ::rename(s.P("full").c_str(), s.P("full/y").c_str()));
            s.Rc("rename onto itself", ::rename(s.P("g").c_str(), s.P("g").c_str()));
            s.Rc("rename to a long name", ::rename(s.P("g").c_str(), s.P(kLongName).c_str()));
            s.Rc("rename through a file", ::rename(s.P("g").c_str(), s.P("g/x").c_str()));
            s.Rc("rename into a missing dir", ::rename(s.P("g").c_str(), s.P("none/x").c_str()));
            s.Rc("rename .", ::rename(s.P("e/.").c_str(), s.P("z").c_str()));
            s.Rc("mkdir sticky 01777", ::mkdir(s.P("sticky").c_str(), 01777));
            s.Rc("chmod sticky 01777", ::chmod(s.P("sticky").c_str(), 01777));
            s.Open("create sticky/a", "sticky/a", O_CREAT | O_WRONLY);
            s.Rc("chmod 0555 full", ::chmod(s.P("full").c_str(), 0555));
          }},
         {kBob, [](Steps& s) {
            s.Rc("rename another's file in a sticky dir",
                 ::rename(s.P("sticky/a").c_str(), s.P("sticky/b").c_str()));
            s.Open("create sticky/c", "sticky/c", O_CREAT | O_WRONLY);
            s.Rc("rename his own file in a sticky dir",
                 ::rename(s.P("sticky/c").c_str(), s.P("sticky/d").c_str()));
            s.Rc("rename over another's file in a sticky dir",
                 ::rename(s.P("sticky/d").c_str(), s.P("sticky/a").c_str()));
            s.Rc("rename out of a read-only dir",
                 ::rename(s.P("full/x").c_str(), s.P("x").c_str()));
          }}});
}

// ------------------------------------------------------------------------------------- rmdir
TEST_P(Posix, Rmdir) {
  Check("rmdir", {{kAlice,
                   [](Steps& s) {
                     s.Rc("mkdir d", ::mkdir(s.P("d").c_str(), 0755));
                     s.Open("create d/f", "d/f", O_CREAT | O_WRONLY);
                     s.Rc("rmdir a full dir", ::rmdir(s.P("d").c_str()));
                     s.Rc("rmdir a file", ::rmdir(s.P("d/f").c_str()));
                     s.Rc("rmdir missing", ::rmdir(s.P("missing").c_str()));
                     s.Rc("rmdir .", ::rmdir(s.P("d/.").c_str()));
                     s.Rc("rmdir ..", ::rmdir(s.P("d/..").c_str()));
                     s.Rc("rmdir a long name", ::rmdir(s.P(kLongName).c_str()));
                     s.Rc("symlink l", ::symlink("d", s.P("l").c_str()));
                     s.Rc("rmdir a symlink to a dir", ::rmdir(s.P("l").c_str()));
                     s.Rc("mkdir e", ::mkdir(s.P("e").c_str(), 0755));
                     s.Rc("rmdir e", ::rmdir(s.P("e").c_str()));
                     s.Stat("e");
                     s.Rc("mkdir sticky", ::mkdir(s.P("sticky").c_str(), 0777));
                     s.Rc("chmod sticky 01777", ::chmod(s.P("sticky").c_str(), 01777));
                     s.Rc("mkdir sticky/a", ::mkdir(s.P("sticky/a").c_str(), 0777));
                     s.Rc("mkdir d/sub", ::mkdir(s.P("d/sub").c_str(), 0777));
                     s.Rc("chmod 0555 d", ::chmod(s.P("d").c_str(), 0555));
                   }},
                  {kBob, [](Steps& s) {
                     s.Rc("rmdir another's dir in a sticky dir", ::rmdir(s.P("sticky/a").c_str()));
                     s.Rc("rmdir in a read-only dir", ::rmdir(s.P("d/sub").c_str()));
                   }}});
}

// ----------------------------------------------------------------------------------- symlink
TEST_P(Posix, Symlink) {
  Check("symlink", {{kAlice, [](Steps& s) {
                       s.Rc("symlink l", ::symlink("some/target", s.P("l").c_str()));
                       s.Stat("l");
                       char buf[64] = {};
                       s.Rc("readlink l",
                            static_cast<int>(::readlink(s.P("l").c_str(), buf, sizeof buf)));
                       s.Rc(std::string("target ") + buf, 0);
                       s.Rc("symlink l again", ::symlink("x", s.P("l").c_str()));
                       s.Rc("symlink in a missing dir", ::symlink("x", s.P("none/l").c_str()));
                       s.Rc("symlink a long name", ::symlink("x", s.P(kLongName).c_str()));
                       s.Rc("symlink with an empty target", ::symlink("", s.P("e").c_str()));
                       s.Rc("symlink a 1023-byte target",
                            ::symlink(std::string(1023, 't').c_str(), s.P("t").c_str()));
                       s.Rc("readlink a file",
                            static_cast<int>(::readlink(s.P(".").c_str(), buf, sizeof buf)));
                       s.Rc("mkdir d", ::mkdir(s.P("d").c_str(), 0555));
                       s.Rc("symlink in a read-only dir", ::symlink("x", s.P("d/l").c_str()));
                     }}});
}

// ---------------------------------------------------------------------------------- truncate
TEST_P(Posix, Truncate) {
  Check("truncate", {{kAlice,
                      [](Steps& s) {
                        s.Open("create f", "f", O_CREAT | O_WRONLY, 0644);
                        s.Rc("truncate f 100", ::truncate(s.P("f").c_str(), 100));
                        s.Rc("truncate f -1", ::truncate(s.P("f").c_str(), -1));
                        s.Rc("truncate a dir", ::truncate(s.P(".").c_str(), 0));
                        s.Rc("truncate missing", ::truncate(s.P("missing").c_str(), 0));
                        s.Rc("truncate through a file", ::truncate(s.P("f/x").c_str(), 0));
                        s.Rc("truncate a long name", ::truncate(s.P(kLongName).c_str(), 0));
                        s.Open("create g 0444", "g", O_CREAT | O_WRONLY, 0444);
                        s.Rc("owner truncates her 0444 file", ::truncate(s.P("g").c_str(), 0));
                        s.Rc("mkfifo p", ::mkfifo(s.P("p").c_str(), 0666));
                        s.Rc("truncate a fifo", ::truncate(s.P("p").c_str(), 0));
                      }},
                     {kBob, [](Steps& s) {
                        s.Rc("truncate another's 0644 file", ::truncate(s.P("f").c_str(), 0));
                        int fd = ::open(s.P("f").c_str(), O_RDONLY);
                        s.Rc("ftruncate a read-only descriptor", fd >= 0 ? ::ftruncate(fd, 0) : -1);
                        if (fd >= 0) ::close(fd);
                      }}});
}

// ------------------------------------------------------------------------------------ unlink
TEST_P(Posix, Unlink) {
  Check("unlink",
        {{kAlice,
          [](Steps& s) {
            s.Open("create f", "f", O_CREAT | O_WRONLY);
            s.Rc("link f g", ::link(s.P("f").c_str(), s.P("g").c_str()));
            s.Rc("unlink g", ::unlink(s.P("g").c_str()));
            s.Stat("f");
            s.Stat("g");
            s.Rc("unlink missing", ::unlink(s.P("missing").c_str()));
            s.Rc("mkdir d", ::mkdir(s.P("d").c_str(), 0755));
            s.Rc("unlink a dir", ::unlink(s.P("d").c_str()));
            s.Rc("unlink through a file", ::unlink(s.P("f/x").c_str()));
            s.Rc("unlink a long name", ::unlink(s.P(kLongName).c_str()));
            s.Rc("symlink l", ::symlink("f", s.P("l").c_str()));
            s.Rc("unlink l", ::unlink(s.P("l").c_str()));
            s.Stat("f");
            s.Rc("mkdir sticky", ::mkdir(s.P("sticky").c_str(), 0777));
            s.Rc("chmod sticky 01777", ::chmod(s.P("sticky").c_str(), 01777));
            s.Open("create sticky/a", "sticky/a", O_CREAT | O_WRONLY);
            s.Open("create d/b", "d/b", O_CREAT | O_WRONLY);
          }},
         {kBob,
          [](Steps& s) {
            s.Rc("unlink another's file in a sticky dir", ::unlink(s.P("sticky/a").c_str()));
            s.Open("create sticky/c", "sticky/c", O_CREAT | O_WRONLY);
            s.Rc("unlink in a 0755 dir of another", ::unlink(s.P("d/b").c_str()));
            s.Rc("unlink another's file in a 0777 dir", ::unlink(s.P("f").c_str()));
          }},
         {kAlice, [](Steps& s) {
            s.Rc("sticky dir's owner unlinks another's file", ::unlink(s.P("sticky/c").c_str()));
          }}});
}

// --------------------------------------------------------------------------------- utimensat
TEST_P(Posix, Utimensat) {
  static const timespec kNow[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  static const timespec kSet[2] = {{1000000000, 0}, {1000000000, 500}};
  static const timespec kBad[2] = {{0, 1000000000}, {0, 0}};
  static const timespec kOmit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  Check("utimensat",
        {{kAlice,
          [](Steps& s) {
            s.Open("create f 0644", "f", O_CREAT | O_WRONLY, 0644);
            s.Open("create w 0666", "w", O_CREAT | O_WRONLY, 0666);
            s.Rc("chmod w 0666", ::chmod(s.P("w").c_str(), 0666));
            s.Rc("owner sets times", ::utimensat(AT_FDCWD, s.P("f").c_str(), kSet, 0));
            struct stat st;
            ::stat(s.P("f").c_str(), &st);
            s.Rc("mtime " + std::to_string(st.st_mtim.tv_sec) + "." +
                     std::to_string(st.st_mtim.tv_nsec),
                 0);
            s.Rc("owner sets now", ::utimensat(AT_FDCWD, s.P("f").c_str(), kNow, 0));
            s.Rc("bad nanoseconds", ::utimensat(AT_FDCWD, s.P("f").c_str(), kBad, 0));
            s.Rc("omit both", ::utimensat(AT_FDCWD, s.P("f").c_str(), kOmit, 0));
            s.Rc("missing", ::utimensat(AT_FDCWD, s.P("missing").c_str(), kNow, 0));
            s.Rc("through a file", ::utimensat(AT_FDCWD, s.P("f/x").c_str(), kNow, 0));
            s.Rc("a long name", ::utimensat(AT_FDCWD, s.P(kLongName).c_str(), kNow, 0));
          }},
         {kBob, [](Steps& s) {
            s.Rc("now on another's 0644", ::utimensat(AT_FDCWD, s.P("f").c_str(), kNow, 0));
            s.Rc("times on another's 0644", ::utimensat(AT_FDCWD, s.P("f").c_str(), kSet, 0));
            s.Rc("now on another's 0666", ::utimensat(AT_FDCWD, s.P("w").c_str(), kNow, 0));
            s.Rc("times on another's 0666", ::utimensat(AT_FDCWD, s.P("w").c_str(), kSet, 0));
            s.Rc("omit on another's 0644", ::utimensat(AT_FDCWD, s.P("f").c_str(), kOmit, 0));
          }}});
}

}  // namespace
}  // namespace efs::e2e

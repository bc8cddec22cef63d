// A local user cannot take efsd down or read what is not theirs: efsd's state files are
// private; other users flooding the API socket with silent connections or deeply nested JSON
// leave root served and efsd's memory bounded; DescribeStorage shows another user only what a
// mount would; NFS connections are capped per mount target and closed when idle.
//
// The other users are child processes that switch to an unused uid (so these tests need root)
// and report through a pipe; every wait in them is bounded.
#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "base/unique_fd.h"
#include "nfs4client/compound_builder.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/wire_client.h"

namespace efs::e2e {
namespace {

namespace fsys = std::filesystem;

// The permission bits of `path` (not following a symlink), or -1.
int ModeOf(const fsys::path& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

// A line of efsd's /proc/PID/status, such as "VmRSS", in kB; -1 if absent.
long StatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// What another user's connections met: how many were greeted, how many refused (and the first
// refusal), and the first answer to the line sent after Hello.
struct Report {
  int greeted = 0;
  int refused = 0;
  std::string refusal;
  std::string answer;
};

// Another local user: a child that becomes `uid`, opens `connections` to the API socket, says
// Hello on each and then sends `line` (if any), reports, and holds its connections open until
// the Intruder is destroyed.
class Intruder {
 public:
  Intruder(const std::string& socket_path, uid_t uid, int connections, std::string line = "") {
    int report[2], hold[2];
    if (::pipe(report) != 0 || ::pipe(hold) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(report[0]);
      ::close(hold[1]);
      ::alarm(120);  // whatever happens, the child goes
      Run(socket_path, uid, connections, line, report[1], hold[0]);
    }
    ::close(report[1]);
    ::close(hold[0]);
    report_.Reset(report[0]);
    hold_.Reset(hold[1]);
  }
  ~Intruder() {
    hold_.Reset();  // the child sees end of file and exits
    for (int i = 0; pid_ > 0 && i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // The child's report, once all its connections are open (at most 60 s).
  Report Wait() {
    std::string text;
    char buf[4096];
    for (;;) {
      pollfd p{report_.get(), POLLIN, 0};
      if (::poll(&p, 1, 60'000) != 1) break;
      ssize_t n = ::read(report_.get(), buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    Report r;
    std::istringstream in(text);
    in >> r.greeted >> r.refused;
    in.ignore(1);
    std::getline(in, r.refusal);
    std::getline(in, r.answer);
    return r;
  }

 private:
  // In the child: only plain system calls on buffers made before the fork, then _exit.
  [[noreturn]] static void Run(const std::string& socket_path, uid_t uid, int connections,
                               const std::string& line, int report_fd, int hold_fd) {
    // Keep no other Intruder's pipe open, or it would never see its end of file.
    for (int fd = 3; fd < 1024; ++fd) {
      if (fd != report_fd && fd != hold_fd) ::close(fd);
    }
    if (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 || ::setuid(uid) != 0) ::_exit(126);
    ::signal(SIGPIPE, SIG_IGN);  // a closed socket is an error from write, not the end
    static const char kHello[] = "{\"id\":1,\"action\":\"Hello\",\"params\":{\"ApiVersion\":1}}\n";
    static char reply[4096], refusal[512], answer[512];
    int greeted = 0, refused = 0;
    for (int i = 0; i < connections; ++i) {
      int fd = Connect(socket_path);  // kept open until _exit
      if (fd < 0) continue;
      SendAll(fd, kHello, sizeof kHello - 1);
      if (!ReadLine(fd, reply, sizeof reply)) continue;
      if (std::strstr(reply, "\"result\"") != nullptr) {
        ++greeted;
        if (!line.empty()) {
          SendAll(fd, line.data(), line.size());
          const bool whole = line.back() == '\n';  // a half-sent line gets no answer
          if (whole && answer[0] == '\0' && ReadLine(fd, reply, sizeof reply)) {
            std::snprintf(answer, sizeof answer, "%.500s", reply);
          }
        }
      } else if (std::strstr(reply, "ServiceUnavailable") != nullptr) {
        if (refused++ == 0) std::snprintf(refusal, sizeof refusal, "%.500s", reply);
      }
    }
    char text[1200];
    int n = std::snprintf(text, sizeof text, "%d %d\n%s\n%s\n", greeted, refused, refusal, answer);
    SendAll(report_fd, text, static_cast<size_t>(n));
    ::close(report_fd);
    char c;
    while (::read(hold_fd, &c, 1) > 0) {
    }
    ::_exit(0);
  }
  static int Connect(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  static void SendAll(int fd, const char* data, size_t size) {
    while (size > 0) {
      ssize_t n = ::write(fd, data, size);
      if (n <= 0) return;
      data += n;
      size -= static_cast<size_t>(n);
    }
  }
  // One line (without its newline) within 10 s; false on end of file or timeout.
  static bool ReadLine(int fd, char* out, size_t size) {
    size_t len = 0;
    while (len + 1 < size) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10'000) != 1 || ::read(fd, out + len, 1) != 1) return false;
      if (out[len] == '\n') break;
      ++len;
    }
    out[len] = '\0';
    return true;
  }

  pid_t pid_ = -1;
  UniqueFd report_, hold_;
};

class LocalUsers : public E2eTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as other local users";
    E2eTest::SetUp();
  }
  // Connections held for the test's length, not closed by efsd's idle timeout meanwhile.
  std::vector<std::string> DaemonArgs() const override { return {"--idle-timeout", "300"}; }
  // A new file system with a mount target, and `client` in a session on it; returns its id.
  std::string FileSystemWithASession(WireClient* client) {
    std::string fs = CreateFs();
    Json mt = CreateMountTarget(fs, DefaultSubnet());
    EXPECT_TRUE(client->Connect(mt["IpAddress"], mt["Port"]));
    EXPECT_TRUE(client->StartSession("local-users"));
    return fs;
  }
};

TEST_F(LocalUsers, StateFilesArePrivateAndLooserOnesAreMadePrivateAtStart) {
  WireClient client;
  std::string fs = FileSystemWithASession(&client);
  ASSERT_TRUE(client.WriteFile("note.txt", "private\n"));
  const fsys::path state = daemon_.state_dir();
  auto expect_private = [&] {
    int files = 0;
    EXPECT_EQ(ModeOf(state), 0700);
    for (const auto& entry : fsys::recursive_directory_iterator(state)) {
      const int mode = ModeOf(entry.path());
      if (entry.is_directory()) {
        EXPECT_EQ(mode, 0700) << entry.path();
      } else if (entry.is_regular_file()) {
        EXPECT_EQ(mode & 077, 0) << entry.path() << " has mode 0" << std::oct << mode;
        ++files;
      }
    }
    EXPECT_GE(files, 5) << "catalog.db, its WAL, efsd.lock, namespace.db, a data file";
  };
  expect_private();
  EXPECT_TRUE(fsys::exists(state / "fs" / fs / "namespace.db"));
  // What every local user needs stays open to them.
  const fsys::path socket = daemon_.socket_path();
  EXPECT_EQ(ModeOf(socket), 0666);
  EXPECT_EQ(ModeOf(socket.parent_path()), 0755);
  EXPECT_EQ(ModeOf(socket.parent_path() / "efsd.metrics"), 0644);

  // An older efsd's modes are brought down at the next start.
  ASSERT_EQ(daemon_.Stop(), 0) << daemon_.log();
  fsys::permissions(state / "catalog.db", fsys::perms(0644));
  fsys::permissions(state / "fs" / fs / "namespace.db", fsys::perms(0664));
  fsys::permissions(state / "fs" / fs, fsys::perms(0755));
  fsys::permissions(state, fsys::perms(0755));
  ASSERT_TRUE(daemon_.Start(DaemonArgs())) << daemon_.log();
  EXPECT_EQ(ModeOf(state / "catalog.db"), 0600);
  EXPECT_EQ(ModeOf(state / "fs" / fs / "namespace.db"), 0600);
  EXPECT_EQ(ModeOf(state / "fs" / fs), 0700);
  expect_private();
  EXPECT_NE(daemon_.log().find("made 4 modes private"), std::string::npos) << daemon_.log();
}

// Seven other users take every connection they may (64 each); an eighth is refused, root is
// still answered at once, and each of them holds no more than its share.
TEST_F(LocalUsers, OtherUsersHoldingConnectionsLeaveRootItsOwn) {
  constexpr int kUsers = 8;
  std::vector<std::unique_ptr<Intruder>> users;
  std::vector<Report> reports;
  for (int i = 0; i < kUsers; ++i) {
    users.push_back(std::make_unique<Intruder>(daemon_.socket_path(), 60001 + i, 70));
    reports.push_back(users.back()->Wait());
  }
  int greeted = 0;
  for (int i = 0; i < kUsers; ++i) {
    SCOPED_TRACE("uid " + std::to_string(60001 + i));
    EXPECT_LE(reports[i].greeted, 64);
    EXPECT_GE(reports[i].refused, 70 - 64);
    greeted += reports[i].greeted;
  }
  EXPECT_EQ(greeted, 512 - 64) << "what is left is kept for root and efsd's user";
  EXPECT_NE(reports[0].refusal.find("uid 60001 has 64 open"), std::string::npos)
      << reports[0].refusal;
  EXPECT_NE(reports[kUsers - 1].refusal.find("kept for root"), std::string::npos)
      << reports[kUsers - 1].refusal;

  auto start = std::chrono::steady_clock::now();
  Json described = EfsJson({"describe-fs"});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(described.contains("FileSystems"));
  std::vector<std::unique_ptr<api::Client>> roots;
  for (int i = 0; i < 32; ++i) roots.push_back(daemon_.Connect());
  for (const auto& root : roots) ASSERT_NE(root, nullptr);
  std::printf("[ figures  ] root's efs describe-fs with %d connections of other users: %.3f s\n",
              greeted, seconds);
  std::printf("[ figures  ] efsd VmRSS %ld kB, VmHWM %ld kB\n", StatusKb(daemon_.pid(), "VmRSS"),
              StatusKb(daemon_.pid(), "VmHWM"));
}

// One user sends a quarter-megabyte of '[' on each of its 64 connections: each is answered
// BadRequest before it is parsed, and efsd's memory stays near where it was.
TEST_F(LocalUsers, DeeplyNestedJsonFromAnotherUserIsRefusedCheaply) {
  const long rss_before = StatusKb(daemon_.pid(), "VmRSS");
  const std::string nested = std::string(api::kMaxLineBytes - 1, '[') + "\n";
  Report report;
  {
    Intruder user(daemon_.socket_path(), 60001, 64, nested);
    report = user.Wait();
    EXPECT_EQ(report.greeted, 64);
    EXPECT_NE(report.answer.find("\"BadRequest\""), std::string::npos) << report.answer;
    EXPECT_NE(report.answer.find("JSON nested deeper than 64 levels"), std::string::npos)
        << report.answer;
    EXPECT_TRUE(EfsJson({"describe-fs"}).contains("FileSystems"));
    const long rss = StatusKb(daemon_.pid(), "VmRSS"), hwm = StatusKb(daemon_.pid(), "VmHWM");
    std::printf("[ figures  ] efsd VmRSS before %ld kB; with 64 connections of nested JSON "
                "%ld kB, peak %ld kB\n",
                rss_before, rss, hwm);
    EXPECT_LT(rss - rss_before, 200 * 1024) << "200 MiB would be 3 MiB a connection";
  }
  // Half-sent lines: 64 connections each holding 255 KiB of an unfinished request.
  const std::string partial(api::kMaxLineBytes - 1024, ' ');
  Intruder slow(daemon_.socket_path(), 60002, 64, partial);
  EXPECT_EQ(slow.Wait().greeted, 64);
  std::printf("[ figures  ] efsd VmRSS with 64 connections holding 255 KiB lines: %ld kB\n",
              StatusKb(daemon_.pid(), "VmRSS"));
}

TEST_F(LocalUsers, DescribeStorageShowsAnotherUserWhatAMountWould) {
  WireClient client;
  std::string fs = FileSystemWithASession(&client);
  for (auto [dir, mode] : {std::pair{"open", 0755u}, std::pair{"private", 0700u}}) {
    auto b = client.Seq();
    b.PutRootFh().Create(NF4DIR, dir, nfs4client::ModeAttr(mode));
    auto r = client.Compound(b);
    ASSERT_TRUE(r && (*r)->status == NFS4_OK) << dir;
  }
  ASSERT_TRUE(client.WriteFile("shown.txt", "a", "open"));
  ASSERT_TRUE(client.WriteFile("secret-name.txt", "b", "private"));

  std::string efs = daemon_.dir().Join("efs");  // where that user can surely run it
  fsys::copy_file(testutil::BinPath("efs"), efs);
  testutil::RunOptions nobody;
  nobody.uid = 65534;
  nobody.env = {{"EFS_SOCKET", daemon_.socket_path()}, {"EFS_OUTPUT", ""}};
  testutil::RunResult r = testutil::Run({efs, "describe-storage", "--file-system-id", fs}, nobody);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.find("secret-name"), std::string::npos) << r.out;
  Json seen = Json::parse(r.out);
  ASSERT_EQ(seen["Files"].size(), 1u) << seen;
  EXPECT_EQ(seen["Files"][0]["Path"], "/open/shown.txt");
  EXPECT_EQ(seen["DirectoriesSkipped"], 1);
  r = testutil::Run(
      {efs, "describe-storage", "--file-system-id", fs, "--path", "/private/secret-name.txt"},
      nobody);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("efs: error: AccessDenied:"), std::string::npos) << r.err;

  Json all = EfsJson({"describe-storage", "--file-system-id", fs});  // root sees it all
  EXPECT_EQ(all["Files"].size(), 2u) << all;
  EXPECT_EQ(all["DirectoriesSkipped"], 0);
}

class NfsLimits : public E2eTest {
 protected:
  std::vector<std::string> DaemonArgs() const override {
    return {"--nfs-idle-timeout", "2", "--nfs-max-connections-per-mount-target", "3"};
  }
};

// Bytes from the connection within `timeout_ms`: true iff efsd closed it (end of file).
bool ClosedWithin(int fd, int timeout_ms) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[256];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) == 1 && ::read(fd, buf, sizeof buf) <= 0) return true;
  }
  return false;
}

int ConnectTcp(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST_F(NfsLimits, AnIdleConnectionIsClosedAndAMountTargetHasItsCap) {
  std::string fs = CreateFs();
  Json a = CreateMountTarget(fs, DefaultSubnet("local-1a"));
  Json b = CreateMountTarget(fs, DefaultSubnet("local-1b"));
  // Three silent connections fill mount target a; a fourth closes the one idle longest.
  std::vector<UniqueFd> held;
  for (int i = 0; i < 4; ++i) {
    held.emplace_back(ConnectTcp(a["IpAddress"], a["Port"]));
    ASSERT_TRUE(held.back().valid());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // an order of idleness
  }
  EXPECT_TRUE(ClosedWithin(held[0].get(), 1000)) << "the oldest made room";
  // Mount target b is not touched by a's clients.
  WireClient other;
  ASSERT_TRUE(other.Connect(b["IpAddress"], b["Port"]));
  ASSERT_TRUE(other.StartSession("other-target"));
  ASSERT_TRUE(other.WriteFile("b.txt", "served\n"));
  // Past --nfs-idle-timeout without a request, every connection is closed.
  for (size_t i = 1; i < held.size(); ++i) {
    EXPECT_TRUE(ClosedWithin(held[i].get(), 6000)) << "connection " << i;
  }
}

}  // namespace
}  // namespace efs::e2e

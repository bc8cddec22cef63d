// efs mount through FUSE (this machine's kernel has no NFS client): ordinary tools in the
// mounted directory, two mounts through two mount targets, locks between them, per-user
// permissions, umount of a busy mount, mount -t efs from fstab, and an efsd restart under a
// mount. Each mount is made by the real efs binary and served by its background process.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/wire_client.h"

namespace efs::e2e {
namespace {

using testutil::RunResult;

// Runs `script` with sh -c (as `uid`, unless -1), bounded by `timeout` seconds.
RunResult Sh(const std::string& script, double timeout = 120, uid_t uid = static_cast<uid_t>(-1)) {
  testutil::RunOptions options;
  options.timeout_seconds = timeout;
  options.uid = uid;
  return testutil::Run({"/bin/sh", "-c", script}, options);
}

std::string RealPathOf(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  std::string out = real ? real : path;
  std::free(real);
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class Mount : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse on this machine";
    fs_ = CreateFs();
    zone_a_ = CreateMountTarget(fs_, DefaultSubnet("local-1a"));
    zone_b_ = CreateMountTarget(fs_, DefaultSubnet("local-1b"));
  }

  void TearDown() override {
    Json mounts = mounted_.empty() ? Json::object() : EfsJson({"mounts"});
    for (const std::string& dir : mounted_) {
      RunResult r = daemon_.Efs({"umount", dir});
      if (r.rc == 0) continue;
      // A test failed with the mount in use: leave nothing behind.
      ::umount2(dir.c_str(), MNT_DETACH);
      for (const Json& m : mounts.value("Mounts", Json::array())) {
        if (m.value("MountPoint", "") == dir && m.value("Pid", 0) > 0) ::kill(m["Pid"], SIGKILL);
      }
    }
    E2eTest::TearDown();
  }

  // Mounts the file system on a new directory with `args` after the source; returns it.
  std::string MountFs(const std::vector<std::string>& args = {}, const std::string& path = "") {
    std::string dir = daemon_.dir().Join("mnt" + std::to_string(mounted_.size()));
    ::mkdir(dir.c_str(), 0755);
    std::vector<std::string> argv = {"mount", fs_ + path, dir};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = daemon_.Efs(argv);
    EXPECT_EQ(r.rc, 0) << r.err;
    if (r.rc == 0) mounted_.push_back(dir);
    return dir;
  }
  // Writes a python script into the test's directory; returns "python3 PATH" to run it.
  std::string Python(const std::string& name, const std::string& script) {
    std::string path = daemon_.dir().Join(name);
    std::ofstream(path) << script;
    return "python3 " + path;
  }
  // Two mounts of the file system, through the mount targets in local-1a and local-1b.
  std::pair<std::string, std::string> MountBothZones() {
    std::string a = MountFs({"--availability-zone-name", "local-1a"});
    return {a, MountFs({"--availability-zone-name", "local-1b"})};
  }

  std::string fs_;
  Json zone_a_, zone_b_;
  std::vector<std::string> mounted_;
};

TEST_F(Mount, MountsThroughFuseAndSaysWhereAndThrough) {
  std::string dir = daemon_.dir().Join("m");
  ::mkdir(dir.c_str(), 0755);
  Json mounted = EfsJson({"mount", fs_, dir, "--availability-zone-name", "local-1b"});
  mounted_.push_back(dir);
  EXPECT_EQ(mounted["FileSystemId"], fs_);
  EXPECT_EQ(mounted["MountTargetId"], zone_b_["MountTargetId"]);
  EXPECT_EQ(mounted["Client"], "fuse");
  Json mounts = EfsJson({"mounts"});
  bool listed = false;
  for (const Json& m : mounts["Mounts"]) {
    if (m["MountPoint"] == dir) {
      listed = true;
      EXPECT_EQ(m["FileSystemId"], fs_);
      EXPECT_EQ(m["IpAddress"], zone_b_["IpAddress"]);
      EXPECT_GT(m.value("Pid", 0), 0);
    }
  }
  EXPECT_TRUE(listed) << mounts.dump();
  RunResult df = Sh("stat -f -c %T " + dir + " && grep ' " + dir + " ' /proc/mounts");
  EXPECT_EQ(df.rc, 0) << df.err;
  EXPECT_NE(df.out.find("fuse.efs"), std::string::npos) << df.out;
  EXPECT_NE(df.out.find(fs_ + ":/"), std::string::npos) << df.out;
}

TEST_F(Mount, CoreutilsWork) {
  std::string dir = MountFs();
  std::string src = daemon_.dir().Join("src");
  RunResult r = Sh(
      "set -e\n"
      "mkdir -p " + src + "/tree/sub && cd " + src + "\n"
      "for i in $(seq 1 40); do head -c $((i * 997)) /dev/urandom > tree/f$i; done\n"
      "head -c 3000000 /dev/urandom > tree/sub/big\n"
      "ln -s f1 tree/link && chmod 0640 tree/f2\n"
      "cd " + dir + "\n"
      "cp -a " + src + "/tree copy && diff -r " + src + "/tree copy\n"
      "mv copy moved && test ! -e copy && test -d moved\n"
      "ln moved/f3 hard && test $(stat -c %h moved/f3) = 2\n"
      "ln -s moved/f4 soft && cmp soft " + src + "/tree/f4\n"
      "chmod 0600 moved/f5 && test $(stat -c %a moved/f5) = 600\n"
      "chown 1234:5678 moved/f6 && test \"$(stat -c %u:%g moved/f6)\" = 1234:5678\n"
      "test $(stat -c %a moved/f2) = 640 && test \"$(readlink moved/link)\" = f1\n"
      "mkdir -p $(seq -s / 1 50) && test -d $(seq -s / 1 50)\n"
      "tar -C moved -cf " + src + "/tree.tar . && mkdir back && tar -C back -xf " + src +
      "/tree.tar\n"
      "(cd " + src + "/tree && find . -type f -exec md5sum {} + | sort -k2) > " + src + "/a.md5\n"
      "(cd back && find . -type f -exec md5sum {} + | sort -k2) > " + src + "/b.md5\n"
      "cmp " + src + "/a.md5 " + src + "/b.md5\n"
      "rm -r moved back 1 && test -z \"$(ls -A | grep -v -e hard -e soft)\"\n"
      "mkfifo pipe && test -p pipe && (echo through > pipe &) && test \"$(cat pipe)\" = through\n"
      "rm pipe && df -P . | awk 'NR == 2 { exit !($2 > 0 && $4 > 0) }'\n"
      "test $(stat -f -c %c .) -gt 0\n");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
}

TEST_F(Mount, AppendTruncateAndASparseFile) {
  std::string dir = MountFs();
  RunResult r = Sh(
      "set -e; cd " + dir + "\n"
      "printf one > f && printf two >> f && test \"$(cat f)\" = onetwo\n"
      "truncate -s 3 f && test \"$(cat f)\" = one\n"
      "truncate -s 10 f && test $(stat -c %s f) = 10\n"
      "dd if=/dev/zero of=sparse bs=1 count=1 seek=$((2 * 1024 * 1024 * 1024 - 1)) 2>/dev/null\n"
      "test $(stat -c %s sparse) = 2147483648\n"
      "test $(stat -c %b sparse) -lt 1024\n"  // blocks of 512: far below 2 GiB
      "test \"$(tail -c 1 sparse | od -An -tx1 | tr -d ' ')\" = 00\n"
      "printf x | dd of=sparse bs=1 seek=1073741824 conv=notrunc 2>/dev/null\n"
      "test \"$(dd if=sparse bs=1 skip=1073741824 count=1 2>/dev/null)\" = x\n");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
}

TEST_F(Mount, TwoMountsThroughTwoMountTargetsSeeEachOthersChangesAfterCloseAndOpen) {
  auto [a, b] = MountBothZones();
  RunResult r = Sh(
      "set -e\n"
      "echo first > " + a + "/shared\n"
      "test \"$(cat " + b + "/shared)\" = first\n"
      "echo second > " + b + "/shared\n"
      "test \"$(cat " + a + "/shared)\" = second\n"
      "mkdir " + b + "/made-in-b && test -d " + a + "/made-in-b\n"
      "rm " + a + "/shared && test ! -e " + b + "/shared\n");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
}

// Both mounts try O_CREAT|O_EXCL on the same names at once: each name is created exactly once.
TEST_F(Mount, ExclusiveCreateRacesBetweenTwoMountsHaveOneWinner) {
  auto [a, b] = MountBothZones();
  constexpr int kNames = 100;
  std::atomic<int> wins{0};
  auto racer = [&](const std::string& dir) {
    for (int i = 0; i < kNames; ++i) {
      int fd = ::open((dir + "/race" + std::to_string(i)).c_str(), O_CREAT | O_EXCL | O_WRONLY,
                      0644);
      if (fd >= 0) {
        ++wins;
        ::close(fd);
      } else {
        EXPECT_EQ(errno, EEXIST);
      }
    }
  };
  std::thread ta(racer, a), tb(racer, b);
  ta.join();
  tb.join();
  EXPECT_EQ(wins.load(), kNames);
}

TEST_F(Mount, AnFcntlLockThroughOneMountBlocksAProcessOnTheOther) {
  auto [a, b] = MountBothZones();
  ASSERT_EQ(Sh("echo data > " + a + "/locked").rc, 0);
  // POSIX record locks (fcntl F_SETLK/F_SETLKW) through python's fcntl.lockf.
  std::string hold =
      "import fcntl, sys, time\n"
      "f = open(sys.argv[1], 'r+')\n"
      "fcntl.lockf(f, fcntl.LOCK_EX)\n"
      "print('locked', flush=True)\n"
      "time.sleep(float(sys.argv[2]))\n";
  std::string try_lock =
      "import fcntl, sys, time\n"
      "f = open(sys.argv[1], 'r+')\n"
      "try:\n"
      "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
      "    print('got')\n"
      "except OSError:\n"
      "    print('refused')\n"
      "t = time.time()\n"
      "fcntl.lockf(f, fcntl.LOCK_EX)\n"
      "print('waited %.1f' % (time.time() - t))\n";
  RunResult r = Sh(Python("hold.py", hold) + " " + a + "/locked 2 & sleep 0.5; " +
                   Python("wait.py", try_lock) + " " + b + "/locked; wait");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("locked\nrefused\nwaited"), std::string::npos) << r.out;
  // The waiter blocked until the holder exited (about 1.5 s later), then got the lock.
  size_t at = r.out.find("waited ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GE(std::stod(r.out.substr(at + 7)), 0.8) << r.out;
}

// Attributes are cached (a second by default, actimeo=N, none with noac), but opening a file
// revalidates them: a size another mount changed shows in fstat right after open, as
// close-to-open promises, even while the old size is still cached.
TEST_F(Mount, OpeningAFileRevalidatesItsCachedAttributes) {
  std::string a = MountFs({"--availability-zone-name", "local-1a"});
  std::string b = MountFs({"--availability-zone-name", "local-1b", "-o", "actimeo=30"});
  std::string c = MountFs({"-o", "noac"});
  ASSERT_EQ(Sh("echo 1 > " + a + "/grows").rc, 0);
  std::string script =
      "import os, sys\n"
      "a, b, c = sys.argv[1:4]\n"
      "print(os.stat(b + '/grows').st_size, os.stat(c + '/grows').st_size)\n"
      "with open(a + '/grows', 'a') as f: f.write('more')\n"
      "print('noac', os.stat(c + '/grows').st_size)\n"
      "fd = os.open(b + '/grows', os.O_RDONLY)\n"
      "print('open', os.fstat(fd).st_size, os.read(fd, 100))\n";
  RunResult r = Sh(Python("grows.py", script) + " " + a + " " + b + " " + c);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "2 2\nnoac 6\nopen 6 b'1\\nmore'\n") << r.err;
}

// fcntl locks belong to the process, not to the descriptor: a process that opens a file twice
// locks through both without conflict, and closing either descriptor releases its locks, as
// another mount's process then sees.
TEST_F(Mount, FcntlLocksOfOneProcessThroughTwoDescriptorsAreOneOwners) {
  auto [a, b] = MountBothZones();
  ASSERT_EQ(Sh("echo data > " + a + "/twice").rc, 0);
  std::string script =
      "import fcntl, os, sys\n"
      "def free(path):\n"
      "    f = open(path, 'r+')\n"
      "    try:\n"
      "        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
      "        return 'free'\n"
      "    except OSError:\n"
      "        return 'held'\n"
      "    finally:\n"
      "        f.close()\n"
      "one, two = open(sys.argv[1], 'r+'), open(sys.argv[1], 'r+')\n"
      "fcntl.lockf(one, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)\n"
      "fcntl.lockf(two, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)\n"
      "print('both', flush=True)\n"
      "pid = os.fork()\n"
      "if pid == 0:\n"
      "    print('other:', free(sys.argv[2]), flush=True)\n"
      "    os._exit(0)\n"
      "os.waitpid(pid, 0)\n"
      "two.close()\n"
      "pid = os.fork()\n"
      "if pid == 0:\n"
      "    print('after close:', free(sys.argv[2]), flush=True)\n"
      "    os._exit(0)\n"
      "os.waitpid(pid, 0)\n";
  RunResult r = Sh(Python("twice.py", script) + " " + a + "/twice " + b + "/twice");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "both\nother: held\nafter close: free\n") << r.err;
}

// flock(2) locks are whole-file NFS locks: one held through one mount keeps flock -n on the
// other mount out until it is released.
TEST_F(Mount, AFlockThroughOneMountExcludesTheOtherMount) {
  auto [a, b] = MountBothZones();
  ASSERT_EQ(Sh("echo data > " + a + "/flocked").rc, 0);
  RunResult r = Sh("flock " + a + "/flocked -c 'touch " + a + "/held; sleep 2' &\n"
                   "for i in $(seq 1 50); do [ -e " + b + "/held ] && break; sleep 0.1; done\n"
                   "flock -n " + b + "/flocked -c true && echo free || echo excluded\n"
                   "wait\n"
                   "flock -n " + b + "/flocked -c true && echo free-after\n");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "excluded\nfree-after\n") << r.err;
}

TEST_F(Mount, ANonRootUserIsRefusedWhereTheModeBitsSaySo) {
  std::string dir = MountFs();
  ASSERT_EQ(Sh("set -e; cd " + dir + "; mkdir private open; chmod 0700 private; chmod 0777 open;"
               "echo secret > private/s; echo mine > rootfile; chmod 0644 rootfile")
                .rc,
            0);
  RunResult r = Sh("cat " + dir + "/private/s", 30, 4321);
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  r = Sh("echo x >> " + dir + "/rootfile", 30, 4321);
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  r = Sh("echo hello > " + dir + "/open/theirs && stat -c %u " + dir + "/open/theirs", 30, 4321);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "4321\n");
}

// fusermount3 -u, as any FUSE user would, ends the background process serving the mount.
TEST_F(Mount, FusermountUnmountEndsTheServingProcess) {
  std::string dir = MountFs();
  int pid = 0;
  Json mounts = EfsJson({"mounts"});
  for (const Json& m : mounts["Mounts"]) {
    if (m["MountPoint"] == dir) pid = m.value("Pid", 0);
  }
  ASSERT_GT(pid, 0) << mounts.dump();
  ASSERT_EQ(Sh("echo kept > " + dir + "/f").rc, 0);
  RunResult r = Sh("fusermount3 -u " + dir);
  ASSERT_EQ(r.rc, 0) << r.err;
  mounted_.clear();
  // Gone, or a zombie: it has exited, and reaping it is for whoever inherited it (here the
  // container's init, which takes its time).
  auto exited = [pid] {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::string stat = ReadAll("/proc/" + std::to_string(pid) + "/stat");
    size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
  };
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = exited();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(gone) << "the FUSE process " << pid << " outlived its mount";
  // (Only this test's mount: tests running beside it have theirs.)
  Json after = EfsJson({"mounts"});
  for (const Json& m : after["Mounts"]) EXPECT_NE(m["MountPoint"], dir) << after.dump();
  // Its data was committed: a new mount reads it.
  std::string again = MountFs();
  EXPECT_EQ(ReadAll(again + "/f"), "kept\n");
}

TEST_F(Mount, UmountOfABusyMountPointFailsAndChangesNothing) {
  std::string dir = MountFs();
  testutil::Child busy = testutil::Child::Start({"/bin/sh", "-c", "cd " + dir + " && exec sleep 30"},
                                                daemon_.dir().Join("busy.log"));
  ASSERT_TRUE(busy.running());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EfsFails({"umount", dir}, 8, "MountPointBusy");
  EXPECT_EQ(Sh("touch " + dir + "/still-mounted").rc, 0);
  busy.Signal(9);
  RunResult r = daemon_.Efs({"umount", dir});
  EXPECT_EQ(r.rc, 0) << r.err;
  mounted_.clear();
  EXPECT_FALSE(Sh("grep -q ' " + dir + " ' /proc/mounts").rc == 0);
  EfsFails({"umount", dir}, 10, "NotMounted");
}

TEST_F(Mount, EachMountFailureHasItsExitCode) {
  std::string dir = daemon_.dir().Join("target");
  ::mkdir(dir.c_str(), 0755);
  EfsFails({"mount", "fs-0123456789abcdef0", dir}, 1, "FileSystemNotFound");
  EfsFails({"mount", fs_, dir, "--availability-zone-name", "local-1c"}, 5,
           "NoAvailableMountTarget");
  EfsFails({"mount", fs_, daemon_.dir().Join("missing")}, 7, "NoMountPoint");
  std::string first = MountFs();
  EfsFails({"mount", fs_, first}, 8, "MountPointBusy");
  EfsFails({"mount", fs_ + ":/no/such/dir", dir}, 6, "PathNotFound");
  RunResult usage = daemon_.Efs({"mount", "fs-0123", dir});
  EXPECT_EQ(usage.rc, 2) << usage.err;
  EXPECT_NE(usage.err.find("not a file system id"), std::string::npos) << usage.err;
}

// mount(8) runs /sbin/mount.efs for type efs. In a mount namespace of its own, the test puts
// the built helper there (a tmpfs over /usr/sbin, which /sbin points to on Debian), mounts from
// an fstab line, uses the mount and unmounts it, so nothing outside the namespace changes.
// In a mount namespace whose /dev has no fuse device (and a kernel without NFS), efs mount
// says so with its own exit status.
TEST_F(Mount, WithoutFuseOrAKernelClientTheMountSaysSo) {
  std::string dir = daemon_.dir().Join("nofuse");
  ::mkdir(dir.c_str(), 0755);
  RunResult r = Sh("unshare -m --propagation private sh -c 'mount -t tmpfs none /dev && "
                   "EFS_SOCKET=" + daemon_.socket_path() + " " + testutil::BinPath("efs") +
                   " mount --client fuse " + fs_ + " " + dir + "; echo \"exit $?\"'");
  EXPECT_NE(r.out.find("exit 9"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("efs: error: FuseUnavailable:"), std::string::npos) << r.err;
  if (ReadAll("/proc/filesystems").find("nfs4") == std::string::npos) {  // as on these machines
    EfsFails({"mount", "--client", "kernel", fs_, dir}, 9, "KernelNfsUnavailable");
  }
}

TEST_F(Mount, MountTypeEfsFromAnFstabLine) {
  std::string dir = daemon_.dir().Join("fstab-mnt");
  ::mkdir(dir.c_str(), 0755);
  std::string fstab = daemon_.dir().Join("fstab");
  std::ofstream(fstab) << fs_ << ":/ " << dir << " efs _netdev,noresvport,az=local-1b 0 0\n";
  std::string sbin = RealPathOf("/sbin");
  RunResult r = Sh("unshare -m --propagation private sh -ec '"
                   "mount -t tmpfs none " + sbin + "\n"
                   "ln -s " + testutil::BinPath("mount.efs") + " " + sbin + "/mount.efs\n"
                   "export EFS_SOCKET=" + daemon_.socket_path() + "\n"
                   "mount -T " + fstab + " " + dir + "\n"
                   "grep \" " + dir + " \" /proc/self/mounts\n"
                   "echo via-fstab > " + dir + "/f\n"
                   "cat " + dir + "/f\n"
                   + testutil::BinPath("efs") + " umount " + dir + "'");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(fs_ + ":/ " + dir + " fuse.efs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("via-fstab\n"), std::string::npos) << r.out;
  // The file is in the file system, seen through a mount of the test's own.
  std::string check = MountFs();
  EXPECT_EQ(ReadAll(check + "/f"), "via-fstab\n");
}

// A process keeps a file open and half written while efsd restarts; it finishes writing through
// the same descriptor afterwards. (The open file lives in a process of its own: the test
// process forks efsd, and a child that inherited a descriptor of the mount would flush it to
// the very server it is about to become.)
TEST_F(Mount, AMountRidesThroughAnEfsdRestart) {
  std::string dir = MountFs();
  ASSERT_EQ(Sh("echo before > " + dir + "/kept").rc, 0);
  std::string ready = daemon_.dir().Join("ready"), go = daemon_.dir().Join("go");
  std::string script = daemon_.dir().Join("writer.py");
  std::ofstream(script) << "import os, sys, time\n"
                           "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o644)\n"
                           "os.write(fd, b'abc')\n"
                           "open(sys.argv[2], 'w').close()\n"
                           "for _ in range(600):\n"
                           "    if os.path.exists(sys.argv[3]): break\n"
                           "    time.sleep(0.1)\n"
                           "os.write(fd, b'def')\n"
                           "os.close(fd)\n";
  testutil::Child writer = testutil::Child::Start(
      {"/usr/bin/python3", script, dir + "/open-across", ready, go},
      daemon_.dir().Join("writer.log"));
  for (int i = 0; i < 300 && ::access(ready.c_str(), F_OK) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(::access(ready.c_str(), F_OK), 0) << "the writer did not start";
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(daemon_.Start({"--idle-timeout", "2"})) << daemon_.log();
  // The restarted efsd knows the mount's client from its records (nfs4-clients.db): until that
  // client has reclaimed its state, another client's new open waits (NFS4ERR_GRACE).
  WireClient other;
  ASSERT_TRUE(other.Connect(zone_a_["IpAddress"], zone_a_["Port"]) && other.StartSession("other"));
  auto open_fresh = [&other] {
    nfs4::testing::CompoundBuilder b = other.Seq(true);
    b.PutRootFh().Open("other", "fresh", UNCHECKED4);
    auto r = other.Compound(b);
    return r ? (*r)->status : NFS4ERR_IO;
  };
  EXPECT_EQ(open_fresh(), NFS4ERR_GRACE);
  // The mount's next request finds its session gone; it reclaims its open file and says
  // RECLAIM_COMPLETE, which ends the grace period (it was the only client to wait for).
  EXPECT_EQ(ReadAll(dir + "/kept"), "before\n");
  EXPECT_EQ(open_fresh(), NFS4_OK);
  std::ofstream(go).close();
  EXPECT_EQ(writer.Wait(60), 0) << ReadAll(daemon_.dir().Join("writer.log"));
  EXPECT_EQ(ReadAll(dir + "/open-across"), "abcdef");
  EXPECT_EQ(Sh("echo after > " + dir + "/new && cat " + dir + "/new").out, "after\n");
}

}  // namespace
}  // namespace efs::e2e

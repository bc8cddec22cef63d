// A local user cannot take efsd down or read what is not theirs: efsd's state files are
// private.
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

class LocalUsers : public E2eTest {
 protected:
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

}  // namespace
}  // namespace efs::e2e

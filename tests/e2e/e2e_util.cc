// The end-to-end fixture.
#include "tests/e2e/e2e_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace efs::e2e {

void E2eTest::SetUp() { ASSERT_TRUE(daemon_.Start(DaemonArgs())) << daemon_.log(); }

void E2eTest::TearDown() {
  if (daemon_.running()) {
    EXPECT_EQ(daemon_.Stop(), 0) << daemon_.log();
  }
}

Json E2eTest::EfsJson(const std::vector<std::string>& args) {
  testutil::RunResult r = daemon_.Efs(args);
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  EXPECT_EQ(r.rc, 0) << "efs" << cmd << "\nstderr: " << r.err;
  if (r.out.find_first_not_of(" \n\t") == std::string::npos) return Json::object();
  Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out;
  return j;
}

testutil::RunResult E2eTest::EfsFails(const std::vector<std::string>& args, int rc,
                                      const std::string& code) {
  testutil::RunResult r = daemon_.Efs(args);
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  EXPECT_EQ(r.rc, rc) << "efs" << cmd << "\nstdout: " << r.out << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find("efs: error: " + code + ":"), std::string::npos)
      << "efs" << cmd << "\nstderr: " << r.err;
  return r;
}

std::string E2eTest::CreateFs(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"create-fs", "--wait"};
  argv.insert(argv.end(), args.begin(), args.end());
  Json fs = EfsJson(argv);
  EXPECT_EQ(fs.value("LifeCycleState", ""), "available") << fs.dump();
  return fs.value("FileSystemId", "");
}

std::string E2eTest::DefaultSubnet(const std::string& az) {
  Json subnets = EfsJson({"describe-subnets"});
  for (const auto& s : subnets["Subnets"]) {
    if (s["AvailabilityZone"] == az && s.value("DefaultForAz", false)) return s["SubnetId"];
  }
  ADD_FAILURE() << "no default subnet in " << az << ": " << subnets.dump();
  return "";
}

Json E2eTest::CreateMountTarget(const std::string& fs_id, const std::string& subnet_id,
                                const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"create-mount-target", "--file-system-id", fs_id,
                                   "--subnet-id", subnet_id, "--wait"};
  argv.insert(argv.end(), args.begin(), args.end());
  Json mt = EfsJson(argv);
  EXPECT_EQ(mt.value("LifeCycleState", ""), "available") << mt.dump();
  return mt;
}

bool CanConnect(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    ok = true;
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    ok = ::poll(&p, 1, 1000) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
         err == 0;
  }
  ::close(fd);
  return ok;
}

}  // namespace efs::e2e

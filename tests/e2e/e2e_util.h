// Shared fixture for the end-to-end tests: a started TestDaemon and JSON helpers over efs.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/messages.h"
#include "testutil/test_daemon.h"

namespace efs::e2e {

using api::Json;

// A running efsd per test.
class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // The daemon's arguments beyond TestDaemon's own (--idle-timeout 2 here).
  virtual std::vector<std::string> DaemonArgs() const { return {"--idle-timeout", "2"}; }

  // Runs efs with `args`; expects exit 0 and returns stdout parsed as JSON ({} if empty).
  Json EfsJson(const std::vector<std::string>& args);
  // Runs efs and expects exit code `rc` and stderr containing "efs: error: <code>:".
  testutil::RunResult EfsFails(const std::vector<std::string>& args, int rc,
                               const std::string& code);
  // Creates a file system (with `args`) and waits until it is available; returns its id.
  std::string CreateFs(const std::vector<std::string>& args = {});
  // The default subnet of availability zone `az` (e.g. "local-1a").
  std::string DefaultSubnet(const std::string& az = "local-1a");
  // Creates a mount target and waits until it is available; returns its description.
  Json CreateMountTarget(const std::string& fs_id, const std::string& subnet_id,
                         const std::vector<std::string>& args = {});

  testutil::TestDaemon daemon_;
};

// Returns true iff a TCP connection to ip:port succeeds within a second.
bool CanConnect(const std::string& ip, int port);

}  // namespace efs::e2e

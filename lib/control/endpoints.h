// Endpoints: where the control plane opens and closes mount-target listeners. The daemon passes
// the network backend (lib/net); tests pass a fake.
#pragma once

#include <memory>
#include <string>

#include "api/messages.h"
#include "base/status.h"
#include "fs/filesystem.h"

namespace efs::control {

class Endpoints {
 public:
  virtual ~Endpoints() = default;
  // Makes sure a TCP listener for `mount_target_id` is bound on ip:port. Idempotent: a second
  // call for an open listener does nothing. Thread-safe.
  virtual Status Open(const std::string& mount_target_id, const std::string& ip, int port) = 0;
  // Closes that listener and the connections accepted on it, if any. Thread-safe.
  virtual void Close(const std::string& mount_target_id) = 0;
  // Moves the daemon's clock `seconds` ahead (REQUIRES: seconds > 0) and says where it is now.
  // Only a daemon started with --test-clock can; any other refuses (the default).
  virtual Result<api::ClockReading> AdvanceClock(double seconds);
  // The store of file system `id`, opened if it is not (a daemon closes it again a while after
  // its last use). Only a daemon has stores; the default refuses (StoreUnavailable).
  virtual Result<std::shared_ptr<fs::FileSystem>> Store(const std::string& id);
  // File system `id`'s lifecycle configuration changed: the daemon applies it to the store.
  virtual void LifecycleChanged(const std::string& id);
  // File system `id`'s throughput mode changed (UpdateFileSystem): the daemon applies it.
  virtual void ThroughputChanged(const std::string& id);
  // Sets file system `id`'s burst credit balance to `bytes` and says what it is now. Only a
  // daemon has balances; the default refuses (StoreUnavailable).
  virtual Result<api::BurstCreditBalance> SetBurstCredits(const std::string& id, double bytes);
};

}  // namespace efs::control

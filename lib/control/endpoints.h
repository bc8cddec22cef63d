// Endpoints: the control plane's hands outside the catalog. It opens and closes mount-target
// listeners and, with the netns network backend, makes VPCs exist as namespaces (lib/net). The
// daemon passes the real ones; tests pass a fake.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "api/messages.h"
#include "base/status.h"
#include "fs/filesystem.h"
#include "net/vpc_network.h"

namespace efs::control {

class Endpoints {
 public:
  virtual ~Endpoints() = default;
  // Makes sure a TCP listener for `mount_target_id` is bound on ip:port, inside the network
  // namespace at `netns` ("" : efsd's own). Idempotent: a second call for an open listener
  // does nothing. Thread-safe.
  virtual Status Open(const std::string& mount_target_id, const std::string& netns,
                      const std::string& ip, int port) = 0;
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

  // --- the netns network backend (net/vpc_network.h); the defaults do nothing and succeed,
  // so a control plane without a network (tests) still moves through its states.
  // Makes VPC `spec` exist (net::ApplyVpc, which explains `failures`) and its zones' resolvers
  // answer what the spec says.
  virtual Status ApplyVpc(const net::VpcSpec& spec, std::map<std::string, Status>* failures);
  virtual Status RemoveVpc(const net::VpcSpec& spec);
  // Moves operator device `device` out of the namespace named `netns` (net::ReturnDevice).
  virtual Status ReturnDevice(const std::string& netns, const std::string& device);
  virtual Status RemoveClientNetns(const std::string& eni_id);
  // Whether interface `device` exists in efsd's own namespace (to be attached). The default
  // says it does.
  virtual bool HostDeviceExists(const std::string& device);
};

}  // namespace efs::control

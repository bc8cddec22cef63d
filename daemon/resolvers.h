// Resolvers: the DNS server of each zone of each VPC (netns backend), as Amazon's resolver
// answers EFS's names: FS-ID.efs.REGION.amazonaws.com with the mount target of the asking
// client's zone, AZ.FS-ID.efs.REGION.amazonaws.com with that zone's. Each is Debian's dnsmasq,
// run by efsd inside the zone's namespace on the VPC's base address + 2 (port 53), as nobody,
// reading its answers from /run/efsd-resolvers/<state dir's hash>/<vpc-id>/<az-id>.hosts (a
// path nobody may enter, whatever the state directory's mode); names of the efs domain that are not
// there are answered NXDOMAIN, and nothing is forwarded anywhere. efsd stops its resolvers when
// it stops; one left by an efsd that was killed is found by its pid file (<az-id>.pid beside the
// answers) and replaced at the next start.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "net/vpc_network.h"

namespace efs::daemon {

class Resolvers {
 public:
  // The resolvers of the efsd of `state_dir`; `domain` is "efs.REGION.amazonaws.com".
  Resolvers(std::string state_dir, std::string domain);
  ~Resolvers();  // stops every resolver
  Resolvers(const Resolvers&) = delete;
  Resolvers& operator=(const Resolvers&) = delete;

  // Makes each zone of `spec` have a running resolver answering what the zone's `hosts` says:
  // writes the answers that changed (and tells the resolver, SIGHUP), starts those not running.
  // A failure (dnsmasq missing, say) is logged when it first happens. Thread-safe.
  Status Update(const net::VpcSpec& spec) EXCLUDES(mu_);
  // Stops the resolvers of VPC `vpc_id` and removes their answers. Thread-safe.
  void Remove(const std::string& vpc_id) EXCLUDES(mu_);

 private:
  struct Running {
    pid_t pid = -1;
    std::string hosts;  // what it was last told
    std::string error;  // why the last Update failed ("" : it did not), logged once
  };
  using Key = std::pair<std::string, std::string>;  // vpc id, az id

  Status UpdateZone(const net::VpcSpec& spec, const net::ZoneSpec& zone) REQUIRES(mu_);
  static void Stop(pid_t pid);

  const std::string dir_;
  const std::string domain_;
  Mutex mu_;
  std::map<Key, Running> running_ GUARDED_BY(mu_);
};

}  // namespace efs::daemon

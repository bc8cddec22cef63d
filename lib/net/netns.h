// Network namespaces and iproute2: the primitives of the netns network backend.
//
// Named namespaces are iproute2's: a bind mount at /run/netns/NAME (`ip netns add`), so that
// they outlive efsd and `ip -n NAME ...` reaches them. Work inside a namespace is done either by
// `ip -n NAME` (links, addresses, routes, rules) or by a short-lived helper thread that enters
// the namespace with setns(2) (sockets, sysctls): a socket keeps the namespace it was made in,
// and the calling thread never changes namespace.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

namespace efs::net {

// /run/netns/NAME.
std::string NetnsPath(const std::string& name);
// True iff the named namespace exists (its bind mount is there and is a namespace).
bool NetnsExists(const std::string& name);
// `ip netns add NAME` unless it exists. Needs CAP_SYS_ADMIN.
Status CreateNetns(const std::string& name);
// `ip netns del NAME` if it exists; with it go every virtual link in it (operator devices that
// were moved in go back to the initial namespace, as the kernel does for physical ones).
Status DeleteNetns(const std::string& name);

// Runs `fn` on a new thread that first enters the network namespace at `path`, and returns
// what it returns. The calling thread's namespace never changes. kIOError if it cannot enter.
Status InNetns(const std::string& path, const std::function<Status()>& fn);

// Writes `value` to /proc/sys/KEY (KEY as "net/ipv4/ip_forward") inside the namespace at
// `path` ("" : this process's).
Status WriteSysctl(const std::string& path, const std::string& key, const std::string& value);

// Turns generic receive offload on for `links` inside the namespace at `path` (ethtool's
// ETHTOOL_SGRO; iproute2 has no switch for it). A veth with GRO receives in batches, which at
// 16 NFS clients reading made the difference between 0.85x and par with loopback. Links that
// are not there are skipped.
Status EnableGro(const std::string& path, const std::vector<std::string>& links);

// Runs `ip ARGS...` and returns its stdout; a non-zero exit is kIOError with ip's message.
Result<std::string> Ip(const std::vector<std::string>& args);
// Runs `ip -batch -` over `commands` (one ip command per line, without "ip") in namespace
// `netns` (a name, a path such as /proc/PID/ns/net, or "" for this one), stopping at the first
// that fails (kIOError naming it). Nothing to do for an empty list.
Status IpBatch(const std::string& netns, const std::vector<std::string>& commands);

}  // namespace efs::net

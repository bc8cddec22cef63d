// Probing networks the tests made: a TCP listener or a connection inside a network namespace,
// and the routes `ip route get` names. Every address a test probes is on loopback or in a
// namespace it made (or the efsd under test made); tests check RouteGet before they probe that
// an address is unreachable from the host.
#pragma once

#include <string>

#include "base/status.h"
#include "base/unique_fd.h"

namespace efs::testutil {

// A listening TCP socket on ip:port inside the namespace at `netns` ("" : this one), bound with
// IP_FREEBIND (the address may come later).
Result<UniqueFd> ListenIn(const std::string& netns, const std::string& ip, int port);

// Connects to ip:port from the namespace at `netns` ("" : this one), from `source` if given,
// within `timeout_ms`. Returns the connected socket, or the error (refused, timed out,
// unreachable) as kUnavailable with errno's text.
Result<UniqueFd> ConnectFrom(const std::string& netns, const std::string& ip, int port,
                             const std::string& source = "", int timeout_ms = 2000);

// Accepts one connection on `listener` within `timeout_ms`; returns the peer's address.
Result<std::string> AcceptOne(int listener, int timeout_ms = 2000);

// What `ip [-n NETNS] route get IP` says, e.g. "unreachable 172.31.0.10 ..." (one line).
std::string RouteGet(const std::string& netns_name, const std::string& ip);

}  // namespace efs::testutil

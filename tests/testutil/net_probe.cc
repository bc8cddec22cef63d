// TCP probes inside network namespaces (see net_probe.h).
#include "testutil/net_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/macros.h"
#include "net/netns.h"

namespace efs::testutil {
namespace {

Result<sockaddr_in> Address(const std::string& ip, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("'" + ip + "' is not an IPv4 address");
  }
  return addr;
}

Status Errno(const std::string& what) {
  return Status(Code::kUnavailable, "", what + ": " + std::strerror(errno));
}

// Runs `fn` in `netns` (or here) and returns the socket it made.
Result<UniqueFd> MakeSocket(const std::string& netns, const std::function<Status(UniqueFd*)>& fn) {
  UniqueFd fd;
  Status status = netns.empty() ? fn(&fd) : net::InNetns(netns, [&] { return fn(&fd); });
  if (!status.ok()) return status;
  return fd;
}

}  // namespace

Result<UniqueFd> ListenIn(const std::string& netns, const std::string& ip, int port) {
  EFS_ASSIGN_OR_RETURN(sockaddr_in addr, Address(ip, port));
  return MakeSocket(netns, [&](UniqueFd* fd) -> Status {
    fd->Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int one = 1;
    ::setsockopt(fd->get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd->get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
    if (::bind(fd->get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd->get(), 16) != 0) {
      return Errno("listen on " + ip + ":" + std::to_string(port));
    }
    return Status::Ok();
  });
}

Result<UniqueFd> ConnectFrom(const std::string& netns, const std::string& ip, int port,
                             const std::string& source, int timeout_ms) {
  EFS_ASSIGN_OR_RETURN(sockaddr_in addr, Address(ip, port));
  return MakeSocket(netns, [&](UniqueFd* fd) -> Status {
    fd->Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!source.empty()) {
      EFS_ASSIGN_OR_RETURN(sockaddr_in from, Address(source, 0));
      int one = 1;
      ::setsockopt(fd->get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
      if (::bind(fd->get(), reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
        return Errno("bind " + source);
      }
    }
    std::string what = "connect to " + ip + ":" + std::to_string(port);
    if (::connect(fd->get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      return Status::Ok();
    }
    if (errno != EINPROGRESS) return Errno(what);
    pollfd p{fd->get(), POLLOUT, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) {
      return Status(Code::kUnavailable, "", what + ": timed out");
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd->get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      errno = err;
      return Errno(what);
    }
    return Status::Ok();
  });
}

Result<std::string> AcceptOne(int listener, int timeout_ms) {
  pollfd p{listener, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return Status(Code::kUnavailable, "", "nothing to accept");
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  UniqueFd conn(::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
  if (!conn.valid()) return Errno("accept");
  char text[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
  return std::string(text);
}

std::string RouteGet(const std::string& netns_name, const std::string& ip) {
  std::vector<std::string> args;
  if (!netns_name.empty()) args = {"-n", netns_name};
  args.insert(args.end(), {"route", "get", ip});
  Result<std::string> out = net::Ip(args);
  if (!out.ok()) return out.status().message();
  std::string line = *out;
  return line.substr(0, line.find('\n'));
}

}  // namespace efs::testutil

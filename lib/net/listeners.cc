// The mount targets' listeners and their accept loop.
#include "net/listeners.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/log.h"
#include "net/netns.h"

namespace efs::net {
namespace {

Result<UniqueFd> BindTcp(const std::string& ip, int port, bool freebind = false) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (port <= 0 || port > 65535 || inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("bad listen address '" + ip + ":" + std::to_string(port) + "'");
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return IOError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (freebind) ::setsockopt(fd.get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd.get(), 1024) != 0) {
    return IOError("cannot listen on " + ip + ":" + std::to_string(port) + ": " +
                   std::strerror(errno));
  }
  return fd;
}

Status InNetnsOrHere(const std::string& netns, const std::function<Status()>& fn) {
  return netns.empty() ? fn() : InNetns(netns, fn);
}

}  // namespace

bool CanBind(const std::string& ip, int port) { return BindTcp(ip, port).ok(); }

Listeners::Listeners(AcceptHandler handler)
    : handler_(std::move(handler)), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  thread_ = std::thread([this] { Run(); });
}

Listeners::~Listeners() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    entries_.clear();
  }
  Wake();
  thread_.join();
}

Status Listeners::Open(const std::string& id, const std::string& netns, const std::string& ip,
                       int port) {
  {
    MutexLock lock(&mu_);
    auto it = entries_.find(id);
    if (it != entries_.end() && it->second.netns == netns && it->second.ip == ip &&
        it->second.port == port) {
      return Status::Ok();
    }
    if (it != entries_.end()) entries_.erase(it);
  }
  UniqueFd fd;
  Status bound = InNetnsOrHere(netns, [&]() -> Status {
    Result<UniqueFd> made = BindTcp(ip, port, /*freebind=*/!netns.empty());
    if (!made.ok()) return made.status();
    fd = std::move(made).value();
    return Status::Ok();
  });
  if (!bound.ok()) return bound;
  {
    MutexLock lock(&mu_);
    entries_[id] = Entry{netns, ip, port, std::move(fd)};
  }
  Wake();
  EFS_LOG(kInfo) << "mount target " << id << " listening on " << ip << ":" << port
                 << (netns.empty() ? "" : " in " + netns);
  return Status::Ok();
}

void Listeners::Close(const std::string& id) {
  size_t erased;
  {
    MutexLock lock(&mu_);
    erased = entries_.erase(id);
  }
  if (erased) {
    Wake();
    EFS_LOG(kInfo) << "mount target " << id << " listener closed";
  }
}

void Listeners::CloseAll() {
  {
    MutexLock lock(&mu_);
    entries_.clear();
  }
  Wake();
}

bool Listeners::IsOpen(const std::string& id) const {
  MutexLock lock(&mu_);
  return entries_.count(id) > 0;
}

size_t Listeners::size() const {
  MutexLock lock(&mu_);
  return entries_.size();
}

void Listeners::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_.get(), &one, sizeof one);
}

// Polls the wake-up eventfd and every listening socket. The set is copied under the lock; a
// socket closed meanwhile was dup'ed, so accept on the copy is harmless and the next round
// drops it.
void Listeners::Run() {
  for (;;) {
    std::vector<pollfd> fds{{wake_fd_.get(), POLLIN, 0}};
    std::vector<std::string> ids{""};
    std::vector<UniqueFd> dups;
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
      for (const auto& [id, entry] : entries_) {
        dups.emplace_back(::fcntl(entry.fd.get(), F_DUPFD_CLOEXEC, 0));
        fds.push_back({dups.back().get(), POLLIN, 0});
        ids.push_back(id);
      }
    }
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) {
      EFS_LOG(kError) << "listener poll: " << std::strerror(errno);
      return;
    }
    if (fds[0].revents & POLLIN) {
      uint64_t n;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_.get(), &n, sizeof n);
      continue;  // the set changed: rebuild before accepting on a stale copy
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      UniqueFd conn(::accept4(fds[i].fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
      if (!conn.valid()) continue;
      if (handler_) handler_(ids[i], std::move(conn), peer);
    }
  }
}

}  // namespace efs::net

// Listeners: the mount targets' TCP listeners, one per mount target.
//
// With the loopback backend a mount target owns an address inside 127.0.0.0/8, which Linux
// routes to `lo` whole, so a listener binds it without creating an interface and without
// privilege. With the netns backend the listener is made inside its VPC zone's network
// namespace (a socket keeps the namespace it was made in), bound with IP_FREEBIND so that it
// may come before its address and outlive it (a failed zone). One thread polls every listening
// socket, whatever its namespace, and hands each accepted connection to the AcceptHandler; the
// NFS server installs one. Without a handler a connection is accepted and closed at once.
#pragma once

#include <netinet/in.h>

#include <functional>
#include <map>
#include <string>
#include <thread>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "base/unique_fd.h"

namespace efs::net {

// Receives each accepted connection with the id of the mount target it came in on.
using AcceptHandler =
    std::function<void(const std::string& mount_target_id, UniqueFd conn, const sockaddr_in& peer)>;

class Listeners {
 public:
  explicit Listeners(AcceptHandler handler = nullptr);
  ~Listeners();  // CloseAll() and join.
  Listeners(const Listeners&) = delete;
  Listeners& operator=(const Listeners&) = delete;

  // Binds a listener for `id` on ip:port (IPv4 dotted quad) inside the network namespace at
  // `netns` ("" : this process's). Idempotent for the same id, namespace, ip and port; an open
  // id asked for another address is closed and rebound. Thread-safe.
  Status Open(const std::string& id, const std::string& netns, const std::string& ip, int port)
      EXCLUDES(mu_);
  // Closes the listener for `id`, if open. Thread-safe.
  void Close(const std::string& id) EXCLUDES(mu_);
  void CloseAll() EXCLUDES(mu_);

  // Returns true iff a listener for `id` is open.
  bool IsOpen(const std::string& id) const EXCLUDES(mu_);
  size_t size() const EXCLUDES(mu_);

 private:
  struct Entry {
    std::string netns;
    std::string ip;
    int port;
    UniqueFd fd;
  };
  void Run() EXCLUDES(mu_);
  void Wake();

  AcceptHandler handler_;
  mutable Mutex mu_;
  std::map<std::string, Entry> entries_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  UniqueFd wake_fd_;  // eventfd: tells Run() the set changed
  std::thread thread_;
};

// Returns true iff this process may bind TCP `port` on `ip` now (e.g. 2049 needs root).
bool CanBind(const std::string& ip, int port);

}  // namespace efs::net

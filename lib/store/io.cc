// Fault injection at the store's sync points (see io.h).
#include "store/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "base/mutex.h"

namespace efs::store {

namespace {

constexpr int kOps = static_cast<int>(SyncOp::kAny);

struct Armed {
  Mutex mu;
  Fault fault GUARDED_BY(mu);
  uint64_t seen GUARDED_BY(mu) = 0;  // occurrences of fault.op since armed
  bool fired GUARDED_BY(mu) = false;
};

std::atomic<bool> g_armed{false};
std::atomic<uint64_t> g_passed{0};

Armed& State() {
  static Armed* armed = new Armed;  // never destroyed: sync points may run during exit
  return *armed;
}

// 0, or the errno the current occurrence of `op` fails with (ending the process for kExit).
int Hit(SyncOp op) {
  g_passed.fetch_add(1, std::memory_order_relaxed);
  if (!g_armed.load(std::memory_order_acquire)) return 0;
  Armed& a = State();
  MutexLock lock(&a.mu);
  if (a.fault.op != SyncOp::kAny && a.fault.op != op) return 0;
  ++a.seen;
  if (a.seen < a.fault.n || (a.seen > a.fault.n && !a.fault.repeat)) return 0;
  a.fired = true;
  switch (a.fault.action) {
    case FaultAction::kExit:
      ::_exit(kFaultExitCode);
    case FaultAction::kEnospc:
      return ENOSPC;
    case FaultAction::kEio:
      break;
  }
  return EIO;
}

template <class F>
auto Guarded(SyncOp op, F call) -> decltype(call()) {
  if (int err = Hit(op)) {
    errno = err;
    return -1;
  }
  return call();
}

bool ParseField(std::string_view key, std::string_view value, Fault* out) {
  static const std::pair<const char*, SyncOp> kOpNames[] = {
      {"write", SyncOp::kWrite},   {"sync", SyncOp::kSync},     {"fsync", SyncOp::kSync},
      {"rename", SyncOp::kRename}, {"unlink", SyncOp::kUnlink}, {"commit", SyncOp::kCommit},
      {"any", SyncOp::kAny}};
  static const std::pair<const char*, FaultAction> kActionNames[] = {
      {"eio", FaultAction::kEio}, {"enospc", FaultAction::kEnospc}, {"exit", FaultAction::kExit}};
  if (key == "op") {
    for (const auto& [name, op] : kOpNames) {
      if (value == name) return out->op = op, true;
    }
  } else if (key == "action") {
    for (const auto& [name, action] : kActionNames) {
      if (value == name) return out->action = action, true;
    }
  } else if (key == "n" || key == "repeat") {
    const std::string text(value);
    char* end = nullptr;
    const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') return false;
    if (key == "repeat") return out->repeat = n != 0, true;
    return n >= 1 && (out->n = n, true);
  }
  return false;
}

}  // namespace

Result<Fault> ParseFault(std::string_view spec) {
  Fault fault;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view field = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos || !ParseField(field.substr(0, eq), field.substr(eq + 1), &fault)) {
      return InvalidArgument("bad fault field '" + std::string(field) +
                             "' (want op=write|sync|rename|unlink|commit|any, n=N>=1, "
                             "action=eio|enospc|exit, repeat=0|1)");
    }
  }
  return fault;
}

void ArmFault(const Fault& fault) {
  Armed& a = State();
  MutexLock lock(&a.mu);
  a.fault = fault;
  a.seen = 0;
  a.fired = false;
  g_passed.store(0);
  g_armed.store(true, std::memory_order_release);
}

void DisarmFault() {
  Armed& a = State();
  MutexLock lock(&a.mu);
  g_armed.store(false, std::memory_order_release);
  g_passed.store(0);
  a.fired = false;
}

Status ArmFaultFromEnvironment() {
  const char* spec = std::getenv("EFS_FAULT");
  if (spec == nullptr || *spec == '\0') return Status::Ok();
  Result<Fault> fault = ParseFault(spec);
  if (!fault.ok()) return InvalidArgument("EFS_FAULT: " + fault.status().message());
  ArmFault(*fault);
  return Status::Ok();
}

uint64_t SyncPointsPassed() { return g_passed.load(); }

bool FaultFired() {
  Armed& a = State();
  MutexLock lock(&a.mu);
  return a.fired;
}

namespace io {

ssize_t Pwrite(int fd, const void* buf, size_t count, off_t offset) {
  return Guarded(SyncOp::kWrite, [&] { return ::pwrite(fd, buf, count, offset); });
}
int Ftruncate(int fd, off_t length) {
  return Guarded(SyncOp::kWrite, [&] { return ::ftruncate(fd, length); });
}
int Fsync(int fd) {
  return Guarded(SyncOp::kSync, [&] { return ::fsync(fd); });
}
int Fdatasync(int fd) {
  return Guarded(SyncOp::kSync, [&] { return ::fdatasync(fd); });
}
int Rename(const char* from, const char* to) {
  return Guarded(SyncOp::kRename, [&] { return ::rename(from, to); });
}
int Unlink(const char* path) {
  return Guarded(SyncOp::kUnlink, [&] { return ::unlink(path); });
}
int BeforeCommit() { return Hit(SyncOp::kCommit); }

}  // namespace io
}  // namespace efs::store

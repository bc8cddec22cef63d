// Grace: reclaim after a restart (RFC 5661 s8.4.2, RFC 3530 s8.6.2).
//
// efsd keeps opens and locks in memory only, so a restart loses them; clients get them back by
// reclaiming (OPEN with CLAIM_PREVIOUS, LOCK with reclaim) in a grace period after the restart,
// during which no client may take new opens or locks that could conflict with a reclaim
// (NFS4ERR_GRACE). Only a client the previous instance knew may reclaim, so every confirmed
// client is recorded in stable storage (ClientRecordStore), keyed by the mount target it
// reached (its scope) and its owner (4.1 co_ownerid, 4.0 SETCLIENTID id), and forgotten when
// its lease expires or it destroys its client id.
//
// The grace period begins at construction if stable storage holds any client and lasts one
// lease; it ends early once every one of them has said RECLAIM_COMPLETE. When it ends, the
// records of clients that did not come back are dropped. A restart during grace keeps every
// record, so a client that had not come back yet may still reclaim after the second restart.
#pragma once

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace efs::nfs4::state {

struct ClientKey {
  std::string scope;  // the mount target
  std::string owner;  // the client's owner id, opaque bytes
  friend auto operator<=>(const ClientKey&, const ClientKey&) = default;
};

// Stable storage of client records: the daemon's is a SQLite file, tests' a memory set.
// Add and Remove are durable when they return.
class ClientRecordStore {
 public:
  virtual ~ClientRecordStore() = default;
  virtual Result<std::vector<ClientKey>> Load() = 0;
  virtual Status Add(const ClientKey& key) = 0;
  virtual Status Remove(const ClientKey& key) = 0;
};

// Thread-safe.
class Grace {
 public:
  // Loads the previous instance's clients from `store` (not owned, may be null: nothing is
  // recorded and there is never a grace period). `clock` must outlive this.
  Grace(ClientRecordStore* store, const Clock* clock, double lease_seconds);

  // Whether the grace period is on (ends it when its time is up).
  bool InGrace() EXCLUDES(mu_);
  // Whether `key` may reclaim now: in grace, known to the previous instance, and not done.
  bool MayReclaim(const ClientKey& key) EXCLUDES(mu_);
  // A client was confirmed: records it (durably) unless it is recorded already.
  void Confirmed(const ClientKey& key) EXCLUDES(mu_);
  // A client's record went away (lease expired, client id destroyed): forgets it.
  void Forget(const ClientKey& key) EXCLUDES(mu_);
  // RECLAIM_COMPLETE: `key` reclaims nothing more; the last one ends the grace period.
  void ReclaimComplete(const ClientKey& key) EXCLUDES(mu_);

 private:
  void EndLocked(const char* why) REQUIRES(mu_);
  void Store(const char* what, const ClientKey& key, bool add) REQUIRES(mu_);

  ClientRecordStore* const store_;
  const Clock* const clock_;
  Mutex mu_;
  // Written under mu_; read without it first, so that outside a grace period (nearly always)
  // the checks every COMPOUND and every OPEN make take no lock.
  std::atomic<bool> in_grace_{false};
  double ends_ GUARDED_BY(mu_) = 0;
  std::set<ClientKey> previous_ GUARDED_BY(mu_);  // may reclaim, until they complete
  std::set<ClientKey> recorded_ GUARDED_BY(mu_);  // in stable storage
  std::set<ClientKey> returned_ GUARDED_BY(mu_);  // previous clients confirmed again
};

// A ClientRecordStore in memory, for tests: it survives the Grace (the "restart") that
// used it when the test keeps it.
class MemoryClientRecords : public ClientRecordStore {
 public:
  Result<std::vector<ClientKey>> Load() override EXCLUDES(mu_);
  Status Add(const ClientKey& key) override EXCLUDES(mu_);
  Status Remove(const ClientKey& key) override EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::set<ClientKey> keys_ GUARDED_BY(mu_);
};

}  // namespace efs::nfs4::state

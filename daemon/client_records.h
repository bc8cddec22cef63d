// SqliteClientRecords: efsd's stable storage of NFS client records (nfs4/state/grace.h), the
// file STATE_DIR/nfs4-clients.db. One table, clients(scope, owner): the mount target a client
// reached and its owner id (hex, as the id is opaque bytes). Written once when a client is
// confirmed and once when it goes, each a durable transaction; read once at start.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "nfs4/state/grace.h"
#include "store/db.h"

namespace efs::daemon {

class SqliteClientRecords : public nfs4::state::ClientRecordStore {
 public:
  // Opens (creating) the file at `path`.
  static Result<std::unique_ptr<SqliteClientRecords>> Open(const std::string& path);

  Result<std::vector<nfs4::state::ClientKey>> Load() override EXCLUDES(mu_);
  Status Add(const nfs4::state::ClientKey& key) override EXCLUDES(mu_);
  Status Remove(const nfs4::state::ClientKey& key) override EXCLUDES(mu_);

 private:
  explicit SqliteClientRecords(std::unique_ptr<store::Db> db) : db_(std::move(db)) {}
  Mutex mu_;
  std::unique_ptr<store::Db> db_ GUARDED_BY(mu_);
};

}  // namespace efs::daemon

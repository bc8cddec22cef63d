// SqliteClientRecords (see client_records.h).
#include "daemon/client_records.h"

#include "base/hex.h"
#include "base/macros.h"

namespace efs::daemon {

Result<std::unique_ptr<SqliteClientRecords>> SqliteClientRecords::Open(const std::string& path) {
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<store::Db> db,
                       store::Db::Open(path, store::SqliteOptions{.exclusive = true}));
  EFS_RETURN_IF_ERROR(
      db->Exec("CREATE TABLE IF NOT EXISTS clients (scope TEXT NOT NULL, owner TEXT NOT NULL, "
               "PRIMARY KEY (scope, owner)) WITHOUT ROWID"));
  return std::unique_ptr<SqliteClientRecords>(new SqliteClientRecords(std::move(db)));
}

Result<std::vector<nfs4::state::ClientKey>> SqliteClientRecords::Load() {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(store::Stmt q, db_->Query("SELECT scope, owner FROM clients"));
  std::vector<nfs4::state::ClientKey> out;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    nfs4::state::ClientKey key{q.Text(0), ""};
    if (HexDecode(q.Text(1), &key.owner)) out.push_back(std::move(key));
  }
  return out;
}

Status SqliteClientRecords::Add(const nfs4::state::ClientKey& key) {
  MutexLock lock(&mu_);
  return db_->Run("INSERT OR IGNORE INTO clients (scope, owner) VALUES (?, ?)", key.scope,
                  HexEncode(key.owner));
}

Status SqliteClientRecords::Remove(const nfs4::state::ClientKey& key) {
  MutexLock lock(&mu_);
  return db_->Run("DELETE FROM clients WHERE scope = ? AND owner = ?", key.scope,
                  HexEncode(key.owner));
}

}  // namespace efs::daemon

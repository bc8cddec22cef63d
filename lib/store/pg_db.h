// The PostgreSQL engine of the SQL layer (db.h), for a regional efsd (docs/REGION.md): the
// catalog and every namespace as schemas of one PostgreSQL database. pg_db.cc is the only file
// that sees libpq.
//
// The SQL the store speaks is SQLite's where they differ; OpenPostgres's Db translates it:
// parameters ? and ?N become $n, and in DDL INTEGER becomes BIGINT (SQLite's integers are 64
// bits), INTEGER PRIMARY KEY AUTOINCREMENT an identity column, REAL DOUBLE PRECISION, and
// WITHOUT ROWID goes. String literals are left as they are.
//
// Commits do not wait for the WAL to reach disk (synchronous_commit=off); SyncCommitted commits
// a one-row transaction that does (efs_syncs counts them per backend), on a connection of its
// own, so one wait covers every commit before it, on the primary and on any synchronous
// standby. UserVersion and ApplicationId live in the table efs_format of the schema.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "store/db.h"

namespace efs::store {

struct PgOptions {
  std::string conninfo;  // libpq's "host=/run/pg dbname=efs" or a postgresql:// URI
  std::string schema;    // created if missing; every statement runs inside it
};

// Connects (twice: one connection for statements, one for SyncCommitted) and makes the
// schema. kUnavailable if PostgreSQL cannot be reached.
Result<std::unique_ptr<Db>> OpenPostgres(const PgOptions& options);

// The schema of efsd's catalog; each file system's namespace is the schema named by its id.
inline constexpr char kCatalogSchema[] = "efs_catalog";

// Drops `schema` with everything in it (a deleted file system's namespace); a missing one is
// fine.
Status DropPostgresSchema(const std::string& conninfo, const std::string& schema);

// The translation described above, exposed for tests.
std::string PostgresSql(std::string_view sqlite_sql);

}  // namespace efs::store

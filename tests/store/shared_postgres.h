// A Db in a schema of the test program's shared PostgreSQL (testutil::SharedPgServer), for the
// store's suites that run on both engines.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/pg_db.h"
#include "testutil/pg_server.h"

namespace efs::store {

// The schema `schema` (made if missing), or null after a test failure that says why.
inline std::unique_ptr<Db> SharedPostgresDb(const std::string& schema) {
  std::string why;
  testutil::PgServer* server = testutil::SharedPgServer(&why);
  if (server == nullptr) {
    ADD_FAILURE() << why;
    return nullptr;
  }
  Result<std::unique_ptr<Db>> db = OpenPostgres({server->conninfo(), schema});
  if (!db.ok()) {
    ADD_FAILURE() << db.status().ToString();
    return nullptr;
  }
  return std::move(db).value();
}

}  // namespace efs::store

// Forward migrations of the catalog format described in schema.h.
#include "store/schema.h"

#include <string>

#include "base/macros.h"
#include "store/db.h"

namespace efs::store {

namespace {

Status CheckApplicationId(Db& db, int version) {
  EFS_ASSIGN_OR_RETURN(int app_id, db.ApplicationId());
  if (app_id == kApplicationId) return Status::Ok();
  if (app_id == 0 && version == 0) return db.SetApplicationId(kApplicationId);
  return Status(
      Code::kCorruption, "",
      "'" + db.path() + "' is not an efsd catalog (application id " + std::to_string(app_id) + ")");
}

Status RunStep(Db& db, int from_version) {
  EFS_ASSIGN_OR_RETURN(Txn txn, Txn::Begin(db));
  EFS_RETURN_IF_ERROR(db.Exec(kMigrations[from_version]));
  EFS_RETURN_IF_ERROR(db.SetUserVersion(from_version + 1));
  return txn.Commit();
}

}  // namespace

Status MigrateSchema(Db& db, int target_version) {
  EFS_CHECK(target_version >= 0 && target_version <= kSchemaVersion);
  EFS_ASSIGN_OR_RETURN(int version, db.UserVersion());
  EFS_RETURN_IF_ERROR(CheckApplicationId(db, version));
  if (version > target_version) {
    return Status(Code::kFailedPrecondition, "",
                  "catalog '" + db.path() + "' has schema version " + std::to_string(version) +
                      ", newer than the " + std::to_string(target_version) +
                      " this efsd understands; upgrade efsd");
  }
  for (int v = version; v < target_version; ++v) {
    Status status = RunStep(db, v);
    if (!status.ok()) {
      return Status(
          status.code(), status.reason(),
          "migrating catalog to schema version " + std::to_string(v + 1) + ": " + status.message());
    }
  }
  return Status::Ok();
}

}  // namespace efs::store

// Forward migrations of the catalog format described in schema.h.
#include "store/schema.h"

#include <string>

#include "base/macros.h"
#include "store/db.h"

namespace efs::store {

Status MigrateFile(Db& db, const FileFormat& format, int target_version) {
  EFS_CHECK(target_version >= 0 && target_version <= format.step_count);
  const std::string name = format.name;
  EFS_ASSIGN_OR_RETURN(int version, db.UserVersion());
  EFS_ASSIGN_OR_RETURN(int app_id, db.ApplicationId());
  if (app_id == 0 && version == 0) {
    EFS_RETURN_IF_ERROR(db.SetApplicationId(format.application_id));
  } else if (app_id != format.application_id) {
    return Status(Code::kCorruption, "",
                  "'" + db.path() + "' is not an efsd " + name + " (application id " +
                      std::to_string(app_id) + ")");
  }
  if (version > target_version) {
    return Status(Code::kFailedPrecondition, "",
                  name + " '" + db.path() + "' has schema version " + std::to_string(version) +
                      ", newer than the " + std::to_string(target_version) +
                      " this efsd understands; upgrade efsd");
  }
  for (int v = version; v < target_version; ++v) {
    EFS_ASSIGN_OR_RETURN(Txn txn, Txn::Begin(db));
    Status status = db.Exec(format.steps[v]);
    if (status.ok()) status = db.SetUserVersion(v + 1);
    if (status.ok()) status = txn.Commit();
    if (!status.ok()) {
      return Status(status.code(), status.reason(),
                    "migrating " + name + " to schema version " + std::to_string(v + 1) + ": " +
                        status.message());
    }
  }
  return Status::Ok();
}

Status MigrateSchema(Db& db, int target_version) {
  return MigrateFile(db, FileFormat{"catalog", kApplicationId, kMigrations, kSchemaVersion},
                     target_version);
}

}  // namespace efs::store

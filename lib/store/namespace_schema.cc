// Forward migrations of the namespace format described in namespace_schema.h.
#include "store/namespace_schema.h"

#include <string>

#include "base/macros.h"
#include "store/db.h"

namespace efs::store {

Status MigrateNamespace(Db& db, int target_version) {
  EFS_CHECK(target_version >= 0 && target_version <= kNamespaceSchemaVersion);
  EFS_ASSIGN_OR_RETURN(int version, db.UserVersion());
  EFS_ASSIGN_OR_RETURN(int app_id, db.ApplicationId());
  if (app_id == 0 && version == 0) {
    EFS_RETURN_IF_ERROR(db.SetApplicationId(kNamespaceApplicationId));
  } else if (app_id != kNamespaceApplicationId) {
    return Status(Code::kCorruption, "",
                  "'" + db.path() + "' is not an efsd namespace (application id " +
                      std::to_string(app_id) + ")");
  }
  if (version > target_version) {
    return Status(Code::kFailedPrecondition, "",
                  "namespace '" + db.path() + "' has schema version " + std::to_string(version) +
                      ", newer than the " + std::to_string(target_version) +
                      " this efsd understands; upgrade efsd");
  }
  for (int v = version; v < target_version; ++v) {
    EFS_ASSIGN_OR_RETURN(Txn txn, Txn::Begin(db));
    Status status = db.Exec(kNamespaceMigrations[v]);
    if (status.ok()) status = db.SetUserVersion(v + 1);
    if (status.ok()) status = txn.Commit();
    if (!status.ok()) {
      return Status(status.code(), status.reason(),
                    "migrating namespace to schema version " + std::to_string(v + 1) + ": " +
                        status.message());
    }
  }
  return Status::Ok();
}

}  // namespace efs::store

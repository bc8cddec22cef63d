// Forward migrations of the namespace format described in namespace_schema.h.
#include "store/namespace_schema.h"

#include <string>

#include "base/macros.h"
#include "store/db.h"
#include "store/schema.h"

namespace efs::store {

Status MigrateNamespace(Db& db, int target_version) {
  return MigrateFile(db,
                     FileFormat{"namespace", kNamespaceApplicationId, kNamespaceMigrations,
                                kNamespaceSchemaVersion},
                     target_version);
}

}  // namespace efs::store

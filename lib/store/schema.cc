// Forward migrations of the catalog format described in schema.h.
#include "store/schema.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

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
  if (version == 0 && db.TakesSchemaWhole()) {
    if (target_version != format.step_count) {
      return Status(Code::kFailedPrecondition, "",
                    "'" + db.path() + "' can only be made at the current " + name + " version");
    }
    EFS_ASSIGN_OR_RETURN(std::string sql, CurrentSchemaSql(format));
    EFS_ASSIGN_OR_RETURN(Txn txn, Txn::Begin(db));
    EFS_RETURN_IF_ERROR(db.Exec(sql));
    EFS_RETURN_IF_ERROR(db.SetUserVersion(target_version));
    return txn.Commit();
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

namespace {

// `value` of a row as an SQL literal.
std::string Literal(const Stmt& row, int col) {
  if (row.IsNull(col)) return "NULL";
  std::string text = row.Text(col);
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

Result<std::string> CurrentSchemaSql(const FileFormat& format) {
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<Db> model, Db::Open(":memory:"));
  EFS_RETURN_IF_ERROR(MigrateFile(*model, format, format.step_count));
  struct Table {
    std::string name, sql;
    std::vector<std::string> references;
  };
  std::vector<Table> tables;
  std::string indexes;
  {
    EFS_ASSIGN_OR_RETURN(Stmt objects,
                         model->Prepare("SELECT type, name, sql FROM sqlite_master "
                                        "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                                        "ORDER BY rowid"));
    while (true) {
      EFS_ASSIGN_OR_RETURN(bool row, objects.Step());
      if (!row) break;
      if (objects.Text(0) == "table") {
        tables.push_back(Table{objects.Text(1), objects.Text(2), {}});
      } else {
        indexes += objects.Text(2) + ";\n";
      }
    }
  }
  for (Table& table : tables) {
    EFS_ASSIGN_OR_RETURN(Stmt refs, model->Query("SELECT DISTINCT \"table\" FROM "
                                                 "pragma_foreign_key_list(?1)",
                                                 table.name));
    while (true) {
      EFS_ASSIGN_OR_RETURN(bool row, refs.Step());
      if (!row) break;
      if (refs.Text(0) != table.name) table.references.push_back(refs.Text(0));
    }
  }
  // Each table after those it references (the schema has no cycles).
  std::string sql;
  std::vector<std::string> made;
  auto is_made = [&made](const std::string& name) {
    return std::find(made.begin(), made.end(), name) != made.end();
  };
  while (made.size() < tables.size()) {
    const size_t before = made.size();
    for (const Table& table : tables) {
      if (is_made(table.name) ||
          !std::all_of(table.references.begin(), table.references.end(), is_made)) {
        continue;
      }
      sql += table.sql + ";\n";
      made.push_back(table.name);
    }
    if (made.size() == before) return Internal(std::string(format.name) + " has a cycle of references");
  }
  for (const std::string& name : made) {
    EFS_ASSIGN_OR_RETURN(const int64_t columns,
                         model->QueryInt("SELECT count(*) FROM pragma_table_info(?1)", name));
    EFS_ASSIGN_OR_RETURN(Stmt rows, model->Prepare("SELECT * FROM \"" + name + "\""));
    while (true) {
      EFS_ASSIGN_OR_RETURN(bool row, rows.Step());
      if (!row) break;
      std::string values;
      for (int col = 0; col < columns; ++col) {
        values += (values.empty() ? "" : ", ") + Literal(rows, col);
      }
      sql += "INSERT INTO \"" + name + "\" VALUES (" + values + ");\n";
    }
  }
  return sql + indexes;
}

Status MigrateSchema(Db& db, int target_version) {
  return MigrateFile(db, FileFormat{"catalog", kApplicationId, kMigrations, kSchemaVersion},
                     target_version);
}

}  // namespace efs::store

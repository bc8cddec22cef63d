// Catalog rows, part 1: opening, transactions, settings, file systems, tags and lifecycle
// policies. Network rows (VPCs, subnets, security groups, mount targets) are in
// catalog_network.cc.
#include "store/catalog.h"

#include <unordered_map>
#include <utility>

#include "base/macros.h"
#include "store/schema.h"

namespace efs::store {

namespace {

#define EFS_FS_COLUMNS                                                                      \
  "f.seq, f.id, f.creation_token, f.arn, f.creation_time, f.state, f.performance_mode, "    \
  "f.encrypted, f.kms_key_id, f.throughput_mode, f.provisioned_mibps, f.az_name, f.az_id, " \
  "f.backup, f.throughput_changed_at, f.size_value, f.size_standard, f.size_ia, "           \
  "f.size_archive, f.size_timestamp, "                                                      \
  "(SELECT COUNT(*) FROM mount_targets m WHERE m.fs_id = f.id)"

constexpr char kSelectFsById[] =
    "SELECT " EFS_FS_COLUMNS " FROM file_systems f WHERE f.id = ?1 AND f.seq >= ?2 LIMIT ?3";
constexpr char kSelectFsByToken[] =
    "SELECT " EFS_FS_COLUMNS
    " FROM file_systems f WHERE f.creation_token = ?1 AND f.seq >= ?2 LIMIT ?3";
constexpr char kSelectFsAll[] =
    "SELECT " EFS_FS_COLUMNS " FROM file_systems f WHERE f.seq >= ?1 ORDER BY f.seq LIMIT ?2";

#undef EFS_FS_COLUMNS

FileSystemRow FileSystemFrom(const Stmt& s) {
  FileSystemRow row;
  row.seq = s.Int(0);
  row.id = s.Text(1);
  row.creation_token = s.Text(2);
  row.arn = s.Text(3);
  row.creation_time = s.Double(4);
  row.state = s.Text(5);
  row.performance_mode = s.Text(6);
  row.encrypted = s.Int(7) != 0;
  row.kms_key_id = s.OptText(8);
  row.throughput_mode = s.Text(9);
  row.provisioned_mibps = s.OptDouble(10);
  row.az_name = s.OptText(11);
  row.az_id = s.OptText(12);
  row.backup = s.Int(13) != 0;
  row.throughput_changed_at = s.OptDouble(14);
  row.size_value = s.Int(15);
  row.size_standard = s.Int(16);
  row.size_ia = s.Int(17);
  row.size_archive = s.Int(18);
  row.size_timestamp = s.Double(19);
  row.mount_target_count = s.Int(20);
  return row;
}

}  // namespace

// ----------------------------------------------------------------------------- open, txn

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  // efsd is the catalog's only user (it holds the state directory's lock), so it keeps the
  // file locked for as long as it runs.
  EFS_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path, SqliteOptions{.exclusive = true}));
  return Open(std::move(db));
}

Result<std::unique_ptr<Catalog>> Catalog::Open(std::unique_ptr<Db> db) {
  EFS_RETURN_IF_ERROR(MigrateSchema(*db));
  return std::unique_ptr<Catalog>(new Catalog(std::move(db)));
}

Status Catalog::InTransaction(const std::function<Status()>& body) {
  EFS_ASSIGN_OR_RETURN(Txn txn, Txn::Begin(*db_));
  EFS_RETURN_IF_ERROR(body());
  return txn.Commit();
}

// ----------------------------------------------------------------------------- settings

Result<std::optional<std::string>> Catalog::GetSetting(const std::string& key) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query("SELECT value FROM settings WHERE key = ?1", key));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

Status Catalog::PutSetting(const std::string& key, const std::string& value) {
  return db_->Run(
      "INSERT INTO settings(key, value) VALUES(?1, ?2) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key, value);
}

// ----------------------------------------------------------------------------- file systems

Status Catalog::InsertFileSystem(FileSystemRow& r, const std::vector<TagRow>& tags) {
  EFS_ASSIGN_OR_RETURN(
      r.seq,
      db_->QueryInt("INSERT INTO file_systems(id, creation_token, arn, creation_time, "
                    "state, performance_mode, encrypted, kms_key_id, throughput_mode, "
                    "provisioned_mibps, az_name, az_id, backup, throughput_changed_at) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                    "RETURNING seq",
                    r.id, r.creation_token, r.arn, r.creation_time, r.state, r.performance_mode,
                    r.encrypted, r.kms_key_id, r.throughput_mode, r.provisioned_mibps,
                    r.az_name, r.az_id, r.backup, r.throughput_changed_at));
  return PutTags(r.id, tags);
}

Result<std::vector<FileSystemRow>> Catalog::ReadFileSystems(Stmt& stmt) {
  std::vector<FileSystemRow> rows;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    rows.push_back(FileSystemFrom(stmt));
  }
  return rows;
}

Status Catalog::AttachTags(std::vector<FileSystemRow>& rows) {
  if (rows.empty()) return Status::Ok();
  if (rows.size() == 1) {
    EFS_ASSIGN_OR_RETURN(rows[0].tags, ListTags(rows[0].id));
    return Status::Ok();
  }
  // One query for the whole page: rows are in seq order, so their tags are those of the file
  // systems with seq in [first, last].
  std::unordered_map<std::string, FileSystemRow*> by_id;
  for (FileSystemRow& row : rows) by_id[row.id] = &row;
  EFS_ASSIGN_OR_RETURN(Stmt s,
                       db_->Query("SELECT t.resource_id, t.key, t.value FROM file_systems f "
                                  "JOIN tags t ON t.resource_id = f.id "
                                  "WHERE f.seq BETWEEN ?1 AND ?2 ORDER BY t.resource_id, t.key",
                                  rows.front().seq, rows.back().seq));
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    auto it = by_id.find(s.Text(0));
    if (it != by_id.end()) it->second->tags.push_back(TagRow{s.Text(1), s.Text(2)});
  }
  return Status::Ok();
}

Result<std::optional<FileSystemRow>> Catalog::FindFileSystem(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(std::vector<FileSystemRow> rows,
                       ListFileSystems(FileSystemQuery{.id = id, .limit = 1}));
  if (rows.empty()) return std::optional<FileSystemRow>();
  return std::optional<FileSystemRow>(std::move(rows[0]));
}

Result<std::vector<FileSystemRow>> Catalog::ListFileSystems(const FileSystemQuery& q) {
  Result<Stmt> stmt = q.id ? db_->Query(kSelectFsById, *q.id, q.from_seq, q.limit)
                      : q.creation_token
                          ? db_->Query(kSelectFsByToken, *q.creation_token, q.from_seq, q.limit)
                          : db_->Query(kSelectFsAll, q.from_seq, q.limit);
  if (!stmt.ok()) return stmt.status();
  EFS_ASSIGN_OR_RETURN(std::vector<FileSystemRow> rows, ReadFileSystems(*stmt));
  EFS_RETURN_IF_ERROR(AttachTags(rows));
  return rows;
}

Result<std::vector<std::string>> Catalog::FileSystemIdsInState(const std::string& state,
                                                               int limit) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query("SELECT id FROM file_systems WHERE state = ?1 ORDER BY seq LIMIT ?2",
                         state, limit));
  std::vector<std::string> ids;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    ids.push_back(s.Text(0));
  }
  return ids;
}

Result<int64_t> Catalog::CountFileSystems() {
  EFS_ASSIGN_OR_RETURN(Stmt s, db_->Query("SELECT COUNT(*) FROM file_systems"));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : int64_t{0};
}

Result<bool> Catalog::SetFileSystemState(const std::string& id, const std::string& from,
                                         const std::string& to) {
  EFS_RETURN_IF_ERROR(
      db_->Run("UPDATE file_systems SET state = ?3 WHERE id = ?1 AND state = ?2", id, from, to));
  return db_->Changes() > 0;
}

Status Catalog::SetFileSystemSize(const std::string& id, int64_t standard, int64_t ia,
                                  int64_t archive, double timestamp) {
  return db_->Run(
      "UPDATE file_systems SET size_value = ?6, size_standard = ?2, size_ia = ?3, "
      "size_archive = ?4, size_timestamp = ?5 WHERE id = ?1",
      id, standard, ia, archive, timestamp, standard + ia + archive);
}

Status Catalog::SetThroughput(const std::string& id, const std::string& mode,
                              std::optional<double> provisioned_mibps,
                              std::optional<double> throughput_changed_at) {
  return db_->Run(
      "UPDATE file_systems SET throughput_mode = ?2, provisioned_mibps = ?3, "
      "throughput_changed_at = ?4 WHERE id = ?1",
      id, mode, provisioned_mibps, throughput_changed_at);
}

Status Catalog::DeleteFileSystem(const std::string& id) {
  EFS_RETURN_IF_ERROR(db_->Run("DELETE FROM tags WHERE resource_id = ?1", id));
  EFS_RETURN_IF_ERROR(db_->Run("DELETE FROM lifecycle_policies WHERE fs_id = ?1", id));
  return db_->Run("DELETE FROM file_systems WHERE id = ?1", id);
}

// ----------------------------------------------------------------------------- tags

Result<std::vector<TagRow>> Catalog::ListTags(const std::string& resource_id) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s,
      db_->Query("SELECT key, value FROM tags WHERE resource_id = ?1 ORDER BY key", resource_id));
  std::vector<TagRow> tags;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    tags.push_back(TagRow{s.Text(0), s.Text(1)});
  }
  return tags;
}

Status Catalog::PutTags(const std::string& resource_id, const std::vector<TagRow>& tags) {
  for (const TagRow& tag : tags) {
    EFS_RETURN_IF_ERROR(
        db_->Run("INSERT INTO tags(resource_id, key, value) VALUES(?1, ?2, ?3) "
                 "ON CONFLICT(resource_id, key) DO UPDATE SET value = excluded.value",
                 resource_id, tag.key, tag.value));
  }
  return Status::Ok();
}

Status Catalog::DeleteTags(const std::string& resource_id, const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    EFS_RETURN_IF_ERROR(
        db_->Run("DELETE FROM tags WHERE resource_id = ?1 AND key = ?2", resource_id, key));
  }
  return Status::Ok();
}

// ----------------------------------------------------------------------------- lifecycle

Result<std::vector<LifecyclePolicyRow>> Catalog::LifecyclePolicies(const std::string& fs_id) {
  EFS_ASSIGN_OR_RETURN(
      Stmt s, db_->Query("SELECT kind, value FROM lifecycle_policies WHERE fs_id = ?1 ORDER BY "
                         "CASE kind WHEN 'TransitionToIA' THEN 0 "
                         "WHEN 'TransitionToArchive' THEN 1 ELSE 2 END",
                         fs_id));
  std::vector<LifecyclePolicyRow> rows;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    rows.push_back(LifecyclePolicyRow{s.Text(0), s.Text(1)});
  }
  return rows;
}

Status Catalog::ReplaceLifecyclePolicies(const std::string& fs_id,
                                         const std::vector<LifecyclePolicyRow>& policies) {
  EFS_RETURN_IF_ERROR(db_->Run("DELETE FROM lifecycle_policies WHERE fs_id = ?1", fs_id));
  for (const LifecyclePolicyRow& p : policies) {
    EFS_RETURN_IF_ERROR(
        db_->Run("INSERT INTO lifecycle_policies(fs_id, kind, value) VALUES(?1, ?2, ?3)", fs_id,
                 p.kind, p.value));
  }
  return Status::Ok();
}

}  // namespace efs::store

// Lifecycle actions: PutLifecycleConfiguration and DescribeLifecycleConfiguration. A
// configuration is up to three policies, each carrying exactly one transition.
#include <algorithm>
#include <map>

#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr size_t kMaxPolicies = 3;
constexpr char kToIa[] = "TransitionToIA";
constexpr char kToArchive[] = "TransitionToArchive";
constexpr char kToPrimary[] = "TransitionToPrimaryStorageClass";

// Days of each AFTER_n_DAYS value; the order of TransitionToIA and TransitionToArchive values.
const std::map<std::string, int>& DaysByValue() {
  static const std::map<std::string, int> kDays = {
      {"AFTER_1_DAY", 1},      {"AFTER_7_DAYS", 7},     {"AFTER_14_DAYS", 14},
      {"AFTER_30_DAYS", 30},   {"AFTER_60_DAYS", 60},   {"AFTER_90_DAYS", 90},
      {"AFTER_180_DAYS", 180}, {"AFTER_270_DAYS", 270}, {"AFTER_365_DAYS", 365}};
  return kDays;
}

// Returns the one transition a policy carries as a row, or BadRequest.
Result<store::LifecyclePolicyRow> PolicyRow(const api::LifecyclePolicy& p) {
  int set = p.transition_to_ia.has_value() + p.transition_to_archive.has_value() +
            p.transition_to_primary_storage_class.has_value();
  if (set != 1) {
    return BadRequest("each lifecycle policy must carry exactly one transition, not " +
                      std::to_string(set));
  }
  if (p.transition_to_primary_storage_class) {
    if (*p.transition_to_primary_storage_class != "AFTER_1_ACCESS") {
      return BadRequest("TransitionToPrimaryStorageClass '" +
                        *p.transition_to_primary_storage_class + "' is not 'AFTER_1_ACCESS'");
    }
    return store::LifecyclePolicyRow{kToPrimary, *p.transition_to_primary_storage_class};
  }
  const char* kind = p.transition_to_ia ? kToIa : kToArchive;
  const std::string& value = p.transition_to_ia ? *p.transition_to_ia : *p.transition_to_archive;
  if (!DaysByValue().count(value)) {
    return BadRequest(std::string(kind) + " '" + value + "' is not a valid value");
  }
  return store::LifecyclePolicyRow{kind, value};
}

// Checks the request's shape; returns the rows in IA, Archive, Primary order.
Result<std::vector<store::LifecyclePolicyRow>> PolicyRows(
    const std::vector<api::LifecyclePolicy>& policies) {
  if (policies.size() > kMaxPolicies) {
    return BadRequest("at most 3 lifecycle policies are allowed, got " +
                      std::to_string(policies.size()));
  }
  std::map<std::string, std::string> by_kind;
  for (const api::LifecyclePolicy& p : policies) {
    EFS_ASSIGN_OR_RETURN(store::LifecyclePolicyRow row, PolicyRow(p));
    if (!by_kind.emplace(row.kind, row.value).second) {
      return BadRequest(row.kind + " appears more than once");
    }
  }
  if (by_kind.count(kToIa) && by_kind.count(kToArchive) &&
      DaysByValue().at(by_kind[kToArchive]) <= DaysByValue().at(by_kind[kToIa])) {
    return BadRequest("TransitionToArchive must be later than TransitionToIA");
  }
  std::vector<store::LifecyclePolicyRow> rows;
  for (const char* kind : {kToIa, kToArchive, kToPrimary}) {
    auto it = by_kind.find(kind);
    if (it != by_kind.end()) rows.push_back(store::LifecyclePolicyRow{kind, it->second});
  }
  return rows;
}

api::LifecycleConfigurationDescription Describe(
    const std::vector<store::LifecyclePolicyRow>& rows) {
  api::LifecycleConfigurationDescription d;
  for (const store::LifecyclePolicyRow& row : rows) {
    api::LifecyclePolicy p;
    if (row.kind == kToIa) p.transition_to_ia = row.value;
    if (row.kind == kToArchive) p.transition_to_archive = row.value;
    if (row.kind == kToPrimary) p.transition_to_primary_storage_class = row.value;
    d.lifecycle_policies.push_back(std::move(p));
  }
  return d;
}

}  // namespace

Result<api::LifecycleConfigurationDescription> CatalogControlPlane::PutLifecycleConfiguration(
    const api::PutLifecycleConfigurationRequest& req) {
  EFS_ASSIGN_OR_RETURN(std::vector<store::LifecyclePolicyRow> rows,
                       PolicyRows(req.lifecycle_policies));
  bool archive = std::any_of(rows.begin(), rows.end(), [](const store::LifecyclePolicyRow& r) {
    return r.kind == kToArchive;
  });
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(store::FileSystemRow fs,
                           FindAvailableFileSystemLocked(req.file_system_id));
      if (archive && (fs.throughput_mode != "elastic" || fs.performance_mode != "generalPurpose")) {
        return BadRequest(
            "TransitionToArchive requires throughput mode 'elastic' and performance "
            "mode 'generalPurpose'");
      }
      return catalog_->ReplaceLifecyclePolicies(fs.id, rows);
    }));
  }
  endpoints_->LifecycleChanged(req.file_system_id);  // without mu_: the daemon reads it back
  return Describe(rows);
}

Result<api::LifecycleConfigurationDescription> CatalogControlPlane::DescribeLifecycleConfiguration(
    const api::DescribeLifecycleConfigurationRequest& req) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(store::FileSystemRow fs, FindFileSystemLocked(req.file_system_id));
  EFS_ASSIGN_OR_RETURN(std::vector<store::LifecyclePolicyRow> rows,
                       catalog_->LifecyclePolicies(fs.id));
  return Describe(rows);
}

}  // namespace efs::control

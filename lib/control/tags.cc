// Tag actions: TagResource, UntagResource, ListTagsForResource, and the tag rules shared with
// CreateFileSystem. Resources are named by id or ARN; only file systems exist so far.
#include <algorithm>
#include <set>

#include "base/hex.h"
#include "base/ids.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr size_t kMaxTags = 50;
constexpr size_t kMaxKeyLength = 128;
constexpr size_t kMaxValueLength = 256;
constexpr int kDefaultMaxResults = 100;
constexpr int kMaxMaxResults = 1000;
constexpr char kArnPrefix[] = "arn:aws:elasticfilesystem:";

Status CheckKey(const std::string& key) {
  if (key.empty() || key.size() > kMaxKeyLength) {
    return BadRequest("tag key '" + key + "' must be 1 to 128 characters long");
  }
  if (key.rfind("aws:", 0) == 0)
    return BadRequest("tag key '" + key + "' must not start with 'aws:'");
  return Status::Ok();
}

// NextToken: the hex of the next key to list.
std::string EncodeToken(const std::string& key) { return HexEncode(key); }

bool DecodeToken(const std::string& token, std::string* key) {
  return !token.empty() && HexDecode(token, key);
}

}  // namespace

Status ValidateTags(const std::vector<api::Tag>& tags) {
  if (tags.size() > kMaxTags) {
    return BadRequest("at most 50 tags are allowed, got " + std::to_string(tags.size()));
  }
  std::set<std::string> keys;
  for (const api::Tag& tag : tags) {
    EFS_RETURN_IF_ERROR(CheckKey(tag.key));
    if (tag.value.size() > kMaxValueLength) {
      return BadRequest("the value of tag '" + tag.key + "' is longer than 256 characters");
    }
    if (!keys.insert(tag.key).second) return BadRequest("tag key '" + tag.key + "' appears twice");
  }
  return Status::Ok();
}

// Accepts "fs-..." or "arn:aws:elasticfilesystem:<region>:<owner>:file-system/fs-...".
Result<std::string> CatalogControlPlane::ResolveTaggableLocked(const std::string& resource_id) {
  std::string id = resource_id;
  if (resource_id.rfind(kArnPrefix, 0) == 0) {
    // <region>:<owner>:<type>/<id>
    std::string rest = resource_id.substr(sizeof(kArnPrefix) - 1);
    size_t colon1 = rest.find(':');
    size_t colon2 = colon1 == std::string::npos ? colon1 : rest.find(':', colon1 + 1);
    size_t slash = colon2 == std::string::npos ? colon2 : rest.find('/', colon2 + 1);
    if (slash == std::string::npos) return BadRequest("'" + resource_id + "' is not a valid ARN");
    std::string scope = rest.substr(0, colon2);
    std::string type = rest.substr(colon2 + 1, slash - colon2 - 1);
    id = rest.substr(slash + 1);
    if (type == "access-point" && IsValidId(id, "fsap")) return AccessPointNotFound(id);
    if (type != "file-system" || !IsValidId(id, "fs")) {
      return BadRequest("'" + resource_id + "' is not a file system or access point ARN");
    }
    if (scope != options().region + ":" + options().owner_id)
      return FileSystemNotFound(resource_id);
  } else if (IsValidId(id, "fsap")) {
    return AccessPointNotFound(id);
  } else if (!IsValidId(id, "fs")) {
    return BadRequest("'" + resource_id + "' is not a file system or access point id");
  }
  EFS_ASSIGN_OR_RETURN(std::optional<store::FileSystemRow> fs, catalog_->FindFileSystem(id));
  if (!fs) return FileSystemNotFound(id);
  return id;
}

Status CatalogControlPlane::TagResource(const api::TagResourceRequest& req) {
  if (req.tags.empty()) return BadRequest("Tags must not be empty");
  EFS_RETURN_IF_ERROR(ValidateTags(req.tags));
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(std::string id, ResolveTaggableLocked(req.resource_id));
    EFS_ASSIGN_OR_RETURN(std::vector<store::TagRow> existing, catalog_->ListTags(id));
    std::set<std::string> keys;
    for (const store::TagRow& t : existing) keys.insert(t.key);
    std::vector<store::TagRow> rows;
    for (const api::Tag& t : req.tags) {
      keys.insert(t.key);
      rows.push_back(store::TagRow{t.key, t.value});
    }
    if (keys.size() > kMaxTags) {
      return BadRequest("resource '" + id + "' would have " + std::to_string(keys.size()) +
                        " tags; at most 50 are allowed");
    }
    return catalog_->PutTags(id, rows);
  });
}

Status CatalogControlPlane::UntagResource(const api::UntagResourceRequest& req) {
  if (req.tag_keys.empty() || req.tag_keys.size() > kMaxTags) {
    return BadRequest("TagKeys must hold 1 to 50 keys");
  }
  for (const std::string& key : req.tag_keys) EFS_RETURN_IF_ERROR(CheckKey(key));
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(std::string id, ResolveTaggableLocked(req.resource_id));
    return catalog_->DeleteTags(id, req.tag_keys);
  });
}

Result<api::ListTagsForResourceResponse> CatalogControlPlane::ListTagsForResource(
    const api::ListTagsForResourceRequest& req) {
  int max_results = req.max_results.value_or(kDefaultMaxResults);
  if (max_results < 1 || max_results > kMaxMaxResults) {
    return BadRequest("MaxResults must be between 1 and 1000");
  }
  std::string from_key;
  if (req.next_token && !DecodeToken(*req.next_token, &from_key)) {
    return BadRequest("NextToken '" + *req.next_token + "' is not valid");
  }
  std::vector<store::TagRow> tags;
  {
    MutexLock lock(&mu_);
    EFS_ASSIGN_OR_RETURN(std::string id, ResolveTaggableLocked(req.resource_id));
    EFS_ASSIGN_OR_RETURN(tags, catalog_->ListTags(id));
  }
  auto it =
      std::lower_bound(tags.begin(), tags.end(), from_key,
                       [](const store::TagRow& t, const std::string& k) { return t.key < k; });
  api::ListTagsForResourceResponse resp;
  for (; it != tags.end(); ++it) {
    if (static_cast<int>(resp.tags.size()) == max_results) {
      resp.next_token = EncodeToken(it->key);
      break;
    }
    resp.tags.push_back(api::Tag{it->key, it->value});
  }
  return resp;
}

}  // namespace efs::control

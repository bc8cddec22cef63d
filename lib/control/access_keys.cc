// Access keys: CreateAccessKey, ListAccessKeys, DeleteAccessKey (shaped as IAM's), and the
// lookup the HTTP endpoint's SigV4 check makes. A key acts for a local user (getpwnam), at most
// two per user as in IAM; its secret is shown once, when it is made.
#include <pwd.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr size_t kMaxKeysPerUser = 2;  // IAM's AccessKeysPerUser

// `n` characters drawn uniformly from `alphabet` (whose size divides 256) by getrandom(2).
Result<std::string> RandomString(size_t n, std::string_view alphabet) {
  std::vector<unsigned char> bytes(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(bytes.data() + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Internal(std::string("getrandom: ") + std::strerror(errno));
    got += static_cast<size_t>(r);
  }
  std::string out;
  for (unsigned char b : bytes) out += alphabet[b % alphabet.size()];
  return out;
}

// The uid of local user `name`.
Result<uid_t> LocalUser(const std::string& name) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  int rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) {
    return NoSuchEntity("the user with name '" + name + "' cannot be found (not a local user)");
  }
  return pw.pw_uid;
}

api::AccessKey Describe(const store::AccessKeyRow& row) {
  api::AccessKey key;
  key.user_name = row.user_name;
  key.access_key_id = row.id;
  key.create_date = row.creation_time;
  return key;
}

}  // namespace

Result<api::CreateAccessKeyResponse> CatalogControlPlane::CreateAccessKey(
    const api::CreateAccessKeyRequest& req) {
  EFS_ASSIGN_OR_RETURN(uid_t uid, LocalUser(req.user_name));
  // AWS's key ids are AKIA and 16 characters of base 32; secrets 40 of base 64.
  EFS_ASSIGN_OR_RETURN(std::string id_tail, RandomString(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
  EFS_ASSIGN_OR_RETURN(
      std::string secret,
      RandomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
  store::AccessKeyRow row;
  row.id = "AKIA" + id_tail;
  row.secret = secret;
  row.user_name = req.user_name;
  row.uid = uid;
  row.creation_time = clock_->Now();
  MutexLock lock(&mu_);
  EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(std::vector<store::AccessKeyRow> keys,
                         catalog_->ListAccessKeys(req.user_name));
    if (keys.size() >= kMaxKeysPerUser) {
      return Error(Code::kResourceExhausted, "LimitExceeded",
                   "cannot exceed quota for AccessKeysPerUser: 2 (user '" + req.user_name +
                       "' has " + keys.front().id + " and " + keys.back().id + ")");
    }
    return catalog_->InsertAccessKey(row);
  }));
  api::CreateAccessKeyResponse resp;
  resp.access_key = Describe(row);
  resp.access_key.secret = row.secret;
  return resp;
}

Result<api::ListAccessKeysResponse> CatalogControlPlane::ListAccessKeys(
    const api::ListAccessKeysRequest& req) {
  if (req.user_name) {
    Result<uid_t> known = LocalUser(*req.user_name);
    if (!known.ok()) return known.status();
  }
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(std::vector<store::AccessKeyRow> rows,
                       catalog_->ListAccessKeys(req.user_name));
  api::ListAccessKeysResponse resp;
  for (const store::AccessKeyRow& row : rows) resp.access_key_metadata.push_back(Describe(row));
  return resp;
}

Status CatalogControlPlane::DeleteAccessKey(const api::DeleteAccessKeyRequest& req) {
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(std::optional<store::AccessKeyRow> row,
                         catalog_->FindAccessKey(req.access_key_id));
    if (!row || (req.user_name && *req.user_name != row->user_name)) {
      return NoSuchEntity("the access key with id '" + req.access_key_id + "' cannot be found" +
                          (req.user_name ? " for user '" + *req.user_name + "'" : ""));
    }
    return catalog_->DeleteAccessKey(row->id);
  });
}

Result<std::optional<AccessKeyIdentity>> CatalogControlPlane::FindAccessKey(
    const std::string& access_key_id) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(std::optional<store::AccessKeyRow> row,
                       catalog_->FindAccessKey(access_key_id));
  if (!row) return std::optional<AccessKeyIdentity>();
  return std::optional<AccessKeyIdentity>(
      AccessKeyIdentity{row->id, row->secret, row->user_name, static_cast<uid_t>(row->uid)});
}

}  // namespace efs::control

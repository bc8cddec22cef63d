// Endpoint: the EFS REST-JSON API over HTTP (see endpoint.h).
#include "aws/endpoint.h"

#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "aws/console.h"
#include "aws/ec2_query.h"
#include "base/log.h"
#include "control/actions.h"
#include "http/sigv4.h"
#include "metrics/prometheus.h"

namespace efs::aws {
namespace {

using api::Json;

enum class Type { kString, kInt, kStrings };

// A query parameter: its name in the URL, its name in the action's params, its type.
struct QueryParam {
  const char* name;
  const char* param;
  Type type;
};

// One REST route. Path segments "{Name}" capture a parameter named Name.
struct Route {
  const char* method;
  const char* path;
  const char* action;
  int status;  // on success; 204 answers no body
  std::vector<QueryParam> query;
  bool body;                         // takes a JSON object
  Json (*reshape)(Json result);      // the answer's shape, if not the action's
};

// DescribeTags (deprecated) pages with Marker/NextMarker where ListTagsForResource has tokens.
Json AsDescribeTags(Json result) {
  Json out = {{"Tags", result.contains("Tags") ? result["Tags"] : Json::array()}};
  if (result.contains("NextToken")) out["NextMarker"] = result["NextToken"];
  return out;
}

const std::vector<Route>& Routes() {
  static const auto* routes = new std::vector<Route>{
      {"POST", "/2015-02-01/file-systems", "CreateFileSystem", 201, {}, true, nullptr},
      {"GET",
       "/2015-02-01/file-systems",
       "DescribeFileSystems",
       200,
       {{"MaxItems", "MaxItems", Type::kInt},
        {"Marker", "Marker", Type::kString},
        {"CreationToken", "CreationToken", Type::kString},
        {"FileSystemId", "FileSystemId", Type::kString}},
       false,
       nullptr},
      {"PUT", "/2015-02-01/file-systems/{FileSystemId}", "UpdateFileSystem", 202, {}, true,
       nullptr},
      {"DELETE", "/2015-02-01/file-systems/{FileSystemId}", "DeleteFileSystem", 204, {}, false,
       nullptr},
      {"PUT", "/2015-02-01/file-systems/{FileSystemId}/lifecycle-configuration",
       "PutLifecycleConfiguration", 200, {}, true, nullptr},
      {"GET", "/2015-02-01/file-systems/{FileSystemId}/lifecycle-configuration",
       "DescribeLifecycleConfiguration", 200, {}, false, nullptr},
      {"PUT", "/2015-02-01/file-systems/{FileSystemId}/backup-policy", "PutBackupPolicy", 200, {},
       true, nullptr},
      {"GET", "/2015-02-01/file-systems/{FileSystemId}/backup-policy", "DescribeBackupPolicy",
       200, {}, false, nullptr},
      {"PUT", "/2015-02-01/file-systems/{FileSystemId}/protection", "UpdateFileSystemProtection",
       200, {}, true, nullptr},
      // NextToken and MaxResults travel in a JSON body, even on GET, as AWS's model has them.
      {"GET", "/2015-02-01/account-preferences", "DescribeAccountPreferences", 200, {}, true,
       nullptr},
      {"PUT", "/2015-02-01/account-preferences", "PutAccountPreferences", 200, {}, true, nullptr},
      {"POST", "/2015-02-01/mount-targets", "CreateMountTarget", 200, {}, true, nullptr},
      {"GET",
       "/2015-02-01/mount-targets",
       "DescribeMountTargets",
       200,
       {{"MaxItems", "MaxItems", Type::kInt},
        {"Marker", "Marker", Type::kString},
        {"FileSystemId", "FileSystemId", Type::kString},
        {"MountTargetId", "MountTargetId", Type::kString}},
       false,
       nullptr},
      {"DELETE", "/2015-02-01/mount-targets/{MountTargetId}", "DeleteMountTarget", 204, {}, false,
       nullptr},
      {"GET", "/2015-02-01/mount-targets/{MountTargetId}/security-groups",
       "DescribeMountTargetSecurityGroups", 200, {}, false, nullptr},
      {"PUT", "/2015-02-01/mount-targets/{MountTargetId}/security-groups",
       "ModifyMountTargetSecurityGroups", 204, {}, true, nullptr},
      {"POST", "/2015-02-01/resource-tags/{ResourceId}", "TagResource", 200, {}, true, nullptr},
      {"DELETE",
       "/2015-02-01/resource-tags/{ResourceId}",
       "UntagResource",
       200,
       {{"tagKeys", "TagKeys", Type::kStrings}},
       false,
       nullptr},
      {"GET",
       "/2015-02-01/resource-tags/{ResourceId}",
       "ListTagsForResource",
       200,
       {{"MaxResults", "MaxResults", Type::kInt}, {"NextToken", "NextToken", Type::kString}},
       false,
       nullptr},
      // The older tag actions, for file systems.
      {"POST", "/2015-02-01/create-tags/{ResourceId}", "TagResource", 204, {}, true, nullptr},
      {"POST", "/2015-02-01/delete-tags/{ResourceId}", "UntagResource", 204, {}, true, nullptr},
      {"GET",
       "/2015-02-01/tags/{ResourceId}/",
       "ListTagsForResource",
       200,
       {{"MaxItems", "MaxResults", Type::kInt}, {"Marker", "NextToken", Type::kString}},
       false,
       &AsDescribeTags},
  };
  return *routes;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

// Matches `path` (still encoded) against `pattern`; fills the captures into *params.
bool Match(std::string_view pattern, std::string_view path, Json* params) {
  std::vector<std::string_view> want = Split(pattern, '/');
  std::vector<std::string_view> got = Split(path, '/');
  if (want.size() != got.size()) return false;
  Json captured = Json::object();
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      std::optional<std::string> value = http::PercentDecode(got[i], false);
      if (!value || value->empty()) return false;
      captured[std::string(want[i].substr(1, want[i].size() - 2))] = *value;
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  for (auto& [k, v] : captured.items()) (*params)[k] = v;
  return true;
}

http::Response ErrorResponse(const std::string& code, const std::string& message,
                             const Json& extra = Json::object()) {
  Json body = extra;
  body["ErrorCode"] = code;
  body["Message"] = message;
  std::string text = api::DumpJsonLine(body);
  text.pop_back();  // the newline
  return http::Response{Endpoint::StatusOf(code),
                        {{"Content-Type", "application/json"}, {"x-amzn-ErrorType", code}},
                        std::move(text)};
}

http::Response ErrorResponse(const Status& status) {
  api::ApiError error = api::ToApiError(status);
  return ErrorResponse(error.code, error.message, error.extra);
}

// Adds the query's parameters, as `route` names and types them, to *params.
Status AddQuery(const Route& route, std::string_view query, Json* params) {
  std::optional<std::vector<std::pair<std::string, std::string>>> fields = http::ParseForm(query);
  if (!fields) return InvalidArgument("the query string is not percent-encoded");
  for (const auto& [name, value] : *fields) {
    const QueryParam* param = nullptr;
    for (const QueryParam& p : route.query) {
      if (name == p.name) param = &p;
    }
    if (param == nullptr) {
      return InvalidArgument("unknown query parameter '" + name + "' for " + route.action);
    }
    switch (param->type) {
      case Type::kString:
        (*params)[param->param] = value;
        break;
      case Type::kInt: {
        char* end = nullptr;
        errno = 0;
        long long n = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || errno != 0 || n < INT32_MIN || n > INT32_MAX) {
          return InvalidArgument("query parameter '" + name + "' must be an integer");
        }
        (*params)[param->param] = n;
        break;
      }
      case Type::kStrings:
        if (!params->contains(param->param)) (*params)[param->param] = Json::array();
        (*params)[param->param].push_back(value);
        break;
    }
  }
  return Status::Ok();
}

// Who the key's user is, as the Unix socket would see them.
api::Caller CallerOf(uid_t uid) {
  api::Caller caller;
  caller.uid = uid;
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    caller.gid = pw.pw_gid;
    int n = 64;
    std::vector<gid_t> groups(static_cast<size_t>(n));
    if (::getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) >= 0) {
      groups.resize(static_cast<size_t>(n));
      caller.groups = std::move(groups);
    }
  }
  return caller;
}

}  // namespace

Endpoint::Endpoint(control::ControlPlane* control, Now now, MetricsSource metrics)
    : control_(control), now_(std::move(now)), metrics_(std::move(metrics)) {}

namespace {

bool IsMetricsPath(const std::string& target) {
  return target == "/metrics" || target.rfind("/metrics?", 0) == 0;
}

http::Response Metrics(const Endpoint::MetricsSource& metrics, const http::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response refused = ErrorResponse("BadRequest", "/metrics answers GET only");
    refused.status = 405;
    refused.headers.emplace_back("Allow", "GET");
    return refused;
  }
  Result<std::vector<metrics::Snapshot>> snapshots = metrics();
  if (!snapshots.ok()) return ErrorResponse(snapshots.status());
  return http::Response{200,
                        {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}},
                        metrics::PrometheusText(*snapshots)};
}

}  // namespace

http::Response ServeMetricsOnly(const Endpoint::MetricsSource& metrics,
                                const http::Request& request) {
  if (IsMetricsPath(request.target)) return Metrics(metrics, request);
  return http::Response{404, {{"Content-Type", "text/plain; charset=utf-8"}},
                        "only /metrics is served here\n"};
}

int Endpoint::StatusOf(const std::string& code) {
  static const auto* statuses = new std::map<std::string, int>{
      // EFS (EFS-REFERENCE 1.6)
      {"BadRequest", 400}, {"SubnetNotFound", 400}, {"SecurityGroupNotFound", 400},
      {"SecurityGroupLimitExceeded", 400}, {"ThroughputLimitExceeded", 400},
      {"UnsupportedAvailabilityZone", 400}, {"AvailabilityZonesMismatch", 400},
      {"InvalidPolicyException", 400}, {"ValidationException", 400},
      {"FileSystemLimitExceeded", 403}, {"AccessPointLimitExceeded", 403},
      {"FileSystemNotFound", 404}, {"MountTargetNotFound", 404}, {"AccessPointNotFound", 404},
      {"PolicyNotFound", 404}, {"ReplicationNotFound", 404}, {"FileSystemAlreadyExists", 409},
      {"AccessPointAlreadyExists", 409}, {"FileSystemInUse", 409},
      {"IncorrectFileSystemLifeCycleState", 409}, {"IncorrectMountTargetState", 409},
      {"MountTargetConflict", 409}, {"IpAddressInUse", 409}, {"NoFreeAddressesInSubnet", 409},
      {"NetworkInterfaceLimitExceeded", 409}, {"ReplicationAlreadyExists", 409},
      {"ConflictException", 409}, {"TooManyRequests", 429}, {"ThrottlingException", 429},
      {"InternalServerError", 500}, {"InsufficientThroughputCapacity", 503},
      {"DependencyTimeout", 504},
      // Signing and access
      {"MissingAuthenticationToken", 403}, {"IncompleteSignature", 400},
      {"InvalidClientTokenId", 403}, {"SignatureDoesNotMatch", 403}, {"AccessDenied", 403},
      // efsd's own
      {"InsufficientStorageCapacity", 507}, {"UnknownOperation", 404}};
  auto it = statuses->find(code);
  if (it != statuses->end()) return it->second;
  if (code.size() > 8 && code.compare(code.size() - 8, 8, "NotFound") == 0) return 404;
  return 400;
}

http::Response Endpoint::Handle(const http::Request& request) const {
  // The web console's pages, unsigned; the calls they make are signed.
  if (std::optional<http::Response> page = ServeConsole(request)) return *std::move(page);
  if (metrics_ && IsMetricsPath(request.target)) return Metrics(metrics_, request);
  // Signed by a key of efsd's, within the clock skew window.
  http::SignedRequest signed_request{request.method, request.target, request.headers,
                                     request.body};
  control::ControlPlane* control = control_;
  std::optional<control::AccessKeyIdentity> key;
  Result<http::Signer> signer = http::Verify(
      signed_request,
      [control, &key](const std::string& id) -> std::optional<std::string> {
        Result<std::optional<control::AccessKeyIdentity>> found = control->FindAccessKey(id);
        if (!found.ok() || !found->has_value()) return std::nullopt;
        key = **found;
        return key->secret;
      },
      now_());
  const size_t q = request.target.find('?');
  const std::string_view path = std::string_view(request.target).substr(0, q);
  const std::string_view query =
      q == std::string::npos ? std::string_view() : std::string_view(request.target).substr(q + 1);
  // EC2's Query API lives at "/", its parameters form-encoded in the body or the query.
  const bool ec2 = path == "/";
  if (!signer.ok()) {
    if (!ec2) return ErrorResponse(signer.status());
    api::ApiError error = api::ToApiError(signer.status());
    return Ec2Error(StatusOf(error.code), error.code, error.message);
  }
  if (ec2) {
    std::string params(query);
    if (request.method == "POST" && !request.body.empty()) {
      params += (params.empty() ? "" : "&") + request.body;
    }
    http::Response response = HandleEc2Query(*control_, CallerOf(key->uid), params);
    if (response.status != 200) {
      EFS_LOG(kInfo) << "http: " << key->access_key_id << " (" << key->user_name << ", uid "
                     << key->uid << ") EC2 query refused: " << response.status;
    }
    return response;
  }
  const Route* route = nullptr;
  Json params = Json::object();
  bool path_known = false;
  for (const Route& r : Routes()) {
    Json captured = Json::object();
    if (!Match(r.path, path, &captured)) continue;
    path_known = true;
    if (request.method != r.method) continue;
    route = &r;
    params = std::move(captured);
    break;
  }
  if (route == nullptr) {
    return ErrorResponse(path_known ? "BadRequest" : "UnknownOperation",
                         path_known ? request.method + " is not allowed on " + std::string(path)
                                    : "no action at " + request.method + " " + std::string(path));
  }
  if (route->body && !request.body.empty()) {
    Result<Json> body = api::ParseJsonLine(request.body, api::kRequestLimits);
    if (!body.ok()) return ErrorResponse(body.status());
    if (!body->is_object()) return ErrorResponse("BadRequest", "the body must be a JSON object");
    for (auto& [k, v] : body->items()) {
      if (params.contains(k)) {
        return ErrorResponse("BadRequest", "'" + k + "' is in the path; it may not be in the body");
      }
      params[k] = v;
    }
  } else if (!route->body && !request.body.empty()) {
    return ErrorResponse("BadRequest", std::string(route->action) + " takes no body");
  }
  if (Status added = AddQuery(*route, query, &params); !added.ok()) return ErrorResponse(added);

  api::Caller caller = CallerOf(key->uid);
  api::Reply reply = control::Dispatch(*control_, caller, route->action, params);
  const bool mutating = std::strcmp(route->method, "GET") != 0;
  if (mutating || reply.error) {
    EFS_LOG(kInfo) << "http: " << key->access_key_id << " (" << key->user_name << ", uid "
                   << key->uid << ") " << route->action << ": "
                   << (reply.error ? reply.error->code : std::string("ok"));
  }
  if (reply.error) return ErrorResponse(reply.error->code, reply.error->message, reply.error->extra);
  http::Response response{route->status, {{"Content-Type", "application/json"}}, ""};
  if (route->status != 204) {
    Json result = route->reshape ? route->reshape(std::move(reply.result)) : reply.result;
    response.body = api::DumpJsonLine(result);
    response.body.pop_back();
  }
  return response;
}

}  // namespace efs::aws

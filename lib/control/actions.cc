// The one table of API actions (kActions) and Dispatch(): decode params, check the caller,
// call the ControlPlane method, encode the AWS-shaped result.
#include "control/actions.h"

#include <cstring>
#include <type_traits>

#include "api/vpc_messages.h"
#include "control/errors.h"

namespace efs::control {

namespace {

using api::Json;
using api::Reply;

enum ActionFlags : unsigned {
  kReadOnly = 0,
  kMutating = 1 << 0,  // root or options().admin_uid only
  kAdminOnly = 1 << 1,  // reads only, but root or options().admin_uid only (access keys)
};

using Handler = Reply (*)(ControlPlane&, const api::Caller&, const Json& params);

struct ActionSpec {
  const char* name;
  Handler handler;
  unsigned flags;
};

// The request and result types of a ControlPlane method.
template <class M>
struct MethodTraits;
template <class R, class Req>
struct MethodTraits<R (ControlPlane::*)(const Req&)> {
  using Request = Req;
};
template <class R, class Req>
struct MethodTraits<R (ControlPlane::*)(const Req&, const fs::Credentials&)> {
  using Request = Req;
};
template <class R>
struct MethodTraits<R (ControlPlane::*)()> {
  using Request = void;
};

// Who a caller is inside a file system: root and efsd's own user (who owns the state directory
// anyway) are root there; anyone else is their uid and groups, as a mount would make them.
fs::Credentials FileSystemUser(const ControlPlane& control, const api::Caller& caller) {
  if (caller.uid == 0 || caller.uid == control.options().admin_uid) return fs::Credentials::Root();
  return fs::Credentials{caller.uid, caller.gid, {caller.groups.begin(), caller.groups.end()}};
}

// Calls Method with `req`, and with the caller's file system identity if it takes one.
template <auto Method, class Req>
auto CallWith(ControlPlane& control, const api::Caller& caller, const Req& req) {
  if constexpr (std::is_invocable_v<decltype(Method), ControlPlane&, const Req&>) {
    return (control.*Method)(req);
  } else {
    return (control.*Method)(req, FileSystemUser(control, caller));
  }
}

Reply Answer(const Status& status) {
  return status.ok() ? Reply::Ok(Json::object()) : Reply::Fail(status);
}
template <class T>
Reply Answer(const Result<T>& result) {
  return result.ok() ? Reply::Ok(api::ToJson(*result)) : Reply::Fail(result.status());
}

// Actions without parameters accept null, absent or {} params.
Status CheckNoParams(const Json& params) {
  if (params.is_null() || (params.is_object() && params.empty())) return Status::Ok();
  if (!params.is_object()) return BadRequest("params must be an object");
  return BadRequest("unknown parameter '" + params.begin().key() + "'");
}

// Decodes params into the method's request (if any), calls it, returns what it returns.
template <auto Method>
auto Invoke(ControlPlane& control, const api::Caller& caller, const Json& params,
            Status* parse_status) {
  using Request = typename MethodTraits<decltype(Method)>::Request;
  if constexpr (std::is_void_v<Request>) {
    *parse_status = CheckNoParams(params);
    return (control.*Method)();
  } else {
    Request req;
    *parse_status = api::FromJson(params.is_null() ? Json::object() : params, &req);
    if (!parse_status->ok()) return decltype(CallWith<Method>(control, caller, req))(*parse_status);
    return CallWith<Method>(control, caller, req);
  }
}

template <auto Method>
Reply Call(ControlPlane& control, const api::Caller& caller, const Json& params) {
  Status parse_status;
  auto result = Invoke<Method>(control, caller, params, &parse_status);
  if (!parse_status.ok()) return Reply::Fail(parse_status);
  return Answer(result);
}

// EC2's ingress actions answer {"Return": true}.
template <auto Method>
Reply CallReturningTrue(ControlPlane& control, const api::Caller& caller, const Json& params) {
  Reply reply = Call<Method>(control, caller, params);
  if (!reply.error) reply.result = Json{{"Return", true}};
  return reply;
}

// FileSystemAlreadyExists also names the file system that holds the token.
Reply CreateFileSystemNamingTheOwner(ControlPlane& control, const api::Caller&,
                                     const Json& params) {
  api::CreateFileSystemRequest req;
  Status parsed = api::FromJson(params.is_null() ? Json::object() : params, &req);
  if (!parsed.ok()) return Reply::Fail(parsed);
  Result<api::FileSystemDescription> result = control.CreateFileSystem(req);
  if (result.ok() || result.status().reason() != "FileSystemAlreadyExists") return Answer(result);
  Reply reply = Reply::Fail(result.status());
  api::DescribeFileSystemsRequest by_token;
  by_token.creation_token = req.creation_token;
  Result<api::DescribeFileSystemsResponse> found = control.DescribeFileSystems(by_token);
  if (found.ok() && !found->file_systems.empty()) {
    reply.error->extra["FileSystemId"] = found->file_systems[0].file_system_id;
  }
  return reply;
}

const ActionSpec kActions[] = {
    {"CreateFileSystem", &CreateFileSystemNamingTheOwner, kMutating},
    {"DescribeFileSystems", &Call<&ControlPlane::DescribeFileSystems>, kReadOnly},
    {"UpdateFileSystem", &Call<&ControlPlane::UpdateFileSystem>, kMutating},
    {"DeleteFileSystem", &Call<&ControlPlane::DeleteFileSystem>, kMutating},
    {"CreateMountTarget", &Call<&ControlPlane::CreateMountTarget>, kMutating},
    {"DescribeMountTargets", &Call<&ControlPlane::DescribeMountTargets>, kReadOnly},
    {"DeleteMountTarget", &Call<&ControlPlane::DeleteMountTarget>, kMutating},
    {"DescribeMountTargetSecurityGroups", &Call<&ControlPlane::DescribeMountTargetSecurityGroups>,
     kReadOnly},
    {"ModifyMountTargetSecurityGroups", &Call<&ControlPlane::ModifyMountTargetSecurityGroups>,
     kMutating},
    {"PutLifecycleConfiguration", &Call<&ControlPlane::PutLifecycleConfiguration>, kMutating},
    {"DescribeLifecycleConfiguration", &Call<&ControlPlane::DescribeLifecycleConfiguration>,
     kReadOnly},
    {"PutBackupPolicy", &Call<&ControlPlane::PutBackupPolicy>, kMutating},
    {"DescribeBackupPolicy", &Call<&ControlPlane::DescribeBackupPolicy>, kReadOnly},
    {"UpdateFileSystemProtection", &Call<&ControlPlane::UpdateFileSystemProtection>, kMutating},
    {"DescribeAccountPreferences", &Call<&ControlPlane::DescribeAccountPreferences>, kReadOnly},
    {"PutAccountPreferences", &Call<&ControlPlane::PutAccountPreferences>, kMutating},
    {"TagResource", &Call<&ControlPlane::TagResource>, kMutating},
    {"UntagResource", &Call<&ControlPlane::UntagResource>, kMutating},
    {"ListTagsForResource", &Call<&ControlPlane::ListTagsForResource>, kReadOnly},
    {"DescribeVpcs", &Call<&ControlPlane::DescribeVpcs>, kReadOnly},
    {"CreateVpc", &Call<&ControlPlane::CreateVpc>, kMutating},
    {"DeleteVpc", &Call<&ControlPlane::DeleteVpc>, kMutating},
    {"DescribeSubnets", &Call<&ControlPlane::DescribeSubnets>, kReadOnly},
    {"CreateSubnet", &Call<&ControlPlane::CreateSubnet>, kMutating},
    {"DeleteSubnet", &Call<&ControlPlane::DeleteSubnet>, kMutating},
    {"CreateSecurityGroup", &Call<&ControlPlane::CreateSecurityGroup>, kMutating},
    {"DescribeSecurityGroups", &Call<&ControlPlane::DescribeSecurityGroups>, kReadOnly},
    {"AuthorizeSecurityGroupIngress",
     &CallReturningTrue<&ControlPlane::AuthorizeSecurityGroupIngress>, kMutating},
    {"RevokeSecurityGroupIngress", &CallReturningTrue<&ControlPlane::RevokeSecurityGroupIngress>,
     kMutating},
    {"DeleteSecurityGroup", &Call<&ControlPlane::DeleteSecurityGroup>, kMutating},
    {"CreateNetworkInterface", &Call<&ControlPlane::CreateNetworkInterface>, kMutating},
    {"DescribeNetworkInterfaces", &Call<&ControlPlane::DescribeNetworkInterfaces>, kReadOnly},
    {"AttachNetworkInterface", &Call<&ControlPlane::AttachNetworkInterface>, kMutating},
    {"DetachNetworkInterface", &Call<&ControlPlane::DetachNetworkInterface>, kMutating},
    {"DeleteNetworkInterface", &Call<&ControlPlane::DeleteNetworkInterface>, kMutating},
    {"EnsureHostInterface", &Call<&ControlPlane::EnsureHostInterface>, kMutating},
    {"CreateVpcPeeringConnection", &Call<&ControlPlane::CreateVpcPeeringConnection>, kMutating},
    {"AcceptVpcPeeringConnection", &Call<&ControlPlane::AcceptVpcPeeringConnection>, kMutating},
    {"RejectVpcPeeringConnection", &CallReturningTrue<&ControlPlane::RejectVpcPeeringConnection>,
     kMutating},
    {"DeleteVpcPeeringConnection", &CallReturningTrue<&ControlPlane::DeleteVpcPeeringConnection>,
     kMutating},
    {"DescribeVpcPeeringConnections", &Call<&ControlPlane::DescribeVpcPeeringConnections>,
     kReadOnly},
    {"CreateRoute", &CallReturningTrue<&ControlPlane::CreateRoute>, kMutating},
    {"DeleteRoute", &Call<&ControlPlane::DeleteRoute>, kMutating},
    {"DescribeRouteTables", &Call<&ControlPlane::DescribeRouteTables>, kReadOnly},
    {"CreateVpnGateway", &Call<&ControlPlane::CreateVpnGateway>, kMutating},
    {"AttachVpnGateway", &Call<&ControlPlane::AttachVpnGateway>, kMutating},
    {"DetachVpnGateway", &Call<&ControlPlane::DetachVpnGateway>, kMutating},
    {"DeleteVpnGateway", &Call<&ControlPlane::DeleteVpnGateway>, kMutating},
    {"DescribeVpnGateways", &Call<&ControlPlane::DescribeVpnGateways>, kReadOnly},
    {"CreateAccessKey", &Call<&ControlPlane::CreateAccessKey>, kMutating},
    {"ListAccessKeys", &Call<&ControlPlane::ListAccessKeys>, kAdminOnly},
    {"DeleteAccessKey", &Call<&ControlPlane::DeleteAccessKey>, kMutating},
    {"FailAvailabilityZone", &Call<&ControlPlane::FailAvailabilityZone>, kMutating},
    {"RestoreAvailabilityZone", &Call<&ControlPlane::RestoreAvailabilityZone>, kMutating},
    {"GetDaemonStatus", &Call<&ControlPlane::GetDaemonStatus>, kReadOnly},
    {"AdvanceClock", &Call<&ControlPlane::AdvanceClock>, kMutating},
    {"DescribeStorage", &Call<&ControlPlane::DescribeStorage>, kReadOnly},
    {"RunLifecyclePass", &Call<&ControlPlane::RunLifecyclePass>, kMutating},
    {"CheckFileSystem", &Call<&ControlPlane::CheckFileSystem>, kMutating},
    {"SetBurstCreditBalance", &Call<&ControlPlane::SetBurstCreditBalance>, kMutating},
};

const ActionSpec* FindAction(const std::string& name) {
  for (const ActionSpec& spec : kActions) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

}  // namespace

api::Reply Dispatch(ControlPlane& control, const api::Caller& caller, const std::string& action,
                    const api::Json& params) {
  const ActionSpec* spec = FindAction(action);
  if (spec == nullptr) return Reply::Fail(BadRequest("unknown action '" + action + "'"));
  if ((spec->flags & (kMutating | kAdminOnly)) && caller.uid != 0 &&
      caller.uid != control.options().admin_uid) {
    return Reply::Fail(Error(
        Code::kPermissionDenied, "AccessDenied",
        "uid " + std::to_string(caller.uid) + " may not run '" + action + "'; only root and uid " +
            std::to_string(control.options().admin_uid) +
            ((spec->flags & kMutating) ? " may change state" : " may see access keys")));
  }
  return spec->handler(control, caller, params);
}

std::vector<std::string> ActionNames() {
  std::vector<std::string> names;
  for (const ActionSpec& spec : kActions) names.push_back(spec.name);
  return names;
}

}  // namespace efs::control

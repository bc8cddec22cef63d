// The one table of API actions: name -> handler, and which ones change state.
#pragma once

#include <string>
#include <vector>

#include "api/server.h"
#include "control/control_plane.h"

namespace efs::control {

// Decodes `params` for `action`, checks the caller may run it (mutating actions: root or
// options().admin_uid only, else AccessDenied), runs it and encodes the AWS-shaped result.
// Unknown actions answer BadRequest. FileSystemAlreadyExists carries "FileSystemId".
api::Reply Dispatch(ControlPlane& control, const api::Caller& caller, const std::string& action,
                    const api::Json& params);

// Every action name in the table, in table order (for tests and docs).
std::vector<std::string> ActionNames();

}  // namespace efs::control

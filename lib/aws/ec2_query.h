// The EC2 Query API's describe actions, as playbooks and scripts use them to find the VPCs,
// subnets and security groups that mount targets go in: DescribeVpcs, DescribeSubnets and
// DescribeSecurityGroups, with their id lists (VpcId.N, SubnetId.N, GroupId.N, GroupName.N)
// and Filter.N.Name / Filter.N.Value.M (values may use * and ? wildcards), answered in EC2's
// XML. Parameters come form-encoded (POST /, as the SDKs send them) or in the query string.
// Errors are EC2's: <Response><Errors><Error><Code>...</Code><Message>...</Message></Error>
// </Errors><RequestID>...</RequestID></Response>.
#pragma once

#include <string>
#include <string_view>

#include "api/server.h"
#include "control/control_plane.h"
#include "http/server.h"

namespace efs::aws {

// Answers one EC2 Query request whose parameters are `params` (form encoded) for `caller`.
http::Response HandleEc2Query(control::ControlPlane& control, const api::Caller& caller,
                              std::string_view params);

// An EC2 error answer.
http::Response Ec2Error(int status, const std::string& code, const std::string& message);

}  // namespace efs::aws

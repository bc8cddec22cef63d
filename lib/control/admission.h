// Admission: whether a mount target's security groups let a client's TCP connection in, checked
// when the connection is accepted (docs/ARCHITECTURE.md: security groups are inbound rules
// checked at accept time).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/messages.h"
#include "base/status.h"
#include "control/control_plane.h"

namespace efs::control {

// Returns true iff some inbound rule of `groups` admits TCP from `peer_ip` (host order) to
// `port`: protocol "tcp" (or "6") with FromPort <= port <= ToPort, or protocol "-1" (all), and
// a CidrIp that contains the peer. No rule, no entry (EC2's inbound default is deny).
bool AdmitsTcp(const std::vector<api::SecurityGroup>& groups, uint32_t peer_ip, int port);

// The same for mount target `mount_target_id`, reading its security groups from `control`.
// Fails with the control plane's error (e.g. MountTargetNotFound, IncorrectMountTargetState).
Result<bool> AdmitsConnection(ControlPlane& control, const std::string& mount_target_id,
                              uint32_t peer_ip, int port);

}  // namespace efs::control

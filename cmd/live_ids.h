// The live ids behind id-valued options, asked from efsd for shell completion.
#pragma once

#include <string>
#include <vector>

#include "cmd/context.h"

namespace efs::cli {

// Returns true iff ListLiveIds can list ids for `option` (e.g. "--vpc-id").
bool HasLiveIds(const std::string& option);

// Returns the ids efsd knows for `option` ("--file-system-id": DescribeFileSystems, "--vpc-id":
// DescribeVpcs, "--gateway-id": DescribeVpnGateways, ...; "--attachment-id": the attachments
// DescribeNetworkInterfaces shows; "--mount-target-id" uses a --file-system-id found in `words`,
// else every file system). Any failure yields what was collected so far, possibly nothing:
// completion must stay quiet. Uses ctx's timeout, which __complete sets to 300 ms.
std::vector<std::string> ListLiveIds(Context& ctx, const std::string& option,
                                     const std::vector<std::string>& words);

}  // namespace efs::cli

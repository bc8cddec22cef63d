// Resource ids as AWS spells them: a prefix and 17 lowercase hex digits (63 random bits), e.g.
// "fs-0123456789abcdef0". Validation accepts the API's wider 8-40 digit form.
#pragma once

#include <string>
#include <string_view>

namespace efs {

// Prefixes: "fs", "fsmt", "fsap", "subnet", "sg", "vpc", "eni".
// Returns a new random id "<prefix>-<17 hex>". Thread-safe.
std::string NewId(std::string_view prefix);

// Returns true iff `id` is "<prefix>-" followed by 8 to 40 lowercase hex digits.
bool IsValidId(std::string_view id, std::string_view prefix);

}  // namespace efs

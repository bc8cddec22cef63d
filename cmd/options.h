// Option helpers shared by the subcommands: optional fields, enum options, --tags, tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "api/messages.h"
#include "base/status.h"

namespace efs::cli {

// The AWS enum values the CLI checks before sending (a typo is a usage error).
extern const std::vector<std::string> kPerformanceModes;  // generalPurpose maxIO
extern const std::vector<std::string> kThroughputModes;   // bursting provisioned elastic
extern const std::vector<std::string> kTransitionAfterDays;  // AFTER_1_DAY ... AFTER_365_DAYS
extern const std::vector<std::string> kTransitionAfterAccess;  // AFTER_1_ACCESS
extern const std::vector<std::string> kIpProtocols;  // tcp udp icmp -1

// Binds `--name VALUE` to an optional request field, which stays unset unless given.
template <class T>
CLI::Option* AddOptional(CLI::App& app, const std::string& name, std::optional<T>* field,
                         const std::string& description) {
  return app.add_option_function<T>(
      name, [field](const T& value) { *field = value; }, description);
}

// Binds an option whose value must be one of `values` (CLI11 IsMember, named "enum" so that
// completion can list the values).
CLI::Option* AddEnum(CLI::App& app, const std::string& name, std::string* field,
                     const std::vector<std::string>& values, const std::string& description);
CLI::Option* AddEnum(CLI::App& app, const std::string& name, std::optional<std::string>* field,
                     const std::vector<std::string>& values, const std::string& description);

// Returns the values an AddEnum option allows, or {} for any other option.
std::vector<std::string> EnumValues(CLI::Option& option);

// Binds `--yes` / `--no-yes` to an optional bool; giving both is a usage error.
void AddBoolPair(CLI::App& app, const std::string& name, std::optional<bool>* field,
                 const std::string& description);

// Parses one tag in AWS CLI shorthand, "Key=K,Value=V" (Value may be empty or omitted).
Result<api::Tag> ParseTag(std::string_view text);

// Parses --tags arguments: shorthand items, or a single JSON array of {"Key","Value"}
// objects as the AWS CLI also accepts. A malformed item is a UsageError.
Result<std::vector<api::Tag>> ParseTags(const std::vector<std::string>& args);

// A fresh random creation token shaped like a UUID (8-4-4-4-12 lowercase hex).
std::string NewCreationToken();

}  // namespace efs::cli

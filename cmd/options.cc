// Option helpers shared by the subcommands.
#include "cmd/options.h"

#include <cstdio>
#include <random>

#include "cmd/exit_codes.h"

namespace efs::cli {

using api::Json;

const std::vector<std::string> kPerformanceModes = {"generalPurpose", "maxIO"};
const std::vector<std::string> kThroughputModes = {"bursting", "provisioned", "elastic"};
const std::vector<std::string> kTransitionAfterDays = {
    "AFTER_1_DAY",  "AFTER_7_DAYS",  "AFTER_14_DAYS",  "AFTER_30_DAYS",  "AFTER_60_DAYS",
    "AFTER_90_DAYS", "AFTER_180_DAYS", "AFTER_270_DAYS", "AFTER_365_DAYS"};
const std::vector<std::string> kTransitionAfterAccess = {"AFTER_1_ACCESS"};
const std::vector<std::string> kIpProtocols = {"tcp", "udp", "icmp", "-1"};

namespace {
constexpr char kEnumValidator[] = "enum";
}  // namespace

CLI::Option* AddEnum(CLI::App& app, const std::string& name, std::string* field,
                     const std::vector<std::string>& values, const std::string& description) {
  return app.add_option(name, *field, description)->check(CLI::IsMember(values), kEnumValidator);
}

CLI::Option* AddEnum(CLI::App& app, const std::string& name, std::optional<std::string>* field,
                     const std::vector<std::string>& values, const std::string& description) {
  return AddOptional(app, name, field, description)
      ->check(CLI::IsMember(values), kEnumValidator);
}

std::vector<std::string> EnumValues(CLI::Option& option) {
  CLI::Validator* validator = nullptr;
  try {
    validator = option.get_validator(kEnumValidator);
  } catch (const CLI::OptionNotFound&) {
    return {};
  }
  // CLI11 describes an IsMember set as "{a,b,c}".
  std::string set = validator->get_description();
  if (validator->get_name() != kEnumValidator || set.size() < 2) return {};
  std::vector<std::string> values;
  std::string current;
  for (char c : set.substr(1, set.size() - 2)) {
    if (c == ',') {
      values.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  values.push_back(current);
  return values;
}

void AddBoolPair(CLI::App& app, const std::string& name, std::optional<bool>* field,
                 const std::string& description) {
  CLI::Option* yes = app.add_flag_callback(
      "--" + name, [field] { *field = true; }, description);
  CLI::Option* no = app.add_flag_callback(
      "--no-" + name, [field] { *field = false; }, "the opposite of --" + name);
  yes->excludes(no);
}

Result<api::Tag> ParseTag(std::string_view text) {
  constexpr std::string_view kKey = "Key=", kValue = ",Value=";
  if (text.substr(0, kKey.size()) != kKey) {
    return UsageError("bad tag '" + std::string(text) + "': expected Key=K,Value=V");
  }
  api::Tag tag;
  std::string_view rest = text.substr(kKey.size());
  size_t value_at = rest.find(kValue);
  tag.key = std::string(rest.substr(0, value_at));
  if (value_at != std::string_view::npos) {
    tag.value = std::string(rest.substr(value_at + kValue.size()));
  }
  if (tag.key.empty()) {
    return UsageError("bad tag '" + std::string(text) + "': the key is empty");
  }
  return tag;
}

Result<std::vector<api::Tag>> ParseTags(const std::vector<std::string>& args) {
  std::vector<api::Tag> tags;
  if (args.size() == 1 && !args[0].empty() && args[0][0] == '[') {
    Json list = Json::parse(args[0], nullptr, /*allow_exceptions=*/false);
    if (list.is_discarded() || !list.is_array()) {
      return UsageError("bad --tags: not a JSON array of {\"Key\":...,\"Value\":...}");
    }
    for (const Json& item : list) {
      api::Tag tag;
      Status status = api::FromJson(item, &tag);
      if (!status.ok()) return UsageError("bad --tags: " + status.message());
      tags.push_back(std::move(tag));
    }
    return tags;
  }
  for (const std::string& arg : args) {
    Result<api::Tag> tag = ParseTag(arg);
    if (!tag.ok()) return tag.status();
    tags.push_back(std::move(tag).value());
  }
  return tags;
}

std::string NewCreationToken() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  const uint64_t hi = rng(), lo = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xfff),
                static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

}  // namespace efs::cli

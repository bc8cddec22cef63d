// Parsers for `efs bench`'s target, duration and size, and the workload names.
#include "bench/spec.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <utility>

namespace efs::bench {
namespace {

Status Invalid(std::string message) { return Status(Code::kInvalidArgument, "", std::move(message)); }

// Splits "123abc" into 123 and "abc"; nullopt without leading digits or on overflow.
std::optional<std::pair<uint64_t, std::string_view>> LeadingNumber(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return std::make_pair(value, text.substr(end - text.data()));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

const std::pair<Workload, const char*> kWorkloads[] = {
    {Workload::kSeqWrite, "seq-write"},   {Workload::kSeqRead, "seq-read"},
    {Workload::kRandRead4k, "rand-read-4k"}, {Workload::kRandWrite4k, "rand-write-4k"},
    {Workload::kCreate, "create"},        {Workload::kStat, "stat"},
    {Workload::kReadDir, "readdir"},      {Workload::kMixed, "mixed"},
};

}  // namespace

Result<Target> ParseTarget(std::string_view text) {
  Target target;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    target.path = std::string(text.substr(slash));
    while (target.path.size() > 1 && target.path.back() == '/') target.path.pop_back();
    text = text.substr(0, slash);
  }
  size_t colon = text.find(':');
  std::string_view host = text.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view port = text.substr(colon + 1);
    auto number = LeadingNumber(port);
    if (!number || !number->second.empty() || number->first < 1 || number->first > 65535) {
      return Invalid("target '" + std::string(text) + "': port must be 1 to 65535");
    }
    target.port = static_cast<int>(number->first);
  }
  target.host = std::string(host);
  in_addr addr;
  if (::inet_pton(AF_INET, target.host.c_str(), &addr) != 1) {
    return Invalid("target '" + std::string(text) + "': '" + target.host +
                   "' is not an IPv4 address");
  }
  return target;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  static const std::pair<const char*, uint64_t> kUnits[] = {
      {"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}};
  auto number = LeadingNumber(text);
  if (number && number->first > 0) {
    for (const auto& [unit, ms] : kUnits) {
      if (number->second == unit && number->first <= UINT32_MAX) {
        return std::chrono::milliseconds(number->first * ms);
      }
    }
  }
  return Invalid("duration '" + std::string(text) +
                 "' is not a positive whole number with a unit ms, s, m or h");
}

Result<uint64_t> ParseSize(std::string_view text) {
  static const std::pair<const char*, int> kSuffixes[] = {
      {"", 0},   {"K", 10},   {"M", 20},   {"G", 30},   {"T", 40},
      {"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
  auto number = LeadingNumber(text);
  if (number && number->first > 0) {
    for (const auto& [suffix, shift] : kSuffixes) {
      if (EqualsIgnoreCase(number->second, suffix) && number->first <= (UINT64_MAX >> shift)) {
        return number->first << shift;
      }
    }
  }
  return Invalid("size '" + std::string(text) +
                 "' is not a positive whole number with an optional suffix K, M, G or T");
}

const std::vector<std::string>& WorkloadNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [workload, name] : kWorkloads) v.push_back(name);
    return v;
  }();
  return names;
}

std::string_view WorkloadName(Workload workload) {
  for (const auto& [w, name] : kWorkloads) {
    if (w == workload) return name;
  }
  return "";
}

std::optional<Workload> ParseWorkload(std::string_view name) {
  for (const auto& [workload, n] : kWorkloads) {
    if (name == n) return workload;
  }
  return std::nullopt;
}

bool MovesData(Workload workload) {
  return workload == Workload::kSeqWrite || workload == Workload::kSeqRead ||
         workload == Workload::kRandRead4k || workload == Workload::kRandWrite4k;
}

}  // namespace efs::bench

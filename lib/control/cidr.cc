// IPv4 and CIDR parsing and formatting.
#include "control/cidr.h"

#include <charconv>

namespace efs::control {

namespace {

// Parses a decimal number in [0, max] that is all digits, without a leading zero.
std::optional<int> ParseSmall(std::string_view text, int max) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

}  // namespace

std::optional<uint32_t> ParseIpv4(std::string_view text) {
  uint32_t ip = 0;
  for (int part = 0; part < 4; ++part) {
    size_t dot = part < 3 ? text.find('.') : text.size();
    if (dot == std::string_view::npos) return std::nullopt;
    std::optional<int> octet = ParseSmall(text.substr(0, dot), 255);
    if (!octet) return std::nullopt;
    ip = (ip << 8) | static_cast<uint32_t>(*octet);
    text.remove_prefix(part < 3 ? dot + 1 : dot);
  }
  return ip;
}

std::string FormatIpv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xff) + "." +
         std::to_string((ip >> 8) & 0xff) + "." + std::to_string(ip & 0xff);
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::optional<uint32_t> base = ParseIpv4(text.substr(0, slash));
  std::optional<int> prefix = ParseSmall(text.substr(slash + 1), 32);
  if (!base || !prefix) return std::nullopt;
  return Cidr{*base, *prefix};
}

}  // namespace efs::control

// EC2 Query describe actions (see ec2_query.h): parameters in, the control plane's EC2-shaped
// JSON filtered, then written as EC2's XML.
#include "aws/ec2_query.h"

#include <fnmatch.h>

#include <cstdlib>
#include <map>
#include <random>
#include <vector>

#include "control/actions.h"
#include "http/sigv4.h"

namespace efs::aws {
namespace {

using api::Json;

constexpr char kNamespace[] = "http://ec2.amazonaws.com/doc/2016-11-15/";

// One describe action: the control action it runs, its id list (EC2's "SubnetId.N" -> the
// action's "SubnetIds"), the member of the answer holding the items, and its filters (EC2's
// filter name -> the item's field).
struct Ec2Action {
  const char* name;
  const char* id_param;
  const char* ids;
  const char* items;
  std::vector<std::pair<const char*, const char*>> filters;
};

const std::vector<Ec2Action>& Actions() {
  static const auto* actions = new std::vector<Ec2Action>{
      {"DescribeVpcs",
       "VpcId",
       "VpcIds",
       "Vpcs",
       {{"vpc-id", "VpcId"},
        {"cidr", "CidrBlock"},
        {"cidr-block", "CidrBlock"},
        {"is-default", "IsDefault"},
        {"state", "State"},
        {"owner-id", "OwnerId"}}},
      {"DescribeSubnets",
       "SubnetId",
       "SubnetIds",
       "Subnets",
       {{"subnet-id", "SubnetId"},
        {"vpc-id", "VpcId"},
        {"availability-zone", "AvailabilityZone"},
        {"availability-zone-id", "AvailabilityZoneId"},
        {"cidr", "CidrBlock"},
        {"cidr-block", "CidrBlock"},
        {"default-for-az", "DefaultForAz"},
        {"defaultForAz", "DefaultForAz"},
        {"state", "State"},
        {"owner-id", "OwnerId"}}},
      {"DescribeSecurityGroups",
       "GroupId",
       "GroupIds",
       "SecurityGroups",
       {{"group-id", "GroupId"},
        {"group-name", "GroupName"},
        {"description", "Description"},
        {"vpc-id", "VpcId"},
        {"owner-id", "OwnerId"}}},
  };
  return *actions;
}

// EC2's XML names where they are not the JSON name in lower camel case.
const std::map<std::string, std::string>& XmlNames() {
  static const auto* names = new std::map<std::string, std::string>{
      {"Vpcs", "vpcSet"},
      {"Subnets", "subnetSet"},
      {"SecurityGroups", "securityGroupInfo"},
      {"SecurityGroups.Description", "groupDescription"},
      {"Tags", "tagSet"},
  };
  return *names;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string XmlName(const std::string& parent, const std::string& key) {
  const auto& names = XmlNames();
  if (auto it = names.find(parent + "." + key); it != names.end()) return it->second;
  if (auto it = names.find(key); it != names.end()) return it->second;
  std::string name = key;
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

std::string Scalar(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return v.dump();
  return "";
}

// `value` under `key` of an object of the list `parent` (its JSON name), as EC2 writes it:
// lists as <name><item>...</item></name>.
void WriteXml(const std::string& parent, const std::string& key, const Json& value,
              std::string* out) {
  const std::string name = XmlName(parent, key);
  if (value.is_null()) return;
  *out += "<" + name + ">";
  if (value.is_array()) {
    for (const Json& item : value) {
      *out += "<item>";
      if (item.is_object()) {
        for (const auto& [k, v] : item.items()) WriteXml(key, k, v, out);
      } else {
        *out += XmlEscape(Scalar(item));
      }
      *out += "</item>";
    }
  } else if (value.is_object()) {
    for (const auto& [k, v] : value.items()) WriteXml(key, k, v, out);
  } else {
    *out += XmlEscape(Scalar(value));
  }
  *out += "</" + name + ">";
}

std::string RequestId() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const uint64_t a = random();
  const uint64_t b = random();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// "Name.N" and "Name.N.Sub.M" parameters, by their numbers (EC2's lists count from 1).
std::vector<std::string> Numbered(const std::map<std::string, std::string>& params,
                                  const std::string& prefix) {
  std::map<long, std::string> found;
  for (const auto& [k, v] : params) {
    if (k.size() <= prefix.size() + 1 || k.compare(0, prefix.size() + 1, prefix + ".") != 0) {
      continue;
    }
    char* end = nullptr;
    long n = std::strtol(k.c_str() + prefix.size() + 1, &end, 10);
    if (*end == '\0' && n > 0) found[n] = v;
  }
  std::vector<std::string> values;
  for (auto& [n, v] : found) values.push_back(v);
  return values;
}

struct Filter {
  std::string name;
  std::vector<std::string> values;
};

std::vector<Filter> Filters(const std::map<std::string, std::string>& params) {
  std::map<long, Filter> found;
  for (const auto& [k, v] : params) {
    if (k.rfind("Filter.", 0) != 0) continue;
    char* end = nullptr;
    long n = std::strtol(k.c_str() + 7, &end, 10);
    if (n <= 0) continue;
    if (std::string_view(end) == ".Name") found[n].name = v;
  }
  for (auto& [n, filter] : found) {
    filter.values = Numbered(params, "Filter." + std::to_string(n) + ".Value");
  }
  std::vector<Filter> filters;
  for (auto& [n, f] : found) filters.push_back(std::move(f));
  return filters;
}

}  // namespace

http::Response Ec2Error(int status, const std::string& code, const std::string& message) {
  return http::Response{
      status,
      {{"Content-Type", "text/xml;charset=UTF-8"}},
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" +
          XmlEscape(code) + "</Code><Message>" + XmlEscape(message) +
          "</Message></Error></Errors><RequestID>" + RequestId() + "</RequestID></Response>"};
}

http::Response HandleEc2Query(control::ControlPlane& control, const api::Caller& caller,
                              std::string_view encoded) {
  std::optional<std::vector<std::pair<std::string, std::string>>> fields =
      http::ParseForm(encoded);
  if (!fields) return Ec2Error(400, "InvalidParameterValue", "the parameters are not encoded");
  std::map<std::string, std::string> params;
  for (auto& [k, v] : *fields) params[k] = std::move(v);
  auto action_it = params.find("Action");
  if (action_it == params.end()) {
    return Ec2Error(400, "MissingParameter", "The request must contain the parameter Action");
  }
  const Ec2Action* action = nullptr;
  for (const Ec2Action& a : Actions()) {
    if (action_it->second == a.name) action = &a;
  }
  if (action == nullptr) {
    return Ec2Error(400, "InvalidAction",
                    "The action " + action_it->second + " is not valid for this web service.");
  }

  std::vector<Filter> filters = Filters(params);
  if (std::string(action->name) == "DescribeSecurityGroups") {
    std::vector<std::string> names = Numbered(params, "GroupName");
    if (!names.empty()) filters.push_back({"group-name", names});
  }
  std::vector<std::pair<const char*, Filter>> applied;
  for (Filter& f : filters) {
    const char* field = nullptr;
    for (const auto& [name, json_field] : action->filters) {
      if (f.name == name) field = json_field;
    }
    if (field == nullptr) {
      return Ec2Error(400, "InvalidParameterValue", "The filter '" + f.name + "' is invalid");
    }
    applied.emplace_back(field, std::move(f));
  }

  Json request = Json::object();
  std::vector<std::string> ids = Numbered(params, action->id_param);
  if (!ids.empty()) request[action->ids] = ids;
  api::Reply reply = control::Dispatch(control, caller, action->name, request);
  if (reply.error) {
    const std::string& code = reply.error->code;
    int status = code == "InternalServerError" ? 500 : code == "AccessDenied" ? 403 : 400;
    return Ec2Error(status, code == "AccessDenied" ? "UnauthorizedOperation" : code,
                    reply.error->message);
  }

  Json items = Json::array();
  for (const Json& item : reply.result[action->items]) {
    bool keep = true;
    for (const auto& [field, filter] : applied) {
      const std::string value = item.contains(field) ? Scalar(item[field]) : "";
      bool any = false;
      for (const std::string& pattern : filter.values) {
        any = any || ::fnmatch(pattern.c_str(), value.c_str(), 0) == 0;
      }
      keep = keep && any;
    }
    if (keep) items.push_back(item);
  }
  const std::string response = std::string(action->name) + "Response";
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + response + " xmlns=\"" +
                     kNamespace + "\"><requestId>" + RequestId() + "</requestId>";
  WriteXml("", action->items, items, &body);
  body += "</" + response + ">";
  return http::Response{200, {{"Content-Type", "text/xml;charset=UTF-8"}}, std::move(body)};
}

}  // namespace efs::aws

// Waiting for network interfaces, and this host's way into a subnet (see interfaces.h).
#include "cmd/interfaces.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "api/vpc_messages.h"
#include "base/macros.h"
#include "base/unique_fd.h"
#include "cmd/exit_codes.h"

namespace efs::cli {

Result<Json> WaitForInterface(const ApiCall& call, const std::string& eni_id,
                              const std::string& status, double timeout_seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  api::DescribeNetworkInterfacesRequest req;
  req.network_interface_ids = {eni_id};
  std::string last;
  while (true) {
    EFS_ASSIGN_OR_RETURN(Json described, call("DescribeNetworkInterfaces", api::ToJson(req)));
    const Json* eni = nullptr;
    if (described.contains("NetworkInterfaces") && described["NetworkInterfaces"].is_array() &&
        !described["NetworkInterfaces"].empty()) {
      eni = &described["NetworkInterfaces"][0];
    }
    last = eni ? StringField(*eni, "Status") : "";
    if (last == status) return *eni;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(Code::kUnavailable, kWaitTimeout,
                    "network interface " + eni_id + " is still '" + last + "', not '" + status +
                        "', after " + std::to_string(static_cast<int>(timeout_seconds)) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<Json> WaitForInterface(Context& ctx, const std::string& eni_id, const std::string& status,
                              double timeout_seconds) {
  return WaitForInterface(
      [&](const std::string& action, const Json& params) { return ctx.Call(action, params); },
      eni_id, status, timeout_seconds);
}

bool Routable(const std::string& ip) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(2049);
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) return false;
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  return fd.valid() && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

Result<std::string> NetnsToReach(const ApiCall& call, const std::string& ip,
                                 const std::string& subnet_id) {
  constexpr double kTimeoutSeconds = 60;
  if (Routable(ip)) return std::string();
  api::EnsureHostInterfaceRequest req;
  req.subnet_id = subnet_id;
  EFS_ASSIGN_OR_RETURN(Json made, call("EnsureHostInterface", api::ToJson(req)));
  std::string eni_id = made.contains("NetworkInterface")
                           ? StringField(made["NetworkInterface"], "NetworkInterfaceId")
                           : "";
  EFS_ASSIGN_OR_RETURN(Json eni, WaitForInterface(call, eni_id, "in-use", kTimeoutSeconds));
  std::string netns = eni.contains("Attachment") ? StringField(eni["Attachment"], "Netns") : "";
  if (netns.empty()) return Internal("network interface " + eni_id + " names no namespace");
  return netns;
}

}  // namespace efs::cli

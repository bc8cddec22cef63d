// efs exec --subnet-id S -- COMMAND [ARGS...]: runs a command as a client of a subnet, in a
// network namespace of its own with an address from the subnet (a network interface efsd makes
// and attaches, and deletes when the command ends, even if efs is killed: the interface names
// this process as its owner). The command sees the VPC's resolver in /etc/resolv.conf (it runs
// under `ip netns exec`), and EFS_EXEC_ADDRESS and EFS_EXEC_NETWORK_INTERFACE_ID.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "api/vpc_messages.h"
#include "base/macros.h"
#include "base/process.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"
#include "cmd/interfaces.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

constexpr double kSettleSeconds = 60;

// The child's pid, for the signal handler that passes SIGINT and SIGTERM on.
volatile sig_atomic_t g_child = 0;

void PassOn(int sig) {
  if (g_child > 0) ::kill(static_cast<pid_t>(g_child), sig);
}

struct Exec final : Command {
  api::CreateNetworkInterfaceRequest create;
  std::string interface_name = "eth0";
  std::vector<std::string> command;

  void Setup(CLI::App& app) override {
    app.add_option("--subnet-id", create.subnet_id, "the subnet the command joins")
        ->required()
        ->type_name("ID");
    AddOptional(app, "--private-ip-address", &create.private_ip_address,
                "its address (default: a free one)")
        ->type_name("IP");
    app.add_option("--interface-name", interface_name, "its interface's name in the namespace")
        ->capture_default_str()
        ->type_name("NAME");
    app.add_option("command", command, "the command and its arguments, after --")
        ->required()
        ->type_name("COMMAND");
  }

  Status Run(Context& ctx) override {
    if (::geteuid() != 0) {
      return UsageError("efs exec enters a network namespace and needs root");
    }
    create.description = "efs exec " + command[0] + " (pid " + std::to_string(::getpid()) + ")";
    EFS_ASSIGN_OR_RETURN(Json made, ctx.Send("CreateNetworkInterface", create));
    const Json& eni = made["NetworkInterface"];
    const std::string eni_id = StringField(eni, "NetworkInterfaceId");
    const std::string address = StringField(eni, "PrivateIpAddress");
    Status ran = Attach(ctx, eni_id);
    if (ran.ok()) ran = RunIn(ctx, eni_id, address);
    Status cleaned = Cleanup(ctx, eni_id);
    return ran.ok() ? cleaned : ran;
  }

  Status Attach(Context& ctx, const std::string& eni_id) {
    api::AttachNetworkInterfaceRequest attach;
    attach.network_interface_id = eni_id;
    attach.create_netns = true;
    attach.interface_name = interface_name;
    attach.owner_pid = static_cast<int>(::getpid());
    EFS_ASSIGN_OR_RETURN(Json attached, ctx.Send("AttachNetworkInterface", attach));
    attachment_id = StringField(attached, "AttachmentId");
    EFS_ASSIGN_OR_RETURN(Json settled, WaitForInterface(ctx, eni_id, "in-use", kSettleSeconds));
    netns = settled.contains("Attachment") ? StringField(settled["Attachment"], "Netns") : "";
    return Status::Ok();
  }

  // Runs the command under `ip netns exec` (which also gives it the VPC's resolv.conf) and
  // passes its exit status on.
  Status RunIn(Context& ctx, const std::string& eni_id, const std::string& address) {
    std::vector<std::string> argv = {FindProgram("ip"), "netns", "exec",
                                     netns.substr(netns.rfind('/') + 1)};
    argv.insert(argv.end(), command.begin(), command.end());
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::setenv("EFS_EXEC_ADDRESS", address.c_str(), 1);
    ::setenv("EFS_EXEC_NETWORK_INTERFACE_ID", eni_id.c_str(), 1);
    pid_t pid = ::fork();
    if (pid < 0) return IOError(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      ::execv(args[0], args.data());
      _exit(127);
    }
    g_child = pid;
    struct sigaction pass {};
    pass.sa_handler = PassOn;
    ::sigaction(SIGINT, &pass, nullptr);
    ::sigaction(SIGTERM, &pass, nullptr);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    g_child = 0;
    ctx.set_exit_code(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return Status::Ok();
  }

  // Detaches and deletes the interface (its namespace goes with it).
  Status Cleanup(Context& ctx, const std::string& eni_id) {
    if (!attachment_id.empty()) {
      api::DetachNetworkInterfaceRequest detach;
      detach.attachment_id = attachment_id;
      EFS_RETURN_IF_ERROR(StatusOf(ctx.Send("DetachNetworkInterface", detach)));
      EFS_RETURN_IF_ERROR(StatusOf(WaitForInterface(ctx, eni_id, "available", kSettleSeconds)));
    }
    api::DeleteNetworkInterfaceRequest del;
    del.network_interface_id = eni_id;
    return StatusOf(ctx.Send("DeleteNetworkInterface", del));
  }

  template <class T>
  static Status StatusOf(const Result<T>& r) {
    return r.ok() ? Status::Ok() : r.status();
  }

  std::string attachment_id;
  std::string netns;
};

}  // namespace

std::unique_ptr<Command> NewExec() { return std::make_unique<Exec>(); }

}  // namespace efs::cli

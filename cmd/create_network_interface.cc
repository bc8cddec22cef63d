// efs create-network-interface: CreateNetworkInterface, an address (and prefixes) in a subnet
// for a client to use once attached.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/options.h"

namespace efs::cli {
namespace {

struct CreateNetworkInterface final : Command {
  api::CreateNetworkInterfaceRequest request;
  std::vector<std::string> prefixes;

  void Setup(CLI::App& app) override {
    app.add_option("--subnet-id", request.subnet_id, "the subnet to take the address from")
        ->required()
        ->type_name("ID");
    AddOptional(app, "--private-ip-address", &request.private_ip_address,
                "use this address (default: a free one in the subnet)")
        ->type_name("IP");
    AddOptional(app, "--description", &request.description, "what it is for, up to 255 characters")
        ->type_name("TEXT");
    CLI::Option* given = app.add_option("--ipv4-prefixes", prefixes,
                                        "also these ranges of the subnet, for machines behind it")
                             ->type_name("CIDR");
    AddOptional(app, "--ipv4-prefix-count", &request.ipv4_prefix_count,
                "also this many free /28 ranges of the subnet")
        ->check(CLI::Range(1, 16))
        ->type_name("N")
        ->excludes(given);
  }

  Status Run(Context& ctx) override {
    for (const std::string& cidr : prefixes) request.ipv4_prefixes.push_back({cidr});
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("CreateNetworkInterface", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewCreateNetworkInterface() {
  return std::make_unique<CreateNetworkInterface>();
}

}  // namespace efs::cli

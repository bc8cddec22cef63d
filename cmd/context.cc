// Context: global options, the daemon connection, printing.
#include "cmd/context.h"

#include <cstdlib>

namespace efs::cli {

std::string StringField(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

Context::Context(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}
Context::~Context() = default;

void Context::AddGlobalOptions(CLI::App& app) {
  app.add_option("--socket", socket_,
                 "efsd's API socket (default: $EFS_SOCKET, else the "
                 "per-user or system socket)")
      ->envname("EFS_SOCKET")
      ->type_name("PATH");
  output_option_ =
      app.add_option("--output", output_, "output format (default: $EFS_OUTPUT, else json)")
          ->envname("EFS_OUTPUT")
          ->check(CLI::IsMember(std::vector<std::string>{"json", "text", "table"}), "enum")
          ->type_name("FORMAT");
  app.add_flag("--debug", debug_, "log each request and reply to stderr");
  app.set_version_flag("--version", std::string("efs ") + EFS_VERSION, "print the version");
}

std::string Context::socket_path() const {
  return socket_.empty() ? api::DefaultSocketPath() : socket_;
}

OutputFormat Context::output_format() const {
  return ParseOutputFormat(output_).value_or(OutputFormat::kJson);
}

bool Context::output_chosen() const {
  return (output_option_ != nullptr && output_option_->count() > 0) ||
         std::getenv("EFS_OUTPUT") != nullptr;
}

Result<Json> Context::Call(const std::string& action, const Json& params, Json* extra) {
  if (debug_) err_ << "efs: debug: -> " << action << " " << FormatJson(params);
  Result<Json> result = [&]() -> Result<Json> {
    if (transport_) return transport_(action, params, extra);
    if (client_ == nullptr) {
      Result<std::unique_ptr<api::Client>> client =
          api::Client::Connect(socket_path(), timeout_ms_);
      if (!client.ok()) return client.status();
      client_ = std::move(client).value();
    }
    return client_->Call(action, params, extra);
  }();
  if (debug_) {
    if (result.ok()) {
      err_ << "efs: debug: <- " << FormatJson(*result);
    } else {
      err_ << "efs: debug: <- error " << result.status().ToString() << "\n";
    }
  }
  return result;
}

void Context::Print(const Json& result) { out_ << FormatResult(result, output_format()); }

}  // namespace efs::cli

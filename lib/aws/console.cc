// Console: the web console's files, served from the binary (see console.h).
#include "aws/console.h"

#include <string>
#include <utility>

namespace efs::aws {
namespace {

constexpr std::string_view kPrefix = "/console/";
constexpr std::string_view kPage = "console.html";

// Scripts, styles, fetches and images from efsd alone; nothing inline, no plugins, no frames.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string_view ContentType(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
  };
  for (const auto& [suffix, type] : kTypes) {
    if (path.ends_with(suffix)) return type;
  }
  return "text/plain; charset=utf-8";
}

const WebFile* Find(std::string_view path) {
  for (const WebFile& file : WebFiles()) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

http::Response Plain(int status, std::string text) {
  return http::Response{
      status,
      {{"Content-Type", "text/plain; charset=utf-8"}, {"X-Content-Type-Options", "nosniff"}},
      std::move(text) + "\n"};
}

}  // namespace

std::optional<http::Response> ServeConsole(const http::Request& request) {
  const bool read = request.method == "GET" || request.method == "HEAD";
  std::string_view path;
  if (request.target == "/" && read) {
    path = kPage;
  } else if (request.target.starts_with(kPrefix)) {
    path = std::string_view(request.target).substr(kPrefix.size());
    path = path.substr(0, path.find('?'));
  } else {
    return std::nullopt;
  }
  if (!read) {
    http::Response refused = Plain(405, "the console's files answer GET and HEAD only");
    refused.headers.emplace_back("Allow", "GET, HEAD");
    return refused;
  }
  const WebFile* file = Find(path);
  if (file == nullptr) return Plain(404, "no such file: " + std::string(request.target));

  const std::string etag = "\"" + std::string(file->sha256.substr(0, 32)) + "\"";
  http::Response response{200,
                          {{"Content-Type", std::string(ContentType(file->path))},
                           {"ETag", etag},
                           {"Cache-Control", "no-cache"},  // revalidate: efsd may be upgraded
                           {"Content-Security-Policy", kPolicy},
                           {"X-Content-Type-Options", "nosniff"},
                           {"Referrer-Policy", "no-referrer"}},
                          ""};
  const std::string* if_none_match = request.Header("If-None-Match");
  if (if_none_match != nullptr &&
      (*if_none_match == "*" || if_none_match->find(etag) != std::string::npos)) {
    response.status = 304;
    return response;
  }
  response.body.assign(reinterpret_cast<const char*>(file->data), file->size);
  return response;
}

}  // namespace efs::aws

// Console: efsd's web console, the pages of web/ served from efsd's own binary.
//
// GET / (with no query string: with one, "/" is EC2's Query API) answers web/console.html, and
// GET /console/<path> the file web/<path>: the console's script and style and the chart library
// (web/vendor/uplot). They are served unsigned, as a browser loads a page; the console then
// signs every API call itself, in the browser, with the access key the user signs in with.
// The files are compiled in (lib/aws/embed_files.cmake), so an efsd serves the console of its
// own version, with no files to install. Each answer carries an ETag (its content's SHA-256),
// which an If-None-Match may present to be told 304 Not Modified, and a Content-Security-Policy
// that lets a page load scripts, styles and data from efsd alone and run no inline script.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "http/server.h"

namespace efs::aws {

// One embedded file.
struct WebFile {
  std::string_view path;  // under web/: "console.js", "vendor/uplot/LICENSE"
  const unsigned char* data;
  size_t size;
  std::string_view sha256;  // of the bytes, 64 hex digits
};

// Every embedded file (defined in the generated web_files.cc).
std::span<const WebFile> WebFiles();

// The console's answer to `request` if it is the console's (GET or HEAD of "/" with no query;
// any method on /console/...: 405 but for GET and HEAD, 404 for a file there is not), else
// nullopt. A HEAD is answered as a GET; the HTTP server leaves out the body. Thread-safe.
std::optional<http::Response> ServeConsole(const http::Request& request);

}  // namespace efs::aws

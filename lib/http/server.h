// HttpServer: HTTP/1.1 over TCP (Boost.Beast on Asio), for efsd's AWS-shaped endpoint.
//
// Each request must arrive whole (headers, then a body of at most max_body_bytes) within
// request_timeout (counted from the end of the previous answer, on a connection kept alive); it
// is handed to the handler on one of the server's threads and answered. A request too slow to
// arrive, and a client too slow to read its answer, lose the connection. What cannot be read as
// a request is answered (400 bad syntax, 413 a body over the limit, 431 headers over
// max_header_bytes) and the connection closed. At most
// max_connections are open; one more is answered 503 and closed. The handler sees only whole,
// well-formed requests, and answers a HEAD as it would the GET: the server sends no body.
//
//   auto server = http::HttpServer::Start("127.0.0.1:2099", {}, [](const http::Request& r) {
//     return http::Response{200, {{"Content-Type", "text/plain"}}, "hello"};
//   });
#pragma once

#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace efs::http {

struct Request {
  std::string method;  // "GET"
  std::string target;  // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  sockaddr_in peer{};

  // The first header named `name` (any case), or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  // 64 KiB: three times the largest EFS request (a 20,000-character policy); so 1024
  // connections hold at most 64 MiB of bodies.
  size_t max_body_bytes = 64 << 10;
  size_t max_header_bytes = 16 << 10;
  size_t max_connections = 1024;
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  int threads = 4;
};

class HttpServer {
 public:
  // Listens on `address` ("IP:PORT"; port 0 picks a free one) and serves with `handler`.
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& address,
                                                   ServerOptions options, Handler handler);
  virtual ~HttpServer() = default;

  // The address and port it listens on ("127.0.0.1:2099").
  virtual std::string address() const = 0;
  virtual uint16_t port() const = 0;
  // Connections open now.
  virtual size_t connections() const = 0;
  // Stops accepting, closes every connection, joins the threads. Idempotent.
  virtual void Stop() = 0;
};

// Splits "IP:PORT" (IPv4); false if it is not one.
bool ParseListenAddress(const std::string& address, std::string* ip, uint16_t* port);

}  // namespace efs::http

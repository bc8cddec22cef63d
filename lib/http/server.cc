// HttpServer on Boost.Beast (see server.h). Each connection is a Session on a strand of its
// own; the io_context runs on options.threads threads, which also run the handler.
#include "http/server.h"

#include <arpa/inet.h>
#include <strings.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>

#include "base/log.h"
#include "base/macros.h"

namespace efs::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Impl;

// One connection: read a request, answer it, again while the client keeps it alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl* server);
  ~Session();
  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read();
  void OnRead(beast::error_code ec);
  // Sends `response` (but its body, if it answers a HEAD); closes afterwards unless
  // `keep_alive`.
  void Send(Response response, bool keep_alive, bool head = false);
  void Close();

  beast::tcp_stream stream_;
  Impl* const server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  sockaddr_in peer_{};
};

class Impl final : public HttpServer {
 public:
  Impl(ServerOptions options, Handler handler)
      : options_(options), handler_(std::move(handler)), acceptor_(net::make_strand(ioc_)) {}
  ~Impl() override { Stop(); }

  Status Listen(const std::string& ip, uint16_t port) {
    beast::error_code ec;
    tcp::endpoint endpoint(net::ip::make_address(ip, ec), port);
    if (ec) return InvalidArgument("'" + ip + "' is not an IPv4 address");
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error(Code::kUnavailable, "HttpListenFailed",
                   "http: cannot listen on " + ip + ":" + std::to_string(port) + ": " +
                       ec.message());
    }
    bound_ = acceptor_.local_endpoint();
    Accept();
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return Status::Ok();
  }

  std::string address() const override {
    return bound_.address().to_string() + ":" + std::to_string(bound_.port());
  }
  uint16_t port() const override { return bound_.port(); }
  size_t connections() const override { return open_.load(); }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    ioc_.stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  std::atomic<size_t>& open() { return open_; }

 private:
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec != net::error::operation_aborted) EFS_LOG(kWarn) << "http: accept: " << ec.message();
      } else if (open_.load() >= options_.max_connections) {
        // Too many: a short answer, written at once (it fits any socket buffer), then gone.
        static constexpr char kBusy[] =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            "Connection: close\r\nContent-Length: 67\r\n\r\n"
            "{\"ErrorCode\":\"ServiceUnavailable\",\"Message\":\"too many connections\"}";
        s.non_blocking(true, ec);
        s.write_some(net::buffer(kBusy, sizeof(kBusy) - 1), ec);
        s.close(ec);
      } else {
        std::make_shared<Session>(std::move(s), this)->Start();
      }
      if (!stopped_) Accept();
    });
  }

  const ServerOptions options_;
  const Handler handler_;
  std::atomic<size_t> open_{0};
  std::atomic<bool> stopped_{false};
  net::io_context ioc_;  // after what sessions use: destroyed (with them) before it
  tcp::acceptor acceptor_;
  tcp::endpoint bound_;
  std::vector<std::thread> threads_;
};

Session::Session(tcp::socket socket, Impl* server) : stream_(std::move(socket)), server_(server) {
  server_->open().fetch_add(1);
  beast::error_code ec;
  tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
  if (!ec && remote.address().is_v4()) {
    peer_.sin_family = AF_INET;
    peer_.sin_port = htons(remote.port());
    peer_.sin_addr.s_addr = htonl(remote.address().to_v4().to_uint());
  }
}

Session::~Session() { server_->open().fetch_sub(1); }

void Session::Read() {
  parser_.emplace();
  parser_->body_limit(server_->options().max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(server_->options().max_header_bytes));
  // The whole request (or, between requests, the wait for it) within the timeout.
  stream_.expires_after(server_->options().request_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->OnRead(ec);
                    });
}

Response ErrorResponse(int status, const std::string& code, const std::string& message) {
  return Response{status,
                  {{"Content-Type", "application/json"}, {"x-amzn-ErrorType", code}},
                  "{\"ErrorCode\":\"" + code + "\",\"Message\":\"" + message + "\"}"};
}

void Session::OnRead(beast::error_code ec) {
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
      ec == net::error::operation_aborted || ec == net::error::connection_reset) {
    return Close();  // gone, idle too long or too slow: nothing to answer
  }
  if (ec == bhttp::error::body_limit) {
    return Send(ErrorResponse(413, "RequestEntityTooLarge",
                              "the body is over " +
                                  std::to_string(server_->options().max_body_bytes) + " bytes"),
                false);
  }
  if (ec == bhttp::error::header_limit) {
    return Send(ErrorResponse(431, "RequestHeaderFieldsTooLarge",
                              "the headers are over " +
                                  std::to_string(server_->options().max_header_bytes) + " bytes"),
                false);
  }
  if (ec) return Send(ErrorResponse(400, "BadRequest", "not an HTTP/1.1 request"), false);

  bhttp::request<bhttp::string_body> req = parser_->release();
  Request request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  for (const auto& field : req) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(req.body());
  request.peer = peer_;
  stream_.expires_never();
  Response response = server_->handler()(request);
  Send(std::move(response), req.keep_alive(), req.method() == bhttp::verb::head);
}

void Session::Send(Response response, bool keep_alive, bool head) {
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(response.status));
  for (auto& [name, value] : response.headers) response_.set(name, value);
  response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive);
  response_.prepare_payload();
  if (head) response_.body().clear();  // RFC 9110 s9.3.2: the GET's headers, no content
  stream_.expires_after(server_->options().request_timeout);  // a reader too slow is dropped
  bhttp::async_write(stream_, response_,
                     [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                       if (ec || !keep_alive) return self->Close();
                       self->Read();  // bytes of a pipelined request stay in buffer_
                     });
}

void Session::Close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace

const std::string* Request::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n.size() == name.size() && ::strncasecmp(n.data(), name.data(), n.size()) == 0) return &v;
  }
  return nullptr;
}

bool ParseListenAddress(const std::string& address, std::string* ip, uint16_t* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= address.size()) return false;
  in_addr parsed{};
  *ip = address.substr(0, colon);
  if (::inet_pton(AF_INET, ip->c_str(), &parsed) != 1) return false;
  unsigned long value = 0;
  for (char c : address.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 65535) return false;
  }
  *port = static_cast<uint16_t>(value);
  return true;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address,
                                                      ServerOptions options, Handler handler) {
  std::string ip;
  uint16_t port = 0;
  if (!ParseListenAddress(address, &ip, &port)) {
    return InvalidArgument("'" + address + "' is not IPv4-ADDRESS:PORT");
  }
  auto server = std::make_unique<Impl>(options, std::move(handler));
  EFS_RETURN_IF_ERROR(server->Listen(ip, port));
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace efs::http

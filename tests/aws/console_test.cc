// The web console through the endpoint: GET / and /console/ serve the embedded files unsigned,
// with their types, ETags and a Content-Security-Policy; "/" with a query, and POST /, are
// still EC2's Query API, which wants a signature.
#include "aws/console.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "aws/endpoint.h"
#include "control/control_test_env.h"

namespace efs::aws {
namespace {

class ConsoleTest : public control::testing::ControlTest {
 protected:
  void SetUp() override {
    ControlTest::SetUp();
    endpoint_ = std::make_unique<Endpoint>(control.get());
  }

  // An unsigned request, as a browser sends it.
  http::Response Get(const std::string& target, const std::string& method = "GET",
                     const std::string& if_none_match = "") {
    http::Request request;
    request.method = method;
    request.target = target;
    request.headers = {{"Host", "127.0.0.1:2099"}};
    if (!if_none_match.empty()) request.headers.emplace_back("If-None-Match", if_none_match);
    return endpoint_->Handle(request);
  }

  static std::string HeaderOf(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  std::unique_ptr<Endpoint> endpoint_;
};

TEST_F(ConsoleTest, SlashIsThePageWithAPolicyThatAllowsOnlyEfsdItself) {
  http::Response page = Get("/");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(HeaderOf(page, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<title>efsd console</title>"), std::string::npos);
  EXPECT_NE(page.body.find("src=\"/console/console.js\""), std::string::npos);
  const std::string policy = HeaderOf(page, "Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("script-src 'self';"), std::string::npos) << policy;
  EXPECT_NE(policy.find("connect-src 'self';"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("unsafe"), std::string::npos) << policy;
  EXPECT_EQ(HeaderOf(page, "X-Content-Type-Options"), "nosniff");
  // No inline script or style, and nothing from another host.
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);
  EXPECT_EQ(page.body.find("<style"), std::string::npos);
  EXPECT_EQ(page.body.find("style=\""), std::string::npos);
  EXPECT_EQ(page.body.find("//"), std::string::npos);
}

TEST_F(ConsoleTest, EveryEmbeddedFileIsServedWithItsTypeAndAnETag) {
  const std::map<std::string, std::string> types = {
      {"console.html", "text/html; charset=utf-8"},
      {"console.css", "text/css; charset=utf-8"},
      {"console.js", "text/javascript; charset=utf-8"},
      {"vendor/uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8"},
      {"vendor/uplot/uPlot.min.css", "text/css; charset=utf-8"},
      {"vendor/uplot/LICENSE", "text/plain; charset=utf-8"}};
  ASSERT_EQ(WebFiles().size(), types.size());
  for (const WebFile& file : WebFiles()) {
    SCOPED_TRACE(file.path);
    http::Response r = Get("/console/" + std::string(file.path));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(HeaderOf(r, "Content-Type"), types.at(std::string(file.path)));
    EXPECT_EQ(r.body, std::string(reinterpret_cast<const char*>(file.data), file.size));
    EXPECT_EQ(HeaderOf(r, "ETag"), "\"" + std::string(file.sha256.substr(0, 32)) + "\"");
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
    EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
  }
  EXPECT_EQ(Get("/console/console.js?v=2").status, 200);
}

TEST_F(ConsoleTest, AMatchingETagIsNotModifiedAndHeadHasTheHeadersOfGet) {
  http::Response page = Get("/");
  const std::string etag = HeaderOf(page, "ETag");
  http::Response again = Get("/", "GET", "\"other\", " + etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(HeaderOf(again, "ETag"), etag);
  EXPECT_EQ(Get("/", "GET", "\"other\"").status, 200);

  // The HTTP server drops a HEAD's body, after counting it in Content-Length.
  http::Response head = Get("/console/console.css", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(HeaderOf(head, "Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(head.body, Get("/console/console.css").body);
  EXPECT_EQ(Get("/", "HEAD").status, 200);
}

TEST_F(ConsoleTest, UnknownFilesAreNotFoundAndOnlyGetAndHeadAreAllowed) {
  EXPECT_EQ(Get("/console/nothing.js").status, 404);
  EXPECT_EQ(Get("/console/").status, 404);
  EXPECT_EQ(Get("/console/../console.js").status, 404);
  EXPECT_EQ(Get("/console/vendor/uplot").status, 404);
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    SCOPED_TRACE(method);
    http::Response refused = Get("/console/console.js", method);
    EXPECT_EQ(refused.status, 405);
    EXPECT_EQ(HeaderOf(refused, "Allow"), "GET, HEAD");
  }
}

TEST_F(ConsoleTest, SlashWithAQueryAndPostToSlashAreStillEcTwoAndWantASignature) {
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/?Action=DescribeVpcs"}, {"GET", "/?"}, {"POST", "/"}, {"HEAD", "/?x"}}) {
    SCOPED_TRACE(method + " " + target);
    http::Response r = Get(target, method);
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("<Code>MissingAuthenticationToken</Code>"), std::string::npos) << r.body;
  }
  // The API stays signed.
  http::Response api = Get("/2015-02-01/file-systems");
  EXPECT_EQ(api.status, 403);
  EXPECT_EQ(HeaderOf(api, "x-amzn-ErrorType"), "MissingAuthenticationToken");
}

}  // namespace
}  // namespace efs::aws

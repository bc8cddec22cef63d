// SigV4: what efsd signs it verifies, a change to any signed part or a wrong key fails with
// AWS's error, and requests signed by botocore (Debian's python3-botocore, the signer of the
// aws cli and boto3) verify.
#include "http/sigv4.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testutil/subprocess.h"

namespace efs::http {
namespace {

using std::chrono::system_clock;

const std::string kKeyId = "AKIAEFSDTESTKEY00001";
const std::string kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

std::optional<std::string> Secrets(const std::string& id) {
  if (id == kKeyId) return kSecret;
  return std::nullopt;
}

// 2026-12-07T19:24:49Z
const system_clock::time_point kNow = system_clock::from_time_t(1796671489);

SignedRequest Signed(system_clock::time_point at = kNow, const std::string& secret = kSecret) {
  SignedRequest r;
  r.method = "POST";
  r.target = "/2015-02-01/resource-tags/arn%3Aaws%3Aelasticfilesystem%3Alocal-1%3A0%3Afile-system"
             "%2Ffs-0123?tagKeys=a%20b&MaxResults=5&tagKeys=K";
  r.headers = {{"Host", "127.0.0.1:2099"}, {"Content-Type", "application/json"}};
  r.body = R"({"Tags":[{"Key":"Name","Value":"x"}]})";
  Sign(&r, Signer{kKeyId, "", "us-east-1", "elasticfilesystem"}, secret, at);
  return r;
}

std::string ReasonOf(const SignedRequest& r, system_clock::time_point now = kNow) {
  Result<Signer> v = Verify(r, Secrets, now);
  return v.ok() ? "ok" : v.status().reason();
}

TEST(SigV4, WhatIsSignedVerifiesAndNamesItsSigner) {
  Result<Signer> v = Verify(Signed(), Secrets, kNow);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->access_key_id, kKeyId);
  EXPECT_EQ(v->date, "20261207");
  EXPECT_EQ(v->region, "us-east-1");
  EXPECT_EQ(v->service, "elasticfilesystem");
}

TEST(SigV4, AnyChangeToWhatWasSignedFails) {
  std::string body = R"({"Tags":[{"Key":"Name","Value":"y"}]})";
  SignedRequest r = Signed();
  r.body = body;
  EXPECT_EQ(ReasonOf(r), "SignatureDoesNotMatch") << "body";
  r = Signed();
  r.target.replace(r.target.find("MaxResults=5"), 12, "MaxResults=6");
  EXPECT_EQ(ReasonOf(r), "SignatureDoesNotMatch") << "query";
  r = Signed();
  r.target.replace(r.target.find("fs-0123"), 7, "fs-0124");
  EXPECT_EQ(ReasonOf(r), "SignatureDoesNotMatch") << "path";
  r = Signed();
  r.method = "DELETE";
  EXPECT_EQ(ReasonOf(r), "SignatureDoesNotMatch") << "method";
  r = Signed();
  r.headers[0].second = "127.0.0.2:2099";
  EXPECT_EQ(ReasonOf(r), "SignatureDoesNotMatch") << "host";
  // What is not signed may change: an added header, the order of the query.
  r = Signed();
  r.headers.emplace_back("User-Agent", "curl/7.88");
  r.target = "/2015-02-01/resource-tags/arn%3Aaws%3Aelasticfilesystem%3Alocal-1%3A0%3Afile-system"
             "%2Ffs-0123?MaxResults=5&tagKeys=K&tagKeys=a%20b";
  EXPECT_EQ(ReasonOf(r), "ok");
}

TEST(SigV4, UnsignedUnknownWrongAndMalformedGetAwsErrors) {
  SignedRequest r = Signed();
  r.headers.erase(r.headers.end() - 1);  // Authorization
  EXPECT_EQ(ReasonOf(r), "MissingAuthenticationToken");
  EXPECT_EQ(Verify(r, Secrets, kNow).status().code(), Code::kPermissionDenied);

  EXPECT_EQ(ReasonOf(Signed(kNow, "not-the-secret")), "SignatureDoesNotMatch");

  r = Signed();
  std::string& auth = r.headers.back().second;
  auth.replace(auth.find(kKeyId), kKeyId.size(), "AKIANOSUCHKEY0000000");
  EXPECT_EQ(ReasonOf(r), "InvalidClientTokenId");

  for (const char* bad : {"AWS4-HMAC-SHA256", "Basic dXNlcjpwYXNz",
                          "AWS4-HMAC-SHA256 Credential=AKIAEFSDTESTKEY00001/20261207/us-east-1/"
                          "elasticfilesystem/aws4_request, SignedHeaders=host;x-amz-date",
                          "AWS4-HMAC-SHA256 Credential=AKIAEFSDTESTKEY00001/20261207, "
                          "SignedHeaders=host;x-amz-date, Signature=00"}) {
    r = Signed();
    r.headers.back().second = bad;
    EXPECT_EQ(ReasonOf(r), "IncompleteSignature") << bad;
  }
  // Host must be signed.
  r = Signed();
  std::string& a = r.headers.back().second;
  a.replace(a.find("SignedHeaders=content-type;host;"), 32, "SignedHeaders=content-type;");
  EXPECT_EQ(ReasonOf(r), "IncompleteSignature");
}

TEST(SigV4, ATimeOutsideFifteenMinutesIsExpiredOrNotYetCurrent) {
  EXPECT_EQ(ReasonOf(Signed(), kNow + std::chrono::minutes(14)), "ok");
  EXPECT_EQ(ReasonOf(Signed(), kNow - std::chrono::minutes(14)), "ok");
  Result<Signer> late = Verify(Signed(), Secrets, kNow + std::chrono::minutes(16));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().reason(), "SignatureDoesNotMatch");
  EXPECT_NE(late.status().message().find("Signature expired"), std::string::npos);
  Result<Signer> early = Verify(Signed(), Secrets, kNow - std::chrono::minutes(16));
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.status().message().find("not yet current"), std::string::npos);

  // A replay verifies as AWS's does, until the window closes on it: 15 minutes, no longer.
  SignedRequest replayed = Signed();
  EXPECT_EQ(ReasonOf(replayed), "ok");
  EXPECT_EQ(ReasonOf(replayed, kNow + std::chrono::minutes(5)), "ok");
  EXPECT_EQ(ReasonOf(replayed, kNow + std::chrono::minutes(16)), "SignatureDoesNotMatch");

  // A date that is not ISO 8601 basic format, or that the credential scope does not name.
  for (const char* bad : {"2026-12-07T19:24:49Z", "20261207T192449", "20261341T192449Z", "", "x"}) {
    SignedRequest r = Signed();
    for (auto& [name, value] : r.headers) {
      if (name == "X-Amz-Date") value = bad;
    }
    EXPECT_EQ(ReasonOf(r), "IncompleteSignature") << bad;
  }
  SignedRequest other_day = Signed();
  for (auto& [name, value] : other_day.headers) {
    if (name == "X-Amz-Date") value = "20261208T192449Z";
  }
  EXPECT_EQ(ReasonOf(other_day, kNow + std::chrono::hours(24)), "SignatureDoesNotMatch");
}

TEST(SigV4, CanonicalFormsFollowTheSpec) {
  EXPECT_EQ(UriEncode("a b/c~d_e.f-g:h", false), "a%20b%2Fc~d_e.f-g%3Ah");
  EXPECT_EQ(UriEncode("/x%3Ay", true), "/x%253Ay");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(AmzDate(kNow), "20261207T192449Z");
  SignedRequest r;
  r.method = "GET";
  r.target = "/p?b=2&a=%7e&a=1&c";
  r.headers = {{"Host", " h  "}, {"X-Amz-Date", "20261207T192449Z"}, {"X-Amz-Meta", " a   b "},
               {"x-amz-meta", "c"}};
  EXPECT_EQ(CanonicalRequest(r, "host;x-amz-date;x-amz-meta"),
            "GET\n/p\na=1&a=~&b=2&c=\nhost:h\nx-amz-date:20261207T192449Z\nx-amz-meta:a b,c\n\n"
            "host;x-amz-date;x-amz-meta\n" +
                Sha256Hex(""));
}

TEST(SigV4, FormsSplitAtAmpersandsAndTheFirstEqualsAndDecodePlusAsSpace) {
  std::vector<FormField> fields = SplitForm("a=1&&b=&c&d=x=y&e=%zz");
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0].name, "a");
  EXPECT_EQ(fields[0].value, "1");
  EXPECT_EQ(fields[1].name, "b");
  EXPECT_EQ(fields[1].value, "");
  EXPECT_EQ(fields[2].name, "c");
  EXPECT_EQ(fields[3].value, "x=y");
  EXPECT_EQ(fields[4].value, "%zz");  // split, not decoded
  EXPECT_TRUE(SplitForm("").empty());

  auto pairs = ParseForm("Action=DescribeVpcs&Filter.1.Name=tag%3AName&v=a+b%2Bc&empty");
  ASSERT_TRUE(pairs.has_value());
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(*pairs, (Pairs{{"Action", "DescribeVpcs"},
                           {"Filter.1.Name", "tag:Name"},
                           {"v", "a b+c"},
                           {"empty", ""}}));
  EXPECT_FALSE(ParseForm("a=%zz").has_value());
  EXPECT_FALSE(ParseForm("%4=1").has_value());
}

// botocore signs; efsd verifies. Debian's python3-botocore (scripts/install-deps).
TEST(SigV4, RequestsSignedByBotocoreVerify) {
  const char* script = R"PY(
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, body, service = sys.argv[1], sys.argv[2], sys.argv[3]
req = AWSRequest(method='POST', url=url, data=body.encode(),
                 headers={'Content-Type': 'application/x-amz-json-1.1'})
SigV4Auth(Credentials(sys.argv[4], sys.argv[5]), service, 'eu-west-3').add_auth(req)
print(json.dumps(dict(req.headers.items())))
)PY";
  const std::string host = "127.0.0.1:2099";
  const std::string path =
      "/2015-02-01/resource-tags/arn%3Aaws%3Aelasticfilesystem%3Alocal-1%3A0%3Afile-system"
      "%2Ffs-0123?tagKeys=a%20b&MaxResults=5&tagKeys=K%2BL";
  const std::string body = R"({"Tags":[{"Key":"Name","Value":"caf\u00e9 ~ +"}]})";
  for (const char* service : {"elasticfilesystem", "ec2"}) {
    testutil::RunResult run = testutil::Run({"/usr/bin/python3", "-c", script,
                                             "http://" + host + path, body, service, kKeyId,
                                             kSecret});
    ASSERT_EQ(run.rc, 0) << "botocore signs (python3-botocore, scripts/install-deps): " << run.err;
    nlohmann::json headers = nlohmann::json::parse(run.out);
    SignedRequest r;
    r.method = "POST";
    r.target = path;
    r.body = body;
    r.headers.emplace_back("Host", host);  // what an HTTP client sends
    for (const auto& [name, value] : headers.items()) r.headers.emplace_back(name, value);
    Result<Signer> v = Verify(r, Secrets, system_clock::now());
    ASSERT_TRUE(v.ok()) << v.status().ToString() << "\n" << run.out;
    EXPECT_EQ(v->service, service);
    EXPECT_EQ(v->region, "eu-west-3");
    r.body = body + " ";
    EXPECT_EQ(ReasonOf(r, system_clock::now()), "SignatureDoesNotMatch");
  }
}

}  // namespace
}  // namespace efs::http

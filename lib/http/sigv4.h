// Signature Version 4: how AWS clients (aws cli, boto3, the SDKs) sign every request, and how
// efsd checks it.
//
// A signed request carries, in its Authorization header,
//
//   AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/elasticfilesystem/aws4_request,
//                    SignedHeaders=host;x-amz-date, Signature=<64 hex digits>
//
// and its time in X-Amz-Date (20261207T192449Z). The signature is an HMAC-SHA256, under a key
// derived from the secret, the date, the region and the service, of a digest of the canonical
// request: the method, the path (each byte outside A-Z a-z 0-9 - . _ ~ / percent-encoded), the
// query parameters sorted and encoded the same way, the signed headers (lowercase names, values
// trimmed with inner runs of spaces made one, sorted) and the SHA-256 of the body. Whoever holds
// the secret computes the same signature; anyone else cannot, and a changed byte of what was
// signed changes it.
//
// Errors (Status reasons, as AWS names them): MissingAuthenticationToken (nothing signed),
// IncompleteSignature (an Authorization header that does not parse or lacks a part),
// InvalidClientTokenId (an access key id that is not known), SignatureDoesNotMatch (a wrong
// signature, or a time outside the skew window: "Signature expired"). All are
// kPermissionDenied but IncompleteSignature (kInvalidArgument).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace efs::http {

// How far a request's time may be from efsd's, either way (AWS allows 15 minutes).
inline constexpr std::chrono::minutes kMaxClockSkew{15};

// What SigV4 covers of an HTTP request.
struct SignedRequest {
  std::string method;  // "GET"
  std::string target;  // the path and query as sent: "/2015-02-01/file-systems?MaxItems=10"
  std::vector<std::pair<std::string, std::string>> headers;  // as received, any case
  std::string_view body;
};

// The parts of a request's credential scope, and who signed it.
struct Signer {
  std::string access_key_id;
  std::string date;     // 20261207
  std::string region;   // us-east-1
  std::string service;  // elasticfilesystem
};

// The secret of an access key id, or nullopt if there is no such key.
using SecretLookup = std::function<std::optional<std::string>(const std::string& access_key_id)>;

// Checks the request's signature at time `now`; returns who signed it.
Result<Signer> Verify(const SignedRequest& request, const SecretLookup& secret_of,
                      std::chrono::system_clock::time_point now);

// Signs `request` as `signer` with `secret` at time `now`: adds X-Amz-Date and Authorization
// headers (signing Host, X-Amz-Date and every x-amz-* header present). For efsd's own clients
// and tests.
void Sign(SignedRequest* request, const Signer& signer, const std::string& secret,
          std::chrono::system_clock::time_point now);

// The pieces, exposed for tests.
std::string Sha256Hex(std::string_view data);
// Decodes %XX escapes ('+' too, as a space, if `plus_is_space`: a form or query value);
// nullopt if an escape is not two hex digits.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);
// One name=value pair of a query or form string, still encoded.
struct FormField {
  std::string_view name;
  std::string_view value;  // empty if the pair had no '='
};
// Splits "a=1&b=&c" at each '&' and the first '=' of each part; empty parts are skipped and
// nothing is decoded. The fields view `encoded`.
std::vector<FormField> SplitForm(std::string_view encoded);
// The decoded pairs of a query or form string ('+' is a space), in order; nullopt if an escape
// is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(
    std::string_view encoded);
// RFC 3986 encoding of everything but unreserved characters (and '/' if `keep_slash`).
std::string UriEncode(std::string_view s, bool keep_slash);
// The canonical request of `request` signing the headers named in `signed_headers` (lowercase,
// sorted, ';'-separated).
std::string CanonicalRequest(const SignedRequest& request, std::string_view signed_headers);
// "20261207T192449Z"
std::string AmzDate(std::chrono::system_clock::time_point t);

}  // namespace efs::http

// Signature Version 4 (see sigv4.h).
#include "http/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "base/macros.h"

namespace efs::http {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";

Status Denied(const char* reason, std::string message) {
  return Status(Code::kPermissionDenied, reason, std::move(message));
}

Status Incomplete(std::string message) {
  return Status(Code::kInvalidArgument, "IncompleteSignature", std::move(message));
}

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A header value as SigV4 signs it: trimmed, each run of spaces made one.
std::string CanonicalValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : Trim(value)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The lowercase headers of `request`, repeated ones joined by commas.
std::map<std::string, std::string> HeaderMap(const SignedRequest& request) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    std::string& v = headers[Lower(name)];
    if (!v.empty()) v += ',';
    v += CanonicalValue(value);
  }
  return headers;
}

std::string Scope(const Signer& s) {
  return s.date + "/" + s.region + "/" + s.service + "/" + std::string(kTerminator);
}

std::string Signature(const SignedRequest& request, std::string_view signed_headers,
                      const Signer& signer, const std::string& amz_date,
                      const std::string& secret) {
  const std::string string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" +
                                     Scope(signer) + "\n" +
                                     Sha256Hex(CanonicalRequest(request, signed_headers));
  std::string key = Hmac("AWS4" + secret, signer.date);
  key = Hmac(key, signer.region);
  key = Hmac(key, signer.service);
  key = Hmac(key, kTerminator);
  const std::string mac = Hmac(key, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

std::optional<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  auto num = [&](size_t at, size_t n) { return std::stoi(std::string(s.substr(at, n))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

// The parts of an Authorization header.
struct Authorization {
  std::string credential;
  std::string signed_headers;
  std::string signature;
};

Result<Authorization> ParseAuthorization(std::string_view value) {
  value = Trim(value);
  if (value.substr(0, kAlgorithm.size()) != kAlgorithm ||
      (value.size() > kAlgorithm.size() && value[kAlgorithm.size()] != ' ')) {
    return Incomplete("Unsupported Authorization Type");
  }
  value.remove_prefix(kAlgorithm.size());
  Authorization auth;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view part = Trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return Incomplete("Authorization header requires each component to be of the form key=value");
    }
    std::string_view key = part.substr(0, eq);
    std::string_view v = part.substr(eq + 1);
    if (key == "Credential") auth.credential = v;
    if (key == "SignedHeaders") auth.signed_headers = v;
    if (key == "Signature") auth.signature = v;
  }
  std::string missing;
  if (auth.credential.empty()) missing += " Authorization header requires 'Credential' parameter.";
  if (auth.signed_headers.empty()) {
    missing += " Authorization header requires 'SignedHeaders' parameter.";
  }
  if (auth.signature.empty()) missing += " Authorization header requires 'Signature' parameter.";
  if (!missing.empty()) return Incomplete(missing.substr(1));
  return auth;
}

std::string Date8(std::chrono::system_clock::time_point t) { return AmzDate(t).substr(0, 8); }

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, EVP_sha256(), nullptr);
  return Hex(out, n);
}

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexDigit(s[i + 1]);
      int lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += plus_is_space && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::vector<FormField> SplitForm(std::string_view encoded) {
  std::vector<FormField> fields;
  while (!encoded.empty()) {
    const size_t amp = encoded.find('&');
    std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view() : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    fields.push_back(FormField{pair.substr(0, eq), eq == std::string_view::npos
                                                       ? std::string_view()
                                                       : pair.substr(eq + 1)});
  }
  return fields;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(
    std::string_view encoded) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const FormField& field : SplitForm(encoded)) {
    std::optional<std::string> name = PercentDecode(field.name, true);
    std::optional<std::string> value = PercentDecode(field.value, true);
    if (!name || !value) return std::nullopt;
    pairs.emplace_back(std::move(*name), std::move(*value));
  }
  return pairs;
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out;
}

std::string CanonicalRequest(const SignedRequest& request, std::string_view signed_headers) {
  std::string_view target = request.target;
  const size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);

  std::vector<std::pair<std::string, std::string>> params;
  for (const FormField& field : SplitForm(query)) {
    // SigV4 decodes and encodes again; a malformed escape is signed as it was sent.
    std::string k = PercentDecode(field.name, false).value_or(std::string(field.name));
    std::string v = PercentDecode(field.value, false).value_or(std::string(field.value));
    params.emplace_back(UriEncode(k, false), UriEncode(v, false));
  }
  std::sort(params.begin(), params.end());
  std::string canonical_query;
  for (const auto& [k, v] : params) {
    if (!canonical_query.empty()) canonical_query += '&';
    canonical_query += k + "=" + v;
  }

  const std::map<std::string, std::string> headers = HeaderMap(request);
  std::string canonical_headers;
  std::string_view names = signed_headers;
  while (!names.empty()) {
    size_t semi = names.find(';');
    std::string name(names.substr(0, semi));
    names = semi == std::string_view::npos ? std::string_view() : names.substr(semi + 1);
    auto it = headers.find(name);
    canonical_headers += name + ":" + (it == headers.end() ? std::string() : it->second) + "\n";
  }

  return request.method + "\n" + UriEncode(path.empty() ? "/" : path, true) + "\n" +
         canonical_query + "\n" + canonical_headers + "\n" + std::string(signed_headers) + "\n" +
         Sha256Hex(request.body);
}

std::string AmzDate(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Result<Signer> Verify(const SignedRequest& request, const SecretLookup& secret_of,
                      std::chrono::system_clock::time_point now) {
  const std::map<std::string, std::string> headers = HeaderMap(request);
  auto header = [&](const char* name) -> const std::string* {
    auto it = headers.find(name);
    return it == headers.end() ? nullptr : &it->second;
  };
  const std::string* authorization = header("authorization");
  if (authorization == nullptr) {
    return Denied("MissingAuthenticationToken", "Missing Authentication Token");
  }
  EFS_ASSIGN_OR_RETURN(Authorization auth, ParseAuthorization(*authorization));

  // Credential=AKID/date/region/service/aws4_request
  std::vector<std::string> scope;
  for (std::string_view rest = auth.credential;;) {
    size_t slash = rest.find('/');
    scope.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (scope.size() != 5 || scope[4] != kTerminator || scope[0].empty()) {
    return Incomplete("Credential should be AKID/date/region/service/aws4_request; got '" +
                      auth.credential + "'");
  }
  Signer signer{scope[0], scope[1], scope[2], scope[3]};

  const std::string* amz_date = header("x-amz-date");
  if (amz_date == nullptr) {
    return Incomplete("Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  std::optional<std::chrono::system_clock::time_point> when = ParseAmzDate(*amz_date);
  if (!when) {
    return Incomplete("Date must be in ISO-8601 'basic format', as 20261207T192449Z; got '" +
                      *amz_date + "'");
  }
  std::string names = ";" + auth.signed_headers + ";";
  if (names.find(";host;") == std::string::npos) {
    return Incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }

  std::optional<std::string> secret = secret_of(signer.access_key_id);
  if (!secret) {
    return Denied("InvalidClientTokenId",
                  "The security token included in the request is invalid.");
  }
  if (signer.date != amz_date->substr(0, 8)) {
    return Denied("SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD "
                                           "from ISO-8601 version of date from HTTP: '" +
                                               signer.date + "' != '" + amz_date->substr(0, 8) +
                                               "'");
  }
  if (*when < now - kMaxClockSkew) {
    return Denied("SignatureDoesNotMatch", "Signature expired: " + *amz_date +
                                               " is now earlier than " +
                                               AmzDate(now - kMaxClockSkew) + " (" +
                                               AmzDate(now) + " - 15 min.)");
  }
  if (*when > now + kMaxClockSkew) {
    return Denied("SignatureDoesNotMatch", "Signature not yet current: " + *amz_date +
                                               " is still later than " +
                                               AmzDate(now + kMaxClockSkew) + " (" +
                                               AmzDate(now) + " + 15 min.)");
  }
  const std::string expected =
      Signature(request, auth.signed_headers, signer, *amz_date, *secret);
  if (auth.signature.size() != expected.size() ||
      CRYPTO_memcmp(auth.signature.data(), expected.data(), expected.size()) != 0) {
    return Denied("SignatureDoesNotMatch",
                  "The request signature we calculated does not match the signature you "
                  "provided. Check your AWS Secret Access Key and signing method.");
  }
  return signer;
}

void Sign(SignedRequest* request, const Signer& signer, const std::string& secret,
          std::chrono::system_clock::time_point now) {
  const std::string amz_date = AmzDate(now);
  request->headers.emplace_back("X-Amz-Date", amz_date);
  Signer scoped = signer;
  scoped.date = Date8(now);
  std::vector<std::string> names;
  for (const auto& [name, value] : request->headers) {
    std::string lower = Lower(name);
    if (lower == "host" || lower == "content-type" || lower.rfind("x-amz-", 0) == 0) {
      names.push_back(lower);
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_headers;
  for (const std::string& n : names) signed_headers += (signed_headers.empty() ? "" : ";") + n;
  const std::string signature = Signature(*request, signed_headers, scoped, amz_date, secret);
  request->headers.emplace_back("Authorization", std::string(kAlgorithm) +
                                                     " Credential=" + scoped.access_key_id + "/" +
                                                     Scope(scoped) + ", SignedHeaders=" +
                                                     signed_headers + ", Signature=" + signature);
}

}  // namespace efs::http

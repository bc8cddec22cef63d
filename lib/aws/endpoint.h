// Endpoint: efsd's API as AWS serves it over HTTP, for clients written against AWS (the aws
// cli, boto3, Ansible's community.aws).
//
// Every request must be signed with SigV4 (http/sigv4.h) by an access key of efsd's
// (ControlPlane::CreateAccessKey); it then runs as the key's local user, through the same
// action table (control::Dispatch) and permission rules as the Unix socket, so the endpoint,
// the socket and `efs` return the same objects. The EFS API 2015-02-01 is REST-JSON: an action
// is a method and a path under /2015-02-01/ (path and query parameters, a JSON body), answered
// with AWS's status codes, and errors as {"ErrorCode", "Message"} with x-amzn-ErrorType.
// The route table (endpoint.cc) is the one list of what is served. At "/", EC2's Query API
// answers the describe actions of ec2_query.h.
//
// GET /metrics, unsigned as Prometheus scrapes, answers every file system's live metrics in the
// Prometheus text format (metrics/prometheus.h), when the endpoint has a metrics source.
// GET / (with no query string) and /console/... serve the web console, unsigned (console.h).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "control/control_plane.h"
#include "http/server.h"
#include "metrics/counters.h"

namespace efs::aws {

class Endpoint {
 public:
  using Now = std::function<std::chrono::system_clock::time_point()>;
  // `control` must outlive the endpoint. `now` is the clock signatures are checked against.
  // The live metrics of every file system.
  using MetricsSource = std::function<Result<std::vector<metrics::Snapshot>>()>;
  explicit Endpoint(control::ControlPlane* control, Now now = std::chrono::system_clock::now,
                    MetricsSource metrics = nullptr);

  // Answers one request. Thread-safe.
  http::Response Handle(const http::Request& request) const;

  // The HTTP status AWS answers error `code` with (EFS-REFERENCE 1.6; IAM and SigV4 errors).
  static int StatusOf(const std::string& code);

 private:
  control::ControlPlane* const control_;
  const Now now_;
  const MetricsSource metrics_;
};

// GET /metrics alone, for a listener of its own (efsd --metrics-listen): the metrics as
// Endpoint serves them, and 404 for every other path.
http::Response ServeMetricsOnly(const Endpoint::MetricsSource& metrics,
                                const http::Request& request);

}  // namespace efs::aws

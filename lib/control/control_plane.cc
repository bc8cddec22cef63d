// ControlPlane::Open and the parts of CatalogControlPlane that belong to no action group:
// construction, the default network on first open, daemon status, paging markers.
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "base/log.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/errors.h"
#include "store/pg_db.h"

namespace efs::control {

Result<std::unique_ptr<ControlPlane>> ControlPlane::Open(const Options& options, const Clock* clock,
                                                         Endpoints* endpoints) {
  Options opts = options;
  if (opts.state_dir.empty() && opts.catalog_path.empty()) {
    return InvalidArgument("the control plane needs a state directory or a catalog path");
  }
  if (!opts.state_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opts.state_dir, ec);
    if (ec)
      return IOError("cannot create state directory '" + opts.state_dir + "': " + ec.message());
  }
  if (opts.catalog_path.empty()) opts.catalog_path = opts.state_dir + "/catalog.db";
  std::unique_ptr<store::Catalog> catalog;
  if (opts.postgres.empty()) {
    EFS_ASSIGN_OR_RETURN(catalog, store::Catalog::Open(opts.catalog_path));
  } else {
    EFS_ASSIGN_OR_RETURN(std::unique_ptr<store::Db> db,
                         store::OpenPostgres({opts.postgres, store::kCatalogSchema}));
    EFS_ASSIGN_OR_RETURN(catalog, store::Catalog::Open(std::move(db)));
  }
  auto control =
      std::make_unique<CatalogControlPlane>(std::move(opts), clock, endpoints, std::move(catalog));
  EFS_RETURN_IF_ERROR(control->Bootstrap());
  return std::unique_ptr<ControlPlane>(std::move(control));
}

CatalogControlPlane::CatalogControlPlane(Options options, const Clock* clock, Endpoints* endpoints,
                                         std::unique_ptr<store::Catalog> catalog)
    : ControlPlane(std::move(options)),
      clock_(clock),
      endpoints_(endpoints),
      zones_(ZonesOf(this->options().region)),
      catalog_(std::move(catalog)) {}

CatalogControlPlane::~CatalogControlPlane() { StopReconciler(); }

Status CatalogControlPlane::Bootstrap() {
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(std::optional<std::string> region, catalog_->GetSetting("region"));
    if (!region) {
      EFS_RETURN_IF_ERROR(catalog_->PutSetting("region", options().region));
    } else if (*region != options().region) {
      EFS_LOG(kWarn) << "catalog was created for region '" << *region << "', running as '"
                     << options().region << "'";
    }
    EFS_RETURN_IF_ERROR(SettleBackendLocked());
    return CreateDefaultNetworkLocked();
  });
}

Result<api::DaemonStatus> CatalogControlPlane::GetDaemonStatus() {
  api::DaemonStatus s;
  s.version = options().version;
  s.pid = static_cast<int>(getpid());
  s.start_time = options().start_time;
  s.state_dir = options().state_dir;
  s.socket = options().socket_path;
  s.http_endpoint = options().http_endpoint;
  s.metadata_engine = options().postgres.empty() ? "sqlite" : "postgresql";
  s.region = options().region;
  s.network_backend = network_backend();
  s.network_isolation = netns() ? "vpc" : "none";
  s.nfs_port = ListenPort();
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(s.file_system_count, catalog_->CountFileSystems());
  EFS_ASSIGN_OR_RETURN(s.mount_target_count, catalog_->CountMountTargets());
  return s;
}

Result<api::ClockReading> CatalogControlPlane::AdvanceClock(const api::AdvanceClockRequest& req) {
  constexpr double kMaxSeconds = 10 * 365 * 86400.0;
  if (!(req.seconds > 0 && req.seconds <= kMaxSeconds)) {
    return BadRequest("Seconds must be more than 0 and at most " +
                      std::to_string(static_cast<int64_t>(kMaxSeconds)) + " (10 years)");
  }
  return endpoints_->AdvanceClock(req.seconds);
}

Result<api::ClockReading> Endpoints::AdvanceClock(double) { return TestClockDisabled(); }

Result<std::shared_ptr<fs::FileSystem>> Endpoints::Store(const std::string& id) {
  return StoreUnavailable(id);
}

void Endpoints::LifecycleChanged(const std::string&) {}

void Endpoints::ThroughputChanged(const std::string&) {}

Result<api::BurstCreditBalance> Endpoints::SetBurstCredits(const std::string& id, double) {
  return StoreUnavailable(id);
}

Status Endpoints::ApplyVpc(const net::VpcSpec&, std::map<std::string, Status>*) {
  return Status::Ok();
}
Status Endpoints::RemoveVpc(const net::VpcSpec&) { return Status::Ok(); }
Status Endpoints::ReturnDevice(const std::string&, const std::string&) { return Status::Ok(); }
Status Endpoints::RemoveClientNetns(const std::string&) { return Status::Ok(); }
bool Endpoints::HostDeviceExists(const std::string&) { return true; }

std::string EncodeMarker(int64_t seq) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, static_cast<uint64_t>(seq));
  return buf;
}

bool DecodeMarker(const std::string& marker, int64_t* seq) {
  if (marker.size() != 16) return false;
  uint64_t value = 0;
  for (char c : marker) {
    int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    value = value * 16 + static_cast<uint64_t>(digit);
  }
  if (value > static_cast<uint64_t>(INT64_MAX)) return false;
  *seq = static_cast<int64_t>(value);
  return true;
}

Result<Page> ParsePage(const std::optional<int>& max_items,
                       const std::optional<std::string>& marker, int default_items) {
  Page page;
  page.max_items = max_items.value_or(default_items);
  if (page.max_items < 1 || page.max_items > 1000) {
    return BadRequest("MaxItems must be between 1 and 1000");
  }
  if (marker && !DecodeMarker(*marker, &page.from_seq)) {
    return BadRequest("marker '" + *marker + "' is not valid");
  }
  return page;
}

}  // namespace efs::control

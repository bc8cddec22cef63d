// Every file system's limits and metrics slot (see throttles.h).
#include "daemon/throttles.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "base/log.h"
#include "base/macros.h"
#include "control/errors.h"
#include "daemon/state_file.h"

namespace efs::daemon {
namespace {

// How often a balance is written to disk: a crash loses at most this much of its history.
constexpr std::chrono::seconds kSaveEvery{30};

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Every file system in the catalog, page by page.
Result<std::vector<api::FileSystemDescription>> AllFileSystems(control::ControlPlane& control) {
  std::vector<api::FileSystemDescription> all;
  api::DescribeFileSystemsRequest req;
  req.max_items = 1000;
  for (int page = 0; page < 1000; ++page) {
    EFS_ASSIGN_OR_RETURN(api::DescribeFileSystemsResponse r, control.DescribeFileSystems(req));
    for (api::FileSystemDescription& fs : r.file_systems) all.push_back(std::move(fs));
    if (!r.next_marker) break;
    req.marker = r.next_marker;
  }
  return all;
}

uint64_t Bytes(int64_t value) { return static_cast<uint64_t>(std::max<int64_t>(0, value)); }

bool operator!=(const qos::Settings& a, const qos::Settings& b) {
  return a.throughput != b.throughput || a.provisioned_mibps != b.provisioned_mibps ||
         a.performance != b.performance;
}

}  // namespace

qos::Settings SettingsOf(const api::FileSystemDescription& row) {
  qos::Settings s;
  s.throughput = row.throughput_mode == "provisioned" ? qos::ThroughputMode::kProvisioned
                 : row.throughput_mode == "elastic"   ? qos::ThroughputMode::kElastic
                                                      : qos::ThroughputMode::kBursting;
  s.provisioned_mibps = row.provisioned_throughput_in_mibps.value_or(0);
  s.performance = row.performance_mode == "maxIO" ? qos::PerformanceMode::kMaxIo
                                                  : qos::PerformanceMode::kGeneralPurpose;
  return s;
}

Throttles::Throttles(control::ControlPlane* control, std::string state_dir,
                     std::unique_ptr<metrics::Region> region)
    : control_(control), state_dir_(std::move(state_dir)), region_(std::move(region)) {}

Throttles::~Throttles() { Stop(); }

void Throttles::Start(Sources sources) {
  {
    MutexLock lock(&mu_);
    sources_ = std::move(sources);
  }
  Sample();
  Periodic::Options options;
  options.interval = std::chrono::seconds(1);
  thread_ = std::make_unique<Periodic>(options, [this] { Sample(); });
}

void Throttles::Stop() {
  thread_.reset();
  MutexLock lock(&mu_);
  for (auto& [fs_id, entry] : entries_) SaveCredits(fs_id, entry);
}

std::string Throttles::CreditsPath(const std::string& fs_id) const {
  return state_dir_ + "/fs/" + fs_id + "/burst-credits";
}

double Throttles::LoadCredits(const std::string& fs_id, uint64_t standard_bytes) const {
  std::ifstream in(CreditsPath(fs_id));
  double balance = 0, at = 0;
  if (!(in >> balance >> at) || !std::isfinite(balance) || !std::isfinite(at)) {
    return qos::kInitialCredits;  // a new file system (or one from before credits were kept)
  }
  qos::BurstCredits credits(at, balance);
  return credits.Spend(std::max(at, WallSeconds()), 0, standard_bytes);
}

void Throttles::SaveCredits(const std::string& fs_id, Entry& entry) {
  entry.saved = std::chrono::steady_clock::now();
  const std::string path = CreditsPath(fs_id);
  std::ostringstream text;
  text.precision(17);
  text << entry.qos->credits() << " " << WallSeconds() << "\n";
  Status saved = ReplaceFile(path, text.str());
  // No directory: the file system was deleted meanwhile, and its balance with it.
  if (!saved.ok() && std::filesystem::exists(std::filesystem::path(path).parent_path())) {
    EFS_LOG(kWarn) << "file system " << fs_id
                   << ": cannot save its burst credits: " << saved.ToString();
  }
}

Throttles::Entry& Throttles::Apply(const api::FileSystemDescription& row) {
  const qos::Settings settings = SettingsOf(row);
  auto it = entries_.find(row.file_system_id);
  if (it == entries_.end()) {
    Entry entry;
    entry.settings = settings;
    entry.standard_bytes = Bytes(row.size_in_bytes.value_in_standard);
    if (region_) entry.counters = region_->Claim(row.file_system_id);
    if (region_ && entry.counters == nullptr) {
      EFS_LOG(kWarn) << "file system " << row.file_system_id << ": no room for its counters in "
                     << region_->path();
    }
    entry.qos = std::make_unique<qos::FileSystemQos>(
        settings, LoadCredits(row.file_system_id, entry.standard_bytes), entry.counters);
    entry.qos->SetStandardBytes(entry.standard_bytes);
    entry.saved = std::chrono::steady_clock::now();
    it = entries_.emplace(row.file_system_id, std::move(entry)).first;
  } else if (it->second.settings != settings) {
    EFS_LOG(kInfo) << "file system " << row.file_system_id << ": throughput mode "
                   << row.throughput_mode << " from now on";
    it->second.settings = settings;
    it->second.qos->Configure(settings);
  }
  return it->second;
}

qos::FileSystemQos* Throttles::For(const std::string& fs_id) {
  {
    MutexLock lock(&mu_);
    if (auto it = entries_.find(fs_id); it != entries_.end()) return it->second.qos.get();
  }
  api::DescribeFileSystemsRequest req;
  req.file_system_id = fs_id;
  Result<api::DescribeFileSystemsResponse> found = control_->DescribeFileSystems(req);
  if (!found.ok() || found->file_systems.empty()) return nullptr;
  MutexLock lock(&mu_);
  return Apply(found->file_systems[0]).qos.get();
}

void Throttles::Refresh(const std::string& fs_id) {
  api::DescribeFileSystemsRequest req;
  req.file_system_id = fs_id;
  Result<api::DescribeFileSystemsResponse> found = control_->DescribeFileSystems(req);
  if (!found.ok() || found->file_systems.empty()) return;
  MutexLock lock(&mu_);
  Apply(found->file_systems[0]);
}

Result<api::BurstCreditBalance> Throttles::SetCredits(const std::string& fs_id, double bytes) {
  qos::FileSystemQos* qos = For(fs_id);
  if (qos == nullptr) return control::StoreUnavailable(fs_id);
  MutexLock lock(&mu_);
  Entry& entry = entries_.at(fs_id);
  const double cap = qos::CreditCap(entry.standard_bytes);
  if (bytes > cap) {
    return control::BadRequest("BurstCreditBalance must be at most the credit cap, " +
                               std::to_string(static_cast<int64_t>(cap)) + " bytes for " +
                               std::to_string(entry.standard_bytes) + " bytes in Standard");
  }
  qos->SetCredits(bytes);
  qos->Sample();
  SaveCredits(fs_id, entry);
  api::BurstCreditBalance out;
  out.file_system_id = fs_id;
  out.burst_credit_balance = static_cast<int64_t>(qos->credits());
  out.permitted_throughput = static_cast<int64_t>(qos->permitted());
  return out;
}

void Throttles::Sample() {
  Result<std::vector<api::FileSystemDescription>> rows = AllFileSystems(*control_);
  if (!rows.ok()) {
    EFS_LOG(kWarn) << "throughput limits: cannot read the catalog: " << rows.status().ToString();
    return;
  }
  Sources sources;
  {
    MutexLock lock(&mu_);
    sources = sources_;
  }
  // Outside mu_: each takes locks of its own (the stores', the RPC server's).
  const std::map<std::string, fs::StorageSizes> sizes =
      sources.sizes ? sources.sizes() : std::map<std::string, fs::StorageSizes>{};
  const std::map<std::string, uint32_t> connections =
      sources.connections ? sources.connections() : std::map<std::string, uint32_t>{};

  MutexLock lock(&mu_);
  std::set<std::string> present;
  const auto now = std::chrono::steady_clock::now();
  for (const api::FileSystemDescription& row : *rows) {
    present.insert(row.file_system_id);
    Entry& entry = Apply(row);
    // The open store's sizes are current; the catalog's trail them by a second.
    uint64_t standard = Bytes(row.size_in_bytes.value_in_standard);
    uint64_t ia = Bytes(row.size_in_bytes.value_in_ia);
    uint64_t archive = Bytes(row.size_in_bytes.value_in_archive);
    if (auto size = sizes.find(row.file_system_id); size != sizes.end()) {
      standard = size->second[fs::StorageClass::kStandard];
      ia = size->second[fs::StorageClass::kIA];
      archive = size->second[fs::StorageClass::kArchive];
    }
    if (standard != entry.standard_bytes) {
      entry.standard_bytes = standard;
      entry.qos->SetStandardBytes(standard);
    }
    entry.qos->Sample();
    if (metrics::FsCounters* c = entry.counters) {
      c->storage_standard.store(standard, std::memory_order_relaxed);
      c->storage_ia.store(ia, std::memory_order_relaxed);
      c->storage_archive.store(archive, std::memory_order_relaxed);
      auto conns = connections.find(row.file_system_id);
      c->client_connections.store(conns == connections.end() ? 0 : conns->second,
                                  std::memory_order_relaxed);
    }
    if (now - entry.saved >= kSaveEvery) SaveCredits(row.file_system_id, entry);
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    // Deleted: its slot is freed; the limits stay for a COMPOUND that may still hold them.
    it->second.qos->DetachCounters();
    if (region_) region_->Release(it->first);
    gone_.push_back(std::move(it->second.qos));
    it = entries_.erase(it);
  }
  if (region_) region_->Heartbeat(WallSeconds());
}

}  // namespace efs::daemon

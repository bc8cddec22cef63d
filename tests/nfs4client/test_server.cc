// TestFs and TestServer (see test_server.h).
#include "tests/nfs4client/test_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <random>

#include "fs/mem_fs.h"
#include "nfs4/filehandle.h"
#include "store/store_fs.h"

namespace efs::nfs4client::testing {

TestFs::TestFs(fs::FileSystem* base, bool volatile_unstable, std::chrono::microseconds delay)
    : base_(base),
      volatile_unstable_(volatile_unstable),
      delay_us_(delay.count()),
      verifier_(std::random_device{}() | (uint64_t{std::random_device{}()} << 32)) {}

TestFs::Busy::Busy(TestFs* fs) : fs_(fs) {
  int now = ++fs_->in_flight_;
  int seen = fs_->max_concurrent_.load();
  while (now > seen && !fs_->max_concurrent_.compare_exchange_weak(seen, now)) {
  }
  int64_t us = fs_->delay_us_.load();
  if (us > 0) std::this_thread::sleep_for(std::chrono::microseconds(us));
}
TestFs::Busy::~Busy() { --fs_->in_flight_; }

size_t TestFs::buffered_bytes() {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = 0;
  for (const auto& [ino, writes] : pending_) {
    for (const Pending& p : writes) n += p.data.size();
  }
  return n;
}

Status TestFs::Flush(fs::FileId id) {
  std::vector<Pending> writes;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = pending_.find(id.ino);
    if (it == pending_.end()) return Status::Ok();
    writes = std::move(it->second);
    pending_.erase(it);
  }
  for (const Pending& p : writes) {
    Result<fs::WriteResult> r =
        base_->Write(p.cred, id, p.offset, p.data, fs::Stability::kUnstable);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Result<fs::Attributes> TestFs::GetAttr(fs::FileId id) {
  Busy b(this);
  Result<fs::Attributes> a = base_->GetAttr(id);
  if (!a.ok()) return a;
  std::lock_guard<std::mutex> l(mu_);
  auto it = pending_.find(id.ino);
  if (it != pending_.end()) {
    for (const Pending& p : it->second) a->size = std::max(a->size, p.offset + p.data.size());
  }
  return a;
}

Result<fs::Attributes> TestFs::SetAttr(const fs::Credentials& cred, fs::FileId id,
                                       const fs::SetAttrs& attrs) {
  Busy b(this);
  if (attrs.size) {
    if (Status s = Flush(id); !s.ok()) return s;
  }
  return base_->SetAttr(cred, id, attrs);
}

Result<fs::Attributes> TestFs::Lookup(const fs::Credentials& cred, fs::FileId dir,
                                      std::string_view name) {
  Busy b(this);
  return base_->Lookup(cred, dir, name);
}

Result<fs::Attributes> TestFs::LookupParent(const fs::Credentials& cred, fs::FileId dir) {
  Busy b(this);
  return base_->LookupParent(cred, dir);
}

Result<uint32_t> TestFs::Access(const fs::Credentials& cred, fs::FileId id, uint32_t want) {
  Busy b(this);
  return base_->Access(cred, id, want);
}

Result<fs::CreateResult> TestFs::Create(const fs::Credentials& cred, fs::FileId dir,
                                        std::string_view name, const fs::CreateArgs& args) {
  Busy b(this);
  return base_->Create(cred, dir, name, args);
}

Result<fs::DirChange> TestFs::Remove(const fs::Credentials& cred, fs::FileId dir,
                                     std::string_view name) {
  Busy b(this);
  return base_->Remove(cred, dir, name);
}

Result<fs::RenameResult> TestFs::Rename(const fs::Credentials& cred, fs::FileId src_dir,
                                        std::string_view src_name, fs::FileId dst_dir,
                                        std::string_view dst_name) {
  Busy b(this);
  return base_->Rename(cred, src_dir, src_name, dst_dir, dst_name);
}

Result<fs::DirChange> TestFs::Link(const fs::Credentials& cred, fs::FileId file, fs::FileId dir,
                                   std::string_view name) {
  Busy b(this);
  return base_->Link(cred, file, dir, name);
}

Result<std::string> TestFs::ReadLink(fs::FileId id) {
  Busy b(this);
  return base_->ReadLink(id);
}

Result<fs::DirPage> TestFs::ReadDir(const fs::Credentials& cred, fs::FileId dir,
                                    const fs::ReadDirArgs& args) {
  Busy b(this);
  return base_->ReadDir(cred, dir, args);
}

Result<fs::ReadResult> TestFs::Read(const fs::Credentials& cred, fs::FileId id, uint64_t offset,
                                    uint32_t count) {
  Busy b(this);
  if (Status s = Flush(id); !s.ok()) return s;
  return base_->Read(cred, id, offset, count);
}

Result<fs::WriteResult> TestFs::Write(const fs::Credentials& cred, fs::FileId id, uint64_t offset,
                                      std::string_view data, fs::Stability stability) {
  Busy b(this);
  if (!volatile_unstable_ || stability != fs::Stability::kUnstable) {
    if (Status s = Flush(id); !s.ok()) return s;
    return base_->Write(cred, id, offset, data, stability);
  }
  // Permission and type checks as the real write makes them: an empty write at the offset.
  Result<fs::WriteResult> check = base_->Write(cred, id, offset, "", fs::Stability::kUnstable);
  if (!check.ok()) return check;
  {
    std::lock_guard<std::mutex> l(mu_);
    pending_[id.ino].push_back(Pending{cred, offset, std::string(data)});
  }
  fs::WriteResult r;
  r.count = data.size();
  r.committed = fs::Stability::kUnstable;
  r.attrs = check->attrs;
  r.attrs.size = std::max(r.attrs.size, offset + data.size());
  return r;
}

Status TestFs::Commit(fs::FileId id) {
  Busy b(this);
  if (Status s = Flush(id); !s.ok()) return s;
  return base_->Commit(id);
}

TestServer::TestServer(Options options) : options_(options) { Start(); }

TestServer::~TestServer() { Stop(); }

Client::Options TestServer::ClientOptions(const std::string& owner) const {
  Client::Options o;
  o.host = "127.0.0.1";
  o.port = port_;
  o.owner = owner;
  o.call_timeout = std::chrono::seconds(10);
  o.recovery_timeout = std::chrono::seconds(20);
  return o;
}

void TestServer::Start() {
  if (options_.store) {
    auto store = store::OpenStoreFs(tmp_.Join("fs"), &clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    base_ = std::move(store).value();
  } else if (base_ == nullptr) {
    base_ = fs::NewMemFs(&clock_);  // MemFs survives a Restart: only the server goes
  }
  fs_ = std::make_unique<TestFs>(base_.get(), options_.volatile_unstable, options_.delay);
  nfs_ = std::make_unique<nfs4::Nfs4Server>(
      [this](const std::string& mt) -> std::optional<nfs4::Export> {
        if (mt != kMountTarget) return std::nullopt;
        return nfs4::Export{nfs4::ExportIdFor("fs-0000000000000001"), fs_.get(), false};
      },
      &clock_, options_.lease_seconds, &records_);
  table_ = std::make_unique<rpc::ProgramTable>();
  nfs_->Register(table_.get());
  rpc_ = std::make_unique<rpc::Server>(table_.get(), rpc::ServerOptions{});
  ASSERT_TRUE(rpc_->Start().ok());
  listen_fd_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  ::setsockopt(listen_fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port_));  // 0 the first time: any free port
  ASSERT_EQ(::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
      << strerror(errno);
  ASSERT_EQ(::listen(listen_fd_.get(), 64), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  stop_ = false;
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

void TestServer::Stop() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  listen_fd_.Reset();
  if (rpc_) rpc_->Stop();
  rpc_.reset();
  table_.reset();
  nfs_.reset();
  fs_.reset();
  if (options_.store) base_.reset();
}

void TestServer::Restart() {
  Stop();
  // A later boot: client ids (and so session ids) carry the boot time.
  clock_.Advance(10);
  Start();
}

void TestServer::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(listen_fd_.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (fd >= 0) rpc_->Serve(UniqueFd(fd), rpc::ConnectionInfo{kMountTarget, peer});
  }
}

std::string ReadAll(Client& c, const Identity& who, OpenFile& file) {
  std::string out;
  for (int i = 0; i < 10000; ++i) {
    auto r = c.Read(who, file, out.size(), c.max_read());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) break;
    out += r->data;
    if (r->eof || r->data.empty()) break;
  }
  return out;
}

std::shared_ptr<OpenFile> CreateFile(Client& c, const Identity& who, const FileHandle& dir,
                                     const std::string& name, CreateHow how) {
  OpenArgs a;
  a.write = true;
  a.create = how;
  auto f = c.Open(who, dir, name, a);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *f : nullptr;
}

}  // namespace efs::nfs4client::testing

// CompoundState: what one COMPOUND carries from op to op (current and saved file handle, the
// session and slot SEQUENCE found, the current stateid, the caller's identity), plus the
// server-wide state every COMPOUND shares. Handlers get it by reference (STYLE.md 2.4: no
// thread-local request context).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/arena.h"
#include "base/clock.h"
#include "fs/filesystem.h"
#include "nfs4/filehandle.h"
#include "nfs4/state/clients.h"
#include "nfs4/state/lock_state.h"
#include "nfs4/state/open_state.h"
#include "nfs4/state/owners.h"
#include "nfs4/state/session.h"
#include "nfs4/state/stateid.h"
#include "xdr/nfs4_prot.h"

namespace efs::qos {
class FileSystemQos;
}  // namespace efs::qos

namespace efs::nfs4 {

// The largest READ or WRITE (EFS-REFERENCE s2.6: rsize = wsize = 1 MiB).
inline constexpr uint32_t kMaxIoSize = 1u << 20;

// One efsd file system as a mount target serves it.
struct Export {
  uint64_t id = 0;               // ExportIdFor(file system id); goes into handles and fsid
  fs::FileSystem* fs = nullptr;  // not owned
  bool read_only = false;        // mutating ops answer NFS4ERR_ROFS
  // The file system's throughput and performance limits, which every COMPOUND passes (not
  // owned; null: none).
  qos::FileSystemQos* qos = nullptr;
};

// Server-wide state, owned by Nfs4Server. Thread-safe (each table locks itself).
struct ServerState {
  ServerState(const Clock* clock, uint32_t boot_tag, double lease_seconds,
              state::ClientRecordStore* records)
      : clock(clock),
        clients(clock, lease_seconds),
        grace(records, clock, lease_seconds),
        opens(boot_tag, &numbers),
        locks(boot_tag, &numbers),
        owners(clock),
        stateids(boot_tag),
        revoked(10 * lease_seconds) {}
  const Clock* clock;  // not owned
  state::StateNumbers numbers;
  state::ClientTable clients;
  state::Grace grace;
  state::OpenTable opens;
  state::LockTable locks;
  state::OwnerTable owners;  // NFSv4.0 open and lock owner seqids
  const state::StateIdCodec stateids;
  state::RevokedStates revoked;  // the states of clients that expired or rebooted

  // Releases every open and lock of `clientid` (its record went away) and unpins its files.
  void ReleaseClient(uint64_t clientid) {
    std::vector<uint64_t> numbers = opens.NumbersOf(clientid);
    for (uint64_t n : locks.NumbersOf(clientid)) numbers.push_back(n);
    revoked.Add(numbers, clock->Now());
    owners.ReleaseClient(clientid);
    locks.ReleaseClient(clientid);
    for (const state::PinnedFile& f : opens.ReleaseClient(clientid)) (void)f.fs->Unpin(f.id);
  }
};

// Per-COMPOUND state. Not thread-safe: one COMPOUND runs on one thread.
class CompoundState {
 public:
  CompoundState(ServerState* server, std::optional<Export> exp, fs::Credentials cred,
                std::string principal, std::string scope)
      : server_(server),
        exp_(exp),
        cred_(std::move(cred)),
        principal_(std::move(principal)),
        scope_(std::move(scope)) {}
  CompoundState(const CompoundState&) = delete;
  CompoundState& operator=(const CompoundState&) = delete;

  ServerState& server() { return *server_; }
  state::ClientTable& clients() { return server_->clients; }
  state::Grace& grace() { return server_->grace; }
  state::OpenTable& opens() { return server_->opens; }
  state::LockTable& locks() { return server_->locks; }
  state::OwnerTable& owners() { return server_->owners; }
  // The export the connection's mount target serves; nullptr if none.
  const Export* exp() const { return exp_ ? &*exp_ : nullptr; }
  // REQUIRES: exp() != nullptr (true whenever a current file handle is set).
  fs::FileSystem& fs() const { return *exp_->fs; }
  const fs::Credentials& cred() const { return cred_; }
  // The RPC principal, "flavor:uid", compared by EXCHANGE_ID and CREATE_SESSION.
  const std::string& principal() const { return principal_; }
  // The mount target: client records and sessions are kept per scope.
  const std::string& scope() const { return scope_; }

  // File handles. The export id of both is always exp()->id.
  std::optional<fs::FileId> current_fh;
  std::optional<fs::FileId> saved_fh;
  // The attributes of current_fh as the op before had them in hand (an OPEN that created the
  // file), for a GETATTR right after it, GETFH between allowed: the two answer as if run at
  // once, without asking the file system again. Compound() forgets them before any other op.
  std::optional<fs::Attributes> known_attrs;
  FileHandle Handle(fs::FileId id) const { return FileHandle{exp_ ? exp_->id : 0, id}; }
  // An op that makes `id` the current file handle and returns no stateid (PUTFH, LOOKUP,
  // CREATE, ...): the current stateid goes with the old handle (RFC 5661 s16.2.3.1.2).
  void SetCurrentFh(fs::FileId id) {
    current_fh = id;
    current_stateid.reset();
  }

  // Set by a successful SEQUENCE (RFC 5661 s18.46).
  std::shared_ptr<state::Session> session;
  uint32_t slot = 0;
  bool cachethis = false;
  // Set by SEQUENCE when the request is a retransmission: the cached reply to send as is.
  bool replayed = false;
  std::string replay;

  // RFC 5661 s16.2.3.1.2: the stateid the last stateid-producing op returned, unset by an op
  // that changes the current file handle without returning one; SAVEFH and RESTOREFH save and
  // restore it with the handle.
  std::optional<stateid4> current_stateid;
  std::optional<stateid4> saved_stateid;

  // The COMPOUND's minor version: 0 (NFSv4.0, no sessions) or 1.
  uint32_t minor_version = 1;
  // NFSv4.0: the client the op at hand acts for, named by its client id or one of its
  // stateids (ops_v40.cc sets it before the handler runs).
  uint64_t v40_clientid = 0;

  // Where in the COMPOUND we are.
  uint32_t op_index = 0;
  uint32_t op_count = 0;
  size_t request_size = 0;  // bytes of the call: its RPC header and the COMPOUND4args
  size_t reply_size = 0;    // bytes of the reply before the op at hand's result (RPC header too)
  // Data the COMPOUND's READs returned and its WRITEs wrote (the metrics' actual bytes).
  uint64_t read_bytes = 0;
  uint64_t written_bytes = 0;

  // The client id of the session; in NFSv4.0, v40_clientid (0 when neither).
  uint64_t clientid() const { return session ? session->clientid() : v40_clientid; }

  // Memory for result values; freed with the state, after the reply is encoded.
  char* CopyBytes(std::string_view bytes) {
    char* p = NewArray<char>(bytes.size() + 1);
    if (!bytes.empty()) std::copy(bytes.begin(), bytes.end(), p);
    return p;
  }
  // Keeps `s` alive with the state and returns its bytes (no copy).
  char* Keep(std::string s) {
    auto p = std::make_shared<std::string>(std::move(s));
    arena_.push_back(p);
    return p->data();
  }
  // Keeps `p` alive with the state (e.g. decoded XDR a result points into).
  void Hold(std::shared_ptr<void> p) { arena_.push_back(std::move(p)); }
  template <class T>
  T* NewArray(size_t n) {
    return results_.NewArray<T>(n);
  }

 private:
  ServerState* server_;
  std::optional<Export> exp_;
  fs::Credentials cred_;
  std::string principal_;
  std::string scope_;
  std::vector<std::shared_ptr<void>> arena_;  // what Keep and Hold keep
  Arena results_;                             // what NewArray and CopyBytes make
};

}  // namespace efs::nfs4

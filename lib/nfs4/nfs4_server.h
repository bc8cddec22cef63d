// Nfs4Server: the NFSv4.1 server as an RPC program (100003 version 4) over the file systems the
// mount targets serve. It owns the protocol state (clients, sessions, opens); the daemon owns
// the file systems and tells the server which one a mount target serves.
//
// Wiring (daemon):
//   nfs4::Nfs4Server nfs(
//       [&](const std::string& mount_target_id) -> std::optional<nfs4::Export> {
//         // the mount target's file system, or nullopt if it serves none
//         return nfs4::Export{nfs4::ExportIdFor(fs_id), file_system, /*read_only=*/false};
//       },
//       &clock);
//   rpc::ProgramTable table;
//   nfs.Register(&table);  // NULL (procedure 0) and COMPOUND (procedure 1)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "nfs4/compound_state.h"
#include "nfs4/state/duplicate_cache.h"
#include "rpc/program_table.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4 {

inline constexpr uint32_t kNfsProgram = 100003;
inline constexpr uint32_t kNfsVersion = 4;
inline constexpr uint32_t kProcCompound = 1;

class Nfs4Server {
 public:
  // Which export a mount target serves; called once per COMPOUND, from many threads at once.
  using ExportResolver = std::function<std::optional<Export>(const std::string& mount_target_id)>;

  // `clock` (leases) is not owned and must outlive the server. The file systems the resolver
  // returns must outlive the server's use of them (see DropExport). A client that sends
  // nothing for `lease_seconds` loses its state. `records` (not owned, may be null) is the
  // stable storage of confirmed clients; if the last server left any there, this one starts in
  // a grace period of one lease for them to reclaim their state (state/grace.h).
  Nfs4Server(ExportResolver resolver, const Clock* clock,
             uint32_t lease_seconds = state::kLeaseSeconds,
             state::ClientRecordStore* records = nullptr);
  Nfs4Server(const Nfs4Server&) = delete;
  Nfs4Server& operator=(const Nfs4Server&) = delete;

  // Registers program 100003 version 4 in `table`: NULL and COMPOUND. The server must outlive
  // the table's use.
  void Register(rpc::ProgramTable* table);

  // The rpc::RpcHandler of NFSPROC4_COMPOUND (rpc/program_table.h contract): decodes the
  // COMPOUND4args (kInvalidArgument, i.e. GARBAGE_ARGS, if they do not decode), runs them and
  // appends the COMPOUND4res, or answers late where ctx allows and its changes wait for a
  // disk sync (Compound in compound.h). Thread-safe.
  Status HandleCompound(const rpc::CallContext& ctx, XDR* args, std::string* reply);

  // Runs decoded args as the caller `cred` on `mount_target_id` and returns the encoded
  // COMPOUND4res (for tests and HandleCompound). Thread-safe.
  std::string Execute(const COMPOUND4args& args, const rpc::Credentials& cred,
                      const std::string& mount_target_id, size_t request_size = 0);

  // Expires clients whose lease ran out, releases their opens and forgets their records, and
  // ends a grace period whose time is up. Every COMPOUND calls it.
  void Reap();

  // Forgets the open state on `export_id` without touching its file system, which the caller
  // is about to destroy.
  void DropExport(uint64_t export_id) {
    state_.locks.DropExport(export_id);
    state_.opens.DropExport(export_id);
  }

 private:
  // Execute, answering late where `answer_later` allows (nullopt: it will). `ctx` (null when
  // executed without a connection) says who sent it, for the file system's limits.
  std::optional<std::string> Run(const COMPOUND4args& args, const rpc::Credentials& cred,
                                 const std::string& mount_target_id, size_t request_size,
                                 const rpc::CallContext* ctx,
                                 const std::function<rpc::LateReply()>& answer_later);

  ExportResolver resolver_;
  ServerState state_;
  state::DuplicateCache v40_replies_;  // NFSv4.0 COMPOUNDs that change something
};

}  // namespace efs::nfs4

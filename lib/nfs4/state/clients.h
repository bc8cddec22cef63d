// The client table: NFSv4.1 client records (EXCHANGE_ID), their sessions (CREATE_SESSION,
// DESTROY_SESSION) and their leases (RFC 5661 s2.4, s8.3, s18.35-18.37, s18.50), and NFSv4.0
// client records (SETCLIENTID, SETCLIENTID_CONFIRM, RENEW: RFC 3530 s14.2.28, s14.2.33-34),
// which clients_v40.cc implements. The two kinds share the client id space, never an owner:
// a 4.1 EXCHANGE_ID does not find a 4.0 record of the same owner string, nor the reverse.
//
// Records are kept per scope, the mount target a client reached: every mount target looks like
// its own server (its own server_owner), so a client's record on one file system never meets
// its record on another. The table lives in memory; a restarted efsd answers old client ids and
// sessions with NFS4ERR_STALE_CLIENTID / NFS4ERR_BADSESSION, which sends clients to make new
// ones and reclaim their state (grace.h keeps who may, in stable storage).
//
// Leases: SEQUENCE, CREATE_SESSION and EXCHANGE_ID of a confirmed record renew a client's
// lease; in 4.0, Renew() does (RENEW and every op naming the client id or one of its
// stateids). A client silent for longer than the lease time is expired by Reap(): its record
// and sessions go, and the caller releases its open state. An expired 4.0 client id answers
// NFS4ERR_EXPIRED for a while after, then NFS4ERR_STALE_CLIENTID as unknown ones do.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "nfs4/state/grace.h"
#include "nfs4/state/session.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4::state {

// The lease time efsd grants: 90 s, as Linux knfsd (AWS publishes none; EFS-REFERENCE s2.5).
inline constexpr uint32_t kLeaseSeconds = 90;

using Verifier = std::array<char, NFS4_VERIFIER_SIZE>;

struct ExchangeIdArgs {
  std::string scope;      // the mount target
  std::string owner;      // co_ownerid
  Verifier verifier{};    // co_verifier
  std::string principal;  // who called: "flavor:uid"
  bool update = false;    // EXCHGID4_FLAG_UPD_CONFIRMED_REC_A
};

struct ExchangeIdResult {
  uint64_t clientid = 0;
  uint32_t sequenceid = 0;
  bool confirmed = false;
};

struct CreateSessionArgs {
  std::string scope;
  std::string principal;
  uint64_t clientid = 0;
  uint32_t sequence = 0;
  uint32_t flags = 0;
  ChannelAttrs fore, back;  // as the client asked
};

struct CreateSessionResult {
  bool confirmed_now = false;  // this CREATE_SESSION confirmed the client's record
  SessionId sessionid{};
  uint32_t sequence = 0;
  uint32_t flags = 0;
  ChannelAttrs fore, back;  // as granted
};

// NFSv4.0 SETCLIENTID. The callback is accepted and never used (no delegations).
struct SetClientIdArgs {
  std::string scope;
  std::string owner;      // nfs_client_id4.id
  Verifier verifier{};    // nfs_client_id4.verifier: changes when the client reboots
  std::string principal;  // who called: "flavor:uid"
};

struct SetClientIdResult {
  uint64_t clientid = 0;
  Verifier confirm{};  // setclientid_confirm
};

struct SetClientIdConfirmArgs {
  std::string scope;
  std::string principal;
  uint64_t clientid = 0;
  Verifier confirm{};
};

// Thread-safe.
class ClientTable {
 public:
  // `clock` is not owned and must outlive the table.
  ClientTable(const Clock* clock, double lease_seconds);

  // RFC 5661 s18.35.4: creates, finds or updates the record for args.owner. A confirmed record
  // of another principal that the new one replaces (case 3: no state, per `has_state`, or an
  // expired lease) is dropped; its id is appended to *dropped so the caller can release its
  // open state.
  nfsstat4 ExchangeId(const ExchangeIdArgs& args, ExchangeIdResult* out,
                      const std::function<bool(uint64_t)>& has_state,
                      std::vector<uint64_t>* dropped);

  // RFC 5661 s18.36.4: confirms the record on its first session and creates a session.
  // A replay (args.sequence one behind) returns the cached result. A record that the new one
  // replaces (the client rebooted) is dropped; its id is appended to *dropped so the caller
  // can release its open state.
  nfsstat4 CreateSession(const CreateSessionArgs& args, CreateSessionResult* out,
                         std::vector<uint64_t>* dropped);

  // Finds a session and renews its client's lease. NFS4ERR_BADSESSION for an unknown session
  // or one of another scope.
  nfsstat4 FindSession(const SessionId& id, const std::string& scope,
                       std::shared_ptr<Session>* out);

  // RFC 5661 s18.37: NFS4ERR_BADSESSION if unknown.
  nfsstat4 DestroySession(const SessionId& id, const std::string& scope);

  // RFC 5661 s18.50: NFS4ERR_STALE_CLIENTID if unknown, NFS4ERR_CLIENTID_BUSY while it has
  // sessions or `has_state`.
  nfsstat4 DestroyClientId(uint64_t clientid, const std::string& scope, bool has_state);

  // RFC 5661 s18.51: NFS4ERR_COMPLETE_ALREADY on the second call.
  nfsstat4 ReclaimComplete(uint64_t clientid);
  // Whether the 4.1 client has sent RECLAIM_COMPLETE (rca_one_fs false): until it has, it may
  // take no new opens or locks (RFC 5661 s18.51.3).
  bool ReclaimCompleted(uint64_t clientid);

  // RFC 3530 s14.2.33 (RFC 7530 s16.33.5): NFS4ERR_CLID_INUSE if a confirmed record of
  // args.owner has another principal and state (`has_state`) under an unexpired lease; else a callback update of the confirmed record with the
  // same verifier (same client id, a new confirm verifier), or a new unconfirmed record (a new
  // or rebooted client) that replaces any unconfirmed one.
  nfsstat4 SetClientId(const SetClientIdArgs& args, SetClientIdResult* out,
                       const std::function<bool(uint64_t)>& has_state);

  // RFC 3530 s14.2.34: confirms a record or its callback update; a confirmed record again is a
  // retransmission and succeeds. NFS4ERR_STALE_CLIENTID if no record has that client id and
  // confirm verifier, NFS4ERR_CLID_INUSE for another principal. Confirming a rebooted client
  // drops its old confirmed record; that id is appended to *dropped so the caller can release
  // its state.
  nfsstat4 SetClientIdConfirm(const SetClientIdConfirmArgs& args, std::vector<uint64_t>* dropped);

  // Renews the lease of the confirmed NFSv4.0 client `clientid` (RFC 3530 s14.2.28).
  // NFS4ERR_EXPIRED if Reap() expired it lately, else NFS4ERR_STALE_CLIENTID if unknown.
  nfsstat4 Renew(uint64_t clientid, const std::string& scope);

  // Expires every client whose lease ran out (and that has no request in progress) and
  // returns them. Cheap to call often: scans at most once a second.
  struct Expired {
    uint64_t clientid = 0;
    ClientKey key;
  };
  std::vector<Expired> Reap();

  // The scope and owner of a client; nullopt if unknown.
  std::optional<ClientKey> KeyOf(uint64_t clientid);
  // The principal that made a client's record; nullopt if unknown.
  std::optional<std::string> PrincipalOf(uint64_t clientid);

  double lease_seconds() const { return lease_seconds_; }

 private:
  struct Client {
    uint64_t clientid = 0;
    std::string scope, owner, principal;
    Verifier verifier{};
    bool confirmed = false;
    bool reclaim_complete = false;
    uint32_t sequence = 1;  // the csa_sequence the next CREATE_SESSION must carry
    bool has_cached_session = false;
    CreateSessionResult cached_session;  // the last CREATE_SESSION result, for replays
    double renewed = 0;
    std::vector<SessionId> sessions;
    uint32_t minor_version = 1;      // 0: made by SETCLIENTID
    Verifier confirm{};              // 4.0: the setclientid_confirm that confirms the record
    std::optional<Verifier> update;  // 4.0: a callback update's confirm, until confirmed
  };

  Client* FindLocked(uint64_t clientid) REQUIRES(mu_);
  // Its key in stable storage (grace.h); a 4.0 record's owner is marked, as the same string
  // names another client in 4.1.
  static ClientKey KeyOfClient(const Client& c) {
    return ClientKey{c.scope, c.minor_version == 0 ? "nfs4.0/" + c.owner : c.owner};
  }
  // The confirmed (or else unconfirmed) record of `owner` in `scope`, of one minor version.
  Client* FindOwnerLocked(const std::string& scope, const std::string& owner, bool confirmed,
                          uint32_t minor_version = 1) REQUIRES(mu_);
  Verifier NewConfirmLocked() REQUIRES(mu_);
  // Forgets 4.0 client ids that expired long enough ago to answer NFS4ERR_STALE_CLIENTID.
  void ForgetExpiredLocked(double now) REQUIRES(mu_);
  Client* NewClientLocked(const ExchangeIdArgs& args) REQUIRES(mu_);
  void EraseLocked(uint64_t clientid) REQUIRES(mu_);

  const Clock* clock_;
  const double lease_seconds_;
  Mutex mu_;
  uint64_t next_clientid_ GUARDED_BY(mu_);
  uint64_t next_session_ GUARDED_BY(mu_) = 1;
  double last_reap_ GUARDED_BY(mu_) = 0;
  std::map<uint64_t, Client> clients_ GUARDED_BY(mu_);
  std::map<SessionId, std::shared_ptr<Session>> sessions_ GUARDED_BY(mu_);
  uint64_t next_confirm_ GUARDED_BY(mu_);
  std::map<uint64_t, double> expired_ GUARDED_BY(mu_);  // 4.0 client id -> when it expired
};

}  // namespace efs::nfs4::state

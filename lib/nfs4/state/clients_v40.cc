// NFSv4.0 client records: SETCLIENTID, SETCLIENTID_CONFIRM and RENEW (see clients.h). The
// cases follow RFC 3530 s14.2.33-34 as RFC 7530 s16.33.5 and s16.34.5 lay them out; a record
// is {verifier v, owner x, client id c, callback k, confirm s}.
#include "nfs4/state/clients.h"

namespace efs::nfs4::state {
namespace {

// How long an expired 4.0 client id answers NFS4ERR_EXPIRED, in leases.
constexpr double kExpiredLeases = 10;

}  // namespace

Verifier ClientTable::NewConfirmLocked() {
  uint64_t n = next_confirm_++;
  Verifier v;
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<char>(n >> (56 - 8 * i));
  return v;
}

void ClientTable::ForgetExpiredLocked(double now) {
  std::erase_if(expired_,
                [&](const auto& e) { return now - e.second > kExpiredLeases * lease_seconds_; });
}

nfsstat4 ClientTable::SetClientId(const SetClientIdArgs& args, SetClientIdResult* out,
                                   const std::function<bool(uint64_t)>& has_state) {
  MutexLock lock(&mu_);
  Client* conf = FindOwnerLocked(args.scope, args.owner, /*confirmed=*/true, /*minor_version=*/0);
  if (conf != nullptr && conf->principal != args.principal) {
    // RFC 7530 s16.33.5: a confirmed record of another principal stands while it has state
    // under an unexpired lease; else this is a new client, whose confirmation replaces it.
    bool live = clock_->Now() - conf->renewed <= lease_seconds_;
    if (live && has_state(conf->clientid)) return NFS4ERR_CLID_INUSE;
    conf = nullptr;
  }
  // Whatever happens, a pending unconfirmed record of x is replaced.
  if (Client* unconf =
          FindOwnerLocked(args.scope, args.owner, /*confirmed=*/false, /*minor_version=*/0)) {
    EraseLocked(unconf->clientid);
  }
  if (conf != nullptr && conf->verifier == args.verifier) {
    // Same v: a callback update {v, x, c, k, t}; c and the client's state stay until and
    // after SETCLIENTID_CONFIRM {c, t}.
    conf->update = NewConfirmLocked();
    out->clientid = conf->clientid;
    out->confirm = *conf->update;
    return NFS4_OK;
  }
  // No confirmed record (a new client), or one with another verifier (the client rebooted):
  // an unconfirmed {v, x, d, k, t}; the old record and its state go on confirmation.
  Client* c = NewClientLocked(
      ExchangeIdArgs{args.scope, args.owner, args.verifier, args.principal, /*update=*/false});
  c->minor_version = 0;
  c->confirm = NewConfirmLocked();
  out->clientid = c->clientid;
  out->confirm = c->confirm;
  return NFS4_OK;
}

nfsstat4 ClientTable::SetClientIdConfirm(const SetClientIdConfirmArgs& args,
                                         std::vector<uint64_t>* dropped) {
  MutexLock lock(&mu_);
  Client* c = FindLocked(args.clientid);
  if (c == nullptr || c->scope != args.scope || c->minor_version != 0) {
    return NFS4ERR_STALE_CLIENTID;
  }
  bool update = c->confirmed && c->update == args.confirm;
  bool again = c->confirmed && c->confirm == args.confirm;
  bool first = !c->confirmed && c->confirm == args.confirm;
  if (!update && !again && !first) return NFS4ERR_STALE_CLIENTID;
  if (c->principal != args.principal) return NFS4ERR_CLID_INUSE;
  if (update) {
    // The callback update takes effect; the client keeps its state.
    c->confirm = *c->update;
    c->update.reset();
  } else if (first) {
    // A rebooted client: its earlier confirmed record and that record's state go.
    if (Client* old =
            FindOwnerLocked(c->scope, c->owner, /*confirmed=*/true, /*minor_version=*/0)) {
      dropped->push_back(old->clientid);
      EraseLocked(old->clientid);
    }
    c->confirmed = true;
    c->renewed = clock_->Now();  // its lease starts (RFC 3530 s8.5: SETCLIENTID never renews)
  }
  return NFS4_OK;
}

nfsstat4 ClientTable::Renew(uint64_t clientid, const std::string& scope) {
  MutexLock lock(&mu_);
  Client* c = FindLocked(clientid);
  if (c != nullptr && c->scope == scope && c->minor_version == 0 && c->confirmed) {
    c->renewed = clock_->Now();
    return NFS4_OK;
  }
  if (c == nullptr && expired_.contains(clientid)) return NFS4ERR_EXPIRED;
  return NFS4ERR_STALE_CLIENTID;
}

}  // namespace efs::nfs4::state

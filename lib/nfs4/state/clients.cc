// Client records, sessions and leases (see clients.h).
#include "nfs4/state/clients.h"

#include <algorithm>
#include <random>
#include <utility>

namespace efs::nfs4::state {
namespace {

constexpr uint32_t kMaxCachedReply = 64 * 1024;
constexpr uint32_t kMaxSlots = 64;

uint32_t Clamp(uint32_t asked, uint32_t lo, uint32_t hi) {
  return std::max(lo, std::min(asked, hi));
}

// RFC 5661 s18.36.3: the server may lower what the client asks for, but a channel on which no
// request or no reply could ever be sent is NFS4ERR_TOOSMALL.
nfsstat4 CheckUsable(const ChannelAttrs& a) {
  if (a.max_request < kMinChannelRequest || a.max_response < kMinChannelResponse) {
    return NFS4ERR_TOOSMALL;
  }
  return NFS4_OK;
}

ChannelAttrs NegotiateFore(const ChannelAttrs& a) {
  ChannelAttrs g;
  g.header_pad = 0;
  g.max_request = std::min(a.max_request, kMaxChannelMessage);
  g.max_response = std::min(a.max_response, kMaxChannelMessage);
  g.max_response_cached = std::min(a.max_response_cached, kMaxCachedReply);
  g.max_ops = Clamp(a.max_ops, 2, kMaxCompoundOps);
  g.max_requests = Clamp(a.max_requests, 1, kMaxSlots);
  return g;
}

// The back channel is never called (no delegations, EFS-REFERENCE s2.6), so whatever the
// client asks is granted as is (Linux insists on an exact echo of its ops and slots).
ChannelAttrs NegotiateBack(const ChannelAttrs& a) {
  ChannelAttrs g = a;
  g.header_pad = 0;
  return g;
}

}  // namespace

ClientTable::ClientTable(const Clock* clock, double lease_seconds)
    : clock_(clock),
      lease_seconds_(lease_seconds),
      // Client ids (and the session ids made from them) of different boots differ: the high
      // 32 bits are the boot time mixed with randomness, so that two boots within one second
      // differ too.
      next_clientid_(
          (static_cast<uint64_t>(static_cast<uint32_t>(clock->Now()) ^ std::random_device{}())
           << 32) |
          1),
      next_confirm_(next_clientid_ ^ (static_cast<uint64_t>(std::random_device{}()) << 32)) {}

ClientTable::Client* ClientTable::FindLocked(uint64_t clientid) {
  auto it = clients_.find(clientid);
  return it == clients_.end() ? nullptr : &it->second;
}

ClientTable::Client* ClientTable::FindOwnerLocked(const std::string& scope,
                                                  const std::string& owner, bool confirmed,
                                                  uint32_t minor_version) {
  for (auto& [id, c] : clients_) {
    if (c.confirmed == confirmed && c.scope == scope && c.owner == owner &&
        c.minor_version == minor_version) {
      return &c;
    }
  }
  return nullptr;
}

ClientTable::Client* ClientTable::NewClientLocked(const ExchangeIdArgs& args) {
  Client c;
  c.clientid = next_clientid_++;
  c.scope = args.scope;
  c.owner = args.owner;
  c.principal = args.principal;
  c.verifier = args.verifier;
  c.renewed = clock_->Now();
  return &clients_.emplace(c.clientid, std::move(c)).first->second;
}

void ClientTable::EraseLocked(uint64_t clientid) {
  Client* c = FindLocked(clientid);
  if (c == nullptr) return;
  for (const SessionId& s : c->sessions) sessions_.erase(s);
  clients_.erase(clientid);
}

nfsstat4 ClientTable::ExchangeId(const ExchangeIdArgs& args, ExchangeIdResult* out,
                                  const std::function<bool(uint64_t)>& has_state,
                                  std::vector<uint64_t>* dropped) {
  MutexLock lock(&mu_);
  Client* conf = FindOwnerLocked(args.scope, args.owner, /*confirmed=*/true);
  Client* result = nullptr;
  if (args.update) {
    // RFC 5661 s18.35.4 cases 6-9: an update needs a confirmed record with the same verifier
    // and principal.
    if (conf == nullptr) return NFS4ERR_NOENT;
    if (conf->verifier != args.verifier) return NFS4ERR_NOT_SAME;
    if (conf->principal != args.principal) return NFS4ERR_PERM;
    result = conf;
  } else if (conf != nullptr && conf->principal != args.principal) {
    // Case 3, a collision of two clients' owner strings, whatever the verifier: the record of
    // the other principal stands while it has state under an unexpired lease; else it goes,
    // state and all, and this is a new client.
    bool live = clock_->Now() - conf->renewed <= lease_seconds_;
    if (live && (!conf->sessions.empty() || has_state(conf->clientid))) return NFS4ERR_CLID_INUSE;
    dropped->push_back(conf->clientid);
    EraseLocked(conf->clientid);
    conf = nullptr;
  } else if (conf != nullptr && conf->verifier == args.verifier) {
    result = conf;  // case 2: the same client again
  }
  if (result == nullptr) {
    // Case 1 (new client), 4 (replaces an unconfirmed record) and 5 (the client rebooted: a
    // new unconfirmed record; the old one goes when CREATE_SESSION confirms the new).
    if (Client* unconf = FindOwnerLocked(args.scope, args.owner, /*confirmed=*/false)) {
      EraseLocked(unconf->clientid);
    }
    result = NewClientLocked(args);
  }
  result->renewed = clock_->Now();
  out->clientid = result->clientid;
  out->sequenceid = result->sequence;
  out->confirmed = result->confirmed;
  return NFS4_OK;
}

nfsstat4 ClientTable::CreateSession(const CreateSessionArgs& args, CreateSessionResult* out,
                                    std::vector<uint64_t>* dropped) {
  MutexLock lock(&mu_);
  Client* c = FindLocked(args.clientid);
  if (c == nullptr || c->scope != args.scope || c->minor_version != 1) {
    return NFS4ERR_STALE_CLIENTID;
  }
  // RFC 5661 s18.36.4: only an unconfirmed record is bound to the principal that made it; once
  // confirmed, any principal may create sessions for it (with SP4_NONE).
  if (!c->confirmed && c->principal != args.principal) return NFS4ERR_CLID_INUSE;
  // RFC 5661 s18.36.4: the previous sequence is a replay, only the expected one is new.
  if (c->has_cached_session && args.sequence + 1 == c->sequence) {
    *out = c->cached_session;
    return NFS4_OK;
  }
  if (args.sequence != c->sequence) return NFS4ERR_SEQ_MISORDERED;
  // RFC 5661 s18.36.3: flags beyond the three the protocol defines are NFS4ERR_INVAL; a refused
  // CREATE_SESSION changes nothing (its sequence is not used up).
  constexpr uint32_t kKnownFlags = CREATE_SESSION4_FLAG_PERSIST |
                                   CREATE_SESSION4_FLAG_CONN_BACK_CHAN |
                                   CREATE_SESSION4_FLAG_CONN_RDMA;
  if ((args.flags & ~kKnownFlags) != 0) return NFS4ERR_INVAL;
  if (nfsstat4 st = CheckUsable(args.fore); st != NFS4_OK) return st;
  if (nfsstat4 st = CheckUsable(args.back); st != NFS4_OK) return st;
  if (!c->confirmed) {
    if (Client* old = FindOwnerLocked(c->scope, c->owner, /*confirmed=*/true)) {
      dropped->push_back(old->clientid);
      EraseLocked(old->clientid);
    }
    c->confirmed = true;
  }
  CreateSessionResult r;
  r.confirmed_now = !c->has_cached_session;
  uint64_t n = next_session_++;
  for (int i = 0; i < 8; ++i) {
    r.sessionid[i] = static_cast<char>(c->clientid >> (56 - 8 * i));
    r.sessionid[8 + i] = static_cast<char>(n >> (56 - 8 * i));
  }
  r.sequence = args.sequence;
  // No persistent reply cache and no RDMA; the back channel is accepted but never called.
  r.flags = args.flags & CREATE_SESSION4_FLAG_CONN_BACK_CHAN;
  r.fore = NegotiateFore(args.fore);
  r.back = NegotiateBack(args.back);
  sessions_[r.sessionid] =
      std::make_shared<Session>(r.sessionid, c->clientid, c->scope, r.fore, r.back, r.flags);
  c->sessions.push_back(r.sessionid);
  c->sequence = args.sequence + 1;
  c->cached_session = r;
  c->has_cached_session = true;
  c->renewed = clock_->Now();
  *out = r;
  return NFS4_OK;
}

nfsstat4 ClientTable::FindSession(const SessionId& id, const std::string& scope,
                                  std::shared_ptr<Session>* out) {
  MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->scope() != scope) return NFS4ERR_BADSESSION;
  if (Client* c = FindLocked(it->second->clientid())) c->renewed = clock_->Now();
  *out = it->second;
  return NFS4_OK;
}

nfsstat4 ClientTable::DestroySession(const SessionId& id, const std::string& scope) {
  MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->scope() != scope) return NFS4ERR_BADSESSION;
  if (Client* c = FindLocked(it->second->clientid())) {
    std::erase(c->sessions, id);
  }
  sessions_.erase(it);
  return NFS4_OK;
}

nfsstat4 ClientTable::DestroyClientId(uint64_t clientid, const std::string& scope, bool has_state) {
  MutexLock lock(&mu_);
  Client* c = FindLocked(clientid);
  if (c == nullptr || c->scope != scope || c->minor_version != 1) return NFS4ERR_STALE_CLIENTID;
  if (!c->sessions.empty() || has_state) return NFS4ERR_CLIENTID_BUSY;
  EraseLocked(clientid);
  return NFS4_OK;
}

bool ClientTable::ReclaimCompleted(uint64_t clientid) {
  MutexLock lock(&mu_);
  Client* c = FindLocked(clientid);
  return c != nullptr && c->reclaim_complete;
}

nfsstat4 ClientTable::ReclaimComplete(uint64_t clientid) {
  MutexLock lock(&mu_);
  Client* c = FindLocked(clientid);
  if (c == nullptr) return NFS4ERR_STALE_CLIENTID;
  if (c->reclaim_complete) return NFS4ERR_COMPLETE_ALREADY;
  c->reclaim_complete = true;
  return NFS4_OK;
}

std::optional<ClientKey> ClientTable::KeyOf(uint64_t clientid) {
  MutexLock lock(&mu_);
  Client* c = FindLocked(clientid);
  if (c == nullptr) return std::nullopt;
  return KeyOfClient(*c);
}

std::optional<std::string> ClientTable::PrincipalOf(uint64_t clientid) {
  MutexLock lock(&mu_);
  Client* c = FindLocked(clientid);
  if (c == nullptr) return std::nullopt;
  return c->principal;
}

std::vector<ClientTable::Expired> ClientTable::Reap() {
  MutexLock lock(&mu_);
  std::vector<Expired> expired;
  double now = clock_->Now();
  if (now - last_reap_ < 1.0) return expired;
  last_reap_ = now;
  for (auto& [id, c] : clients_) {
    if (now - c.renewed <= lease_seconds_) continue;
    bool busy = false;
    for (const SessionId& s : c.sessions) {
      auto it = sessions_.find(s);
      if (it != sessions_.end() && it->second->Busy()) busy = true;
    }
    if (!busy) expired.push_back(Expired{id, KeyOfClient(c)});
  }
  for (const Expired& e : expired) {
    Client* c = FindLocked(e.clientid);
    if (c->minor_version == 0 && c->confirmed) expired_[e.clientid] = now;
    EraseLocked(e.clientid);
  }
  ForgetExpiredLocked(now);
  return expired;
}

}  // namespace efs::nfs4::state

// CompoundBuilder: builds NFSv4.1 (and 4.0) COMPOUND4args in-process, one chained call per op
// (nfs4j's CompoundBuilder). nfs4client::Client sends what it builds; the server tests, the e2e
// tests and bench/nfs_bench.cc use it too (tests/nfs4/compound_builder.h re-exports it).
//
//   CompoundBuilder b;
//   b.Sequence(sid, 1).PutRootFh().Lookup("a").GetAttr({FATTR4_SIZE});
//   std::string bytes = b.Encode();
#pragma once

#include <algorithm>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "xdr/nfs4_prot.h"
#include "xdr/xdr_mem.h"

namespace efs::nfs4client {

// XDR pieces for attribute values.
inline std::string XdrU32(uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (24 - 8 * i)));
  return s;
}
inline std::string XdrU64(uint64_t v) {
  return XdrU32(static_cast<uint32_t>(v >> 32)) + XdrU32(static_cast<uint32_t>(v));
}
inline std::string XdrString(const std::string& s) {
  return XdrU32(static_cast<uint32_t>(s.size())) + s + std::string((4 - s.size() % 4) % 4, '\0');
}

// An attribute bitmap (word list) from attribute numbers.
inline std::vector<uint32_t> Bitmap(std::initializer_list<uint32_t> attrs) {
  std::vector<uint32_t> w;
  for (uint32_t a : attrs) {
    if (w.size() <= a / 32) w.resize(a / 32 + 1);
    w[a / 32] |= 1u << (a % 32);
  }
  return w;
}

struct Fattr {
  std::vector<uint32_t> mask;
  std::string values;
};
inline Fattr ModeAttr(uint32_t mode) { return {Bitmap({FATTR4_MODE}), XdrU32(mode)}; }

class CompoundBuilder {
 public:
  CompoundBuilder() = default;
  // Movable only: the args point into the builder's storage, which a move keeps in place.
  CompoundBuilder(CompoundBuilder&&) = default;
  CompoundBuilder& operator=(CompoundBuilder&&) = default;
  CompoundBuilder(const CompoundBuilder&) = delete;
  CompoundBuilder& operator=(const CompoundBuilder&) = delete;

  CompoundBuilder& MinorVersion(uint32_t v) {
    minor_ = v;
    return *this;
  }
  CompoundBuilder& Tag(std::string t) {
    tag_ = std::move(t);
    return *this;
  }

  CompoundBuilder& Sequence(const char* sessionid, uint32_t seqid, uint32_t slot = 0,
                            bool cachethis = true, uint32_t highest = 0) {
    SEQUENCE4args& a = Add(OP_SEQUENCE).opsequence;
    std::memcpy(a.sa_sessionid, sessionid, NFS4_SESSIONID_SIZE);
    a.sa_sequenceid = seqid;
    a.sa_slotid = slot;
    a.sa_highest_slotid = highest;
    a.sa_cachethis = cachethis;
    return *this;
  }
  CompoundBuilder& ExchangeId(const std::string& owner, const std::string& verifier = "verifier",
                              uint32_t flags = 0) {
    EXCHANGE_ID4args& a = Add(OP_EXCHANGE_ID).opexchange_id;
    std::memcpy(a.eia_clientowner.co_verifier, verifier.data(),
                std::min<size_t>(verifier.size(), NFS4_VERIFIER_SIZE));
    a.eia_clientowner.co_ownerid.co_ownerid_len = static_cast<u_int>(owner.size());
    a.eia_clientowner.co_ownerid.co_ownerid_val = Keep(owner);
    a.eia_flags = flags;
    a.eia_state_protect.spa_how = SP4_NONE;
    return *this;
  }
  CompoundBuilder& CreateSession(uint64_t clientid, uint32_t sequence, uint32_t max_ops = 16,
                                 uint32_t slots = 4, uint32_t max_response = 2 << 20,
                                 uint32_t max_cached = 64 * 1024, uint32_t max_request = 1 << 20) {
    CREATE_SESSION4args& a = Add(OP_CREATE_SESSION).opcreate_session;
    a.csa_clientid = clientid;
    a.csa_sequence = sequence;
    channel_attrs4& f = a.csa_fore_chan_attrs;
    f.ca_maxrequestsize = max_request;
    f.ca_maxresponsesize = max_response;
    f.ca_maxresponsesize_cached = max_cached;
    f.ca_maxoperations = max_ops;
    f.ca_maxrequests = slots;
    a.csa_back_chan_attrs = f;
    return *this;
  }
  CompoundBuilder& DestroySession(const char* sessionid) {
    std::memcpy(Add(OP_DESTROY_SESSION).opdestroy_session.dsa_sessionid, sessionid,
                NFS4_SESSIONID_SIZE);
    return *this;
  }
  CompoundBuilder& DestroyClientid(uint64_t clientid) {
    Add(OP_DESTROY_CLIENTID).opdestroy_clientid.dca_clientid = clientid;
    return *this;
  }
  CompoundBuilder& BindConnToSession(const char* sessionid) {
    BIND_CONN_TO_SESSION4args& a = Add(OP_BIND_CONN_TO_SESSION).opbind_conn_to_session;
    std::memcpy(a.bctsa_sessid, sessionid, NFS4_SESSIONID_SIZE);
    a.bctsa_dir = CDFC4_FORE_OR_BOTH;
    return *this;
  }
  CompoundBuilder& ReclaimComplete(bool one_fs = false) {
    Add(OP_RECLAIM_COMPLETE).opreclaim_complete.rca_one_fs = one_fs;
    return *this;
  }
  CompoundBuilder& Op(nfs_opnum4 op) {
    Add(op);
    return *this;
  }

  // NFSv4.0 ops (with MinorVersion(0)). The callback is a placeholder: efsd never calls it.
  CompoundBuilder& SetClientId(const std::string& id, const std::string& verifier = "verifier") {
    SETCLIENTID4args& a = Add(OP_SETCLIENTID).opsetclientid;
    std::memcpy(a.client.verifier, verifier.data(),
                std::min<size_t>(verifier.size(), NFS4_VERIFIER_SIZE));
    a.client.id.id_len = static_cast<u_int>(id.size());
    a.client.id.id_val = Keep(id);
    a.callback.cb_program = 0x40000000;
    a.callback.cb_location.na_r_netid = Keep("tcp");
    a.callback.cb_location.na_r_addr = Keep("127.0.0.1.3.232");
    a.callback_ident = 1;
    return *this;
  }
  CompoundBuilder& SetClientIdConfirm(uint64_t clientid, const verifier4 confirm) {
    SETCLIENTID_CONFIRM4args& a = Add(OP_SETCLIENTID_CONFIRM).opsetclientid_confirm;
    a.clientid = clientid;
    std::memcpy(a.setclientid_confirm, confirm, NFS4_VERIFIER_SIZE);
    return *this;
  }
  CompoundBuilder& Renew(uint64_t clientid) {
    Add(OP_RENEW).oprenew.clientid = clientid;
    return *this;
  }
  CompoundBuilder& OpenConfirm(const stateid4& sid, uint32_t seqid) {
    OPEN_CONFIRM4args& a = Add(OP_OPEN_CONFIRM).opopen_confirm;
    a.open_stateid = sid;
    a.seqid = seqid;
    return *this;
  }
  CompoundBuilder& ReleaseLockOwner(uint64_t clientid, const std::string& owner) {
    lock_owner4& o = Add(OP_RELEASE_LOCKOWNER).oprelease_lockowner.lock_owner;
    o.clientid = clientid;
    o.owner.owner_len = static_cast<u_int>(owner.size());
    o.owner.owner_val = Keep(owner);
    return *this;
  }
  // NFSv4.0: sets the owner seqid and client id of the op added last, which 4.1 ignores. OPEN:
  // seqid and owner.clientid; CLOSE, OPEN_DOWNGRADE, LOCKU: seqid; LOCK by a new lock owner:
  // open_seqid = seqid, lock_seqid and lock_owner.clientid; LOCK by an existing one:
  // lock_seqid = seqid; LOCKT: owner.clientid.
  CompoundBuilder& Seqid(uint32_t seqid, uint64_t clientid = 0, uint32_t lock_seqid = 0) {
    auto& u = ops_.back().nfs_argop4_u;
    switch (ops_.back().argop) {
      case OP_OPEN:
        u.opopen.seqid = seqid;
        u.opopen.owner.clientid = clientid;
        break;
      case OP_CLOSE:
        u.opclose.seqid = seqid;
        break;
      case OP_OPEN_DOWNGRADE:
        u.opopen_downgrade.seqid = seqid;
        break;
      case OP_LOCKU:
        u.oplocku.seqid = seqid;
        break;
      case OP_LOCK:
        if (u.oplock.locker.new_lock_owner) {
          open_to_lock_owner4& o = u.oplock.locker.locker4_u.open_owner;
          o.open_seqid = seqid;
          o.lock_seqid = lock_seqid;
          o.lock_owner.clientid = clientid;
        } else {
          u.oplock.locker.locker4_u.lock_owner.lock_seqid = seqid;
        }
        break;
      case OP_LOCKT:
        u.oplockt.owner.clientid = clientid;
        break;
      default:
        break;
    }
    return *this;
  }

  CompoundBuilder& PutRootFh() { return Op(OP_PUTROOTFH); }
  CompoundBuilder& PutFh(const std::string& fh) {
    nfs_fh4& o = Add(OP_PUTFH).opputfh.object;
    o.nfs_fh4_len = static_cast<u_int>(fh.size());
    o.nfs_fh4_val = Keep(fh);
    return *this;
  }
  CompoundBuilder& GetFh() { return Op(OP_GETFH); }
  CompoundBuilder& SaveFh() { return Op(OP_SAVEFH); }
  CompoundBuilder& RestoreFh() { return Op(OP_RESTOREFH); }
  CompoundBuilder& Lookup(const std::string& name) {
    Name(name, &Add(OP_LOOKUP).oplookup.objname);
    return *this;
  }
  CompoundBuilder& LookupP() { return Op(OP_LOOKUPP); }

  CompoundBuilder& GetAttr(std::initializer_list<uint32_t> attrs) { return GetAttrs(Bitmap(attrs)); }
  // GETATTR of an attribute bitmap (as Bitmap() makes).
  CompoundBuilder& GetAttrs(const std::vector<uint32_t>& mask) {
    SetBitmap(mask, &Add(OP_GETATTR).opgetattr.attr_request);
    return *this;
  }
  CompoundBuilder& SetAttr(const Fattr& attrs, const stateid4& sid = {}) {
    SETATTR4args& a = Add(OP_SETATTR).opsetattr;
    a.stateid = sid;
    SetFattr(attrs, &a.obj_attributes);
    return *this;
  }
  CompoundBuilder& Verify(const Fattr& attrs, bool negate = false) {
    nfs_argop4& op = AddOp(negate ? OP_NVERIFY : OP_VERIFY);
    SetFattr(attrs, negate ? &op.nfs_argop4_u.opnverify.obj_attributes
                           : &op.nfs_argop4_u.opverify.obj_attributes);
    return *this;
  }
  CompoundBuilder& Access(uint32_t bits) {
    Add(OP_ACCESS).opaccess.access = bits;
    return *this;
  }

  CompoundBuilder& Create(nfs_ftype4 type, const std::string& name, const Fattr& attrs = {},
                          const std::string& link = "") {
    CREATE4args& a = Add(OP_CREATE).opcreate;
    a.objtype.type = type;
    if (type == NF4LNK) Name(link, &a.objtype.createtype4_u.linkdata);
    Name(name, &a.objname);
    SetFattr(attrs, &a.createattrs);
    return *this;
  }
  CompoundBuilder& Remove(const std::string& name) {
    Name(name, &Add(OP_REMOVE).opremove.target);
    return *this;
  }
  CompoundBuilder& Rename(const std::string& from, const std::string& to) {
    RENAME4args& a = Add(OP_RENAME).oprename;
    Name(from, &a.oldname);
    Name(to, &a.newname);
    return *this;
  }
  CompoundBuilder& Link(const std::string& name) {
    Name(name, &Add(OP_LINK).oplink.newname);
    return *this;
  }
  CompoundBuilder& ReadLink() { return Op(OP_READLINK); }
  CompoundBuilder& ReadDir(uint64_t cookie, uint32_t maxcount,
                           std::initializer_list<uint32_t> attrs = {}, uint32_t dircount = 0) {
    return ReadDirPage(cookie, 0, maxcount, Bitmap(attrs), dircount);
  }
  // READDIR after `cookie` with the cookieverf of the page that handed it out (0 for the first).
  CompoundBuilder& ReadDirPage(uint64_t cookie, uint64_t cookieverf, uint32_t maxcount,
                               const std::vector<uint32_t>& mask, uint32_t dircount = 0) {
    READDIR4args& a = Add(OP_READDIR).opreaddir;
    a.cookie = cookie;
    for (int i = 0; i < NFS4_VERIFIER_SIZE; ++i) {
      a.cookieverf[i] = static_cast<char>(cookieverf >> (56 - 8 * i));
    }
    a.dircount = dircount;
    a.maxcount = maxcount;
    SetBitmap(mask, &a.attr_request);
    return *this;
  }

  // OPEN by name (CLAIM_NULL); `how` < 0 opens without creating.
  CompoundBuilder& Open(const std::string& owner, const std::string& name, int how,
                        uint32_t access = OPEN4_SHARE_ACCESS_BOTH,
                        uint32_t deny = OPEN4_SHARE_DENY_NONE, const Fattr& attrs = ModeAttr(0644),
                        const std::string& verifier = "") {
    OPEN4args& a = OpenCommon(owner, access, deny);
    if (how >= 0) {
      a.openhow.opentype = OPEN4_CREATE;
      createhow4& h = a.openhow.openflag4_u.how;
      h.mode = static_cast<createmode4>(how);
      if (how == EXCLUSIVE4_1) {
        std::memcpy(h.createhow4_u.ch_createboth.cva_verf, verifier.data(),
                    std::min<size_t>(verifier.size(), NFS4_VERIFIER_SIZE));
        SetFattr(attrs, &h.createhow4_u.ch_createboth.cva_attrs);
      } else if (how == EXCLUSIVE4) {
        std::memcpy(h.createhow4_u.createverf, verifier.data(),
                    std::min<size_t>(verifier.size(), NFS4_VERIFIER_SIZE));
      } else {
        SetFattr(attrs, &h.createhow4_u.createattrs);
      }
    }
    a.claim.claim = CLAIM_NULL;
    Name(name, &a.claim.open_claim4_u.file);
    return *this;
  }
  // OPEN of the current file handle (CLAIM_FH).
  CompoundBuilder& OpenFh(const std::string& owner, uint32_t access = OPEN4_SHARE_ACCESS_READ) {
    OpenCommon(owner, access, OPEN4_SHARE_DENY_NONE).claim.claim = CLAIM_FH;
    return *this;
  }
  // The reclaim of an open of the current file handle after a server restart (CLAIM_PREVIOUS,
  // no delegation).
  CompoundBuilder& OpenPrevious(const std::string& owner, uint32_t access) {
    OPEN4args& a = OpenCommon(owner, access, OPEN4_SHARE_DENY_NONE);
    a.claim.claim = CLAIM_PREVIOUS;
    a.claim.open_claim4_u.delegate_type = OPEN_DELEGATE_NONE;
    return *this;
  }
  CompoundBuilder& Close(const stateid4& sid) {
    Add(OP_CLOSE).opclose.open_stateid = sid;
    return *this;
  }
  CompoundBuilder& OpenDowngrade(const stateid4& sid, uint32_t access) {
    OPEN_DOWNGRADE4args& a = Add(OP_OPEN_DOWNGRADE).opopen_downgrade;
    a.open_stateid = sid;
    a.share_access = access;
    return *this;
  }
  CompoundBuilder& Read(const stateid4& sid, uint64_t offset, uint32_t count) {
    READ4args& a = Add(OP_READ).opread;
    a.stateid = sid;
    a.offset = offset;
    a.count = count;
    return *this;
  }
  // WRITE of `data`, which is not copied: it must outlive Encode (a temporary cannot be given).
  CompoundBuilder& Write(const stateid4& sid, uint64_t offset, std::string_view data,
                         stable_how4 stable = UNSTABLE4) {
    WRITE4args& a = Add(OP_WRITE).opwrite;
    a.stateid = sid;
    a.offset = offset;
    a.stable = stable;
    a.data.data_len = static_cast<u_int>(data.size());
    a.data.data_val = const_cast<char*>(data.data());  // XDR_ENCODE only reads it
    return *this;
  }
  template <class T, class = std::enable_if_t<std::is_same_v<T, std::string>>>
  CompoundBuilder& Write(const stateid4&, uint64_t, T&&, stable_how4 = UNSTABLE4) = delete;
  CompoundBuilder& Commit() { return Op(OP_COMMIT); }
  // LOCK by a new lock owner under open stateid `open`; `reclaim` after a server restart.
  CompoundBuilder& LockNew(nfs_lock_type4 type, uint64_t offset, uint64_t length,
                           const stateid4& open, const std::string& lock_owner,
                           bool reclaim = false) {
    LOCK4args& a = Add(OP_LOCK).oplock;
    a.reclaim = reclaim;
    a.locktype = type;
    a.offset = offset;
    a.length = length;
    a.locker.new_lock_owner = 1;
    open_to_lock_owner4& o = a.locker.locker4_u.open_owner;
    o.open_stateid = open;
    o.lock_owner.owner.owner_len = static_cast<u_int>(lock_owner.size());
    o.lock_owner.owner.owner_val = Keep(lock_owner);
    return *this;
  }
  // LOCK with an existing lock stateid.
  CompoundBuilder& Lock(nfs_lock_type4 type, uint64_t offset, uint64_t length,
                        const stateid4& lock, bool reclaim = false) {
    LOCK4args& a = Add(OP_LOCK).oplock;
    a.reclaim = reclaim;
    a.locktype = type;
    a.offset = offset;
    a.length = length;
    a.locker.locker4_u.lock_owner.lock_stateid = lock;
    return *this;
  }
  CompoundBuilder& LockT(nfs_lock_type4 type, uint64_t offset, uint64_t length,
                         const std::string& lock_owner) {
    LOCKT4args& a = Add(OP_LOCKT).oplockt;
    a.locktype = type;
    a.offset = offset;
    a.length = length;
    a.owner.owner.owner_len = static_cast<u_int>(lock_owner.size());
    a.owner.owner.owner_val = Keep(lock_owner);
    return *this;
  }
  CompoundBuilder& LockU(const stateid4& lock, uint64_t offset, uint64_t length) {
    LOCKU4args& a = Add(OP_LOCKU).oplocku;
    a.locktype = READ_LT;
    a.lock_stateid = lock;
    a.offset = offset;
    a.length = length;
    return *this;
  }
  CompoundBuilder& TestStateid(const std::vector<stateid4>& sids) {
    TEST_STATEID4args& a = Add(OP_TEST_STATEID).optest_stateid;
    a.ts_stateids.ts_stateids_len = static_cast<u_int>(sids.size());
    a.ts_stateids.ts_stateids_val = KeepArray(sids);
    return *this;
  }
  CompoundBuilder& FreeStateid(const stateid4& sid) {
    Add(OP_FREE_STATEID).opfree_stateid.fsa_stateid = sid;
    return *this;
  }
  CompoundBuilder& SecInfo(const std::string& name) {
    Name(name, &Add(OP_SECINFO).opsecinfo.name);
    return *this;
  }
  CompoundBuilder& SecInfoNoName(secinfo_style4 style) {
    Add(OP_SECINFO_NO_NAME).opsecinfo_no_name = style;
    return *this;
  }

  // The args; they point into the builder, which must outlive them.
  COMPOUND4args Build() {
    COMPOUND4args a{};
    a.tag.utf8string_len = static_cast<u_int>(tag_.size());
    a.tag.utf8string_val = tag_.data();
    a.minorversion = minor_;
    a.argarray.argarray_len = static_cast<u_int>(ops_.size());
    a.argarray.argarray_val = ops_.data();
    return a;
  }
  // The args' XDR bytes.
  std::string Encode() {
    COMPOUND4args a = Build();
    std::string out;
    if (!efs::xdr::EncodeAppend(xdr_COMPOUND4args, a, &out).ok()) return "";
    return out;
  }
  size_t size() const { return ops_.size(); }
  // The op numbers, in order (what a reply must answer, DecodeReply in client_impl.h).
  std::vector<nfs_opnum4> Ops() const {
    std::vector<nfs_opnum4> ops;
    for (const nfs_argop4& op : ops_) ops.push_back(op.argop);
    return ops;
  }

 private:
  nfs_argop4& AddOp(nfs_opnum4 op) {
    ops_.emplace_back();
    ops_.back().argop = op;
    return ops_.back();
  }
  decltype(nfs_argop4::nfs_argop4_u)& Add(nfs_opnum4 op) { return AddOp(op).nfs_argop4_u; }
  OPEN4args& OpenCommon(const std::string& owner, uint32_t access, uint32_t deny) {
    OPEN4args& a = Add(OP_OPEN).opopen;
    a.share_access = access;
    a.share_deny = deny;
    a.owner.owner.owner_len = static_cast<u_int>(owner.size());
    a.owner.owner.owner_val = Keep(owner);
    a.openhow.opentype = OPEN4_NOCREATE;
    return a;
  }
  char* Keep(const std::string& s) {
    strings_.push_back(s);
    return strings_.back().data();
  }
  template <class T>
  T* KeepArray(const std::vector<T>& v) {
    auto p = std::make_shared<std::vector<T>>(v);
    arrays_.push_back(p);
    return p->data();
  }
  void Name(const std::string& s, utf8string* out) {
    out->utf8string_len = static_cast<u_int>(s.size());
    out->utf8string_val = Keep(s);
  }
  void SetBitmap(const std::vector<uint32_t>& words, bitmap4* out) {
    out->bitmap4_len = static_cast<u_int>(words.size());
    out->bitmap4_val = KeepArray(words);
  }
  void SetFattr(const Fattr& f, fattr4* out) {
    SetBitmap(f.mask, &out->attrmask);
    out->attr_vals.attrlist4_len = static_cast<u_int>(f.values.size());
    out->attr_vals.attrlist4_val = Keep(f.values);
  }

  std::string tag_;
  uint32_t minor_ = 1;
  std::vector<nfs_argop4> ops_;
  std::deque<std::string> strings_;
  std::vector<std::shared_ptr<void>> arrays_;
};

}  // namespace efs::nfs4client

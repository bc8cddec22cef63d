// The client behind client.h. Its parts: session.cc (the session, the slot table, the call path,
// the renewer and recovery), open_file.cc (OpenFileImpl: one OPEN's state), ops_names.cc and
// ops_data.cc (one method per client.h operation).
//
// A call: TakeSlot gives a free slot of the current session and the slot's next sequence id;
// the op builder adds SEQUENCE and the caller's ops; Transmit sends the bytes and, when the
// connection breaks or the server says the slot is still busy (NFS4ERR_DELAY), sends the same
// bytes again (same slot and seqid, so the reply cache answers a request that already ran);
// Exchange then reads SEQUENCE's status. A lost session or client id starts Recover, which makes
// a new session and reclaims every live OpenFile's open, locks and unstable writes before
// other calls may take a slot again; the failed call is then built anew and sent on the new
// session.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "nfs4client/client.h"
#include "nfs4client/compound_builder.h"
#include "nfs4client/lock_book.h"
#include "nfs4client/transport.h"
#include "xdr/xdr_owned.h"

namespace efs::nfs4client {

using Clock = std::chrono::steady_clock;

// A decoded COMPOUND4res.
class Reply {
 public:
  explicit Reply(xdr::XdrOwned<COMPOUND4res> res) : res_(std::move(res)) {}

  nfsstat4 status() const { return res_->status; }
  uint32_t count() const { return res_->resarray.resarray_len; }
  const nfs_resop4& op(uint32_t i) const { return res_->resarray.resarray_val[i]; }
  // The status of result i (every op result starts with it).
  nfsstat4 op_status(uint32_t i) const;
  // The last result of `op`. REQUIRES: the COMPOUND has one (as it has when it succeeded).
  const decltype(nfs_resop4::nfs_resop4_u)& Last(nfs_opnum4 op) const;
  // True iff the COMPOUND stopped at an `op` (its last result is one).
  bool StoppedAt(nfs_opnum4 op) const {
    return count() > 0 && res_->resarray.resarray_val[count() - 1].resop == op;
  }

 private:
  xdr::XdrOwned<COMPOUND4res> res_;
};

// Decodes the results of a COMPOUND that sent the ops `sent`. kCorruption ("GarbageReply") for
// bytes that do not decode (or are over `max_size`) and for results that do not answer those
// ops as RFC 5661 s15.2 says: one result per op run, in order, every one but the last NFS4_OK,
// the last (OP_ILLEGAL for an op the server does not know) with the COMPOUND's status, and all
// of them when that is NFS4_OK. Reply::Last may then be asked for any op sent.
Result<Reply> DecodeReply(std::string_view results, const std::vector<nfs_opnum4>& sent,
                          size_t max_size);

// The attributes of the reply's last GETATTR, and with the last GETFH's handle a Node.
Result<Attrs> AttrsOf(const Reply& r);
Result<Node> NodeOf(const Reply& r);

// An unstable WRITE the server has not yet said is durable.
struct UnstableWrite {
  uint64_t id = 0;
  uint64_t offset = 0;
  std::shared_ptr<const std::string> data;
  uint64_t verifier = 0;  // the write verifier the WRITE returned
};

class OpenFileImpl final : public OpenFile {
 public:
  OpenFileImpl(FileHandle fh, bool read, bool write, std::string owner, Identity opener,
               const stateid4& stateid, const Attrs& attrs);

  const FileHandle& fh() const override { return fh_; }
  bool readable() const override { return read_; }
  bool writable() const override { return write_; }
  Attrs attrs() const override EXCLUDES(mu_);
  uint64_t unstable_bytes() const override EXCLUDES(mu_);

  // The open owner (unique per OpenFile) and who opened it (recovery opens again as them).
  const std::string& owner() const { return owner_; }
  const Identity& opener() const { return opener_; }
  uint32_t access() const;  // OPEN4_SHARE_ACCESS_*

  // The open stateid with seqid 0, "the current one" (RFC 5661 s8.2.2), so calls racing an
  // update never send an old seqid.
  stateid4 stateid() const EXCLUDES(mu_);
  void SetStateid(const stateid4& stateid) EXCLUDES(mu_);
  void SetAttrs(const Attrs& attrs) EXCLUDES(mu_);
  bool closed() const EXCLUDES(mu_);
  void MarkClosed() EXCLUDES(mu_);

  // Unstable data, kept until a COMMIT with its verifier.
  void AddUnstable(uint64_t offset, std::string data, uint64_t verifier) EXCLUDES(mu_);
  std::vector<UnstableWrite> Unstable() const EXCLUDES(mu_);
  bool HasUnstable() const EXCLUDES(mu_);
  // Forgets the writes among `ids` whose verifier is `verifier`.
  void Committed(const std::vector<uint64_t>& ids, uint64_t verifier) EXCLUDES(mu_);
  void SetVerifier(uint64_t id, uint64_t verifier) EXCLUDES(mu_);

 private:
  const FileHandle fh_;
  const bool read_, write_;
  const std::string owner_;
  const Identity opener_;
  mutable Mutex mu_;
  stateid4 stateid_ GUARDED_BY(mu_);
  Attrs attrs_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
  uint64_t next_write_id_ GUARDED_BY(mu_) = 1;
  std::vector<UnstableWrite> unstable_ GUARDED_BY(mu_);
};

class ClientImpl final : public Client {
 public:
  explicit ClientImpl(const Options& options);
  ~ClientImpl() override;

  // Connects, makes the session and learns the server's limits; starts the renewer.
  Status Start() EXCLUDES(mu_, recover_mu_);

  uint32_t max_read() const override { return max_read_; }
  uint32_t max_write() const override { return max_write_; }
  std::chrono::seconds lease_time() const override { return std::chrono::seconds(lease_); }

  Result<Node> Root(const Identity& who) override;
  Result<Attrs> GetAttr(const Identity& who, const FileHandle& fh) override;
  Result<Node> Lookup(const Identity& who, const FileHandle& dir, std::string_view name) override;
  Result<Node> LookupPath(const Identity& who, std::string_view path) override;
  Result<Node> LookupParent(const Identity& who, const FileHandle& dir) override;
  Result<uint32_t> Access(const Identity& who, const FileHandle& fh, uint32_t mask) override;
  Result<Attrs> SetAttr(const Identity& who, const FileHandle& fh, const SetAttrs& set,
                        const OpenFile* open) override;
  Result<FsSpace> StatFs(const Identity& who, const FileHandle& fh) override;
  Result<Node> Mkdir(const Identity& who, const FileHandle& dir, std::string_view name,
                     uint32_t mode) override;
  Result<Node> Symlink(const Identity& who, const FileHandle& dir, std::string_view name,
                       std::string_view target) override;
  Result<Node> Mknod(const Identity& who, const FileHandle& dir, std::string_view name,
                     FileType type, uint32_t mode) override;
  Status Remove(const Identity& who, const FileHandle& dir, std::string_view name) override;
  Status Rename(const Identity& who, const FileHandle& from_dir, std::string_view from,
                const FileHandle& to_dir, std::string_view to) override;
  Result<Attrs> Link(const Identity& who, const FileHandle& fh, const FileHandle& dir,
                     std::string_view name) override;
  Result<std::string> ReadLink(const Identity& who, const FileHandle& fh) override;
  Result<DirPage> ReadDir(const Identity& who, const FileHandle& dir, uint64_t cookie,
                          uint64_t verifier, uint32_t max_bytes) override;
  Result<std::shared_ptr<OpenFile>> Open(const Identity& who, const FileHandle& dir,
                                         std::string_view name, const OpenArgs& args) override;
  Result<std::shared_ptr<OpenFile>> OpenHandle(const Identity& who, const FileHandle& fh, bool read,
                                               bool write) override;
  Result<ReadResult> Read(const Identity& who, OpenFile& file, uint64_t offset,
                          uint32_t count) override;
  Status Write(const Identity& who, OpenFile& file, uint64_t offset, std::string_view data,
               Stability stability) override;
  Status Commit(const Identity& who, OpenFile& file) override;
  Status Close(const Identity& who, OpenFile& file) override;
  Result<std::optional<LockConflict>> Lock(const Identity& who, OpenFile& file, uint64_t owner,
                                           const LockRange& range) override;
  Result<std::optional<LockConflict>> TestLock(const Identity& who, OpenFile& file, uint64_t owner,
                                               const LockRange& range) override;
  Status Unlock(const Identity& who, OpenFile& file, uint64_t owner,
                const LockRange& range) override;

 private:
  using BuildFn = std::function<void(CompoundBuilder&)>;
  // kRecovery calls are what Recover itself sends, holding recover_mu_: they may take a slot
  // while recovery runs, and a lost session fails them instead of starting another recovery
  // (kNormal calls start Recover, which takes recover_mu_).
  enum class Mode { kNormal, kRecovery };
  // What became of a slot's sequence id.
  enum class SlotEnd { kUnused, kAdvanced, kUnknown };
  struct SlotTicket {
    uint32_t slot = 0;
    uint32_t seqid = 0;
    uint32_t highest = 0;
    uint64_t epoch = 0;
    std::string sessionid;
  };
  struct Slot {
    uint32_t seqid = 0;
    bool busy = false;
    bool retired = false;  // its sequence id is unknown: never used again in this session
  };

  // --- session.cc
  // SEQUENCE + the ops `build` adds, as `who`; `cache` asks the server to keep the reply for a
  // retransmission (for ops that are not idempotent). Returns the reply whatever the ops'
  // status (after NFS4ERR_DELAY retries); errors are the session's and the transport's.
  Result<Reply> Exchange(const Identity& who, std::string_view what, bool cache,
                         const BuildFn& build, Mode mode = Mode::kNormal) EXCLUDES(mu_);
  // Exchange, and the first failing op's status as a Status (ToStatus(status, what)).
  Result<Reply> Run(const Identity& who, std::string_view what, bool cache, const BuildFn& build,
                    Mode mode = Mode::kNormal) EXCLUDES(mu_);
  // Sends the COMPOUND `b` builds until a reply to it comes (see the file comment).
  Result<Reply> Transmit(const Identity& who, CompoundBuilder& b, Clock::time_point deadline)
      EXCLUDES(mu_);
  Result<SlotTicket> TakeSlot(Mode mode, Clock::time_point deadline) EXCLUDES(mu_);
  void ReleaseSlot(const SlotTicket& t, SlotEnd end, const SEQUENCE4resok* ok = nullptr)
      EXCLUDES(mu_);
  // EXCHANGE_ID and CREATE_SESSION; installs the new session.
  // Runs under recover_mu_ (Recover) or before anything else may call (Start).
  Status NewSession(Clock::time_point deadline) EXCLUDES(mu_);
  // RECLAIM_COMPLETE: after Start's first session, and after recovery's reclaims.
  Status ReclaimComplete() EXCLUDES(mu_);
  // Recovers from the loss of session `epoch` (nothing if another caller already did).
  Status Recover(uint64_t epoch, Clock::time_point deadline) EXCLUDES(mu_, recover_mu_);
  // Opens, locks and unstable writes of every live OpenFile again, on the new session.
  Status ReclaimState() EXCLUDES(mu_);
  Status ReclaimFile(OpenFileImpl& f) EXCLUDES(mu_);
  void RenewLoop() EXCLUDES(mu_, recover_mu_);
  std::vector<std::shared_ptr<OpenFileImpl>> LiveFiles() EXCLUDES(mu_);
  std::string NewOwner() EXCLUDES(mu_);
  void Register(const std::shared_ptr<OpenFileImpl>& f) EXCLUDES(mu_);

  // --- ops_data.cc
  // The OpenFile an OPEN + GETFH + GETATTR reply made, registered for recovery.
  Result<std::shared_ptr<OpenFile>> FinishOpen(const Identity& who, const Reply& r,
                                               std::string owner, bool read, bool write);
  struct WriteOutcome {
    uint32_t count = 0;   // bytes written
    bool stable = false;  // committed more than UNSTABLE4
    uint64_t verifier = 0;
  };
  // One WRITE of at most max_write() bytes.
  Result<WriteOutcome> WritePiece(const Identity& who, OpenFileImpl& f, uint64_t offset,
                                  std::string_view data, Stability stability, Mode mode);
  // Writes unstable write `w` again (its data was lost) and notes the new verifier.
  Status Rewrite(const Identity& who, OpenFileImpl& f, const UnstableWrite& w, Mode mode);
  std::string LockOwnerName(uint64_t owner) const;
  Result<std::optional<LockConflict>> LockAs(const Identity& who, OpenFileImpl& f, uint64_t owner,
                                             const LockRange& range, Mode mode,
                                             bool reclaim = false);

  const Options options_;
  const std::string machine_;   // AUTH_SYS machine name
  const std::string verifier_;  // EXCHANGE_ID's boot verifier: this Client instance
  const size_t max_reply_;
  Transport transport_;
  LockBook locks_;
  std::atomic<uint32_t> stamp_{1};
  uint32_t max_read_ = 0, max_write_ = 0, lease_ = 90;  // set by Start

  Mutex recover_mu_;  // one recovery at a time; taken before mu_
  Mutex mu_;
  CondVar slot_cv_;  // a slot was released, or a session installed
  CondVar stop_cv_;  // stopping_
  uint64_t clientid_ GUARDED_BY(mu_) = 0;
  std::string sessionid_ GUARDED_BY(mu_);
  uint64_t epoch_ GUARDED_BY(mu_) = 0;  // which session: one more per CREATE_SESSION
  std::vector<Slot> slots_ GUARDED_BY(mu_);
  uint32_t target_highest_ GUARDED_BY(mu_) = 0;
  bool recovering_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  Clock::time_point last_used_ GUARDED_BY(mu_);
  uint64_t next_owner_ GUARDED_BY(mu_) = 1;
  std::vector<std::weak_ptr<OpenFileImpl>> opens_ GUARDED_BY(mu_);
  std::thread renewer_;
};

// Session management runs as root, the principal EXCHANGE_ID and CREATE_SESSION compare.
inline const Identity kSessionIdentity{0, 0, {}};

}  // namespace efs::nfs4client

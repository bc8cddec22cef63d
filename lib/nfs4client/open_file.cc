// OpenFileImpl: one OPEN's state as the client keeps it for its calls and for recovery (see
// client_impl.h).
#include <algorithm>

#include "nfs4client/client_impl.h"

namespace efs::nfs4client {
OpenFileImpl::OpenFileImpl(FileHandle fh, bool read, bool write, std::string owner, Identity opener,
                           const stateid4& stateid, const Attrs& attrs)
    : fh_(std::move(fh)),
      read_(read),
      write_(write),
      owner_(std::move(owner)),
      opener_(std::move(opener)),
      stateid_(stateid),
      attrs_(attrs) {}

uint32_t OpenFileImpl::access() const {
  return (read_ ? OPEN4_SHARE_ACCESS_READ : 0) | (write_ ? OPEN4_SHARE_ACCESS_WRITE : 0);
}

Attrs OpenFileImpl::attrs() const {
  MutexLock l(&mu_);
  return attrs_;
}

stateid4 OpenFileImpl::stateid() const {
  MutexLock l(&mu_);
  stateid4 s = stateid_;
  s.seqid = 0;
  return s;
}

void OpenFileImpl::SetStateid(const stateid4& stateid) {
  MutexLock l(&mu_);
  stateid_ = stateid;
}

void OpenFileImpl::SetAttrs(const Attrs& attrs) {
  MutexLock l(&mu_);
  attrs_ = attrs;
}

bool OpenFileImpl::closed() const {
  MutexLock l(&mu_);
  return closed_;
}

void OpenFileImpl::MarkClosed() {
  MutexLock l(&mu_);
  closed_ = true;
  unstable_.clear();
}

void OpenFileImpl::AddUnstable(uint64_t offset, std::string data, uint64_t verifier) {
  MutexLock l(&mu_);
  unstable_.push_back(UnstableWrite{
      next_write_id_++, offset, std::make_shared<const std::string>(std::move(data)), verifier});
}

uint64_t OpenFileImpl::unstable_bytes() const {
  MutexLock l(&mu_);
  uint64_t bytes = 0;
  for (const UnstableWrite& w : unstable_) bytes += w.data->size();
  return bytes;
}

std::vector<UnstableWrite> OpenFileImpl::Unstable() const {
  MutexLock l(&mu_);
  return unstable_;
}

bool OpenFileImpl::HasUnstable() const {
  MutexLock l(&mu_);
  return !unstable_.empty();
}

void OpenFileImpl::Committed(const std::vector<uint64_t>& ids, uint64_t verifier) {
  MutexLock l(&mu_);
  std::erase_if(unstable_, [&](const UnstableWrite& w) {
    return w.verifier == verifier && std::find(ids.begin(), ids.end(), w.id) != ids.end();
  });
}

void OpenFileImpl::SetVerifier(uint64_t id, uint64_t verifier) {
  MutexLock l(&mu_);
  for (UnstableWrite& w : unstable_) {
    if (w.id == id) w.verifier = verifier;
  }
}

}  // namespace efs::nfs4client

// Arena: bump allocation in blocks (see arena.h).
#include "base/arena.h"

#include <cstring>

namespace efs {

void* Arena::Allocate(size_t bytes) {
  constexpr size_t kAlign = alignof(std::max_align_t);
  bytes = (bytes + kAlign - 1) / kAlign * kAlign;
  if (bytes == 0) bytes = kAlign;
  if (bytes > kBlock / 4) {  // big: a block of its own, so the current one is not wasted
    blocks_.emplace_back(new char[bytes]());
    return blocks_.back().get();
  }
  if (left_ < bytes) {
    blocks_.emplace_back(new char[kBlock]);
    next_ = blocks_.back().get();
    left_ = kBlock;
  }
  void* p = next_;
  std::memset(p, 0, bytes);
  next_ += bytes;
  left_ -= bytes;
  return p;
}

}  // namespace efs

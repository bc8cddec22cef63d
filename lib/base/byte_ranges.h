// ByteRanges: what one POSIX lock owner holds of a file, as byte ranges (fcntl F_SETLK, RFC 5661
// s9.4): a new lock replaces whatever the owner held in its range (splitting what it cuts),
// an unlock removes its range, and touching ranges of one kind merge. The NFS server's lock
// table and the NFS client's record of its own locks (for recovery) both keep them this way.
#pragma once

#include <cstdint>
#include <vector>

namespace efs {

struct ByteRange {
  uint64_t start = 0;
  uint64_t end = 0;  // one past the last byte; UINT64_MAX: to the end of the file
  bool exclusive = false;  // a write lock; else a read (shared) lock
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

// The end of the range of `length` bytes at `offset`; NFS's length UINT64_MAX (and any length
// past 2^64) reaches to the end of the file.
inline uint64_t RangeEnd(uint64_t offset, uint64_t length) {
  return length == UINT64_MAX || length > UINT64_MAX - offset ? UINT64_MAX : offset + length;
}
// The NFS length of [start, end).
inline uint64_t RangeLength(uint64_t start, uint64_t end) {
  return end == UINT64_MAX ? UINT64_MAX : end - start;
}

inline bool Overlaps(const ByteRange& a, const ByteRange& b) {
  return a.start < b.end && b.start < a.end;
}

// Adds `range` to `held` (sorted by start, as AddRange leaves it), replacing what overlaps.
void AddRange(std::vector<ByteRange>* held, const ByteRange& range);
// Removes [start, end) from `held`; holding none of it is fine.
void RemoveRange(std::vector<ByteRange>* held, uint64_t start, uint64_t end);

}  // namespace efs

// POSIX lock-range arithmetic (see byte_ranges.h).
#include "base/byte_ranges.h"

#include <algorithm>

namespace efs {

void RemoveRange(std::vector<ByteRange>* held, uint64_t start, uint64_t end) {
  std::vector<ByteRange> out;
  for (const ByteRange& h : *held) {
    if (h.end <= start || h.start >= end) {
      out.push_back(h);
      continue;
    }
    if (h.start < start) out.push_back({h.start, start, h.exclusive});
    if (h.end > end) out.push_back({end, h.end, h.exclusive});
  }
  *held = std::move(out);
}

void AddRange(std::vector<ByteRange>* held, const ByteRange& range) {
  RemoveRange(held, range.start, range.end);
  held->push_back(range);
  std::sort(held->begin(), held->end(),
            [](const ByteRange& a, const ByteRange& b) { return a.start < b.start; });
  std::vector<ByteRange> merged;
  for (const ByteRange& r : *held) {
    if (!merged.empty() && merged.back().exclusive == r.exclusive && merged.back().end >= r.start) {
      merged.back().end = std::max(merged.back().end, r.end);
    } else {
      merged.push_back(r);
    }
  }
  *held = std::move(merged);
}

}  // namespace efs

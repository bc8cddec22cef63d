// KeepLargeBuffersInTheHeap: for processes that move NFS data (efsd, the FUSE mount, the
// benchmarks). NFS moves data in buffers of up to 1 MiB (records, READ and WRITE data,
// replies). glibc serves blocks above its mmap threshold with a fresh mmap each time, which
// costs a page fault and a page clear per 4 KiB touched; its dynamic threshold follows whatever
// large block was freed last, so throughput depended on the history of allocations. A fixed
// threshold well above the largest buffer keeps them in the heap, where they are reused.
#pragma once

#include <malloc.h>

namespace efs {

inline void KeepLargeBuffersInTheHeap() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace efs

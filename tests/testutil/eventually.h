// Eventually: waits for a condition another thread makes true, bounded in count and time.
#pragma once

#include <chrono>
#include <thread>

namespace efs::testutil {

// Polls `done` every 5 ms for up to 10 s; returns whether it held.
template <class F>
bool Eventually(F done) {
  for (int i = 0; i < 2000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace efs::testutil

// Eventually: waits for a condition another thread (or process) makes true, bounded in count
// and time.
#pragma once

#include <chrono>
#include <thread>

namespace efs::testutil {

// Polls `done` every `every` for up to `limit`; returns whether it held.
template <class F>
bool Eventually(F done, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(5)) {
  for (auto waited = std::chrono::milliseconds(0); waited < limit && !done(); waited += every) {
    std::this_thread::sleep_for(every);
  }
  return done();
}

// Polls `done` every 5 ms for up to 10 s.
template <class F>
bool Eventually(F done) {
  return Eventually(done, std::chrono::seconds(10));
}

}  // namespace efs::testutil

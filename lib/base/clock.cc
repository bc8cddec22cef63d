// The system clock.
#include "base/clock.h"

#include <chrono>

namespace efs {

double SystemClock::Now() const {
  auto d = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(d).count();
}

double TestClock::Advance(double seconds) {
  double offset = offset_.load();
  while (!offset_.compare_exchange_weak(offset, offset + seconds)) {
  }
  return Now();
}

}  // namespace efs

// The system clock.
#include "base/clock.h"

#include <chrono>

namespace efs {

double SystemClock::Now() const {
  auto d = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(d).count();
}

}  // namespace efs

// Clock: the one source of wall time, injectable so tests (and efsd --test-clock later) can
// move time. Times are seconds since the epoch as double, as the AWS API reports them.
#pragma once

#include <atomic>

namespace efs {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch. Thread-safe.
  virtual double Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  double Now() const override;
};

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(double start = 1700000000.0) : now_(start) {}
  double Now() const override { return now_.load(); }
  void Advance(double seconds) { now_.store(now_.load() + seconds); }
  void Set(double now) { now_.store(now); }

 private:
  std::atomic<double> now_;
};

}  // namespace efs

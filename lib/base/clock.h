// Clock: the one source of wall time, injectable so tests (FakeClock) and demos (efsd
// --test-clock: TestClock) can move time. Times are seconds since the epoch as double, as the
// AWS API reports them.
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

// The system's time plus whatever Advance added: a daemon on it runs as usual, and can be sent
// days ahead at once (efsd --test-clock, efs debug advance-clock). Thread-safe.
class TestClock final : public Clock {
 public:
  double Now() const override { return system_.Now() + offset_.load(); }
  // Moves the clock `seconds` ahead (never back: REQUIRES seconds >= 0); returns the new time.
  double Advance(double seconds);
  // How far ahead of the system's time the clock is.
  double offset() const { return offset_.load(); }

 private:
  SystemClock system_;
  std::atomic<double> offset_{0};
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

// The arithmetic of EFS's throughput modes (EFS-REFERENCE.md s2.2, s2.3): what a request is
// metered at, the bursting baseline and burst rates, the burst credit balance, and the
// throughput a file system is permitted in each mode. Pure functions and small value types,
// driven by the caller's clock (seconds), so that tests move time as they like.
#pragma once

#include <cstdint>
#include <limits>

namespace efs::qos {

inline constexpr double kKiB = 1024.0;
inline constexpr double kMiB = 1024.0 * kKiB;
inline constexpr double kGiB = 1024.0 * kMiB;
inline constexpr double kTiB = 1024.0 * kGiB;
// Every request is metered as at least this many bytes.
inline constexpr double kMinMeteredRequest = 4096;
// The burst credit balance of a new file system, and the cap below 1 TiB stored.
inline constexpr double kInitialCredits = 2.1 * kTiB;
inline constexpr double kUnlimited = std::numeric_limits<double>::infinity();

enum class RequestKind { kRead, kWrite, kMetadata };

// The bytes a request of `bytes` counts against the throughput limit (MeteredIOBytes): at least
// 4 KiB, and reads at one third.
double MeteredBytes(RequestKind kind, uint64_t bytes);

// Bursting mode, for `standard_bytes` stored in Standard (ValueInStandard):
// the baseline, 50 KiB/s per GiB and at least 1 MiB/s;
double BaselineBytesPerSecond(uint64_t standard_bytes);
// the burst rate, 100 MiB/s per TiB and at least 100 MiB/s;
double BurstBytesPerSecond(uint64_t standard_bytes);
// the most credits it can hold: 2.1 TiB below 1 TiB stored, 2.1 TiB per TiB above.
double CreditCap(uint64_t standard_bytes);

// The burst credit balance (BurstCreditBalance), in bytes. Between two calls of Spend, credits
// accrue at the baseline rate (up to the cap) and `metered` bytes spend them.
class BurstCredits {
 public:
  explicit BurstCredits(double now, double balance = kInitialCredits)
      : balance_(balance), last_(now) {}

  // Accrues the baseline for the time since the last call, then spends `metered` bytes
  // (which may take the balance below zero: a debt the baseline pays back). Returns the
  // balance.
  double Spend(double now, double metered, uint64_t standard_bytes);
  double balance() const { return balance_; }

 private:
  double balance_;
  double last_;
};

enum class ThroughputMode { kBursting, kProvisioned, kElastic };

// The throughput a file system may use now (PermittedThroughput), in metered bytes per second:
// bursting, the burst rate while it has credits and the baseline without; provisioned, the
// provisioned rate or the bursting baseline where that is higher; elastic, no limit.
double PermittedBytesPerSecond(ThroughputMode mode, uint64_t standard_bytes, double credits,
                               double provisioned_mib_per_second);

// A token bucket of `rate` metered bytes per second holding at most `capacity`. Admit never
// refuses: a request that finds too few tokens takes them anyway (the bucket goes into debt)
// and is told how long to wait, so that requests are delayed, never failed, and a burst larger
// than the bucket still gets through at the rate.
class TokenBucket {
 public:
  TokenBucket(double rate, double capacity, double now)
      : rate_(rate), capacity_(capacity), tokens_(capacity), last_(now) {}

  // Takes `metered` tokens at `now`; returns the seconds the request must wait first (0 when
  // the bucket held enough).
  double Admit(double now, double metered);
  // Takes `metered` tokens at `now`, into debt if need be.
  void Take(double now, double metered);
  // Gives back `metered` tokens taken too many (up to the capacity).
  void Give(double now, double metered);
  // The seconds from `now` until the bucket is out of debt (0 if it is).
  double Until(double now);
  // A new rate (and capacity) from `now` on; the tokens held carry over (up to the capacity).
  void SetRate(double now, double rate, double capacity);
  double rate() const { return rate_; }
  double tokens() const { return tokens_; }

 private:
  void Refill(double now);

  double rate_;
  double capacity_;
  double tokens_;
  double last_;
};

}  // namespace efs::qos

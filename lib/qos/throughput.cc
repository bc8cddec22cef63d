// Throughput-mode arithmetic (see throughput.h).
#include "qos/throughput.h"

#include <algorithm>
#include <cmath>

namespace efs::qos {

double MeteredBytes(RequestKind kind, uint64_t bytes) {
  const double counted = std::max(kMinMeteredRequest, static_cast<double>(bytes));
  return kind == RequestKind::kRead ? counted / 3 : counted;
}

double BaselineBytesPerSecond(uint64_t standard_bytes) {
  return std::max(kMiB, static_cast<double>(standard_bytes) / kGiB * 50 * kKiB);
}

double BurstBytesPerSecond(uint64_t standard_bytes) {
  return std::max(100 * kMiB, static_cast<double>(standard_bytes) / kTiB * 100 * kMiB);
}

double CreditCap(uint64_t standard_bytes) {
  return std::max(kInitialCredits, static_cast<double>(standard_bytes) / kTiB * kInitialCredits);
}

double BurstCredits::Spend(double now, double metered, uint64_t standard_bytes) {
  const double elapsed = std::max(0.0, now - last_);
  last_ = std::max(last_, now);
  balance_ = std::min(CreditCap(standard_bytes),
                      balance_ + elapsed * BaselineBytesPerSecond(standard_bytes));
  balance_ -= metered;
  return balance_;
}

double PermittedBytesPerSecond(ThroughputMode mode, uint64_t standard_bytes, double credits,
                               double provisioned_mib_per_second) {
  switch (mode) {
    case ThroughputMode::kElastic:
      return kUnlimited;
    case ThroughputMode::kProvisioned:
      return std::max(provisioned_mib_per_second * kMiB, BaselineBytesPerSecond(standard_bytes));
    case ThroughputMode::kBursting:
      break;
  }
  return credits > 0 ? BurstBytesPerSecond(standard_bytes) : BaselineBytesPerSecond(standard_bytes);
}

void TokenBucket::Refill(double now) {
  if (now > last_) {
    tokens_ = std::min(capacity_, tokens_ + (now - last_) * rate_);
    last_ = now;
  }
}

double TokenBucket::Admit(double now, double metered) {
  Take(now, metered);
  return Until(now);
}

void TokenBucket::Take(double now, double metered) {
  if (std::isinf(rate_)) return;
  Refill(now);
  tokens_ -= metered;
}

void TokenBucket::Give(double now, double metered) {
  if (std::isinf(rate_)) return;
  Refill(now);
  tokens_ = std::min(capacity_, tokens_ + metered);
}

double TokenBucket::Until(double now) {
  if (std::isinf(rate_)) return 0;
  Refill(now);
  return tokens_ >= 0 ? 0 : -tokens_ / rate_;
}

void TokenBucket::SetRate(double now, double rate, double capacity) {
  if (!std::isinf(rate_)) Refill(now);
  // Leaving "no limit" starts from a full bucket; the debt of a lower rate carries over.
  tokens_ = std::isinf(rate_) ? capacity : std::min(tokens_, capacity);
  rate_ = rate;
  capacity_ = capacity;
  last_ = std::max(last_, now);
}

}  // namespace efs::qos

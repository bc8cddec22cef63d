// The calling thread's BlockingObserver (see blocking.h).
#include "base/blocking.h"

namespace efs {
namespace {

thread_local BlockingObserver* tls_observer = nullptr;

}  // namespace

BlockingObserver* SetBlockingObserver(BlockingObserver* observer) {
  BlockingObserver* previous = tls_observer;
  tls_observer = observer;
  return previous;
}

ScopedBlocking::ScopedBlocking() : observer_(tls_observer) {
  if (observer_ != nullptr) observer_->Blocking();
}

ScopedBlocking::~ScopedBlocking() {
  if (observer_ != nullptr) observer_->Running();
}

}  // namespace efs

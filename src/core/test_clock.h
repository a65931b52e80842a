// A clock a test moves by hand. Thread-safe: a Publisher's timer may read it while the test
// moves it.
#pragma once

#include <atomic>

#include "core/time.h"

namespace vigie::testing {

class ManualClock : public Clock {
 public:
  explicit ManualClock(Time t) : now_(ToUnix(t)) {}
  Time Now() const override { return FromUnix(now_.load()); }
  void Set(Time t) { now_ = ToUnix(t); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace vigie::testing

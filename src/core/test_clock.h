// A clock a test moves by hand. Not thread-safe: for tests that run no timer thread.
#pragma once

#include "core/time.h"

namespace vigie::testing {

class ManualClock : public Clock {
 public:
  explicit ManualClock(Time t) : now_(t) {}
  Time Now() const override { return now_; }
  void Set(Time t) { now_ = t; }

 private:
  Time now_;
};

}  // namespace vigie::testing

// Whether the store answers, as last seen by a background ping and by the writes, so that
// /readyz (and anything else on an I/O thread) can tell without touching the store: a locked
// or slow database must never make a public request wait.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace vigie {

class StoreHealth {
 public:
  struct State {
    bool reachable = true;
    Time since{};        // when it last became reachable or unreachable
    std::string reason;  // why it is unreachable (empty when reachable)
  };

  // `store` and `clock` must outlive it. Pings every `interval` once Start() is called.
  StoreHealth(Store& store, const Clock& clock, std::chrono::milliseconds interval);
  ~StoreHealth();  // stops the pings
  StoreHealth(const StoreHealth&) = delete;
  StoreHealth& operator=(const StoreHealth&) = delete;

  // Pings once now, then every interval on a thread of its own.
  void Start();
  void Stop();

  // What a store call answered: Unavailable and Internal mean the store is not answering
  // (locked, full, replaced, down); ok means it is; other errors (bad input, conflicts) say
  // nothing of the store. Thread-safe, cheap.
  void Record(const Status& st);

  // A copy of the last state. Thread-safe; never waits on the store.
  State Get() const;

 private:
  void Loop();

  Store& store_;
  const Clock& clock_;
  const std::chrono::milliseconds interval_;

  mutable std::mutex mu_;  // guards state_ and stopping_ only; no I/O is done under it
  State state_;
  bool stopping_ = false;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace vigie

#include "store/health.h"

#include "core/log.h"

namespace vigie {

StoreHealth::StoreHealth(Store& store, const Clock& clock, std::chrono::milliseconds interval)
    : store_(store), clock_(clock), interval_(interval) {
  state_.since = clock_.Now();
}

StoreHealth::~StoreHealth() { Stop(); }

void StoreHealth::Start() {
  Record(store_.Ping());
  thread_ = std::thread([this] { Loop(); });
}

void StoreHealth::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StoreHealth::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    Status st = store_.Ping();  // may wait on the store: only this thread does
    Record(st);
    lock.lock();
  }
}

void StoreHealth::Record(const Status& st) {
  const bool down = st.code() == Status::Code::kUnavailable || st.code() == Status::Code::kInternal;
  if (!st.ok() && !down) return;
  std::lock_guard lock(mu_);
  if (state_.reachable == !down && (!down || state_.reason == st.message())) return;
  if (state_.reachable == down) state_.since = clock_.Now();
  const bool was = state_.reachable;
  state_.reachable = !down;
  state_.reason = down ? st.message() : std::string();
  if (was && down) LogError("the database is not answering: " + st.message());
  if (!was && !down) LogInfo("the database answers again");
}

StoreHealth::State StoreHealth::Get() const {
  std::lock_guard lock(mu_);
  return state_;
}

}  // namespace vigie

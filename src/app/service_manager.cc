#include "app/service_manager.h"

#include <systemd/sd-daemon.h>

#include "core/log.h"

namespace vigie {

ServiceManager::ServiceManager(std::function<bool(std::chrono::milliseconds)> alive)
    : alive_(std::move(alive)) {}

ServiceManager::~ServiceManager() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

void ServiceManager::Ready(const std::string& status) {
  sd_notify(0, ("READY=1\nSTATUS=" + status).c_str());
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = std::thread([this, usec] { Watch(std::chrono::microseconds(usec)); });
  }
}

void ServiceManager::Stopping() {
  sd_notify(0, "STOPPING=1\nSTATUS=stopping");
  {
    std::lock_guard lock(mu_);
    stopping_ = true;  // the loops stop now: no more pings, and no alarm about it
  }
  cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

void ServiceManager::Watch(std::chrono::microseconds interval) {
  // Twice per interval, as sd_watchdog_enabled(3) advises; a loop that does not answer
  // within a quarter of it misses its ping.
  const auto every = std::chrono::duration_cast<std::chrono::milliseconds>(interval) / 2;
  const auto within = std::max(std::chrono::milliseconds(1), every / 2);
  bool late = false;
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, every, [this] { return stopping_; })) {
    lock.unlock();
    const bool alive = alive_(within);
    if (alive) sd_notify(0, "WATCHDOG=1");
    if (!alive && !late) LogError("the server's event loops did not answer: no watchdog ping");
    late = !alive;
    lock.lock();
  }
}

}  // namespace vigie

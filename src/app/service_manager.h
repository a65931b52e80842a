// What systemd (Type=notify) is told, through libsystemd's sd_notify: READY=1 once the site
// answers (the first snapshot published, the port open), WATCHDOG=1 every half WatchdogSec
// while the server's event loops answer (a stuck loop stops the pings and systemd restarts the
// service), STOPPING=1 at shutdown, and a STATUS line. Nothing at all when systemd did not start
// the process (no NOTIFY_SOCKET).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace vigie {

class ServiceManager {
 public:
  // `alive`: whether the process can serve now (called from the watchdog's thread; it may
  // wait up to the time it is given).
  explicit ServiceManager(std::function<bool(std::chrono::milliseconds)> alive);
  // Stops the watchdog's pings.
  ~ServiceManager();
  ServiceManager(const ServiceManager&) = delete;
  ServiceManager& operator=(const ServiceManager&) = delete;

  // READY=1 with `status`; starts the watchdog's pings when systemd asked for them.
  void Ready(const std::string& status);
  // STOPPING=1, and no more watchdog pings.
  void Stopping();

 private:
  void Watch(std::chrono::microseconds interval);

  std::function<bool(std::chrono::milliseconds)> alive_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread watchdog_;
};

}  // namespace vigie

// SIGHUP reads the configuration file again and applies, while serving, what can change
// safely: the log level and the access log's destination, the server's limits (sizes,
// timeouts, connections, streams), the body cache's budget, and the assets override (templates,
// texts, static files: every body is then rendered afresh). Everything else it names, in the
// log, as needing a restart; a configuration with errors is refused and nothing changes.
// SIGUSR1 (and SIGHUP) opens the access log's file again, after logrotate moved it away.
#pragma once

#include <atomic>
#include <thread>

#include "admin/web.h"
#include "app/config.h"
#include "app/site.h"
#include "http/server.h"
#include "snapshot/publisher.h"

namespace vigie {

class Reloader {
 public:
  struct Targets {
    const Config& running;  // as the process started: the reference for "needs a restart"
    http::Server& server;
    Publisher& publisher;
    Site& site;
    AdminWeb& admin;
    bool quiet;  // --quiet: stays quiet whatever the file says
  };
  // Blocks SIGHUP and SIGUSR1 in the calling thread, and so in every thread it starts after:
  // call it before the first thread starts, so that only the Reloader's thread takes them.
  static void BlockSignals();
  // Starts the thread that waits for them. Every target must outlive it.
  explicit Reloader(Targets targets);
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // What SIGHUP does, now.
  Status Reload();

 private:
  void Loop();

  Targets t_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace vigie

#include "app/reload.h"

#include <signal.h>

#include <string>
#include <vector>

#include "core/log.h"

namespace vigie {

namespace {

sigset_t ReloadSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  return set;
}

// What differs between `a` and `b` among the settings that only a restart applies.
std::vector<std::string> NeedingRestart(const Config& a, const Config& b) {
  std::vector<std::string> out;
  const auto differs = [&](bool d, const char* what) {
    if (d) out.emplace_back(what);
  };
  differs(a.server.address != b.server.address || a.server.port != b.server.port, "server.listen");
  differs(a.server.threads != b.server.threads, "server.threads");
  differs(a.storage != b.storage, "storage.url");
  differs(a.store.data_dir != b.store.data_dir, "storage.data_dir");
  differs(a.metrics.address != b.metrics.address || a.metrics.port != b.metrics.port,
          "metrics.listen");
  differs(a.mirror.dir != b.mirror.dir || a.mirror.history_pages != b.mirror.history_pages,
          "mirror");
  differs(a.admin.session_idle_s != b.admin.session_idle_s ||
              a.admin.session_max_s != b.admin.session_max_s,
          "admin");
  differs(a.site.name != b.site.name || a.site.base_url != b.site.base_url ||
              a.site.default_region != b.site.default_region ||
              a.site.regions.size() != b.site.regions.size(),
          "site (but site.assets_override)");
  for (size_t i = 0; i < std::min(a.site.regions.size(), b.site.regions.size()); ++i) {
    const Region &x = a.site.regions[i], &y = b.site.regions[i];
    if (x.id != y.id || x.name != y.name || x.hosts != y.hosts || x.time_zone != y.time_zone ||
        x.default_lang != y.default_lang || x.base_url != y.base_url) {
      out.emplace_back("site.regions");
      break;
    }
  }
  return out;
}

}  // namespace

void Reloader::BlockSignals() {
  const sigset_t set = ReloadSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Reloader::Reloader(Targets targets) : t_(targets) {
  thread_ = std::thread([this] { Loop(); });
}

Reloader::~Reloader() {
  stopping_ = true;
  thread_.join();
}

void Reloader::Loop() {
  const sigset_t set = ReloadSignals();
  const timespec slice{0, 250'000'000};  // how long Stop may wait
  while (!stopping_) {
    siginfo_t info{};
    const int sig = sigtimedwait(&set, &info, &slice);
    if (sig == SIGUSR1) {
      const Status st = ReopenAccessLog();
      if (st.ok()) LogInfo("SIGUSR1: the access log is open again");
      if (!st.ok()) LogError("SIGUSR1: " + st.message());
    } else if (sig == SIGHUP) {
      const Status st = Reload();
      if (!st.ok()) LogError("SIGHUP: the configuration is not reloaded: " + st.message());
    }
  }
}

Status Reloader::Reload() {
  Result<Config> next = LoadConfig(t_.running.source, VigieEnvironment());
  if (!next.ok()) return next.status();
  // What flags set over the file stays as they set it.
  if (t_.running.listen_from_flag) {
    next->server.address = t_.running.server.address;
    next->server.port = t_.running.server.port;
  }
  if (t_.running.data_from_flag) next->store.data_dir = t_.running.store.data_dir;
  std::vector<std::string> changed;
  // The assets first: a set that does not load (a template with an error) changes nothing.
  if (next->site.assets_override != t_.running.site.assets_override ||
      !next->site.assets_override.empty()) {
    Result<std::shared_ptr<const WebAssets>> web = WebAssets::Load(next->site.assets_override);
    if (!web.ok()) return web.status().WithContext("site.assets_override");
    t_.site.SetWeb(*web);
    t_.admin.SetAssets(
        AdminAssets{(*web)->messages, (*web)->templates, (*web)->urls, t_.running.site.name});
    changed.emplace_back("assets (templates, texts, static files)");
  }
  SetLogLevel(t_.quiet || next->log.quiet);
  if (Status st = t_.quiet ? Status::Ok() : SetAccessLog(next->log.access); !st.ok()) {
    LogError("log.access: " + st.message());
  }
  t_.server.SetLimits(next->server);
  t_.publisher.SetCacheBudget(static_cast<size_t>(next->cache_budget_mib) << 20);
  changed.emplace_back("log, server limits, cache budget");
  // Every body again, with the assets and the budget now in force.
  VIGIE_RETURN_IF_ERROR(t_.publisher.Republish());
  std::string said = "SIGHUP: configuration " + t_.running.source + " read again; applied: ";
  for (size_t i = 0; i < changed.size(); ++i) said += (i ? ", " : "") + changed[i];
  LogInfo(said);
  if (const std::vector<std::string> later = NeedingRestart(t_.running, *next); !later.empty()) {
    std::string names;
    for (const std::string& n : later) names += (names.empty() ? "" : ", ") + n;
    LogWarn("SIGHUP: changed in the configuration but applied only by a restart: " + names);
  }
  return Status::Ok();
}

}  // namespace vigie

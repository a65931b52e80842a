#include "app/commands.h"

#include <malloc.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "admin/operations.h"
#include "app/importers.h"
#include "app/metrics.h"
#include "app/mirror.h"
#include "app/reload.h"
#include "app/service_manager.h"
#include "app/site.h"
#include "core/files.h"
#include "core/log.h"
#include "core/text_archive.h"
#include "http/server.h"
#include "notify/desk.h"
#include "notify/sender.h"
#include "snapshot/local_copy.h"
#include "snapshot/publisher.h"
#include "store/store.h"

namespace vigie {

namespace {

int Fail(const std::string& what, const Status& st) {
  std::cerr << "vigie: " << what << ": " << st.message() << "\n";
  return st.code() == Status::Code::kInvalid || st.code() == Status::Code::kNotFound ? 2 : 1;
}

// Opens the store `url` names and brings its schema up to date.
Result<std::unique_ptr<Store>> OpenMigrated(const std::string& url, const StoreOptions& options) {
  Result<std::unique_ptr<Store>> store = OpenStore(url, options);
  if (!store.ok()) return store;
  VIGIE_RETURN_IF_ERROR((*store)->Migrate());
  return store;
}

// The configuration's store, migrated.
Result<std::unique_ptr<Store>> OpenMigrated(const Config& config) {
  return OpenMigrated(config.storage, config.store);
}

}  // namespace

int RunMigrate(const Config& config) {
  Result<std::unique_ptr<Store>> store = OpenMigrated(config);
  if (!store.ok()) return Fail("migrate", store.status());
  std::cout << "schema at version " << *(*store)->SchemaVersion() << "\n";
  return 0;
}

int RunImportCatalog(const Config& config, const std::string& path) {
  Result<std::unique_ptr<Store>> store = OpenMigrated(config);
  if (!store.ok()) return Fail("import catalog", store.status());
  SystemClock clock;
  Publisher publisher(**store, clock, config.site.regions);
  Result<ImportSummary> s = ImportCatalog(publisher, path, "cli");
  if (!s.ok()) return Fail("import catalog " + path, s.status());
  std::cout << "imported " << s->ToString() << " from " << path << "\n";
  return 0;
}

int RunImportScenario(const Config& config, const std::string& path) {
  Result<std::unique_ptr<Store>> store = OpenMigrated(config);
  if (!store.ok()) return Fail("import scenario", store.status());
  SystemClock clock;
  Publisher publisher(**store, clock, config.site.regions);
  Result<ImportSummary> s = ImportScenario(publisher, path, clock.Now(), "cli");
  if (!s.ok()) return Fail("import scenario " + path, s.status());
  std::cout << "imported " << s->ToString() << " from " << path << "\n";
  return 0;
}

namespace {

// The node's folder, made when missing (a node on PostgreSQL has nothing else in it), and the
// path of its local copy of the state there (snapshot/local_copy.h).
Result<std::string> LocalCopyPath(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.store.data_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create " + config.store.data_dir + ": " + ec.message());
  }
  return (std::filesystem::path(config.store.data_dir) / "last-state.bin").string();
}

// After a dump is imported or a backup restored, the node's local copy of the new state
// (snapshot/local_copy.h), so that its next start reads it and not every row (at 100,000
// events: ready in 0.5 s, not 1.1-1.5 s). A copy is a cache: when it cannot be made the
// import stands, and the next start reads the store.
void LeaveLocalCopy(const Config& config, Store& store) {
  Result<std::string> path = LocalCopyPath(config);
  if (path.ok()) {
    text_archive::Open(config.store.data_dir);  // the texts out of the heap here too
    malloc_trim(0);  // what the import freed goes back before the model is read
  }
  Result<Model> model = path.ok() ? store.Load() : Result<Model>(path.status());
  Status st = model.ok() ? LocalCopy::Write(*path, *model, SystemClock().Now()) : model.status();
  if (!st.ok()) {
    LogWarn("the node's local copy of this state is not saved (" + st.message() +
            "): its next start reads the whole store");
  }
}

}  // namespace

int RunImportDump(const Config& config, const std::string& path) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return Fail("import dump", text.status());
  Result<std::unique_ptr<Store>> store = OpenMigrated(config);
  if (!store.ok()) return Fail("import dump", store.status());
  Status st = (*store)->Import(*text);
  if (!st.ok()) return Fail("import dump " + path, st);
  std::string().swap(*text);  // 190 MB at scale: not beside the model read next
  LeaveLocalCopy(config, **store);
  std::cout << "imported the dump " << path << "\n";
  return 0;
}

int RunExport(const Config& config, const std::string& output) {
  Result<std::unique_ptr<Store>> store = OpenMigrated(config);
  if (!store.ok()) return Fail("export", store.status());
  Result<std::string> dump = (*store)->Export();
  if (!dump.ok()) return Fail("export", dump.status());
  if (output == "-") {
    std::cout << *dump;
    return std::cout.good() ? 0 : 1;
  }
  // Written beside, then renamed: a reader never sees half a dump.
  if (Status st = WriteFileAtomically(output, {*dump}); !st.ok()) return Fail("export", st);
  std::cerr << "exported to " << output << "\n";
  return 0;
}

int RunCopyStore(const Config& config, const std::string& from, const std::string& to) {
  const std::string from_name = StoreName(from, config.store),
                    to_name = StoreName(to, config.store);
  if (from_name == to_name) {
    return Fail("copy-store", Status::Invalid("--from and --to name the same store"));
  }
  Result<std::unique_ptr<Store>> source = OpenMigrated(from, config.store);
  if (!source.ok()) return Fail("copy-store: " + from_name, source.status());
  Result<std::unique_ptr<Store>> target = OpenMigrated(to, config.store);
  if (!target.ok()) return Fail("copy-store: " + to_name, target.status());
  Result<std::string> dump = (*source)->Export();
  if (!dump.ok()) return Fail("copy-store: reading " + from_name, dump.status());
  Status st = (*target)->Import(*dump);
  if (!st.ok()) return Fail("copy-store: writing " + to_name, st);
  std::cout << "copied " << from_name << " to " << to_name
            << " (sessions are not copied: operators sign in again)\n";
  return 0;
}

int RunBackup(const Config& config, const std::string& file) {
  Result<std::unique_ptr<Store>> store = OpenMigrated(config);
  if (!store.ok()) return Fail("backup", store.status());
  Status st = (*store)->Backup(file);
  if (!st.ok()) return Fail("backup", st);
  std::cout << "backed up " << StoreName(config.storage, config.store) << " to " << file << "\n";
  return 0;
}

namespace {

// The dump a backup holds: a dump as it is, or the export of a SQLite backup (read from a
// copy, brought to this Vigie's schema: the backup itself is never changed). Invalid, with
// the reason, when it is neither or is damaged.
Result<std::string> ReadBackup(const std::string& file, const StoreOptions& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + file);
  constexpr std::string_view kSqliteMagic("SQLite format 3\0", 16);
  std::string head(kSqliteMagic.size(), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head != kSqliteMagic) return ReadWholeFile(file);
  std::string dir = (std::filesystem::temp_directory_path() / "vigie-restore-XXXXXX").string();
  if (!mkdtemp(dir.data())) return Status::Unavailable("cannot make a temporary folder");
  struct Remove {
    std::string dir;
    ~Remove() { std::filesystem::remove_all(dir); }
  } remove{dir};
  std::error_code ec;
  const std::string copy = dir + "/backup.db";
  std::filesystem::copy_file(file, copy, ec);
  if (ec) return Status::Unavailable("cannot copy " + file + ": " + ec.message());
  Result<std::unique_ptr<Store>> backup = OpenMigrated("sqlite:" + copy, options);
  if (!backup.ok()) return Status::Invalid(backup.status().message());
  Result<std::string> dump = (*backup)->Export();
  if (!dump.ok()) return Status::Invalid(dump.status().message());
  return dump;
}

}  // namespace

int RunRestore(const Config& config, const std::string& file, bool replace) {
  Result<std::string> dump = ReadBackup(file, config.store);
  if (!dump.ok()) {
    return Fail("restore", dump.status().code() == Status::Code::kInvalid
                               ? Status::Invalid("the backup " + file +
                                                 " cannot be used: " + dump.status().message())
                               : dump.status());
  }
  Result<std::unique_ptr<Store>> store = OpenMigrated(config);
  if (!store.ok()) return Fail("restore", store.status());
  Status st = replace ? (*store)->Replace(*dump) : (*store)->Import(*dump);
  if (st.code() == Status::Code::kConflict) {
    st = Status::Conflict(st.message() + " (or restore with --replace to replace what it holds)");
  } else if (st.code() == Status::Code::kInvalid) {
    st = Status::Invalid("the backup cannot be used: " + st.message());
  }
  if (!st.ok()) return Fail("restore " + file, st);
  std::string().swap(*dump);
  LeaveLocalCopy(config, **store);
  std::cout << (replace ? "replaced " : "restored into ") << StoreName(config.storage, config.store)
            << " from " << file << "\n";
  return 0;
}

namespace {

// The metrics server's one answer: GET /metrics.
http::Response MetricsAnswer(const http::Request& req, const Metrics& metrics) {
  http::Response res;
  if (req.path != "/metrics") {
    res.status = 404;
    res.Set("Content-Type", "text/plain; charset=utf-8");
    res.SetBody("metrics are at /metrics\n");
    return res;
  }
  res.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  res.Set("Cache-Control", "no-store");
  res.SetBody(metrics.Text());
  return res;
}

// One line from standard input, without echo when it is a terminal.
std::string ReadSecret(const std::string& prompt) {
  const bool tty = isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Runs `fn` with the operations of a migrated store and the publisher they write through.
int WithOperations(const Config& config, const std::string& what,
                   const std::function<int(Operations&, Store&)>& fn) {
  Result<std::unique_ptr<Store>> store = OpenMigrated(config);
  if (!store.ok()) return Fail(what, store.status());
  SystemClock clock;
  Publisher publisher(**store, clock, config.site.regions);
  Operations ops(publisher, **store, clock);
  return fn(ops, **store);
}

}  // namespace

int RunUserAdd(const Config& config, const std::string& name, const std::string& role_id) {
  std::optional<Role> role = ParseRole(role_id);
  if (!role) return Fail("user add", Status::Invalid("--role must be editor or admin"));
  return WithOperations(config, "user add", [&](Operations& ops, Store&) {
    const std::string password = ReadSecret("Password for " + name + " (12 characters or more): ");
    Result<int64_t> id = ops.AddUser("cli", name, *role, password);
    if (!id.ok()) return Fail("user add " + name, id.status());
    std::cout << "added " << name << " (" << role_id << ")\n";
    return 0;
  });
}

int RunUserPasswd(const Config& config, const std::string& name) {
  return WithOperations(config, "user passwd", [&](Operations& ops, Store&) {
    const std::string password = ReadSecret("New password for " + name + ": ");
    Status st = ops.SetPassword("cli", name, password);
    if (!st.ok()) return Fail("user passwd " + name, st);
    std::cout << "password of " << name << " changed; every session of " << name << " ended\n";
    return 0;
  });
}

int RunUserDisable(const Config& config, const std::string& name, bool disabled) {
  return WithOperations(config, "user disable", [&](Operations& ops, Store&) {
    Status st = ops.SetDisabled("cli", name, disabled);
    if (!st.ok()) return Fail(std::string(disabled ? "user disable " : "user enable ") + name, st);
    std::cout << name << (disabled ? " disabled\n" : " enabled\n");
    return 0;
  });
}

int RunUserList(const Config& config) {
  return WithOperations(config, "user list", [&](Operations&, Store& store) {
    Result<std::vector<User>> users = store.ListUsers();
    if (!users.ok()) return Fail("user list", users.status());
    for (const User& u : *users) {
      std::cout << u.name << "\t" << RoleId(u.role) << "\t" << (u.disabled ? "disabled" : "active")
                << "\t" << FormatRfc3339(u.created_at) << "\n";
    }
    return 0;
  });
}

int RunTokenCreate(const Config& config, const std::string& name, const std::string& role_id) {
  std::optional<Role> role = ParseRole(role_id);
  if (!role) return Fail("token create", Status::Invalid("--role must be editor or admin"));
  return WithOperations(config, "token create", [&](Operations& ops, Store&) {
    Result<std::string> token = ops.CreateToken("cli", name, *role);
    if (!token.ok()) return Fail("token create " + name, token.status());
    std::cout << *token << "\n";
    std::cerr << "token \"" << name << "\" (" << role_id
              << ") created: copy it now, it will not be shown again\n";
    return 0;
  });
}

int RunTokenList(const Config& config) {
  return WithOperations(config, "token list", [&](Operations&, Store& store) {
    Result<std::vector<ApiToken>> tokens = store.ListTokens();
    if (!tokens.ok()) return Fail("token list", tokens.status());
    for (const ApiToken& t : *tokens) {
      std::cout << t.id << "\t" << t.name << "\t" << RoleId(t.role) << "\t"
                << (t.revoked_at ? "revoked" : "active") << "\t" << t.created_by << "\n";
    }
    return 0;
  });
}

int RunTokenRevoke(const Config& config, int64_t id) {
  return WithOperations(config, "token revoke", [&](Operations& ops, Store&) {
    Status st = ops.RevokeToken("cli", id);
    if (!st.ok()) return Fail("token revoke", st);
    std::cout << "token " << id << " revoked\n";
    return 0;
  });
}

int RunMirror(const Config& config, const std::string& dir) {
  Result<std::shared_ptr<const WebAssets>> web = WebAssets::Load(config.site.assets_override);
  if (!web.ok()) return Fail("mirror: assets", web.status());
  Result<std::unique_ptr<Store>> store = OpenMigrated(config);
  if (!store.ok()) return Fail("mirror", store.status());
  Result<Model> model = (*store)->Load();
  if (!model.ok()) return Fail("mirror", model.status());
  model->regions = config.site.regions;
  SystemClock clock;
  // The state as stored, at this instant; nothing is written to the store.
  const auto snap = std::make_shared<const Snapshot>(std::move(model).value(), clock.Now(), 1);
  StoreHealth health(**store, clock, std::chrono::seconds(2));
  Publisher publisher(**store, clock, config.site.regions);
  AdminWeb admin(AdminOptions{}, publisher, **store, clock,
                 AdminAssets{(*web)->messages, (*web)->templates, (*web)->urls, config.site.name});
  Site site(config, publisher, health, **web, admin);
  Config to = config;
  to.mirror.dir = dir;
  Result<Mirror::Stats> stats = Mirror(site, to).Write(snap);
  if (!stats.ok()) return Fail("mirror", stats.status());
  std::cout << "mirrored to " << dir << ": " << stats->ToString() << "\n";
  return 0;
}

int RunServe(const Config& config, const ServeOptions& options) {
  // Two malloc arenas, not eight per core: each thread that allocates gets an arena of its own,
  // and what one thread frees (an old snapshot, on the Publisher's) another's arena cannot
  // reuse. At scale, 20 writes grew the resident heap by 23 MB with the default, 10 MB with
  // two. An operator's own setting (MALLOC_ARENA_MAX, or arena_max in GLIBC_TUNABLES) stands.
  if (getenv("MALLOC_ARENA_MAX") == nullptr &&
      std::string_view(getenv("GLIBC_TUNABLES") ? getenv("GLIBC_TUNABLES") : "")
              .find("arena_max") == std::string_view::npos) {
    mallopt(M_ARENA_MAX, 2);
  }
  // SIGHUP and SIGUSR1 go to the Reloader's thread alone: blocked before any thread starts.
  Reloader::BlockSignals();
  SetLogLevel(options.quiet || config.log.quiet);
  if (!options.quiet && config.log.access != "stdout") {
    if (Status st = SetAccessLog(config.log.access); !st.ok()) return Fail("serve", st);
  }
  // Templates and catalogs are checked before anything is written.
  Result<std::shared_ptr<const WebAssets>> web = WebAssets::Load(config.site.assets_override);
  if (!web.ok()) return Fail("serve: assets", web.status());
  Result<std::unique_ptr<Store>> opened = OpenStore(config.storage, config.store);
  if (!opened.ok()) return Fail("serve", opened.status());
  Store& store = **opened;
  // A node whose database is on a server may start while the server is away: it serves its
  // local copy of the last state, and the store migrates when the server answers.
  const auto away = [&store](const Status& st) {
    return st.code() == Status::Code::kUnavailable && store.Remote();
  };
  if (Status st = store.Migrate(); !st.ok()) {
    if (!away(st)) return Fail("serve", st);
    LogWarn("the database cannot be reached (" + st.message() + "): starting without it");
  }
  // The static mirror, told of each snapshot once the site that renders it exists.
  std::atomic<Mirror*> mirror{nullptr};
  // The sender of the subscribers' mails, woken by each publish (a write may have left
  // notices) once it exists.
  std::atomic<Sender*> waking{nullptr};
  // Every node keeps its last published state in its folder (snapshot/local_copy.h) and
  // starts from it, reading from the store only what changed since: at 100,000 events, a
  // start from the copy is ready in 0.4 s, from SQLite's rows in 1.0-1.4 s. A node on
  // PostgreSQL writes it after each publish and serves it while the server is away; a node
  // on SQLite writes it when it stops.
  Result<std::string> local_copy = LocalCopyPath(config);
  if (!local_copy.ok()) return Fail("serve", local_copy.status());
  // The history's texts live in a file of the node's folder, out of the heap
  // (core/text_archive.h); without one they stay in the heap.
  if (Status st = text_archive::Open(config.store.data_dir); !st.ok()) {
    LogWarn(st.message() + "; texts are kept in memory");
  }
  SystemClock wall_clock;
  std::optional<FileOffsetClock> test_clock;
  if (!options.clock_offset_file.empty()) {
    test_clock.emplace(options.clock_offset_file);
    LogWarn("the clock is shifted by the seconds in " + options.clock_offset_file +
            " (tests only)");
  }
  const Clock& clock = test_clock ? static_cast<const Clock&>(*test_clock) : wall_clock;
  StoreHealth health(store, clock, std::chrono::seconds(2));
  // Prometheus metrics, on their own address when one is configured.
  std::optional<Metrics> metrics;
  if (!config.metrics.address.empty()) metrics.emplace();
  Metrics* counted = metrics ? &*metrics : nullptr;
  Publisher publisher(
      store, clock, config.site.regions,
      Publisher::Options{
          .cache_budget = static_cast<size_t>(config.cache_budget_mib) << 20,
          .health = &health,
          .longest_sleep = test_clock ? std::chrono::milliseconds(100)
                                      : std::chrono::milliseconds(std::chrono::minutes(1)),
          .local_copy = *local_copy,
          .copy_each_publish = store.Remote(),
          .published =
              [&mirror, &waking](const std::shared_ptr<const Snapshot>& snap) {
                if (Mirror* m = mirror.load()) m->Offer(snap);
                if (Sender* s = waking.load()) s->Wake();
              },
          .timed = counted ? std::function(
                                 [counted](const Publisher::Times& t) { counted->Published(t); })
                           : nullptr,
          .wrote = counted ? std::function([counted](const Status& st,
                                                     std::chrono::steady_clock::duration d) {
            counted->Wrote(st, d);
          })
                           : nullptr});

  // First start: the catalog, then the seed scenario, so the site is never empty.
  Result<bool> empty = store.Empty();
  if (!empty.ok() && !away(empty.status())) return Fail("serve", empty.status());
  if (empty.ok() && *empty) {
    Result<ImportSummary> c = ImportCatalog(publisher, config.catalog, "first-start");
    if (!c.ok()) return Fail("import catalog " + config.catalog, c.status());
    LogInfo("first start: imported " + c->ToString() + " from " + config.catalog);
    if (!options.seed_scenario.empty()) {
      Result<ImportSummary> s =
          ImportScenario(publisher, options.seed_scenario, clock.Now(), "first-start");
      if (!s.ok()) return Fail("import scenario " + options.seed_scenario, s.status());
      LogInfo("first start: imported " + s->ToString() + " from " + options.seed_scenario);
    }
  }
  Status st = publisher.Start(/*run_timer=*/true);
  if (!st.ok()) return Fail("serve", st);
  health.Start();

  AdminWeb admin(AdminOptions{.secure_cookies = config.site.base_url.rfind("https://", 0) == 0,
                              .idle_timeout = std::chrono::seconds(config.admin.session_idle_s),
                              .absolute_timeout = std::chrono::seconds(config.admin.session_max_s),
                              .health = &health},
                 publisher, store, clock,
                 AdminAssets{(*web)->messages, (*web)->templates, (*web)->urls, config.site.name});
  Site site(config, publisher, health, **web, admin);
  // Subscriptions by e-mail, when an SMTP server is configured: the desk takes them on the
  // public pages; the sender (on the node holding the clock lease) delivers the outbox.
  std::optional<SubscriptionDesk> desk;
  std::optional<Sender> sender;
  if (!config.email.smtp_url.empty()) {
    desk.emplace(store, clock,
                 SubscriptionDesk::Options{
                     .form_min_age = std::chrono::seconds(config.notify.form_min_seconds),
                     .per_address_per_hour = static_cast<int>(config.notify.per_address_per_hour),
                     .per_visitor_per_hour = static_cast<int>(config.notify.per_visitor_per_hour),
                     .endpoints_private = config.notify.webhook_private});
    sender.emplace(
        store, clock, publisher,
        [&site] {
          return MailAssets{&site.web().messages, &site.web().templates};
        },
        [&desk] { return desk->Signer(); },
        Sender::Options{
            .smtp = {.url = config.email.smtp_url,
                     .require_tls = config.email.require_tls,
                     .timeout = std::chrono::seconds(config.email.timeout_seconds)},
            .webhook = {.timeout = std::chrono::seconds(config.notify.webhook_timeout_seconds),
                        .allow_private = config.notify.webhook_private},
            .quarantine_after = static_cast<int>(config.notify.quarantine_after),
            .from = config.email.from,
            .reply_to = config.email.reply_to,
            .site_name = config.site.name,
            .connections = static_cast<int>(config.notify.connections),
            .first_retry = std::chrono::seconds(config.notify.retry_seconds),
            .reminder = std::chrono::minutes(config.notify.reminder_minutes)});
    site.SetSubscriptions(&*desk, [&sender] { sender->Wake(); });
    waking = &*sender;
    if (metrics) metrics->AttachSender(*sender);
    sender->Start();
    LogInfo("subscriptions are on: e-mail through SMTP " + SmtpName(config.email.smtp_url) +
            ", webhooks, Slack and Teams" +
            (config.notify.webhook_private ? " (private addresses allowed)" : ""));
  }
  // The sender stops (finishing the mail in hand) before the Site and the store go.
  struct StopSender {
    std::optional<Sender>& sender;
    std::atomic<Sender*>& waking;
    ~StopSender() {
      waking = nullptr;
      if (sender) sender->Stop();
    }
  } stop_sender{sender, waking};
  // The mirror renders through the Site: it goes before the Site, and stops being told of
  // snapshots before it goes.
  std::optional<Mirror> mirror_writer;
  struct Forget {
    std::atomic<Mirror*>& mirror;
    ~Forget() { mirror = nullptr; }
  } forget{mirror};
  if (!config.mirror.dir.empty()) {
    mirror_writer.emplace(site, config);
    mirror = &*mirror_writer;
    if (std::shared_ptr<const Snapshot> now = publisher.Current()) mirror_writer->Offer(now);
    LogInfo("writing a static mirror of every public answer to " + config.mirror.dir);
  }
  // The timer stops before the Site goes: its writes warm bodies through the Site.
  struct StopTimer {
    Publisher& publisher;
    ~StopTimer() { publisher.Stop(); }
  } stop_timer{publisher};
  http::Server server(
      config.server, [&site](http::Request& req) { return site.Handle(req); },
      [&site](http::Request& req) { return site.RunsOf(req) == http::Runs::kOnWorker; });
  st = server.Listen();
  if (!st.ok()) return Fail("serve", st);
  // The metrics' own server: one thread, /metrics only, stopped by the same signals.
  std::optional<http::Server> metrics_server;
  std::thread metrics_thread;
  if (metrics) {
    metrics->Attach(site.routes(), server, static_cast<size_t>(config.server.threads), publisher,
                    health);
    server.SetObserver([counted](const http::Request& req, size_t thread, int status, size_t bytes,
                                 std::chrono::steady_clock::duration took) {
      counted->Request(req, thread, status, bytes, took);
    });
    metrics_server.emplace(config.metrics,
                           [counted](http::Request& req) { return MetricsAnswer(req, *counted); });
    if (Status listening = metrics_server->Listen(); !listening.ok()) {
      return Fail("serve: metrics", listening);
    }
    LogInfo("metrics on http://" + config.metrics.address + ":" +
            std::to_string(metrics_server->port()) + "/metrics");
    metrics_thread = std::thread([&metrics_server] { metrics_server->Run(); });
  }
  const std::string listening = "listening on http://" + config.server.address + ":" +
                                std::to_string(server.port()) + " (" +
                                std::to_string(config.server.threads) + " threads, storage " +
                                StoreName(config.storage, config.store) + ")";
  LogInfo(listening);
  Reloader reloader(Reloader::Targets{config, server, publisher, site, admin, options.quiet});
  // systemd: ready now (the first snapshot is published, the port is open); alive while the
  // event loops answer.
  ServiceManager systemd(
      [&server](std::chrono::milliseconds within) { return server.Responsive(within); });
  systemd.Ready(listening);
  server.Run();
  systemd.Stopping();
  if (sender) sender->Stop();
  if (metrics_thread.joinable()) metrics_thread.join();
  publisher.Stop();
  LogInfo("stopped");
  return 0;
}

}  // namespace vigie

// The configuration: read once from vigie.toml, overridden by VIGIE_SECTION_KEY environment
// variables and command-line flags, validated, then const. Each layer gets only its part.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "domain/model.h"
#include "http/server.h"
#include "store/store.h"

namespace vigie {

struct SiteConfig {
  Text name{"Statut des services", "Service status"};  // site.name_fr / site.name_en
  std::string base_url = "http://localhost:8080";      // public URL, for feeds and links
  std::string default_region;                          // the region of unknown hosts
  std::vector<Region> regions;                         // [[site.regions]]
  std::string assets_override;                         // a folder replacing embedded assets
};

// [log]: what the diagnostics say, and where the access log goes.
struct LogConfig {
  bool quiet = false;             // log.level = "warning": warnings and errors only
  std::string access = "stdout";  // log.access: "stdout", "off", or a file (reopened on SIGUSR1)
};

struct AdminConfig {
  int64_t session_idle_s = 30 * 60;   // a back-office session unused this long ends
  int64_t session_max_s = 12 * 3600;  // and any session after this long
};

// [mirror]: every public body written as files after each publish, for a plain web server or
// a CDN to serve when no node can (deploy/nginx-mirror.conf).
struct MirrorConfig {
  std::string dir;            // mirror.dir: where the trees go; empty: no mirror
  int64_t history_pages = 5;  // how many pages of each platform's history (and their events)
};

// [email]: the SMTP server the subscribers' mails go through. Subscriptions are offered only
// when smtp_url is set.
struct EmailConfig {
  std::string smtp_url;      // email.smtp_url: "smtp://127.0.0.1:25", "smtps://user:pw@host:465"
  std::string from;          // email.from: "Statut Divalto <status@example.com>"
  std::string reply_to;      // email.reply_to (optional)
  bool require_tls = false;  // email.tls = "require": never in clear (else STARTTLS if offered)
  int64_t timeout_seconds = 30;  // email.timeout_seconds: one mail's exchange with the server
};

// [notify]: how subscriptions are taken.
struct NotifyConfig {
  int64_t form_min_seconds = 2;          // a subscription form sent back sooner is a bot's
  int64_t per_address_per_hour = 5;      // subscription requests for one e-mail address
  int64_t per_visitor_per_hour = 30;     // and from one visitor's IP address
  int64_t retry_seconds = 30;            // the first retry of a mail the server did not take
  int64_t reminder_minutes = 24 * 60;    // a maintenance's reminder, this long before (0: none)
  int64_t webhook_timeout_seconds = 10;  // an endpoint answers 2xx within this, or it failed
  int64_t connections = 4;        // SMTP connections (and endpoint posts) at once while sending
  int64_t quarantine_after = 10;  // an endpoint's failures in a row before it is stopped
  // Endpoints on loopback, private or link-local addresses are taken (a site whose
  // subscribers are on its own network). Off: the defence against request forgery.
  bool webhook_private = false;
};

struct Config {
  http::ServerOptions server;
  LogConfig log;
  // [metrics] listen: where Prometheus scrapes /metrics (never the public port); off when
  // metrics.address is empty.
  http::ServerOptions metrics{.address = "", .port = 0, .threads = 1, .workers = 0};
  MirrorConfig mirror;
  EmailConfig email;
  NotifyConfig notify;
  AdminConfig admin;
  // cache.budget_mib: what one snapshot may keep of rendered bodies (each in up to three
  // codings); bodies past it are rendered for each request. The demo site needs about 12 MiB.
  int64_t cache_budget_mib = 64;
  std::string storage;  // storage.url: empty for the data directory's SQLite file
  StoreOptions store;   // storage.data_dir (--data)
  SiteConfig site;
  std::string catalog = "catalog/divalto.toml";  // catalog.path
  std::string source;                            // the file it was read from
  // What command-line flags set over the file (--listen, --data): a reload keeps them.
  bool listen_from_flag = false, data_from_flag = false;
};

// Reads `path` (a missing file is an error) and applies the environment `env`
// (VIGIE_SERVER_LISTEN=127.0.0.1:9000 and the like). Errors name the file and line.
Result<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env);

// The process environment's VIGIE_* variables.
std::map<std::string, std::string> VigieEnvironment();

// Parses "ADDR:PORT", "[v6]:PORT" or ":PORT" into the server options.
Status ParseListen(const std::string& listen, http::ServerOptions& out);

}  // namespace vigie

#include "app/config.h"

#include <date/tz.h>
#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <set>

#include "domain/validate.h"
#include "notify/mail.h"
#include "notify/smtp.h"

extern char** environ;

namespace vigie {

namespace {

// Reads one section's keys, applying VIGIE_<SECTION>_<KEY> overrides, and remembers the first
// error with its line.
class Section {
 public:
  Section(const std::string& file, const toml::table* table, std::string name,
          const std::map<std::string, std::string>& env, std::vector<std::string>& errors)
      : file_(file), table_(table), name_(std::move(name)), env_(env), errors_(errors) {}

  void String(const std::string& key, std::string& out) {
    seen_.insert(key);
    if (const std::string* e = Env(key)) {
      out = *e;
      return;
    }
    if (const toml::node* n = Node(key)) {
      if (auto v = n->value<std::string>()) {
        out = *v;
      } else {
        Error(*n, key + " must be a string");
      }
    }
  }

  template <typename Int>
  void Integer(const std::string& key, Int& out, int64_t min, int64_t max) {
    seen_.insert(key);
    int64_t v = static_cast<int64_t>(out);
    if (const std::string* e = Env(key)) {
      const auto [end, ec] = std::from_chars(e->data(), e->data() + e->size(), v);
      if (ec != std::errc() || end != e->data() + e->size()) {
        errors_.push_back(EnvName(key) + ": \"" + *e + "\" is not a whole number");
        return;
      }
    } else if (const toml::node* n = Node(key)) {
      // Only an integer node is read as one: toml++ converts a float (1e24) with undefined
      // behaviour when it does not fit.
      const std::optional<int64_t> x =
          n->is_integer() ? n->value<int64_t>() : std::optional<int64_t>();
      if (!x) {
        Error(*n, key + " must be a whole number");
        return;
      }
      v = *x;
    } else {
      return;
    }
    if (v < min || v > max) {
      errors_.push_back(Where(key) + name_ + "." + key + " must be between " + std::to_string(min) +
                        " and " + std::to_string(max));
      return;
    }
    out = static_cast<Int>(v);
  }

  // true or false (in the environment: "true"/"false", "1"/"0").
  void Boolean(const std::string& key, bool& out) {
    seen_.insert(key);
    if (const std::string* e = Env(key)) {
      if (*e == "true" || *e == "1") {
        out = true;
      } else if (*e == "false" || *e == "0") {
        out = false;
      } else {
        errors_.push_back(EnvName(key) + ": \"" + *e + "\" is not true or false");
      }
      return;
    }
    if (const toml::node* n = Node(key)) {
      if (auto v = n->value_exact<bool>()) {
        out = *v;
      } else {
        Error(*n, key + " must be true or false");
      }
    }
  }

  // Reports keys of the section that nobody asked for: usually a typo.
  void RejectUnknown(const std::set<std::string>& also_allowed = {}) {
    if (!table_) return;
    for (const auto& [k, node] : *table_) {
      const std::string key(k.str());
      if (!seen_.count(key) && !also_allowed.count(key)) {
        Error(node, "unknown key " + name_ + "." + key);
      }
    }
  }

  void Error(const toml::node& n, const std::string& msg) {
    errors_.push_back(file_ + ":" + std::to_string(n.source().begin.line) + ": " + msg);
  }

 private:
  const toml::node* Node(const std::string& key) const {
    return table_ ? table_->get(key) : nullptr;
  }
  std::string EnvName(const std::string& key) const {
    std::string n = "VIGIE_" + name_ + "_" + key;
    for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return n;
  }
  const std::string* Env(const std::string& key) const {
    auto it = env_.find(EnvName(key));
    return it == env_.end() ? nullptr : &it->second;
  }
  std::string Where(const std::string& key) const {
    if (Env(key)) return EnvName(key) + ": ";
    if (const toml::node* n = Node(key)) {
      return file_ + ":" + std::to_string(n->source().begin.line) + ": ";
    }
    return file_ + ": ";
  }

  const std::string& file_;
  const toml::table* table_;
  std::string name_;
  const std::map<std::string, std::string>& env_;
  std::vector<std::string>& errors_;
  std::set<std::string> seen_;
};

bool ValidZone(const std::string& name) {
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

void ReadRegions(const std::string& file, const toml::table& site, Config& cfg,
                 std::vector<std::string>& errors) {
  const toml::node* node = site.get("regions");
  if (!node) return;
  const toml::array* arr = node->as_array();
  if (!arr) {
    errors.push_back(file + ":" + std::to_string(node->source().begin.line) +
                     ": site.regions must be an array of tables ([[site.regions]])");
    return;
  }
  for (const toml::node& item : *arr) {
    const toml::table* t = item.as_table();
    if (!t) {
      errors.push_back(file + ":" + std::to_string(item.source().begin.line) +
                       ": each [[site.regions]] must be a table");
      continue;
    }
    Region r;
    static const std::map<std::string, std::string> kNoEnv;  // lists are not overridable
    Section s(file, t, "site.regions", kNoEnv, errors);
    std::string lang = "fr";
    s.String("id", r.id);
    std::string name_fr, name_en;
    s.String("name_fr", name_fr);
    s.String("name_en", name_en);
    r.name = Text(name_fr, name_en);
    s.String("time_zone", r.time_zone);
    s.String("default_language", lang);
    s.String("base_url", r.base_url);
    if (const toml::node* h = t->get("hosts")) {
      const toml::array* ha = h->as_array();
      if (!ha) {
        s.Error(*h, "hosts must be an array of host names");
      } else {
        for (const toml::node& x : *ha) {
          if (auto v = x.value<std::string>()) {
            std::string host = *v;
            for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            r.hosts.push_back(host);
          } else {
            s.Error(x, "a host name must be a string");
          }
        }
      }
    }
    s.RejectUnknown({"hosts"});
    const std::string where = file + ":" + std::to_string(t->source().begin.line) + ": ";
    if (!IsSlug(r.id)) {
      errors.push_back(where + "a region needs an id of lower-case letters, digits and '-'");
    }
    if (r.time_zone.empty() || !ValidZone(r.time_zone)) {
      errors.push_back(where + "region \"" + r.id + "\": unknown time zone \"" + r.time_zone +
                       "\" (an IANA name like Europe/Paris)");
    }
    if (auto l = ParseLang(lang)) {
      r.default_lang = *l;
    } else {
      errors.push_back(where + "region \"" + r.id + "\": default_language must be fr or en");
    }
    if (r.name.empty()) r.name = {r.id, r.id};
    while (!r.base_url.empty() && r.base_url.back() == '/') r.base_url.pop_back();
    if (!r.base_url.empty() && r.base_url.rfind("http://", 0) != 0 &&
        r.base_url.rfind("https://", 0) != 0) {
      errors.push_back(where + "region \"" + r.id +
                       "\": base_url must start with http:// or https://");
    }
    for (const Region& other : cfg.site.regions) {
      if (other.id == r.id) errors.push_back(where + "region \"" + r.id + "\" is defined twice");
    }
    cfg.site.regions.push_back(std::move(r));
  }
}

}  // namespace

std::map<std::string, std::string> VigieEnvironment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("VIGIE_", 0) != 0) continue;
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

Status ParseListen(const std::string& listen, http::ServerOptions& out) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::Invalid("listen address \"" + listen + "\" needs a port: ADDR:PORT");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  const std::string port = listen.substr(colon + 1);
  int p = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || end != port.data() + port.size() || p < 0 || p > 65535) {
    return Status::Invalid("listen address \"" + listen + "\" has a bad port");
  }
  out.address = host;
  out.port = static_cast<uint16_t>(p);
  return Status::Ok();
}

Result<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::Invalid(path + ":" + std::to_string(where.line) + ":" +
                           std::to_string(where.column) + ": " + std::string(e.description()));
  }
  Config cfg;
  cfg.source = path;
  std::vector<std::string> errors;

  for (const auto& [k, node] : root) {
    const std::string key(k.str());
    if (key != "server" && key != "storage" && key != "site" && key != "catalog" &&
        key != "admin" && key != "cache" && key != "mirror" && key != "metrics" && key != "log" &&
        key != "email" && key != "notify") {
      errors.push_back(path + ":" + std::to_string(node.source().begin.line) +
                       ": unknown section [" + key + "]");
    } else if (!node.is_table()) {
      errors.push_back(path + ":" + std::to_string(node.source().begin.line) + ": " + key +
                       " must be a table");
    }
  }

  {
    Section s(path, root["server"].as_table(), "server", env, errors);
    std::string listen = "127.0.0.1:8080";
    int64_t header_kib = 16, body_kib = 1024, read_s = 10, idle_s = 60, drain_s = 10;
    s.String("listen", listen);
    s.Integer("threads", cfg.server.threads, 1, 256);
    s.Integer("header_limit_kib", header_kib, 1, 1024);
    s.Integer("body_limit_kib", body_kib, 1, 64 * 1024);
    s.Integer("read_timeout_s", read_s, 1, 3600);
    s.Integer("idle_timeout_s", idle_s, 1, 3600);
    s.Integer("drain_timeout_s", drain_s, 0, 600);
    s.Integer("max_connections", cfg.server.max_connections, 1, 1'000'000);
    s.RejectUnknown();
    if (Status st = ParseListen(listen, cfg.server); !st.ok()) errors.push_back(st.message());
    cfg.server.header_limit = static_cast<size_t>(header_kib) * 1024;
    cfg.server.body_limit = static_cast<size_t>(body_kib) * 1024;
    cfg.server.read_timeout = std::chrono::seconds(read_s);
    cfg.server.idle_timeout = std::chrono::seconds(idle_s);
    cfg.server.drain_timeout = std::chrono::seconds(drain_s);
  }
  {
    Section s(path, root["admin"].as_table(), "admin", env, errors);
    s.Integer("session_idle_s", cfg.admin.session_idle_s, 1, 30 * 86400);
    s.Integer("session_max_s", cfg.admin.session_max_s, 1, 365 * 86400);
    s.RejectUnknown();
  }
  {
    Section s(path, root["cache"].as_table(), "cache", env, errors);
    s.Integer("budget_mib", cfg.cache_budget_mib, 1, 64 * 1024);
    s.RejectUnknown();
  }
  {
    Section s(path, root["storage"].as_table(), "storage", env, errors);
    s.String("url", cfg.storage);
    s.String("data_dir", cfg.store.data_dir);
    s.RejectUnknown();
  }
  {
    Section s(path, root["log"].as_table(), "log", env, errors);
    std::string level = "info";
    s.String("level", level);
    s.String("access", cfg.log.access);
    s.RejectUnknown();
    if (level != "info" && level != "warning") {
      errors.push_back(path + ": log.level must be info or warning, not \"" + level + "\"");
    }
    cfg.log.quiet = level == "warning";
    if (cfg.log.access.empty())
      errors.push_back(path + ": log.access must be stdout, off or a file");
  }
  {
    Section s(path, root["metrics"].as_table(), "metrics", env, errors);
    std::string listen;
    s.String("listen", listen);
    s.RejectUnknown();
    if (!listen.empty()) {
      if (Status st = ParseListen(listen, cfg.metrics); !st.ok()) {
        errors.push_back(path + ": metrics.listen: " + st.message());
      } else if (cfg.metrics.address == cfg.server.address && cfg.metrics.port == cfg.server.port) {
        errors.push_back(path + ": metrics.listen must not be the public address (" + listen + ")");
      }
    }
  }
  {
    Section s(path, root["mirror"].as_table(), "mirror", env, errors);
    s.String("dir", cfg.mirror.dir);
    s.Integer("history_pages", cfg.mirror.history_pages, 1, 1000);
    s.RejectUnknown();
  }
  {
    Section s(path, root["email"].as_table(), "email", env, errors);
    s.String("smtp_url", cfg.email.smtp_url);
    s.String("from", cfg.email.from);
    s.String("reply_to", cfg.email.reply_to);
    s.Integer("timeout_seconds", cfg.email.timeout_seconds, 1, 600);
    std::string tls = "try";
    s.String("tls", tls);
    s.RejectUnknown();
    cfg.email.require_tls = tls == "require";
    if (tls != "try" && tls != "require") {
      errors.push_back(path + ": email.tls must be \"try\" (STARTTLS when offered) or \"require\"");
    }
    if (!cfg.email.smtp_url.empty()) {
      if (Status st = CheckSmtpUrl(cfg.email.smtp_url); !st.ok()) {
        errors.push_back(path + ": email.smtp_url: " + st.message());
      }
      if (!PlausibleEmail(AddressOf(cfg.email.from))) {
        errors.push_back(path +
                         ": email.from must be an address (\"Status <status@example.com>\")");
      }
    }
  }
  {
    Section s(path, root["notify"].as_table(), "notify", env, errors);
    s.Integer("form_min_seconds", cfg.notify.form_min_seconds, 0, 3600);
    s.Integer("per_address_per_hour", cfg.notify.per_address_per_hour, 1, 1'000'000);
    s.Integer("per_visitor_per_hour", cfg.notify.per_visitor_per_hour, 1, 1'000'000);
    s.Integer("retry_seconds", cfg.notify.retry_seconds, 1, 3600);
    s.Integer("reminder_minutes", cfg.notify.reminder_minutes, 0, 30 * 24 * 60);
    s.Integer("webhook_timeout_seconds", cfg.notify.webhook_timeout_seconds, 1, 60);
    s.Integer("quarantine_after", cfg.notify.quarantine_after, 1, 1000);
    s.Integer("connections", cfg.notify.connections, 1, 32);
    s.Boolean("webhook_private", cfg.notify.webhook_private);
    s.RejectUnknown();
  }
  {
    Section s(path, root["catalog"].as_table(), "catalog", env, errors);
    s.String("path", cfg.catalog);
    s.RejectUnknown();
  }
  {
    const toml::table* site = root["site"].as_table();
    Section s(path, site, "site", env, errors);
    std::string name_fr(cfg.site.name.fr()), name_en(cfg.site.name.en());
    s.String("name_fr", name_fr);
    s.String("name_en", name_en);
    cfg.site.name = Text(name_fr, name_en);
    s.String("base_url", cfg.site.base_url);
    s.String("default_region", cfg.site.default_region);
    s.String("assets_override", cfg.site.assets_override);
    s.RejectUnknown({"regions"});
    if (site) ReadRegions(path, *site, cfg, errors);
    while (!cfg.site.base_url.empty() && cfg.site.base_url.back() == '/')
      cfg.site.base_url.pop_back();
    if (cfg.site.base_url.rfind("http://", 0) != 0 && cfg.site.base_url.rfind("https://", 0) != 0) {
      errors.push_back(path + ": site.base_url must start with http:// or https://");
    }
    // A region's public URL: its own base_url, else site.base_url.
    for (Region& r : cfg.site.regions) {
      if (r.base_url.empty()) r.base_url = cfg.site.base_url;
    }
    if (cfg.site.regions.empty()) {
      errors.push_back(path + ": define at least one region with [[site.regions]]");
    } else if (cfg.site.default_region.empty()) {
      cfg.site.default_region = cfg.site.regions.front().id;
    } else {
      bool found = false;
      for (const Region& r : cfg.site.regions) found = found || r.id == cfg.site.default_region;
      if (!found) {
        errors.push_back(path + ": site.default_region \"" + cfg.site.default_region +
                         "\" is not one of the regions");
      }
    }
  }

  if (!errors.empty()) {
    std::string msg;
    for (const std::string& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    return Status::Invalid(msg);
  }
  return cfg;
}

}  // namespace vigie

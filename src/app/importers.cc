#include "app/importers.h"

#include <date/tz.h>
#include <toml++/toml.h>

#include <algorithm>
#include <set>

#include "domain/validate.h"

namespace vigie {

namespace {

// Collects errors as "FILE:LINE: sentence".
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  Status Parse(toml::table& out) {
    try {
      out = toml::parse_file(file_);
      return Status::Ok();
    } catch (const toml::parse_error& e) {
      return Status::Invalid(file_ + ":" + std::to_string(e.source().begin.line) + ": " +
                             std::string(e.description()));
    }
  }

  void Error(const toml::node& at, const std::string& msg) {
    errors_.push_back(file_ + ":" + std::to_string(at.source().begin.line) + ": " + msg);
  }

  std::string Str(const toml::table& t, const std::string& key, bool required) {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) Error(t, "missing " + key);
      return {};
    }
    if (auto v = n->value<std::string>()) return *v;
    Error(*n, key + " must be a string");
    return {};
  }

  Text TextOf(const toml::table& t, const std::string& key, bool required) {
    const toml::node* n = t.get(key);
    Text out;
    if (!n) {
      if (required) Error(t, "missing " + key + " = { fr = \"…\", en = \"…\" }");
      return out;
    }
    const toml::table* tt = n->as_table();
    if (!tt) {
      Error(*n, key + " must be a table { fr = \"…\", en = \"…\" }");
      return out;
    }
    for (const auto& [k, v] : *tt) {
      auto lang = ParseLang(k.str());
      auto s = v.value<std::string>();
      if (!lang || !s) {
        Error(v, key + "." + std::string(k.str()) + ": only fr and en strings are allowed");
        continue;
      }
      out.set(*lang, *s);
    }
    return out;
  }

  std::vector<std::string> Strings(const toml::table& t, const std::string& key) {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) {
      Error(*n, key + " must be an array of strings");
      return out;
    }
    for (const toml::node& x : *a) {
      if (auto s = x.value<std::string>()) {
        out.push_back(*s);
      } else {
        Error(x, key + " must hold strings only");
      }
    }
    return out;
  }

  const toml::array* Tables(const toml::table& t, const std::string& key) {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    const toml::array* a = n->as_array();
    if (!a || !a->is_array_of_tables()) {
      Error(*n, key + " must be an array of tables ([[" + key + "]])");
      return nullptr;
    }
    return a;
  }

  void Unknown(const toml::table& t, std::initializer_list<std::string_view> allowed,
               const std::string& what) {
    for (const auto& [k, v] : t) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end()) {
        Error(v, "unknown key \"" + std::string(k.str()) + "\" in " + what);
      }
    }
  }

  Status Result() const {
    if (errors_.empty()) return Status::Ok();
    std::string msg;
    for (const std::string& e : errors_) msg += (msg.empty() ? "" : "\n") + e;
    return Status::Invalid(msg);
  }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

}  // namespace

std::string ImportSummary::ToString() const {
  std::string out;
  const auto add = [&](int n, const char* what) {
    if (n) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(platforms, "platforms");
  add(services, "services");
  add(events, "events");
  add(updates, "updates");
  add(messages, "messages");
  add(levels, "levels");
  return out.empty() ? "nothing" : out;
}

Result<ImportSummary> ImportCatalog(Publisher& publisher, const std::string& path,
                                    const std::string& actor) {
  Reader r(path);
  toml::table root;
  VIGIE_RETURN_IF_ERROR(r.Parse(root));
  std::vector<Platform> platforms;
  std::vector<Service> services;
  r.Unknown(root, {"platforms"}, "the catalog");
  if (const toml::array* arr = r.Tables(root, "platforms")) {
    std::set<std::string> platform_slugs;
    for (const toml::node& pn : *arr) {
      const toml::table& pt = *pn.as_table();
      r.Unknown(pt, {"slug", "name", "category", "description", "products", "services"},
                "a platform");
      Platform p;
      p.slug = r.Str(pt, "slug", true);
      p.position = static_cast<int>(platforms.size()) + 1;
      p.name = r.TextOf(pt, "name", true);
      p.category = r.TextOf(pt, "category", false);
      p.description = r.TextOf(pt, "description", false);
      p.products = r.Strings(pt, "products");
      if (!IsSlug(p.slug))
        r.Error(pt, "platform slug \"" + p.slug + "\" must be lower-case a-z, 0-9 and '-'");
      if (!platform_slugs.insert(p.slug).second)
        r.Error(pt, "platform \"" + p.slug + "\" appears twice");
      if (p.name.fr().empty() || p.name.en().empty())
        r.Error(pt, "platform \"" + p.slug + "\" needs a name in fr and en");
      std::set<std::string> service_slugs;
      if (const toml::array* sa = r.Tables(pt, "services")) {
        int position = 0;
        for (const toml::node& sn : *sa) {
          const toml::table& st = *sn.as_table();
          r.Unknown(st, {"slug", "name", "information", "impact"}, "a service");
          Service s;
          s.platform = p.slug;
          s.slug = r.Str(st, "slug", true);
          s.position = ++position;
          s.name = r.TextOf(st, "name", true);
          s.information = r.TextOf(st, "information", false);
          s.impact = r.TextOf(st, "impact", false);
          if (!IsSlug(s.slug))
            r.Error(st, "service slug \"" + s.slug + "\" must be lower-case a-z, 0-9 and '-'");
          if (!service_slugs.insert(s.slug).second)
            r.Error(st, "service \"" + s.slug + "\" appears twice in " + p.slug);
          if (s.name.fr().empty() || s.name.en().empty())
            r.Error(st, "service \"" + s.slug + "\" needs a name in fr and en");
          services.push_back(std::move(s));
        }
      }
      platforms.push_back(std::move(p));
    }
  }
  if (platforms.empty()) r.Error(root, "the catalog defines no [[platforms]]");
  VIGIE_RETURN_IF_ERROR(r.Result());

  ImportSummary summary;
  summary.platforms = static_cast<int>(platforms.size());
  summary.services = static_cast<int>(services.size());
  WriteInfo info{
      .actor = actor, .action = "catalog.import", .detail = path + ": " + summary.ToString()};
  const Time now = SystemClock().Now();
  for (Service& s : services) s.created_at = now;  // kept by an update: only new ones take it
  VIGIE_RETURN_IF_ERROR(publisher.Write(info, [&](const Model&, StoreTx& tx) -> Status {
    for (const Platform& p : platforms) VIGIE_RETURN_IF_ERROR(tx.UpsertPlatform(p));
    for (const Service& s : services) {
      Result<int64_t> id = tx.UpsertService(s);
      if (!id.ok()) return id.status();
    }
    return Status::Ok();
  }));
  return summary;
}

Result<Time> ResolveTime(const std::string& expr, Time now, const std::string& zone) {
  if (expr == "now") return now;
  if (expr.rfind("now+", 0) == 0 || expr.rfind("now-", 0) == 0) {
    Result<std::chrono::seconds> d = ParseDuration(expr.substr(4));
    if (!d.ok()) return d.status();
    return expr[3] == '+' ? now + *d : now - *d;
  }
  if (expr.rfind("next ", 0) == 0) {
    // "next sunday 23:00": the first such local time strictly after now.
    static constexpr const char* kDays[] = {"sunday",   "monday", "tuesday", "wednesday",
                                            "thursday", "friday", "saturday"};
    const size_t sp = expr.find(' ', 5);
    const std::string day = expr.substr(5, sp == std::string::npos ? std::string::npos : sp - 5);
    const std::string hm = sp == std::string::npos ? "00:00" : expr.substr(sp + 1);
    int wd = -1;
    for (int i = 0; i < 7; ++i) {
      if (day == kDays[i]) wd = i;
    }
    int h = -1, m = -1;
    if (wd < 0 || std::sscanf(hm.c_str(), "%d:%d", &h, &m) != 2 || h < 0 || h > 23 || m < 0 ||
        m > 59) {
      return Status::Invalid("expected \"next <weekday> HH:MM\", got \"" + expr + "\"");
    }
    try {
      const date::time_zone* tz = date::locate_zone(zone);
      const auto local_now = tz->to_local(now);
      auto day_start = std::chrono::floor<date::days>(local_now);
      for (int i = 0; i <= 7; ++i) {
        const auto candidate =
            day_start + date::days(i) + std::chrono::hours(h) + std::chrono::minutes(m);
        const auto dday = std::chrono::floor<date::days>(candidate);
        if (date::weekday(dday).c_encoding() != static_cast<unsigned>(wd)) continue;
        const Time t =
            std::chrono::floor<std::chrono::seconds>(tz->to_sys(candidate, date::choose::earliest));
        if (t > now) return t;
      }
    } catch (const std::exception& e) {
      return Status::Invalid("cannot place \"" + expr + "\" in " + zone + ": " + e.what());
    }
    return Status::Internal("no next " + day);
  }
  return ParseRfc3339(expr);
}

Result<ImportSummary> ImportScenario(Publisher& publisher, const std::string& path, Time now,
                                     const std::string& actor) {
  Reader r(path);
  toml::table root;
  VIGIE_RETURN_IF_ERROR(r.Parse(root));
  Result<Model> current = publisher.LoadModel();
  if (!current.ok()) return current.status();
  const Model& model = *current;
  r.Unknown(root, {"events", "messages", "manual_levels", "overrides"}, "the scenario");

  const auto zone_of = [&](const std::vector<std::string>& regions) {
    const Region* reg = regions.empty() ? nullptr : model.FindRegion(regions.front());
    if (!reg && !model.regions.empty()) reg = &model.regions.front();
    return reg ? reg->time_zone : std::string("UTC");
  };
  const auto time_at = [&](const toml::table& t, const std::string& key, const std::string& zone,
                           bool required) -> std::optional<Time> {
    const std::string expr = r.Str(t, key, required);
    if (expr.empty()) return std::nullopt;
    Result<Time> v = ResolveTime(expr, now, zone);
    if (!v.ok()) {
      r.Error(*t.get(key), key + ": " + v.status().message());
      return std::nullopt;
    }
    return *v;
  };
  const auto level_of = [&](const toml::node& n, const std::string& s) {
    auto l = ParseLevel(s);
    if (!l)
      r.Error(n, "unknown level \"" + s + "\" (operational, minor, major, outage, maintenance)");
    return l.value_or(Level::kOperational);
  };
  const auto service_of = [&](const toml::node& n, const std::string& platform,
                              const std::string& slug) -> int64_t {
    const Service* s = model.FindService(platform, slug);
    if (!s) {
      r.Error(n, "unknown service \"" + slug + "\" in platform \"" + platform + "\"");
      return 0;
    }
    return s->id;
  };

  std::vector<Event> events;
  std::vector<Message> messages;
  std::vector<ManualLevel> levels;
  std::vector<GlobalOverride> overrides;
  ImportSummary summary;

  if (const toml::array* arr = r.Tables(root, "manual_levels")) {
    for (const toml::node& n : *arr) {
      const toml::table& t = *n.as_table();
      r.Unknown(t, {"region", "platform", "service", "level", "note"}, "a manual level");
      ManualLevel m;
      m.region = r.Str(t, "region", true);
      m.service_id = service_of(t, r.Str(t, "platform", true), r.Str(t, "service", true));
      m.level = level_of(t, r.Str(t, "level", true));
      m.note = r.Str(t, "note", false);
      m.set_at = now;
      if (m.service_id) {
        if (Status st = ValidateManualLevel(model, m); !st.ok()) r.Error(t, st.message());
      }
      levels.push_back(std::move(m));
    }
  }
  if (const toml::array* arr = r.Tables(root, "overrides")) {
    for (const toml::node& n : *arr) {
      const toml::table& t = *n.as_table();
      r.Unknown(t, {"region", "platform", "level", "note"}, "an override");
      GlobalOverride o;
      o.region = r.Str(t, "region", true);
      o.platform = r.Str(t, "platform", true);
      o.level = level_of(t, r.Str(t, "level", true));
      o.note = r.Str(t, "note", false);
      o.set_at = now;
      if (Status st = ValidateOverride(model, o); !st.ok()) r.Error(t, st.message());
      overrides.push_back(std::move(o));
    }
  }
  if (const toml::array* arr = r.Tables(root, "events")) {
    for (const toml::node& n : *arr) {
      const toml::table& t = *n.as_table();
      r.Unknown(t,
                {"kind", "platform", "regions", "title", "body", "start", "end", "phase",
                 "services", "cancelled", "updates"},
                "an event");
      Event e;
      const std::string kind = r.Str(t, "kind", true);
      if (auto k = ParseEventKind(kind)) {
        e.kind = *k;
      } else {
        r.Error(t, "unknown kind \"" + kind + "\" (incident, maintenance, action, announcement)");
      }
      e.platform = r.Str(t, "platform", true);
      e.regions = r.Strings(t, "regions");
      if (e.regions.empty()) {
        for (const Region& reg : model.regions) e.regions.push_back(reg.id);
      }
      const std::string zone = zone_of(e.regions);
      e.title = r.TextOf(t, "title", true);
      e.body = r.TextOf(t, "body", false);
      e.starts_at = time_at(t, "start", zone, true).value_or(now);
      // "end" may also be a duration after the start: "+1h45m".
      if (const std::string end = r.Str(t, "end", false); !end.empty() && end[0] == '+') {
        Result<std::chrono::seconds> d = ParseDuration(end.substr(1));
        if (d.ok()) {
          e.ends_at = e.starts_at + *d;
        } else {
          r.Error(*t.get("end"), "end: " + d.status().message());
        }
      } else {
        e.ends_at = time_at(t, "end", zone, false);
      }
      e.cancelled = t["cancelled"].value_or(false);
      if (const toml::node* sv = t.get("services")) {
        if (const toml::table* st = sv->as_table()) {
          for (const auto& [slug, lvl] : *st) {
            Impact impact;
            impact.service_id = service_of(lvl, e.platform, std::string(slug.str()));
            impact.level = level_of(lvl, lvl.value<std::string>().value_or(""));
            if (impact.service_id) e.impacts.push_back(impact);
          }
        } else {
          r.Error(*sv, "services must be a table { service-slug = \"level\" }");
        }
      }
      Time created = e.starts_at;
      if (const toml::array* ua = r.Tables(t, "updates")) {
        for (const toml::node& un : *ua) {
          const toml::table& ut = *un.as_table();
          r.Unknown(ut, {"at", "phase", "text"}, "an update");
          EventUpdate u;
          u.at = time_at(ut, "at", zone, true).value_or(now);
          const std::string phase = r.Str(ut, "phase", false);
          if (auto p = ParsePhase(phase)) {
            u.phase = *p;
          } else {
            r.Error(ut, "unknown phase \"" + phase + "\"");
          }
          u.text = r.TextOf(ut, "text", true);
          created = std::min(created, u.at);
          e.updates.push_back(std::move(u));
        }
      }
      std::sort(e.updates.begin(), e.updates.end(),
                [](const EventUpdate& a, const EventUpdate& b) { return a.at < b.at; });
      // The phase is the one given, else the latest update's, else the first.
      const std::string phase = r.Str(t, "phase", false);
      if (!phase.empty()) {
        if (auto p = ParsePhase(phase)) {
          e.phase = *p;
        } else {
          r.Error(t, "unknown phase \"" + phase + "\"");
        }
      } else if (e.kind == EventKind::kIncident) {
        e.phase = Phase::kInvestigating;
        for (const EventUpdate& u : e.updates) {
          if (u.phase != Phase::kNone) e.phase = u.phase;
        }
      }
      // A planned event was announced before it starts; say a week, or now if sooner.
      e.created_at = std::min(created, std::min(now, e.starts_at));
      if (e.starts_at > now)
        e.created_at = std::max(e.created_at, now - std::chrono::hours(24 * 7));
      e.updated_at = e.updates.empty() ? e.created_at : std::max(e.created_at, e.updates.back().at);
      if (Status st = ValidateEvent(model, e); !st.ok()) r.Error(t, st.message());
      summary.updates += static_cast<int>(e.updates.size());
      events.push_back(std::move(e));
    }
  }
  if (const toml::array* arr = r.Tables(root, "messages")) {
    for (const toml::node& n : *arr) {
      const toml::table& t = *n.as_table();
      r.Unknown(t, {"platform", "regions", "title", "body", "published", "expires"}, "a message");
      Message m;
      m.platform = r.Str(t, "platform", false);
      m.regions = r.Strings(t, "regions");
      if (m.regions.empty()) {
        for (const Region& reg : model.regions) m.regions.push_back(reg.id);
      }
      const std::string zone = zone_of(m.regions);
      m.title = r.TextOf(t, "title", true);
      m.body = r.TextOf(t, "body", false);
      m.published_at = time_at(t, "published", zone, false).value_or(now);
      m.expires_at = time_at(t, "expires", zone, false);
      if (Status st = ValidateMessage(model, m); !st.ok()) r.Error(t, st.message());
      messages.push_back(std::move(m));
    }
  }
  VIGIE_RETURN_IF_ERROR(r.Result());

  summary.events = static_cast<int>(events.size());
  summary.messages = static_cast<int>(messages.size());
  summary.levels = static_cast<int>(levels.size() + overrides.size());
  std::optional<Time> earliest;
  for (const Event& e : events) {
    if (!earliest || e.starts_at < *earliest) earliest = e.starts_at;
  }
  WriteInfo info{.actor = actor,
                 .action = "scenario.import",
                 .detail = path + ": " + summary.ToString(),
                 .note = "",
                 .replay_from = earliest};
  VIGIE_RETURN_IF_ERROR(publisher.Write(info, [&](const Model&, StoreTx& tx) -> Status {
    for (Event& e : events) {
      e.updated_by = actor;
      Result<int64_t> id = tx.InsertEvent(e);
      if (!id.ok()) return id.status();
    }
    for (const Message& m : messages) {
      Result<int64_t> id = tx.InsertMessage(m);
      if (!id.ok()) return id.status();
    }
    for (const ManualLevel& m : levels) VIGIE_RETURN_IF_ERROR(tx.SetManualLevel(m));
    for (const GlobalOverride& o : overrides) VIGIE_RETURN_IF_ERROR(tx.SetOverride(o));
    return Status::Ok();
  }));
  return summary;
}

}  // namespace vigie

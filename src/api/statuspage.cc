#include "api/statuspage.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

namespace vigie::statuspage {

namespace {

using json = nlohmann::ordered_json;

constexpr size_t kRecentLimit = 50;  // incidents.json, scheduled-maintenances.json

// Invalid UTF-8 from the store is replaced, never a failure to answer.
std::string Compact(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string Dump(const json& j) { return Compact(j) + "\n"; }

// Statuspage's shape: "2026-11-28T15:30:00.000Z" (UTC, milliseconds always zero).
std::string Ts(Time t) {
  std::string s = FormatRfc3339(t);  // "...:00Z"
  if (!s.empty() && s.back() == 'Z') s.insert(s.size() - 1, ".000");
  return s;
}

// An object with room for `keys` members. ordered_json keeps members in a vector, and its
// elements are copied, not moved, when it grows (the pair's key is const): a summary.json
// built without room copied its 2,000 components twice.
json Object(size_t keys) {
  json j = json::object();
  j.get_ref<json::object_t&>().reserve(keys);
  return j;
}

json OptTs(const std::optional<Time>& t) { return t ? json(Ts(*t)) : json(nullptr); }

std::string Str(std::string_view s) { return std::string(s); }

std::string ServiceId(int64_t id) { return "svc-" + std::to_string(id); }
std::string GroupId(std::string_view slug) { return "grp-" + Str(slug); }
std::string IncidentId(int64_t id) { return "inc-" + std::to_string(id); }
std::string UpdateId(int64_t id) { return "upd-" + std::to_string(id); }
// The update made of the event's own body (Statuspage has no body outside the updates).
std::string BodyUpdateId(int64_t event_id) { return "upd-body-" + std::to_string(event_id); }

// What every body shares: the page's scope (a region, maybe narrowed to one platform) and the
// times read once from the history.
struct Scope {
  const View* v = nullptr;
  const PageOptions* opts = nullptr;
  const Platform* platform = nullptr;  // null: the whole region
  std::string page_id;
  Time updated_at{};
  Time history_start{};          // the earliest recorded change: components are "at least that old"
  std::string history_start_ts;  // formatted once: every component has it

  const Model& model() const { return v->model; }
  std::string_view slug() const { return platform ? std::string_view(platform->slug) : ""; }
  const std::string& region() const { return v->region.id; }
  bool Covers(std::string_view platform_slug) const {
    return platform == nullptr || platform->slug == platform_slug;
  }
  // Events shown on this page: of the region and, when narrowed, of the platform.
  bool Shows(const Event& e) const { return e.InRegion(region()) && Covers(e.platform); }
};

// The newest change the scope shows: a status change, or an event's (see EventIndex::NewestIn).
Time ComputeUpdatedAt(const Scope& s) {
  const View& v = *s.v;
  std::optional<Time> newest = v.index.changes.NewestIn(s.region(), s.slug(), v.as_of);
  if (std::optional<Time> e = v.index.events.NewestIn(s.region(), s.slug())) {
    if (!newest || *e > *newest) newest = e;
  }
  return newest.value_or(v.as_of);
}

Result<Scope> MakeScope(const View& v, std::optional<std::string_view> platform,
                        const PageOptions& opts) {
  Scope s;
  s.v = &v;
  s.opts = &opts;
  s.page_id = "vigie-" + v.region.id;
  if (platform) {
    s.platform = v.model.FindPlatform(*platform);
    if (!s.platform) return Status::NotFound("no platform \"" + Str(*platform) + "\"");
    s.page_id += "-" + s.platform->slug;
  }
  // Status changes are in time order: the history starts at the first.
  const auto& changes = v.model.status_changes;
  std::optional<Time> start;
  if (!changes.empty() && changes.front().at <= v.as_of) start = changes.front().at;
  s.updated_at = opts.updated_at ? *opts.updated_at : ComputeUpdatedAt(s);
  s.history_start = start.value_or(s.updated_at);
  s.history_start_ts = Ts(s.history_start);
  return s;
}

json PageJson(const Scope& s) {
  const View& v = *s.v;
  json j = Object(16);
  j["id"] = s.page_id;
  if (s.platform) {
    j["name"] = Str(Localize(s.platform->name, v.lang).text);
    j["url"] = v.region.base_url + "/" + Str(LangId(v.lang)) + "/" + s.platform->slug;
  } else {
    j["name"] = Str(Localize(s.opts->site_name, v.lang).text);
    j["url"] = v.region.base_url;
  }
  j["time_zone"] = v.region.time_zone;
  j["updated_at"] = Ts(s.updated_at);
  return j;
}

// ---- Components, written as text ----
// summary.json and components.json hold every component of the page (2,020 at scale, where
// building them as a DOM and dumping it took 10 ms of a first render). They are written
// directly, as nlohmann's compact dump writes them; an event's components are read back from
// the same text, so a component is written one way only.

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3Fu);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  if (!ValidUtf8(s)) {  // nlohmann's replacement of invalid bytes, exactly
    out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  out += '"';
  // Bytes that need no escape are appended a run at a time.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
        out += escaped;
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

namespace {

// The members of one object, written in order: {"key":value,...}. Keys are plain literals.
class Members {
 public:
  explicit Members(std::string& out) : out_(out) { out_ += '{'; }
  std::string& Key(std::string_view key) {
    out_ += first_ ? "\"" : ",\"";
    first_ = false;
    return out_.append(key).append("\":");
  }
  void Str(std::string_view key, std::string_view value) { AppendJsonString(Key(key), value); }
  void Raw(std::string_view key, std::string_view json_text) { Key(key).append(json_text); }
  void TextOrNull(std::string_view key, const Text& t, Lang lang) {
    const Localized l = Localize(t, lang);
    if (l.text.empty()) {
      Raw(key, "null");
    } else {
      Str(key, l.text);
    }
  }
  void End() { out_ += '}'; }

 private:
  std::string& out_;
  bool first_ = true;
};

// Vigie keeps no creation date: every component is dated from the start of the history (the
// earliest recorded change), and updated at its last recorded change (else that start too).
void PutTimes(Members& m, const Scope& s, std::string_view platform,
              std::optional<int64_t> service) {
  const auto last = s.v->index.changes.NewestOf(s.region(), platform, service, s.v->as_of);
  m.Str("created_at", s.history_start_ts);
  m.Str("updated_at", last ? Ts(last->at) : s.history_start_ts);
}

bool Shown(const Service& svc) { return !svc.retired; }

// What every component starts with, up to start_date.
void PutCommon(Members& m, const Scope& s, const std::string& id, const Text& name, Level level,
               std::string_view platform, std::optional<int64_t> service, int position,
               const Text& description) {
  m.Str("id", id);
  m.Str("name", Localize(name, s.v->lang).text);
  m.Str("status", ComponentStatus(level));
  PutTimes(m, s, platform, service);
  m.Raw("position", std::to_string(position));
  m.TextOrNull("description", description, s.v->lang);
  m.Raw("showcase", "false");
  m.Raw("start_date", "null");
}

void WriteServiceComponent(std::string& out, const Scope& s, const Service& svc) {
  const View& v = *s.v;
  Members m(out);
  PutCommon(m, s, ServiceId(svc.id), svc.name, v.derived.Service(v.region.id, svc.id).level,
            svc.platform, svc.id, svc.position, svc.information);
  m.Str("group_id", GroupId(svc.platform));
  m.Str("page_id", s.page_id);
  m.Raw("group", "false");
  m.Raw("only_show_if_degraded", "false");
  m.End();
}

void WriteGroupComponent(std::string& out, const Scope& s, const Platform& p) {
  const View& v = *s.v;
  Members m(out);
  PutCommon(m, s, GroupId(p.slug), p.name, v.derived.Platform(v.region.id, p.slug).level, p.slug,
            std::nullopt, p.position, p.description);
  m.Raw("group_id", "null");
  m.Str("page_id", s.page_id);
  m.Raw("group", "true");
  m.Raw("only_show_if_degraded", "false");
  std::string& children = m.Key("components");
  children += '[';
  bool first = true;
  for (const Service& svc : s.model().services) {
    if (svc.platform != p.slug || !Shown(svc)) continue;
    if (!first) children += ',';
    first = false;
    AppendJsonString(children, ServiceId(svc.id));
  }
  children += ']';
  m.End();
}

// A service's component as a value, for an event's list of components.
json ServiceComponent(const Scope& s, const Service& svc) {
  std::string text;
  WriteServiceComponent(text, s, svc);
  return json::parse(text);
}

// Each platform as a group followed by its services, platforms and services in display order.
void WriteComponents(std::string& out, const Scope& s) {
  // About 420 bytes a component: grow once rather than by doubling a string of 800 KB.
  size_t components = 0;
  for (const Platform& p : s.model().platforms) components += s.Covers(p.slug);
  for (const Service& svc : s.model().services) components += s.Covers(svc.platform);
  out.reserve(out.size() + 448 * components);
  out += '[';
  bool first = true;
  const auto next = [&] {
    if (!first) out += ',';
    first = false;
  };
  for (const Platform& p : s.model().platforms) {
    if (!s.Covers(p.slug)) continue;
    next();
    WriteGroupComponent(out, s, p);
    for (const Service& svc : s.model().services) {
      if (svc.platform != p.slug || !Shown(svc)) continue;
      next();
      WriteServiceComponent(out, s, svc);
    }
  }
  out += ']';
}

Level WorstPlatformLevel(const Scope& s) {
  Level worst = Level::kOperational;
  for (const Platform& p : s.model().platforms) {
    if (s.Covers(p.slug)) worst = Worse(worst, s.v->derived.Platform(s.region(), p.slug).level);
  }
  return worst;
}

json StatusObject(const Scope& s) {
  const Level worst = WorstPlatformLevel(s);
  return json{{"indicator", Str(Indicator(worst))},
              {"description", Str(IndicatorDescription(worst, s.v->lang))}};
}

// ---- Events ----

bool IsMaintenance(const Event& e) { return e.kind == EventKind::kMaintenance; }

// Events shown as incidents: incidents, actions and announcements that have started (a planned
// one is not news yet); cancelled events never happened.
bool ShownAsIncident(const Scope& s, const Event& e) {
  if (IsMaintenance(e) || !s.Shows(e)) return false;
  const EventState st = e.StateAt(s.v->as_of);
  return st == EventState::kInProgress || st == EventState::kEnded;
}

bool ShownAsMaintenance(const Scope& s, const Event& e) {
  return IsMaintenance(e) && s.Shows(e) && e.StateAt(s.v->as_of) != EventState::kCancelled;
}

std::string_view EventStatus(const Event& e, Time as_of) {
  const EventState st = e.StateAt(as_of);
  if (IsMaintenance(e)) {
    if (st == EventState::kPlanned) return "scheduled";
    return st == EventState::kEnded ? "completed" : "in_progress";
  }
  if (st == EventState::kEnded) return "resolved";
  if (e.kind != EventKind::kIncident) return "monitoring";
  switch (e.phase) {
    case Phase::kIdentified:
      return "identified";
    case Phase::kMonitoring:
      return "monitoring";
    case Phase::kResolved:
      return "monitoring";  // resolved, but its end is still to come
    case Phase::kInvestigating:
    case Phase::kNone:
      break;
  }
  return "investigating";
}

// An update's status: its phase for incidents (carried from the update before when it has
// none); for the other kinds, where the event stood at the update's time.
std::string_view UpdateStatus(const Event& e, Time at, Phase carried) {
  if (e.kind == EventKind::kIncident) {
    return carried == Phase::kNone ? "investigating" : PhaseId(carried);
  }
  const bool after_end = e.ends_at && at >= *e.ends_at;
  if (IsMaintenance(e)) {
    if (at < e.starts_at) return "scheduled";
    return after_end ? "completed" : "in_progress";
  }
  return after_end ? "resolved" : "monitoring";
}

json UpdateJson(const Scope& s, const Event& e, const std::string& id, std::string_view status,
                const Text& text, Time at) {
  json j = Object(16);
  j["id"] = id;
  j["status"] = Str(status);
  j["body"] = Str(Localize(text, s.v->lang).text);
  j["incident_id"] = IncidentId(e.id);
  j["created_at"] = Ts(at);
  j["updated_at"] = Ts(at);
  j["display_at"] = Ts(at);
  j["affected_components"] = nullptr;
  j["deliver_notifications"] = true;
  j["custom_tweet"] = nullptr;
  j["tweet_id"] = nullptr;
  return j;
}

// Newest first; the event's body, when it has one, is the oldest update.
json UpdatesArray(const Scope& s, const Event& e) {
  std::vector<json> oldest_first;
  Phase carried = Phase::kNone;
  if (!e.body.empty()) {
    oldest_first.push_back(UpdateJson(
        s, e, BodyUpdateId(e.id), UpdateStatus(e, e.created_at, carried), e.body, e.created_at));
  }
  for (const EventUpdate& u : e.updates) {
    if (u.phase != Phase::kNone) carried = u.phase;
    oldest_first.push_back(
        UpdateJson(s, e, UpdateId(u.id), UpdateStatus(e, u.at, carried), u.text, u.at));
  }
  json out = json::array();
  for (auto it = oldest_first.rbegin(); it != oldest_first.rend(); ++it)
    out.push_back(std::move(*it));
  return out;
}

std::string_view EventImpact(const Event& e) {
  if (IsMaintenance(e)) return "maintenance";
  if (e.kind != EventKind::kIncident) return "none";
  Level worst = Level::kOperational;
  for (const Impact& i : e.impacts) worst = Worse(worst, i.level);
  return IncidentImpact(worst);
}

std::optional<Time> MonitoringAt(const Event& e) {
  if (e.kind != EventKind::kIncident) return std::nullopt;
  for (const EventUpdate& u : e.updates) {
    if (u.phase == Phase::kMonitoring) return u.at;
  }
  return std::nullopt;
}

std::optional<Time> ResolvedAt(const Event& e, Time as_of) {
  if (e.StateAt(as_of) != EventState::kEnded) return std::nullopt;
  if (e.ends_at) return *e.ends_at;
  for (const EventUpdate& u : e.updates) {
    if (u.phase == Phase::kResolved) return u.at;
  }
  return e.updated_at;
}

json EventJson(const Scope& s, const Event& e) {
  const View& v = *s.v;
  json j = Object(16);
  j["id"] = IncidentId(e.id);
  j["name"] = Str(Localize(e.title, v.lang).text);
  j["status"] = Str(EventStatus(e, v.as_of));
  j["created_at"] = Ts(e.created_at);
  j["updated_at"] = Ts(e.updated_at);
  j["monitoring_at"] = OptTs(MonitoringAt(e));
  j["resolved_at"] = OptTs(ResolvedAt(e, v.as_of));
  j["impact"] = Str(EventImpact(e));
  j["shortlink"] =
      v.region.base_url + "/" + Str(LangId(v.lang)) + "/events/" + std::to_string(e.id);
  j["started_at"] = Ts(e.starts_at);
  j["page_id"] = s.page_id;
  j["incident_updates"] = UpdatesArray(s, e);
  json components = json::array();
  std::vector<int64_t> seen;
  for (const Impact& i : e.impacts) {
    if (std::find(seen.begin(), seen.end(), i.service_id) != seen.end()) continue;
    seen.push_back(i.service_id);
    const Service* svc = s.model().FindService(i.service_id);
    if (svc && Shown(*svc)) components.push_back(ServiceComponent(s, *svc));
  }
  j["components"] = std::move(components);
  if (IsMaintenance(e)) {
    j["scheduled_for"] = Ts(e.starts_at);
    j["scheduled_until"] = OptTs(e.ends_at);
  }
  return j;
}

enum class Order { kNewestFirst, kSoonestFirst };
// Where to look: the events not over yet (planned or in progress), or all of the scope's.
enum class Among { kOpen, kAll };

// The events `keep` accepts, up to `limit`. Lists of events are in the model's order, by
// (start, id): read forwards for the soonest first, backwards for the newest first.
template <typename Pred>
json EventsArray(const Scope& s, Pred keep, Order order, size_t limit, Among among) {
  json out = json::array();
  const auto take = [&](const Event& e) {
    if (out.size() >= limit || !keep(e)) return;
    out.push_back(EventJson(s, e));
  };
  const auto each = [&](const auto& list, auto deref) {
    if (order == Order::kSoonestFirst) {
      for (auto it = list.begin(); it != list.end() && out.size() < limit; ++it) take(deref(*it));
    } else {
      for (auto it = list.rbegin(); it != list.rend() && out.size() < limit; ++it) take(deref(*it));
    }
  };
  const auto pointer = [](const Event* e) -> const Event& { return *e; };
  if (among == Among::kOpen) {
    each(s.v->index.events.Open(), pointer);
  } else if (s.platform) {
    each(s.v->index.events.OfPlatform(s.platform->slug), pointer);
  } else {
    each(s.model().events, [](const Event& e) -> const Event& { return e; });
  }
  return out;
}

constexpr size_t kNoLimit = static_cast<size_t>(-1);

json UnresolvedIncidents(const Scope& s) {
  return EventsArray(
      s,
      [&](const Event& e) {
        return ShownAsIncident(s, e) && e.StateAt(s.v->as_of) == EventState::kInProgress;
      },
      Order::kNewestFirst, kNoLimit, Among::kOpen);
}

json MaintenancesIn(const Scope& s, std::initializer_list<EventState> states, Order order,
                    size_t limit) {
  return EventsArray(
      s,
      [&](const Event& e) {
        if (!ShownAsMaintenance(s, e)) return false;
        const EventState st = e.StateAt(s.v->as_of);
        return std::find(states.begin(), states.end(), st) != states.end();
      },
      order, limit,
      std::find(states.begin(), states.end(), EventState::kEnded) == states.end() &&
              std::find(states.begin(), states.end(), EventState::kCancelled) == states.end()
          ? Among::kOpen
          : Among::kAll);
}

// {page, <key>: <array>} for a scope, or the NotFound of an unknown platform.
template <typename F>
Result<std::string> PageWith(const View& v, std::optional<std::string_view> platform,
                             const PageOptions& opts, const char* key, F array) {
  Result<Scope> s = MakeScope(v, platform, opts);
  if (!s.ok()) return s.status();
  json j = Object(16);
  j["page"] = PageJson(*s);
  j[key] = array(*s);
  return Dump(j);
}

}  // namespace

Result<std::string> WebhookJson(const View& v, const WebhookSubject& subject,
                                const PageOptions& page) {
  Result<Scope> s = MakeScope(
      v,
      subject.platform.empty() ? std::nullopt : std::optional<std::string_view>(subject.platform),
      page);
  if (!s.ok()) return s.status();
  json j = Object(4);
  json meta = Object(4);
  meta["unsubscribe"] = subject.unsubscribe;
  meta["documentation"] = "https://help.statuspage.io/knowledge_base/topics/webhook-notifications";
  meta["event_type"] = subject.event_type;
  meta["generated_at"] = Ts(v.as_of);
  j["meta"] = std::move(meta);
  const Level worst = WorstPlatformLevel(*s);
  json p = Object(4);
  p["id"] = s->page_id;
  p["status_indicator"] = Str(Indicator(worst));
  p["status_description"] = Str(IndicatorDescription(worst, v.lang));
  j["page"] = std::move(p);
  if (subject.event_id != 0) {
    const Event* e = v.model.FindEvent(subject.event_id);
    if (!e) return Status::NotFound("no event #" + std::to_string(subject.event_id));
    j["incident"] = EventJson(*s, *e);
  } else if (subject.service_id != 0) {
    const Service* svc = v.model.FindService(subject.service_id);
    if (!svc) return Status::NotFound("no service #" + std::to_string(subject.service_id));
    // The change the level made in this region, when it made one: within 5 s before the
    // notice. Status changes are in time order: read back from the newest, and stop there
    // (a delivery per webhook subscriber, so never the whole history).
    const StatusChange* change = nullptr;
    for (auto it = v.model.status_changes.rbegin(); it != v.model.status_changes.rend(); ++it) {
      if (it->at > subject.at) continue;
      if (it->at < subject.at - std::chrono::seconds(5)) break;
      if (it->service_id == svc->id && it->region == v.region.id) {
        change = &*it;
        break;
      }
    }
    const Level now = v.derived.Service(v.region.id, svc->id).level;
    json u = Object(6);
    u["created_at"] = Ts(subject.at);
    u["new_status"] = Str(ComponentStatus(change ? change->to : subject.level.value_or(now)));
    // Without a status change (the level set was already the service's), nothing to say.
    u["old_status"] = change ? json(Str(ComponentStatus(change->from))) : json(nullptr);
    u["id"] =
        change ? "chg-" + std::to_string(change->id) : "ntc-" + std::to_string(subject.notice_id);
    u["component_id"] = ServiceId(svc->id);
    j["component_update"] = std::move(u);
    j["component"] = ServiceComponent(*s, *svc);
  } else if (subject.message_id != 0) {
    const auto it = std::find_if(v.model.messages.begin(), v.model.messages.end(),
                                 [&](const Message& m) { return m.id == subject.message_id; });
    if (it == v.model.messages.end()) {
      return Status::NotFound("no message #" + std::to_string(subject.message_id));
    }
    json m = Object(8);
    m["id"] = "msg-" + std::to_string(it->id);
    m["name"] = Str(Localize(it->title, v.lang).text);
    m["body"] = Str(Localize(it->body, v.lang).text);
    m["published_at"] = Ts(it->published_at);
    m["expires_at"] = OptTs(it->expires_at);
    m["shortlink"] = v.region.base_url + "/" + Str(LangId(v.lang)) +
                     (it->platform.empty() ? "/" : "/" + it->platform + "/");
    j["message"] = std::move(m);
  }
  return Dump(j);
}

std::string_view ComponentStatus(Level l) {
  switch (l) {
    case Level::kOperational:
      return "operational";
    case Level::kMinor:
      return "degraded_performance";
    case Level::kMajor:
      return "partial_outage";
    case Level::kOutage:
      return "major_outage";
    case Level::kMaintenance:
      return "under_maintenance";
  }
  return "operational";
}

std::string_view Indicator(Level worst) {
  switch (worst) {
    case Level::kOperational:
      return "none";
    case Level::kMinor:
      return "minor";
    case Level::kMajor:
      return "major";
    case Level::kOutage:
      return "critical";
    case Level::kMaintenance:
      return "maintenance";
  }
  return "none";
}

std::string_view IndicatorDescription(Level worst, Lang lang) {
  const bool en = lang == Lang::kEn;
  switch (worst) {
    case Level::kOperational:
      return en ? "All Systems Operational" : "Tous les systèmes sont opérationnels";
    case Level::kMinor:
      return en ? "Minor Service Outage" : "Panne mineure du service";
    case Level::kMajor:
      return en ? "Partial System Outage" : "Panne partielle du système";
    case Level::kOutage:
      return en ? "Major System Outage" : "Panne majeure du système";
    case Level::kMaintenance:
      return en ? "Service Under Maintenance" : "Service en maintenance";
  }
  return "";
}

std::string_view IncidentImpact(Level worst) {
  switch (worst) {
    case Level::kMinor:
      return "minor";
    case Level::kMajor:
      return "major";
    case Level::kOutage:
      return "critical";
    case Level::kOperational:
    case Level::kMaintenance:
      break;
  }
  return "none";
}

Result<std::string> SummaryJson(const View& v, std::optional<std::string_view> platform,
                                const PageOptions& page) {
  Result<Scope> s = MakeScope(v, platform, page);
  if (!s.ok()) return s.status();
  // {page, components, incidents, scheduled_maintenances, status}, as Dump would write it.
  std::string out = "{\"page\":" + Compact(PageJson(*s)) + ",\"components\":";
  WriteComponents(out, *s);
  out += ",\"incidents\":" + Compact(UnresolvedIncidents(*s));
  // In progress and planned, by start: those under way come first.
  out += ",\"scheduled_maintenances\":" +
         Compact(MaintenancesIn(*s, {EventState::kInProgress, EventState::kPlanned},
                                Order::kSoonestFirst, kNoLimit));
  out += ",\"status\":" + Compact(StatusObject(*s)) + "}\n";
  return out;
}

Result<std::string> StatusJson(const View& v, std::optional<std::string_view> platform,
                               const PageOptions& page) {
  Result<Scope> s = MakeScope(v, platform, page);
  if (!s.ok()) return s.status();
  json j = Object(16);
  j["page"] = PageJson(*s);
  j["status"] = StatusObject(*s);
  return Dump(j);
}

Result<std::string> ComponentsJson(const View& v, std::optional<std::string_view> platform,
                                   const PageOptions& page) {
  Result<Scope> s = MakeScope(v, platform, page);
  if (!s.ok()) return s.status();
  std::string out = "{\"page\":" + Compact(PageJson(*s)) + ",\"components\":";
  WriteComponents(out, *s);
  return out + "}\n";
}

Result<std::string> IncidentsJson(const View& v, std::optional<std::string_view> platform,
                                  const PageOptions& page) {
  return PageWith(v, platform, page, "incidents", [](const Scope& s) {
    return EventsArray(
        s, [&](const Event& e) { return ShownAsIncident(s, e); }, Order::kNewestFirst, kRecentLimit,
        Among::kAll);
  });
}

Result<std::string> UnresolvedIncidentsJson(const View& v, std::optional<std::string_view> platform,
                                            const PageOptions& page) {
  return PageWith(v, platform, page, "incidents",
                  [](const Scope& s) { return UnresolvedIncidents(s); });
}

Result<std::string> ScheduledMaintenancesJson(const View& v,
                                              std::optional<std::string_view> platform,
                                              const PageOptions& page) {
  return PageWith(v, platform, page, "scheduled_maintenances", [](const Scope& s) {
    return MaintenancesIn(s, {EventState::kPlanned, EventState::kInProgress, EventState::kEnded},
                          Order::kNewestFirst, kRecentLimit);
  });
}

Result<std::string> UpcomingMaintenancesJson(const View& v,
                                             std::optional<std::string_view> platform,
                                             const PageOptions& page) {
  return PageWith(v, platform, page, "scheduled_maintenances", [](const Scope& s) {
    return MaintenancesIn(s, {EventState::kPlanned}, Order::kSoonestFirst, kNoLimit);
  });
}

Result<std::string> ActiveMaintenancesJson(const View& v, std::optional<std::string_view> platform,
                                           const PageOptions& page) {
  return PageWith(v, platform, page, "scheduled_maintenances", [](const Scope& s) {
    return MaintenancesIn(s, {EventState::kInProgress}, Order::kSoonestFirst, kNoLimit);
  });
}

}  // namespace vigie::statuspage

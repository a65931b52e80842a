#include "api/api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace vigie::api {

namespace {

using json = nlohmann::ordered_json;

// Invalid UTF-8 from the store is replaced, never a failure to answer.
std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

bool English(const View& v) { return v.lang == Lang::kEn; }

// Sets key to the text in the view's language, and key_lang to the language it is in
// (which differs when it fell back to the other).
void PutText(json& j, const std::string& key, const Text& t, Lang lang) {
  const Localized l = Localize(t, lang);
  j[key] = std::string(l.text);
  j[key + "_lang"] = std::string(LangId(l.lang));
}

json LevelJson(const View& v, Level l) {
  return json{{"level", std::string(LevelId(l))},
              {"label", std::string(LevelWords(l, English(v)))}};
}

json StatusJson(const View& v, const DerivedLevel& d) {
  json j = LevelJson(v, d.level);
  j["cause"] = std::string(CauseKindId(d.cause));
  j["event_id"] = d.event_id ? json(*d.event_id) : json(nullptr);
  return j;
}

json OptTime(const std::optional<Time>& t) { return t ? json(FormatRfc3339(*t)) : json(nullptr); }

std::string ApiBase(const View& v) {
  // Links keep the region and language of the request explicit.
  return "?region=" + v.region.id + "&lang=" + std::string(LangId(v.lang));
}

// With room for the members added after it: ordered_json copies (not moves) its members when
// it grows, the big arrays included.
json Envelope(const View& v) {
  json j = json::object();
  j.get_ref<json::object_t&>().reserve(16);
  j["region"] = v.region.id;
  j["language"] = std::string(LangId(v.lang));
  j["as_of"] = FormatRfc3339(v.as_of);
  return j;
}

json PlatformInfo(const View& v, const vigie::Platform& p) {
  json j{{"slug", p.slug}};
  PutText(j, "name", p.name, v.lang);
  PutText(j, "category", p.category, v.lang);
  PutText(j, "description", p.description, v.lang);
  j["products"] = p.products;
  return j;
}

json ServiceInfo(const View& v, const vigie::Service& s) {
  json j{{"slug", s.slug}, {"platform", s.platform}, {"position", s.position}};
  PutText(j, "name", s.name, v.lang);
  PutText(j, "information", s.information, v.lang);
  PutText(j, "impact", s.impact, v.lang);
  return j;
}

json UpdateJson(const View& v, const EventUpdate& u) {
  json j{{"id", u.id},
         {"at", FormatRfc3339(u.at)},
         {"phase", u.phase == Phase::kNone ? json(nullptr) : json(std::string(PhaseId(u.phase)))}};
  PutText(j, "text", u.text, v.lang);
  return j;
}

json EventSummary(const View& v, const vigie::Event& e) {
  json j{{"id", e.id},
         {"kind", std::string(EventKindId(e.kind))},
         {"platform", e.platform},
         {"regions", e.regions},
         {"state", std::string(EventStateId(e.StateAt(v.as_of)))}};
  PutText(j, "title", e.title, v.lang);
  PutText(j, "body", e.body, v.lang);
  j["phase"] = e.phase == Phase::kNone ? json(nullptr) : json(std::string(PhaseId(e.phase)));
  j["starts_at"] = FormatRfc3339(e.starts_at);
  j["ends_at"] = OptTime(e.ends_at);
  j["created_at"] = FormatRfc3339(e.created_at);
  j["updated_at"] = FormatRfc3339(e.updated_at);
  json services = json::array();
  for (const Impact& i : e.impacts) {
    const vigie::Service* s = v.model.FindService(i.service_id);
    if (!s) continue;
    json sj{{"slug", s->slug}};
    PutText(sj, "name", s->name, v.lang);
    sj["level"] = std::string(LevelId(i.level));
    sj["label"] = std::string(LevelWords(i.level, English(v)));
    services.push_back(std::move(sj));
  }
  j["services"] = std::move(services);
  j["updates_count"] = e.updates.size();
  j["latest_update"] = e.updates.empty() ? json(nullptr) : UpdateJson(v, e.updates.back());
  j["url"] = "/api/v1/events/" + std::to_string(e.id);
  return j;
}

Status NoPlatform(std::string_view slug) {
  return Status::NotFound("no platform \"" + std::string(slug) + "\"");
}

// Past events, cancelled ones included, read newest first.
bool IsPast(EventState s) { return s == EventState::kEnded || s == EventState::kCancelled; }

}  // namespace

std::string RegionsJson(const View& v, std::string_view default_region) {
  json j = Envelope(v);
  json regions = json::array();
  for (const Region& r : v.model.regions) {
    json rj{{"id", r.id}};
    PutText(rj, "name", r.name, v.lang);
    rj["hosts"] = r.hosts;
    rj["time_zone"] = r.time_zone;
    rj["default_language"] = std::string(LangId(r.default_lang));
    rj["default"] = r.id == default_region;
    regions.push_back(std::move(rj));
  }
  j["regions"] = std::move(regions);
  return Dump(j);
}

std::string PlatformsJson(const View& v) {
  json j = Envelope(v);
  json platforms = json::array();
  for (const vigie::Platform& p : v.model.platforms) {
    json pj = PlatformInfo(v, p);
    pj["status"] = StatusJson(v, v.derived.Platform(v.region.id, p.slug));
    pj["url"] = "/api/v1/platforms/" + p.slug + ApiBase(v);
    platforms.push_back(std::move(pj));
  }
  j["platforms"] = std::move(platforms);
  return Dump(j);
}

Result<std::string> PlatformJson(const View& v, std::string_view slug) {
  const vigie::Platform* p = v.model.FindPlatform(slug);
  if (!p) return NoPlatform(slug);
  json j = Envelope(v);
  j["platform"] = PlatformInfo(v, *p);
  j["status"] = StatusJson(v, v.derived.Platform(v.region.id, p->slug));
  json services = json::array();
  for (const vigie::Service& s : v.model.services) {
    if (s.platform != p->slug || s.retired) continue;
    json sj = ServiceInfo(v, s);
    sj["status"] = StatusJson(v, v.derived.Service(v.region.id, s.id));
    sj["url"] = "/api/v1/platforms/" + p->slug + "/services/" + s.slug + ApiBase(v);
    services.push_back(std::move(sj));
  }
  j["services"] = std::move(services);
  int in_progress = 0, planned = 0;
  for (const vigie::Event* event : v.index.events.Open()) {
    const vigie::Event& e = *event;
    if (e.platform != p->slug || !e.InRegion(v.region.id)) continue;
    const EventState st = e.StateAt(v.as_of);
    in_progress += st == EventState::kInProgress;
    planned += st == EventState::kPlanned;
  }
  j["events"] = json{{"in_progress", in_progress}, {"planned", planned}};
  return Dump(j);
}

Result<std::string> ServiceJson(const View& v, std::string_view platform, std::string_view slug) {
  if (!v.model.FindPlatform(platform)) return NoPlatform(platform);
  const vigie::Service* s = v.model.FindService(platform, slug);
  if (!s) {
    return Status::NotFound("no service \"" + std::string(slug) + "\" in platform \"" +
                            std::string(platform) + "\"");
  }
  json j = Envelope(v);
  j["service"] = ServiceInfo(v, *s);
  j["retired"] = s->retired;
  j["status"] = StatusJson(v, v.derived.Service(v.region.id, s->id));
  json events = json::array();
  for (const vigie::Event* event : v.index.events.Open()) {  // planned or in progress
    const vigie::Event& e = *event;
    if (!e.InRegion(v.region.id)) continue;
    for (const Impact& i : e.impacts) {
      if (i.service_id == s->id) events.push_back(EventSummary(v, e));
    }
  }
  j["events"] = std::move(events);
  // The newest changes first, up to a bounded number (a service's history is long-lived).
  json history = json::array();
  const ChangeIndex::List& changes = v.index.changes.Of(v.region.id, s->platform, s->id);
  for (auto r = changes.rbegin(); r != changes.rend() && history.size() < 200; ++r) {
    const StatusChange* it = *r;
    if (it->at > v.as_of) continue;
    json c{{"at", FormatRfc3339(it->at)},
           {"from", std::string(LevelId(it->from))},
           {"to", std::string(LevelId(it->to))},
           {"label", std::string(LevelWords(it->to, English(v)))},
           {"cause", std::string(CauseKindId(it->cause))},
           {"event_id", it->event_id ? json(*it->event_id) : json(nullptr)},
           {"note", it->note}};
    history.push_back(std::move(c));
  }
  j["history"] = std::move(history);
  return Dump(j);
}

Result<std::string> EventsJson(const View& v, std::string_view platform,
                               const EventFilter& filter) {
  if (!v.model.FindPlatform(platform)) return NoPlatform(platform);
  std::vector<const vigie::Event*> found;
  for (const vigie::Event* event : v.index.events.OfPlatform(platform)) {
    const vigie::Event& e = *event;
    if (!e.InRegion(v.region.id)) continue;
    if (filter.kind && e.kind != *filter.kind) continue;
    const EventState st = e.StateAt(v.as_of);
    if (filter.state) {
      if (*filter.state == EventState::kEnded ? !IsPast(st) : st != *filter.state) continue;
    }
    found.push_back(&e);
  }
  // Planned: soonest first. Otherwise the most recent start first.
  const bool soonest_first = filter.state && *filter.state == EventState::kPlanned;
  std::stable_sort(found.begin(), found.end(), [&](const vigie::Event* a, const vigie::Event* b) {
    return soonest_first ? a->starts_at < b->starts_at : a->starts_at > b->starts_at;
  });
  // Page 1 always answers (maybe empty); a page past the last is not a page.
  const size_t first = static_cast<size_t>(filter.page - 1) * static_cast<size_t>(filter.limit);
  if (filter.page > 1 && first >= found.size()) {
    return Status::NotFound("there is no page " + std::to_string(filter.page) + ": " +
                            std::to_string(found.size()) + " events, " +
                            std::to_string(filter.limit) + " a page");
  }
  json j = Envelope(v);
  j["platform"] = std::string(platform);
  j["state"] = filter.state ? json(std::string(EventStateId(*filter.state))) : json(nullptr);
  j["kind"] = filter.kind ? json(std::string(EventKindId(*filter.kind))) : json(nullptr);
  j["total"] = found.size();
  j["page"] = filter.page;
  j["limit"] = filter.limit;
  json events = json::array();
  for (size_t i = first; i < found.size() && i < first + static_cast<size_t>(filter.limit); ++i) {
    events.push_back(EventSummary(v, *found[i]));
  }
  j["events"] = std::move(events);
  return Dump(j);
}

Result<std::string> EventJson(const View& v, int64_t id) {
  const vigie::Event* e = v.model.FindEvent(id);
  if (!e || !e->InRegion(v.region.id)) {
    return Status::NotFound("no event #" + std::to_string(id) + " in region " + v.region.id);
  }
  json j = Envelope(v);
  json ej = EventSummary(v, *e);
  json updates = json::array();
  for (auto it = e->updates.rbegin(); it != e->updates.rend(); ++it) {
    updates.push_back(UpdateJson(v, *it));  // newest first, as a timeline is read
  }
  ej["updates"] = std::move(updates);
  j["event"] = std::move(ej);
  return Dump(j);
}

Result<std::string> MessagesJson(const View& v, std::optional<std::string_view> platform) {
  if (platform && !v.model.FindPlatform(*platform)) return NoPlatform(*platform);
  json j = Envelope(v);
  j["platform"] = platform ? json(std::string(*platform)) : json(nullptr);
  json messages = json::array();
  for (const Message& m : v.model.messages) {  // newest first
    if (!m.InRegion(v.region.id) || !m.ActiveAt(v.as_of)) continue;
    if (platform && !m.platform.empty() && m.platform != *platform) continue;
    json mj{{"id", m.id}, {"platform", m.platform.empty() ? json(nullptr) : json(m.platform)}};
    PutText(mj, "title", m.title, v.lang);
    PutText(mj, "body", m.body, v.lang);
    mj["published_at"] = FormatRfc3339(m.published_at);
    mj["expires_at"] = OptTime(m.expires_at);
    messages.push_back(std::move(mj));
  }
  j["messages"] = std::move(messages);
  return Dump(j);
}

}  // namespace vigie::api

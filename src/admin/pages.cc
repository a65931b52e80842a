// The back-office's pages: what operators read before they act (GET only; the forms they
// post are in forms.cc).
#include "admin/parts.h"
#include "admin/web.h"
#include "domain/derive.h"

namespace vigie {

namespace {

json LevelOptions(const Messages& m, Lang lang, Level selected) {
  json out = json::array();
  for (Level l : kAllLevels) {
    out.push_back({{"value", std::string(LevelId(l))},
                   {"words", m.Words(lang, l)},
                   {"selected", l == selected}});
  }
  return out;
}

json Badge(const Messages& m, Lang lang, Level l) {
  return {{"level", std::string(LevelId(l))}, {"words", m.Words(lang, l)}};
}

}  // namespace

http::Response AdminWeb::Dashboard(http::Request&, const Caller& c) {
  std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  const vigie::Messages& msg = assets().messages;
  json regions = json::array();
  for (const Region& r : m.regions) {
    json platforms = json::array();
    for (const Platform& p : m.platforms) {
      const DerivedLevel g = snap->derived().Platform(r.id, p.slug);
      json services = json::array();
      for (const Service& s : m.services) {
        if (s.platform != p.slug || s.retired) continue;
        const DerivedLevel d = snap->derived().Service(r.id, s.id);
        Level manual = Level::kOperational;
        for (const ManualLevel& ml : m.manual_levels) {
          if (ml.region == r.id && ml.service_id == s.id) manual = ml.level;
        }
        services.push_back({{"slug", s.slug},
                            {"platform", p.slug},
                            {"region", r.id},
                            {"name", L(s.name, c.lang)},
                            {"status", Badge(msg, c.lang, d.level)},
                            {"by_event", d.cause == CauseKind::kEvent},
                            {"options", LevelOptions(msg, c.lang, manual)}});
      }
      bool overridden = false;
      Level override_level = Level::kOperational;
      for (const GlobalOverride& o : m.overrides) {
        if (o.region == r.id && o.platform == p.slug) {
          overridden = true;
          override_level = o.level;
        }
      }
      platforms.push_back({{"slug", p.slug},
                           {"name", L(p.name, c.lang)},
                           {"status", Badge(msg, c.lang, g.level)},
                           {"overridden", overridden},
                           {"override_options", LevelOptions(msg, c.lang, override_level)},
                           {"services", services}});
    }
    regions.push_back({{"id", r.id}, {"name", L(r.name, c.lang)}, {"platforms", platforms}});
  }
  return Html(c, 200, "admin_dashboard", json{{"regions", regions}},
              msg.Get(c.lang, "admin.dashboard"));
}

json AdminWeb::EventForm(const Model& m, const Caller& c) const {
  json kinds = json::array();
  for (EventKind k : kAllEventKinds) {
    kinds.push_back(
        {{"value", std::string(EventKindId(k))}, {"words", assets().messages.Words(c.lang, k)}});
  }
  json phases = json::array();
  for (Phase p :
       {Phase::kInvestigating, Phase::kIdentified, Phase::kMonitoring, Phase::kResolved}) {
    phases.push_back(
        {{"value", std::string(PhaseId(p))}, {"words", assets().messages.Words(c.lang, p)}});
  }
  json platforms = json::array();
  for (const Platform& p : m.platforms) {
    json services = json::array();
    for (const Service& s : m.services) {
      if (s.platform != p.slug || s.retired) continue;
      services.push_back({{"slug", s.slug}, {"name", L(s.name, c.lang)}, {"platform", p.slug}});
    }
    platforms.push_back({{"slug", p.slug}, {"name", L(p.name, c.lang)}, {"services", services}});
  }
  json regions = json::array();
  for (const Region& r : m.regions) {
    regions.push_back({{"id", r.id}, {"name", L(r.name, c.lang)}, {"zone", r.time_zone}});
  }
  json levels = LevelOptions(assets().messages, c.lang, Level::kMajor);
  return json{{"kinds", kinds},
              {"phases", phases},
              {"platforms", platforms},
              {"regions", regions},
              {"levels", levels}};
}

http::Response AdminWeb::Events(http::Request&, const Caller& c) {
  std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  json current = json::array(), planned = json::array(), past = json::array();
  for (auto it = m.events.rbegin(); it != m.events.rend(); ++it) {
    const EventState st = it->StateAt(snap->as_of());
    json e{{"id", it->id},
           {"kind", assets().messages.Words(c.lang, it->kind)},
           {"platform", it->platform},
           {"title", L(it->title, c.lang)},
           {"state", assets().messages.Words(c.lang, st)},
           {"start", FormatRfc3339(it->starts_at)}};
    if (st == EventState::kInProgress)
      current.push_back(e);
    else if (st == EventState::kPlanned)
      planned.push_back(e);
    else if (past.size() < 30)
      past.push_back(e);
  }
  json data = EventForm(m, c);
  data["current"] = current;
  data["planned"] = planned;
  data["past"] = past;
  return Html(c, 200, "admin_events", data, assets().messages.Get(c.lang, "admin.events"));
}

http::Response AdminWeb::EventPage(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  const Event* e = id ? m.FindEvent(*id) : nullptr;
  if (!e) return FormError(req, c, Status::NotFound("no such event"));
  const Region* zone = e->regions.empty() ? nullptr : m.FindRegion(e->regions.front());
  if (!zone) zone = &m.regions.front();
  json data = EventForm(m, c);
  const EventState st = e->StateAt(snap->as_of());
  json services = json::array();
  for (const Service& s : m.services) {
    if (s.platform != e->platform || s.retired) continue;
    std::string current = "none";
    for (const Impact& i : e->impacts) {
      if (i.service_id == s.id) current = std::string(LevelId(i.level));
    }
    json options =
        json::array({{{"value", "none"}, {"words", "—"}, {"selected", current == "none"}}});
    for (Level l : kAllLevels) {
      options.push_back({{"value", std::string(LevelId(l))},
                         {"words", assets().messages.Words(c.lang, l)},
                         {"selected", current == LevelId(l)}});
    }
    services.push_back({{"slug", s.slug}, {"name", L(s.name, c.lang)}, {"options", options}});
  }
  json regions = json::array();
  for (const Region& r : m.regions) {
    regions.push_back({{"id", r.id}, {"name", L(r.name, c.lang)}, {"checked", e->InRegion(r.id)}});
  }
  json updates = json::array();
  for (auto it = e->updates.rbegin(); it != e->updates.rend(); ++it) {
    updates.push_back(
        {{"at", FormatDateTime(it->at, *zone, c.lang, assets().messages)},
         {"phase",
          it->phase == Phase::kNone ? std::string() : assets().messages.Words(c.lang, it->phase)},
         {"text_fr", std::string(it->text.fr())},
         {"text_en", std::string(it->text.en())}});
  }
  data["event"] = {
      {"id", e->id},
      {"revision", e->revision},
      {"kind", assets().messages.Words(c.lang, e->kind)},
      {"is_incident", e->kind == EventKind::kIncident},
      {"platform", e->platform},
      {"state", assets().messages.Words(c.lang, st)},
      {"title_fr", std::string(e->title.fr())},
      {"title_en", std::string(e->title.en())},
      {"body_fr", std::string(e->body.fr())},
      {"body_en", std::string(e->body.en())},
      {"start", UtcToLocalInput(e->starts_at, *zone)},
      {"end", e->ends_at ? UtcToLocalInput(*e->ends_at, *zone) : std::string()},
      {"zone", zone->time_zone},
      {"in_progress", st == EventState::kInProgress},
      {"planned", st == EventState::kPlanned},
      {"public_url", "/" + std::string(LangId(c.lang)) + "/events/" + std::to_string(e->id)},
      {"services", services},
      {"regions", regions},
      {"updates", updates}};
  return Html(c, 200, "admin_event", data, L(e->title, c.lang));
}

http::Response AdminWeb::Messages(http::Request&, const Caller& c) {
  std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  json list = json::array();
  for (const Message& msg : m.messages) {
    const Region* zone = msg.regions.empty() ? nullptr : m.FindRegion(msg.regions.front());
    if (!zone) zone = &m.regions.front();
    list.push_back(
        {{"id", msg.id},
         {"title", L(msg.title, c.lang)},
         {"title_fr", std::string(msg.title.fr())},
         {"title_en", std::string(msg.title.en())},
         {"body_fr", std::string(msg.body.fr())},
         {"body_en", std::string(msg.body.en())},
         {"platform_slug", msg.platform},
         {"region_list", msg.regions},
         {"expires_input",
          msg.expires_at ? UtcToLocalInput(*msg.expires_at, *zone) : std::string()},
         {"platform", msg.platform.empty() ? std::string("—") : msg.platform},
         {"regions",
          [&] {
            std::string r;
            for (const auto& x : msg.regions) r += (r.empty() ? "" : ", ") + x;
            return r;
          }()},
         {"active", msg.ActiveAt(snap->as_of())},
         {"published", FormatRfc3339(msg.published_at)},
         {"expires", msg.expires_at ? FormatRfc3339(*msg.expires_at) : std::string("—")}});
  }
  json data = EventForm(m, c);
  data["messages"] = list;
  return Html(c, 200, "admin_messages", data, assets().messages.Get(c.lang, "admin.messages"));
}

http::Response AdminWeb::Audit(http::Request& req, const Caller& c) {
  AuditFilter filter;
  filter.actor = req.Query("actor").value_or("");
  filter.action = req.Query("action").value_or("");
  filter.limit = 200;
  Result<std::vector<AuditEntry>> rows = store_.ListAudit(filter);
  if (!rows.ok()) return FormError(req, c, rows.status());
  json list = json::array();
  for (const AuditEntry& a : *rows) {
    list.push_back({{"at", FormatRfc3339(a.at)},
                    {"actor", a.actor},
                    {"action", a.action},
                    {"detail", a.detail}});
  }
  return Html(c, 200, "admin_audit",
              json{{"rows", list}, {"actor", filter.actor}, {"action", filter.action}},
              assets().messages.Get(c.lang, "admin.audit"));
}

http::Response AdminWeb::Tokens(http::Request& req, const Caller& c) {
  Result<std::vector<ApiToken>> tokens = store_.ListTokens();
  if (!tokens.ok()) return FormError(req, c, tokens.status());
  json list = json::array();
  for (const ApiToken& t : *tokens) {
    list.push_back(
        {{"id", t.id},
         {"name", t.name},
         {"role", std::string(RoleId(t.role))},
         {"created_by", t.created_by},
         {"created", FormatRfc3339(t.created_at)},
         {"revoked", t.revoked_at.has_value()},
         {"last_used", t.last_used_at ? FormatRfc3339(*t.last_used_at) : std::string("—")}});
  }
  return Html(c, 200, "admin_tokens", json{{"tokens", list}},
              assets().messages.Get(c.lang, "admin.tokens"));
}

http::Response AdminWeb::Catalog(http::Request&, const Caller& c) {
  std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  json platforms = json::array();
  for (const Platform& p : m.platforms) {
    json services = json::array();
    for (const Service& s : m.services) {
      if (s.platform != p.slug) continue;
      services.push_back({{"id", s.id},
                          {"slug", s.slug},
                          {"position", s.position},
                          {"name_fr", std::string(s.name.fr())},
                          {"name_en", std::string(s.name.en())},
                          {"information_fr", std::string(s.information.fr())},
                          {"information_en", std::string(s.information.en())},
                          {"impact_fr", std::string(s.impact.fr())},
                          {"impact_en", std::string(s.impact.en())},
                          {"retired", s.retired}});
    }
    platforms.push_back({{"slug", p.slug}, {"name", L(p.name, c.lang)}, {"services", services}});
  }
  return Html(c, 200, "admin_catalog", json{{"platforms", platforms}},
              assets().messages.Get(c.lang, "admin.catalog"));
}

http::Response AdminWeb::Users(http::Request& req, const Caller& c) {
  Result<std::vector<User>> users = store_.ListUsers();
  if (!users.ok()) return FormError(req, c, users.status());
  json list = json::array();
  for (const User& u : *users) {
    list.push_back({{"name", u.name},
                    {"role", std::string(RoleId(u.role))},
                    {"disabled", u.disabled},
                    {"created", FormatRfc3339(u.created_at)},
                    {"self", u.name == c.name}});
  }
  return Html(c, 200, "admin_users", json{{"users", list}},
              assets().messages.Get(c.lang, "admin.users"));
}

}  // namespace vigie

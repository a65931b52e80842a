#include "admin/web.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "domain/derive.h"
#include "render/escape.h"

namespace vigie {

namespace {

using json = nlohmann::json;
using Form = std::multimap<std::string, std::string>;

constexpr const char* kLoginCsrfCookie = "vigie_login_csrf";

// Where a login may send the operator afterwards: a back-office path of this site.
bool SafeAdminNext(std::string_view next) {
  return http::IsLocalTarget(next) && (next == "/admin" || next.rfind("/admin/", 0) == 0 ||
                                       next.rfind("/admin?", 0) == 0);
}

Form ParseForm(std::string_view body) {
  Form out;
  for (auto& [name, value] : http::UrlEncoded(body).All()) out.emplace(std::move(name), std::move(value));
  return out;
}

std::string Field(const Form& f, const std::string& key) {
  auto it = f.find(key);
  return it == f.end() ? std::string() : it->second;
}

std::vector<std::string> Fields(const Form& f, const std::string& key) {
  std::vector<std::string> out;
  for (auto [it, end] = f.equal_range(key); it != end; ++it) out.push_back(it->second);
  return out;
}

std::string Cookie(const http::Request& req, std::string_view name) {
  return std::string(req.Cookie(name));
}

void SecurityHeaders(http::Response& res) {
  res.Set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
  res.Set("X-Content-Type-Options", "nosniff");
  res.Set("X-Frame-Options", "DENY");
  res.Set("Referrer-Policy", "same-origin");
  res.Set("Cache-Control", "no-store");
}

http::Response JsonResponse(int status, const json& body) {
  http::Response res;
  res.status = status;
  res.Set("Content-Type", "application/json; charset=utf-8");
  res.Set("Cache-Control", "no-store");
  res.SetBody(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
  return res;
}


// Writes whose failure the visitor need not wait for (bookkeeping), but an operator must
// see in the log: a dropped audit row or a session left behind is not silent.
void LogIfFailed(std::string_view what, const Status& st) {
  if (!st.ok()) LogError("admin: could not " + std::string(what) + ": " + st.ToString());
}

http::Response ApiError(const Status& st) {
  const int code = http::HttpStatusOf(st);
  return JsonResponse(code, json{{"error", {{"code", http::ErrorName(code)}, {"message", st.message()}}}});
}

std::optional<int64_t> IdParam(const http::Request& req) {
  const std::string_view s = req.Param("id");
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

Text TextOf(const Form& f, const std::string& prefix) {
  return Text{Field(f, prefix + "_fr"), Field(f, prefix + "_en")};
}

std::string L(const Text& t, Lang lang) { return std::string(Localize(t, lang).text); }

}  // namespace

AdminWeb::AdminWeb(AdminOptions options, Publisher& publisher, Store& store, const Clock& clock,
                   AdminAssets assets)
    : options_(options),
      publisher_(publisher),
      store_(store),
      clock_(clock),
      assets_(assets),
      ops_(publisher, store, clock) {}

std::string AdminWeb::SessionCookieName() const {
  return options_.secure_cookies ? "__Host-vigie_session" : "vigie_session";
}

Lang AdminWeb::LangOf(const http::Request& req) const {
  // As the public site chooses (cookie, then Accept-Language), French by default.
  if (auto l = ParseLang(req.Cookie("vigie_lang"))) return *l;
  if (auto l = ParseLang(http::NegotiateLanguage(req.Header("accept-language"), {"fr", "en"}))) {
    return *l;
  }
  return Lang::kFr;
}

http::Response AdminWeb::Html(const Caller& c, int status, std::string_view name,
                              const nlohmann::json& data, const std::string& title) const {
  AdminPageView v{assets_.messages, assets_.templates, assets_.statics, assets_.site_name, c.lang,
                  c.session_hash.empty() ? std::string() : c.name, std::string(RoleId(c.role)),
                  c.csrf, c.here};
  http::Response res;
  res.status = status;
  res.Set("Content-Type", "text/html; charset=utf-8");
  SecurityHeaders(res);
  res.SetBody(RenderAdminPage(v, name, data, title));
  return res;
}

http::Response AdminWeb::Back(const std::string& where) const {
  http::Response res;
  res.status = 303;
  res.Set("Location", where);
  SecurityHeaders(res);
  return res;
}

std::function<http::Response(http::Request&)> AdminWeb::Page(Role role, Handler handler) {
  return [this, role, handler](http::Request& req) -> http::Response {
    const Lang lang = LangOf(req);
    // After a form, the language switch leads back to the page, not to the form's action.
    const bool get = req.method == "GET" || req.method == "HEAD";
    const std::string here = get ? req.target : std::string("/admin/");
    const std::string id = Cookie(req, SessionCookieName());
    const Time now = clock_.Now();
    std::optional<Session> session;
    std::optional<User> user;
    if (!id.empty()) {
      Result<std::optional<Session>> s = store_.FindSession(HashSecret(id));
      if (s.ok() && *s) {
        const bool expired = now - (*s)->last_seen_at > options_.idle_timeout ||
                             now - (*s)->created_at > options_.absolute_timeout;
        if (expired) {
          LogIfFailed("delete an expired session",
                      store_.Write([&](StoreTx& tx) { return tx.DeleteSession((*s)->id_hash); }));
        } else {
          Result<std::optional<User>> u = store_.FindUserById((*s)->user_id);
          if (u.ok() && *u && !(*u)->disabled) {
            session = *s;
            user = **u;
          }
        }
      }
    }
    if (!session) {
      if (get) return Back("/admin/login?next=" + QueryEscape(req.target));
      Caller anonymous{.lang = lang, .here = here};
      return Html(anonymous, 401, "admin_message",
                  json{{"message", assets_.messages.Get(lang, "admin.session_expired")},
                       {"link", "/admin/login"}},
                  assets_.messages.Get(lang, "admin.login"));
    }
    Caller caller{user->name, user->role, session->csrf, session->id_hash, lang, here};
    if (!get) {
      const Form form = ParseForm(req.body);
      if (!ConstantTimeEquals(Field(form, "csrf"), session->csrf)) {
        LogWarn("admin: CSRF token missing or wrong for " + user->name + " on " + req.path);
        return Html(caller, 403, "admin_message",
                    json{{"message", assets_.messages.Get(lang, "admin.csrf")}, {"link", "/admin/"}},
                    assets_.messages.Get(lang, "admin.refused"));
      }
    }
    if (role == Role::kAdmin && user->role != Role::kAdmin) {
      return Html(caller, 403, "admin_message",
                  json{{"message", assets_.messages.Get(lang, "admin.admins_only")}, {"link", "/admin/"}},
                  assets_.messages.Get(lang, "admin.refused"));
    }
    if (now - session->last_seen_at > std::chrono::seconds(60)) {  // at most one write a minute
      LogIfFailed("note a session's use",
                  store_.Write([&](StoreTx& tx) { return tx.TouchSession(session->id_hash, now); }));
    }
    return handler(req, caller);
  };
}

std::function<http::Response(http::Request&)> AdminWeb::Api(Role role, Handler handler) {
  return [this, role, handler](http::Request& req) -> http::Response {
    std::string_view auth = req.Header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.substr(0, kBearer.size()) != kBearer) {
      http::Response res = ApiError(Status::Unauthenticated("send Authorization: Bearer TOKEN"));
      res.Set("WWW-Authenticate", "Bearer");
      return res;
    }
    Result<std::optional<ApiToken>> t = store_.FindToken(HashSecret(auth.substr(kBearer.size())));
    if (!t.ok()) return ApiError(t.status());
    if (!*t || (*t)->revoked_at) {
      http::Response res = ApiError(Status::Unauthenticated("unknown or revoked token"));
      res.Set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return res;
    }
    if (role == Role::kAdmin && (*t)->role != Role::kAdmin) {
      return ApiError(Status::PermissionDenied("this token is not an admin token"));
    }
    const Time now = clock_.Now();
    if (!(*t)->last_used_at || now - *(*t)->last_used_at > std::chrono::seconds(60)) {
      LogIfFailed("note a token's use",
                  store_.Write([&](StoreTx& tx) { return tx.TouchToken((*t)->id, now); }));
    }
    Caller caller{"token:" + (*t)->name, (*t)->role, "", "", Lang::kEn};
    return handler(req, caller);
  };
}

// ---- Login ----

http::Response AdminWeb::LoginForm(http::Request& req) {
  Caller anonymous{.lang = LangOf(req), .here = req.target};
  const std::string token = RandomToken(24);
  anonymous.csrf = token;
  std::string next = req.Query("next").value_or("/admin/");
  if (!SafeAdminNext(next)) next = "/admin/";
  http::Response res = Html(anonymous, 200, "admin_login", json{{"next", next}},
                            assets_.messages.Get(anonymous.lang, "admin.login"));
  // Before a session exists, the form's token is checked against this cookie (double submit).
  res.Set("Set-Cookie", std::string(kLoginCsrfCookie) + "=" + token +
                            "; Path=/admin; HttpOnly; SameSite=Strict" +
                            (options_.secure_cookies ? "; Secure" : ""));
  return res;
}

http::Response AdminWeb::Login(http::Request& req) {
  const Lang lang = LangOf(req);
  const Form form = ParseForm(req.body);
  const std::string name = Field(form, "name");
  const std::string password = Field(form, "password");
  std::string next = Field(form, "next");
  if (!SafeAdminNext(next)) next = "/admin/";
  const auto refuse = [&](int status, const std::string& key) {
    Caller anonymous{.lang = lang, .here = "/admin/login?next=" + QueryEscape(next)};
    const std::string token = RandomToken(24);
    anonymous.csrf = token;
    http::Response res = Html(anonymous, status, "admin_login",
                              json{{"next", next}, {"name", name},
                                   {"error", assets_.messages.Get(lang, key)}},
                              assets_.messages.Get(lang, "admin.login"));
    res.Set("Set-Cookie", std::string(kLoginCsrfCookie) + "=" + token +
                              "; Path=/admin; HttpOnly; SameSite=Strict" +
                              (options_.secure_cookies ? "; Secure" : ""));
    return res;
  };
  const std::string cookie = Cookie(req, kLoginCsrfCookie);
  if (cookie.empty() || !ConstantTimeEquals(cookie, Field(form, "csrf"))) return refuse(403, "admin.csrf");
  const Time now = clock_.Now();
  if (!throttle_.Allowed(name, req.remote, now)) return refuse(429, "admin.throttled");
  Result<std::optional<User>> user = store_.FindUser(name);
  if (!user.ok()) return refuse(503, "admin.unavailable");
  bool ok = false;
  if (*user && !(*user)->disabled) {
    ok = VerifyPassword((*user)->password_hash, password);
  } else {
    VerifyNothing(password);  // the same time and the same answer as a wrong password
  }
  if (!ok) {
    throttle_.Failed(name, req.remote, now);
    LogWarn("admin: failed login for \"" + name + "\" from " + req.remote);
    return refuse(401, "admin.bad_login");
  }
  throttle_.Succeeded(name, req.remote);
  // A new session id at every login.
  const std::string id = RandomToken(32);
  Session s{HashSecret(id), (*user)->id, RandomToken(32), now, now};
  Status st = store_.Write([&](StoreTx& tx) -> Status {
    VIGIE_RETURN_IF_ERROR(tx.CreateSession(s));
    return tx.InsertAudit(now, (*user)->name, "session.login", "from " + req.remote);
  });
  if (!st.ok()) return refuse(503, "admin.unavailable");
  http::Response res = Back(next);
  res.Set("Set-Cookie", SessionCookieName() + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" +
                            (options_.secure_cookies ? "; Secure" : ""));
  return res;
}

http::Response AdminWeb::Logout(http::Request& req, const Caller& c) {
  const Time now = clock_.Now();
  LogIfFailed("sign " + c.name + " out", store_.Write([&](StoreTx& tx) -> Status {
    VIGIE_RETURN_IF_ERROR(tx.DeleteSession(c.session_hash));
    return tx.InsertAudit(now, c.name, "session.logout", "from " + req.remote);
  }));
  http::Response res = Back("/admin/login");
  res.Set("Set-Cookie", SessionCookieName() + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
                            (options_.secure_cookies ? "; Secure" : ""));
  return res;
}

// ---- Pages ----

namespace {

json LevelOptions(const Messages& m, Lang lang, Level selected) {
  json out = json::array();
  for (Level l : kAllLevels) {
    out.push_back({{"value", std::string(LevelId(l))},
                   {"words", m.Get(lang, "level." + std::string(LevelId(l)))},
                   {"selected", l == selected}});
  }
  return out;
}

json Badge(const Messages& m, Lang lang, Level l) {
  return {{"level", std::string(LevelId(l))}, {"words", m.Get(lang, "level." + std::string(LevelId(l)))}};
}

}  // namespace

http::Response AdminWeb::Dashboard(http::Request&, const Caller& c) {
  std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  const vigie::Messages& msg = assets_.messages;
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

http::Response AdminWeb::FormError(http::Request& req, const Caller& c, const Status& st) {
  // Back to the page the form came from, when it is one of ours.
  std::string back = "/admin/";
  const std::string_view referer = req.Header("referer");
  if (const size_t at = referer.find("/admin"); at != std::string_view::npos) {
    const std::string path(referer.substr(at));
    if (path.find_first_of("\"<>\r\n") == std::string::npos) back = path;
  }
  return Html(c, http::HttpStatusOf(st), "admin_message",
              json{{"message", st.message()}, {"link", back}},
              assets_.messages.Get(c.lang, "admin.refused"));
}

http::Response AdminWeb::SetLevel(http::Request& req, const Caller& c) {
  const Form f = ParseForm(req.body);
  std::optional<Level> level = ParseLevel(Field(f, "level"));
  if (!level) return FormError(req, c, Status::Invalid("choose a level"));
  Status st = ops_.SetLevel(c.name, {Field(f, "region")}, Field(f, "platform"), Field(f, "service"),
                            *level, Field(f, "note"));
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/#" + Field(f, "region") + "-" + Field(f, "platform"));
}

http::Response AdminWeb::SetOverride(http::Request& req, const Caller& c) {
  const Form f = ParseForm(req.body);
  const std::string value = Field(f, "level");
  std::optional<Level> level;
  if (value != "none") {
    level = ParseLevel(value);
    if (!level) return FormError(req, c, Status::Invalid("choose a level or none"));
  }
  Status st = ops_.SetOverride(c.name, Field(f, "region"), Field(f, "platform"), level, Field(f, "note"));
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/#" + Field(f, "region") + "-" + Field(f, "platform"));
}

json AdminWeb::EventForm(const Model& m, const Caller& c) const {
  json kinds = json::array();
  for (EventKind k : kAllEventKinds) {
    kinds.push_back({{"value", std::string(EventKindId(k))},
                     {"words", assets_.messages.Get(c.lang, "kind." + std::string(EventKindId(k)))}});
  }
  json phases = json::array();
  for (Phase p : {Phase::kInvestigating, Phase::kIdentified, Phase::kMonitoring, Phase::kResolved}) {
    phases.push_back({{"value", std::string(PhaseId(p))},
                      {"words", assets_.messages.Get(c.lang, "phase." + std::string(PhaseId(p)))}});
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
  json levels = LevelOptions(assets_.messages, c.lang, Level::kMajor);
  return json{{"kinds", kinds}, {"phases", phases}, {"platforms", platforms},
              {"regions", regions}, {"levels", levels}};
}

http::Response AdminWeb::Events(http::Request&, const Caller& c) {
  std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  json current = json::array(), planned = json::array(), past = json::array();
  for (auto it = m.events.rbegin(); it != m.events.rend(); ++it) {
    const EventState st = it->StateAt(snap->as_of());
    json e{{"id", it->id},
           {"kind", assets_.messages.Get(c.lang, "kind." + std::string(EventKindId(it->kind)))},
           {"platform", it->platform},
           {"title", L(it->title, c.lang)},
           {"state", assets_.messages.Get(c.lang, "state." + std::string(EventStateId(st)))},
           {"start", FormatRfc3339(it->starts_at)}};
    if (st == EventState::kInProgress) current.push_back(e);
    else if (st == EventState::kPlanned) planned.push_back(e);
    else if (past.size() < 30) past.push_back(e);
  }
  json data = EventForm(m, c);
  data["current"] = current;
  data["planned"] = planned;
  data["past"] = past;
  return Html(c, 200, "admin_events", data, assets_.messages.Get(c.lang, "admin.events"));
}

namespace {

// Reads the event fields of a form: times in the first chosen region's zone.
Result<EventDraft> DraftOf(const Form& f, const Model& m, bool with_kind) {
  EventDraft d;
  if (with_kind) {
    std::optional<EventKind> kind = ParseEventKind(Field(f, "kind"));
    if (!kind) return Status::Invalid("choose the kind of event");
    d.kind = *kind;
    d.platform = Field(f, "platform");
    if (!m.FindPlatform(d.platform)) return Status::Invalid("choose a platform");
    if (auto p = ParsePhase(Field(f, "phase")); p) d.phase = *p;
  }
  d.regions = Fields(f, "regions");
  d.title = TextOf(f, "title");
  d.body = TextOf(f, "body");
  d.first_update = TextOf(f, "update");
  const std::string platform = with_kind ? d.platform : Field(f, "platform");
  for (const Service& s : m.services) {
    if (s.platform != platform) continue;
    const std::string v = Field(f, "service_" + s.slug);
    if (v.empty() || v == "none") continue;
    std::optional<Level> l = ParseLevel(v);
    if (!l) return Status::Invalid("unknown level \"" + v + "\"");
    d.services.emplace_back(s.slug, *l);
  }
  const Region* zone = d.regions.empty() ? nullptr : m.FindRegion(d.regions.front());
  if (!zone && !m.regions.empty()) zone = &m.regions.front();
  if (const std::string start = Field(f, "start"); !start.empty() && zone) {
    Result<Time> t = LocalToUtc(start, *zone);
    if (!t.ok()) return t.status().WithContext("start");
    d.starts_at = *t;
  }
  if (const std::string end = Field(f, "end"); !end.empty() && zone) {
    Result<Time> t = LocalToUtc(end, *zone);
    if (!t.ok()) return t.status().WithContext("end");
    d.ends_at = *t;
  }
  return d;
}

}  // namespace

http::Response AdminWeb::CreateEvent(http::Request& req, const Caller& c) {
  const Form f = ParseForm(req.body);
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  Result<EventDraft> d = DraftOf(f, *m, true);
  if (!d.ok()) return FormError(req, c, d.status());
  Result<int64_t> id = ops_.CreateEvent(c.name, *d);
  if (!id.ok()) return FormError(req, c, id.status());
  return Back("/admin/events/" + std::to_string(*id));
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
    json options = json::array({{{"value", "none"}, {"words", "—"}, {"selected", current == "none"}}});
    for (Level l : kAllLevels) {
      options.push_back({{"value", std::string(LevelId(l))},
                         {"words", assets_.messages.Get(c.lang, "level." + std::string(LevelId(l)))},
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
    updates.push_back({{"at", FormatDateTime(it->at, *zone, c.lang, assets_.messages)},
                       {"phase", it->phase == Phase::kNone ? std::string() :
                                 assets_.messages.Get(c.lang, "phase." + std::string(PhaseId(it->phase)))},
                       {"text_fr", it->text.fr}, {"text_en", it->text.en}});
  }
  data["event"] = {{"id", e->id},
                   {"kind", assets_.messages.Get(c.lang, "kind." + std::string(EventKindId(e->kind)))},
                   {"is_incident", e->kind == EventKind::kIncident},
                   {"platform", e->platform},
                   {"state", assets_.messages.Get(c.lang, "state." + std::string(EventStateId(st)))},
                   {"title_fr", e->title.fr}, {"title_en", e->title.en},
                   {"body_fr", e->body.fr}, {"body_en", e->body.en},
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

http::Response AdminWeb::EditEvent(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  if (!id) return FormError(req, c, Status::NotFound("no such event"));
  const Form f = ParseForm(req.body);
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  Result<EventDraft> d = DraftOf(f, *m, false);
  if (!d.ok()) return FormError(req, c, d.status());
  Status st = ops_.EditEvent(c.name, *id, *d);
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/events/" + std::to_string(*id));
}

http::Response AdminWeb::PostUpdate(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  if (!id) return FormError(req, c, Status::NotFound("no such event"));
  const Form f = ParseForm(req.body);
  std::optional<Phase> phase;
  if (const std::string p = Field(f, "phase"); !p.empty()) {
    phase = ParsePhase(p);
    if (!phase) return FormError(req, c, Status::Invalid("unknown phase \"" + p + "\""));
  }
  Status st = ops_.PostUpdate(c.name, *id, TextOf(f, "text"), phase, std::nullopt);
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/events/" + std::to_string(*id));
}

http::Response AdminWeb::Resolve(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  if (!id) return FormError(req, c, Status::NotFound("no such event"));
  const Form f = ParseForm(req.body);
  Status st = ops_.Resolve(c.name, *id, TextOf(f, "text"));
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/events/" + std::to_string(*id));
}

http::Response AdminWeb::Cancel(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  if (!id) return FormError(req, c, Status::NotFound("no such event"));
  const Form f = ParseForm(req.body);
  Status st = ops_.Cancel(c.name, *id, TextOf(f, "text"));
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/events/" + std::to_string(*id));
}

http::Response AdminWeb::Messages(http::Request&, const Caller& c) {
  std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  json list = json::array();
  for (const Message& msg : m.messages) {
    const Region* zone = msg.regions.empty() ? nullptr : m.FindRegion(msg.regions.front());
    if (!zone) zone = &m.regions.front();
    list.push_back({{"id", msg.id},
                    {"title", L(msg.title, c.lang)},
                    {"title_fr", msg.title.fr}, {"title_en", msg.title.en},
                    {"body_fr", msg.body.fr}, {"body_en", msg.body.en},
                    {"platform_slug", msg.platform},
                    {"region_list", msg.regions},
                    {"expires_input", msg.expires_at ? UtcToLocalInput(*msg.expires_at, *zone) : std::string()},
                    {"platform", msg.platform.empty() ? std::string("—") : msg.platform},
                    {"regions", [&] { std::string r; for (const auto& x : msg.regions) r += (r.empty() ? "" : ", ") + x; return r; }()},
                    {"active", msg.ActiveAt(snap->as_of())},
                    {"published", FormatRfc3339(msg.published_at)},
                    {"expires", msg.expires_at ? FormatRfc3339(*msg.expires_at) : std::string("—")}});
  }
  json data = EventForm(m, c);
  data["messages"] = list;
  return Html(c, 200, "admin_messages", data, assets_.messages.Get(c.lang, "admin.messages"));
}

http::Response AdminWeb::CreateMessage(http::Request& req, const Caller& c) {
  const Form f = ParseForm(req.body);
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  MessageDraft d;
  d.platform = Field(f, "platform");
  d.regions = Fields(f, "regions");
  d.title = TextOf(f, "title");
  d.body = TextOf(f, "body");
  const Region* zone = d.regions.empty() ? nullptr : m->FindRegion(d.regions.front());
  if (!zone) zone = &m->regions.front();
  if (const std::string exp = Field(f, "expires"); !exp.empty()) {
    Result<Time> t = LocalToUtc(exp, *zone);
    if (!t.ok()) return FormError(req, c, t.status().WithContext("expiry"));
    d.expires_at = *t;
  }
  Result<int64_t> id = ops_.CreateMessage(c.name, d);
  if (!id.ok()) return FormError(req, c, id.status());
  return Back("/admin/messages");
}

http::Response AdminWeb::EditMessage(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  if (!id) return FormError(req, c, Status::NotFound("no such message"));
  const Form f = ParseForm(req.body);
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  auto it = std::find_if(m->messages.begin(), m->messages.end(), [&](const Message& x) { return x.id == *id; });
  if (it == m->messages.end()) return FormError(req, c, Status::NotFound("no such message"));
  MessageDraft d;
  d.platform = it->platform;  // where a message belongs does not change; its words and expiry do
  d.regions = it->regions;
  d.title = TextOf(f, "title");
  d.body = TextOf(f, "body");
  const Region* zone = d.regions.empty() ? nullptr : m->FindRegion(d.regions.front());
  if (!zone) zone = &m->regions.front();
  if (const std::string exp = Field(f, "expires"); !exp.empty()) {
    Result<Time> t = LocalToUtc(exp, *zone);
    if (!t.ok()) return FormError(req, c, t.status().WithContext("expiry"));
    d.expires_at = *t;
  }
  Status st = ops_.EditMessage(c.name, *id, d);
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/messages");
}

http::Response AdminWeb::ExpireMessage(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  Status st = id ? ops_.ExpireMessage(c.name, *id) : Status::NotFound("no such message");
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/messages");
}

http::Response AdminWeb::DeleteMessage(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  Status st = id ? ops_.DeleteMessage(c.name, *id) : Status::NotFound("no such message");
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/messages");
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
    list.push_back({{"at", FormatRfc3339(a.at)}, {"actor", a.actor}, {"action", a.action}, {"detail", a.detail}});
  }
  return Html(c, 200, "admin_audit",
              json{{"rows", list}, {"actor", filter.actor}, {"action", filter.action}},
              assets_.messages.Get(c.lang, "admin.audit"));
}

http::Response AdminWeb::Tokens(http::Request& req, const Caller& c) {
  Result<std::vector<ApiToken>> tokens = store_.ListTokens();
  if (!tokens.ok()) return FormError(req, c, tokens.status());
  json list = json::array();
  for (const ApiToken& t : *tokens) {
    list.push_back({{"id", t.id}, {"name", t.name}, {"role", std::string(RoleId(t.role))},
                    {"created_by", t.created_by}, {"created", FormatRfc3339(t.created_at)},
                    {"revoked", t.revoked_at.has_value()},
                    {"last_used", t.last_used_at ? FormatRfc3339(*t.last_used_at) : std::string("—")}});
  }
  return Html(c, 200, "admin_tokens", json{{"tokens", list}}, assets_.messages.Get(c.lang, "admin.tokens"));
}

http::Response AdminWeb::CreateToken(http::Request& req, const Caller& c) {
  const Form f = ParseForm(req.body);
  std::optional<Role> role = ParseRole(Field(f, "role"));
  if (!role) return FormError(req, c, Status::Invalid("choose editor or admin"));
  Result<std::string> token = ops_.CreateToken(c.name, Field(f, "name"), *role);
  if (!token.ok()) return FormError(req, c, token.status());
  // Shown once, on this page only; never stored in clear.
  return Html(c, 201, "admin_token_created", json{{"token", *token}, {"name", Field(f, "name")}},
              assets_.messages.Get(c.lang, "admin.tokens"));
}

http::Response AdminWeb::RevokeToken(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  Status st = id ? ops_.RevokeToken(c.name, *id) : Status::NotFound("no such token");
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/tokens");
}

http::Response AdminWeb::Catalog(http::Request&, const Caller& c) {
  std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  json platforms = json::array();
  for (const Platform& p : m.platforms) {
    json services = json::array();
    for (const Service& s : m.services) {
      if (s.platform != p.slug) continue;
      services.push_back({{"id", s.id}, {"slug", s.slug}, {"position", s.position},
                          {"name_fr", s.name.fr}, {"name_en", s.name.en},
                          {"information_fr", s.information.fr}, {"information_en", s.information.en},
                          {"impact_fr", s.impact.fr}, {"impact_en", s.impact.en},
                          {"retired", s.retired}});
    }
    platforms.push_back({{"slug", p.slug}, {"name", L(p.name, c.lang)}, {"services", services}});
  }
  return Html(c, 200, "admin_catalog", json{{"platforms", platforms}},
              assets_.messages.Get(c.lang, "admin.catalog"));
}

namespace {
Service ServiceOf(const Form& f) {
  Service s;
  s.platform = Field(f, "platform");
  s.slug = Field(f, "slug");
  s.name = TextOf(f, "name");
  s.information = TextOf(f, "information");
  s.impact = TextOf(f, "impact");
  const std::string position = Field(f, "position");
  std::from_chars(position.data(), position.data() + position.size(), s.position);
  s.retired = Field(f, "retired") == "1";
  return s;
}
}  // namespace

http::Response AdminWeb::AddService(http::Request& req, const Caller& c) {
  Result<int64_t> id = ops_.AddService(c.name, ServiceOf(ParseForm(req.body)));
  if (!id.ok()) return FormError(req, c, id.status());
  return Back("/admin/catalog");
}

http::Response AdminWeb::EditService(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  Status st = id ? ops_.EditService(c.name, *id, ServiceOf(ParseForm(req.body)))
                 : Status::NotFound("no such service");
  if (!st.ok()) return FormError(req, c, st);
  return Back("/admin/catalog#s" + std::to_string(*id));
}

http::Response AdminWeb::Users(http::Request& req, const Caller& c) {
  Result<std::vector<User>> users = store_.ListUsers();
  if (!users.ok()) return FormError(req, c, users.status());
  json list = json::array();
  for (const User& u : *users) {
    list.push_back({{"name", u.name}, {"role", std::string(RoleId(u.role))}, {"disabled", u.disabled},
                    {"created", FormatRfc3339(u.created_at)}, {"self", u.name == c.name}});
  }
  return Html(c, 200, "admin_users", json{{"users", list}}, assets_.messages.Get(c.lang, "admin.users"));
}

http::Response AdminWeb::AddUser(http::Request& req, const Caller& c) {
  const Form f = ParseForm(req.body);
  std::optional<Role> role = ParseRole(Field(f, "role"));
  if (!role) return FormError(req, c, Status::Invalid("choose editor or admin"));
  Result<int64_t> id = ops_.AddUser(c.name, Field(f, "name"), *role, Field(f, "password"));
  if (!id.ok()) return FormError(req, c, id.status());
  return Back("/admin/users");
}

// POST /admin/users/{name}/{action}: disable, enable, password.
http::Response AdminWeb::UserAction(http::Request& req, const Caller& c) {
  const std::string name(req.Param("name"));
  const std::string action(req.Param("action"));
  const Form f = ParseForm(req.body);
  Status st;
  if (action == "disable") {
    st = name == c.name ? Status::Invalid("you cannot disable your own account")
                        : ops_.SetDisabled(c.name, name, true);
  } else if (action == "enable") {
    st = ops_.SetDisabled(c.name, name, false);
  } else if (action == "password") {
    st = ops_.SetPassword(c.name, name, Field(f, "password"));
  } else {
    st = Status::NotFound("no action \"" + action + "\"");
  }
  if (!st.ok()) return FormError(req, c, st);
  return Back(action == "password" && name == c.name ? "/admin/login" : "/admin/users");
}

// Renders the Markdown of a form as the public site will show it.
http::Response AdminWeb::Preview(http::Request& req, const Caller& c) {
  const Form f = ParseForm(req.body);
  json blocks = json::array();
  for (const char* key : {"title_fr", "title_en", "body_fr", "body_en", "update_fr", "update_en",
                          "text_fr", "text_en"}) {
    const std::string text = Field(f, key);
    if (text.empty()) continue;
    const bool title = std::string_view(key).substr(0, 5) == "title";
    blocks.push_back({{"label", assets_.messages.Get(c.lang, std::string("admin.") + key)},
                      {"lang", std::string(key).substr(std::string(key).size() - 2)},
                      {"html", title ? std::string() : MarkdownToHtml(text)},
                      {"text", title ? text : std::string()}});
  }
  return Html(c, 200, "admin_preview", json{{"blocks", blocks}}, assets_.messages.Get(c.lang, "admin.preview"));
}

// ---- Admin JSON API ----

namespace {

Result<json> JsonBody(const http::Request& req) {
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Invalid("the body must be a JSON object");
  return j;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Text TextField(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return Text{it->get<std::string>(), ""};
  if (it->is_object()) return Text{Str(*it, "fr"), Str(*it, "en")};
  return {};
}

Result<std::optional<Time>> TimeField(const json& j, const char* key) {
  const std::string s = Str(j, key);
  if (s.empty()) return std::optional<Time>();
  Result<Time> t = ParseRfc3339(s);
  if (!t.ok()) return t.status().WithContext(key);
  return std::optional<Time>(*t);
}

Result<std::vector<std::pair<std::string, Level>>> ServicesField(const json& j) {
  std::vector<std::pair<std::string, Level>> out;
  auto it = j.find("services");
  if (it == j.end()) return out;
  if (!it->is_object()) return Status::Invalid("services must be an object {\"slug\": \"level\"}");
  for (const auto& [slug, v] : it->items()) {
    std::optional<Level> l = v.is_string() ? ParseLevel(v.get<std::string>()) : std::nullopt;
    if (!l) return Status::Invalid("services." + slug + ": unknown level");
    out.emplace_back(slug, *l);
  }
  return out;
}

std::vector<std::string> Regions(const json& j, const Model& m) {
  std::vector<std::string> out;
  auto it = j.find("regions");
  if (it != j.end() && it->is_array()) {
    for (const json& r : *it) {
      if (r.is_string()) out.push_back(r.get<std::string>());
    }
  } else {
    for (const Region& r : m.regions) out.push_back(r.id);
  }
  return out;
}

}  // namespace

http::Response AdminWeb::ApiSetLevel(http::Request& req, const Caller& c) {
  Result<json> j = JsonBody(req);
  if (!j.ok()) return ApiError(j.status());
  std::optional<Level> level = ParseLevel(Str(*j, "level"));
  if (!level) return ApiError(Status::Invalid("level must be operational, minor, major, outage or maintenance"));
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  Status st = ops_.SetLevel(c.name, Regions(*j, *m), Str(*j, "platform"), Str(*j, "service"),
                            *level, Str(*j, "note"));
  if (!st.ok()) return ApiError(st);
  return JsonResponse(200, json{{"ok", true}});
}

http::Response AdminWeb::ApiCreateEvent(http::Request& req, const Caller& c) {
  Result<json> j = JsonBody(req);
  if (!j.ok()) return ApiError(j.status());
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  EventDraft d;
  std::optional<EventKind> kind = ParseEventKind(Str(*j, "kind"));
  if (!kind) return ApiError(Status::Invalid("kind must be incident, maintenance, action or announcement"));
  d.kind = *kind;
  d.platform = Str(*j, "platform");
  d.regions = Regions(*j, *m);
  d.title = TextField(*j, "title");
  d.body = TextField(*j, "body");
  d.first_update = TextField(*j, "update");
  if (const std::string p = Str(*j, "phase"); !p.empty()) {
    std::optional<Phase> phase = ParsePhase(p);
    if (!phase) return ApiError(Status::Invalid("unknown phase \"" + p + "\""));
    d.phase = *phase;
  }
  auto services = ServicesField(*j);
  if (!services.ok()) return ApiError(services.status());
  d.services = *services;
  auto start = TimeField(*j, "starts_at");
  if (!start.ok()) return ApiError(start.status());
  auto end = TimeField(*j, "ends_at");
  if (!end.ok()) return ApiError(end.status());
  d.starts_at = *start;
  d.ends_at = *end;
  Result<int64_t> id = ops_.CreateEvent(c.name, d);
  if (!id.ok()) return ApiError(id.status());
  return JsonResponse(201, json{{"id", *id}, {"url", "/api/v1/events/" + std::to_string(*id)}});
}

http::Response AdminWeb::ApiPostUpdate(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  if (!id) return ApiError(Status::NotFound("no such event"));
  Result<json> j = JsonBody(req);
  if (!j.ok()) return ApiError(j.status());
  std::optional<Phase> phase;
  if (const std::string p = Str(*j, "phase"); !p.empty()) {
    phase = ParsePhase(p);
    if (!phase) return ApiError(Status::Invalid("unknown phase \"" + p + "\""));
  }
  std::optional<std::vector<std::pair<std::string, Level>>> services;
  if (j->contains("services")) {
    auto s = ServicesField(*j);
    if (!s.ok()) return ApiError(s.status());
    services = *s;
  }
  Status st = ops_.PostUpdate(c.name, *id, TextField(*j, "text"), phase, services);
  if (!st.ok()) return ApiError(st);
  return JsonResponse(200, json{{"ok", true}});
}

http::Response AdminWeb::ApiResolve(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  if (!id) return ApiError(Status::NotFound("no such event"));
  Result<json> j = req.body.empty() ? Result<json>(json::object()) : JsonBody(req);
  if (!j.ok()) return ApiError(j.status());
  Status st = ops_.Resolve(c.name, *id, TextField(*j, "text"));
  if (!st.ok()) return ApiError(st);
  return JsonResponse(200, json{{"ok", true}});
}

http::Response AdminWeb::ApiCreateMessage(http::Request& req, const Caller& c) {
  Result<json> j = JsonBody(req);
  if (!j.ok()) return ApiError(j.status());
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  MessageDraft d;
  d.platform = Str(*j, "platform");
  d.regions = Regions(*j, *m);
  d.title = TextField(*j, "title");
  d.body = TextField(*j, "body");
  auto exp = TimeField(*j, "expires_at");
  if (!exp.ok()) return ApiError(exp.status());
  d.expires_at = *exp;
  Result<int64_t> id = ops_.CreateMessage(c.name, d);
  if (!id.ok()) return ApiError(id.status());
  return JsonResponse(201, json{{"id", *id}});
}

}  // namespace vigie

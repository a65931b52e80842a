#include "app/site.h"

#include <algorithm>
#include <charconv>

#include "api/api.h"
#include "api/statuspage.h"
#include "feeds/feeds.h"
#include "render/badge.h"
#include "http/conditional.h"

namespace vigie {

namespace {

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kApiCache = "public, max-age=15";
constexpr const char* kPageCache = "public, max-age=15";
constexpr const char* kFeedCache = "public, max-age=60";
constexpr const char* kImmutable = "public, max-age=31536000, immutable";
constexpr const char* kLangCookie = "vigie_lang";

// The security headers of every public answer (the back-office sets its own, stricter).
constexpr const char* kNoSniff = "nosniff";
constexpr const char* kReferrerPolicy = "strict-origin-when-cross-origin";

void AddSecurityHeaders(http::Response& res) {
  if (res.HeaderValue("X-Content-Type-Options").empty()) res.Set("X-Content-Type-Options", kNoSniff);
  if (res.HeaderValue("Referrer-Policy").empty()) res.Set("Referrer-Policy", kReferrerPolicy);
  if (res.HeaderValue("Content-Type").rfind("text/html", 0) == 0 &&
      res.HeaderValue("X-Frame-Options").empty()) {
    res.Set("X-Frame-Options", "DENY");
  }
}

http::Response JsonError(int status, const std::string& message) {
  http::Response res;
  res.status = status;
  res.Set("Content-Type", kJson);
  res.Set("Cache-Control", "no-store");
  res.Set("Access-Control-Allow-Origin", "*");
  res.SetBody(api::ErrorJson(http::ErrorName(status), message));
  return res;
}

http::Response ErrorFor(const Status& st) { return JsonError(http::HttpStatusOf(st), st.message()); }

// What every public request resolves first: the snapshot, the region and the language.
struct Context {
  std::shared_ptr<const Snapshot> snap;
  const Region* region = nullptr;
  Lang lang = Lang::kFr;
  api::View View(const Config& cfg) const {
    return api::View{snap->model(), snap->derived(), snap->index(), snap->as_of(), *region, lang,
                     cfg.site.default_region};
  }
  // The cache key of a body: its kind, the path and everything the body depends on. Built
  // in a buffer of the thread (no allocation once warm); valid until the next call.
  // The path goes in as the router reads it (runs of '/' are one, a trailing '/' is none),
  // so that /fr//infinity/ and /fr/infinity share one body.
  std::string_view Key(std::string_view kind, const http::Request& req,
                       std::string_view extra = {}) const {
    thread_local std::string k;
    k.assign(kind);
    for (const char ch : req.path) {
      if (ch != '/' || k.empty() || k.back() != '/') k += ch;
    }
    if (k.size() > kind.size() + 1 && k.back() == '/') k.pop_back();
    k += '|';
    k += region->id;
    k += '|';
    k += LangId(lang);
    k += '|';
    k += extra;
    return k;
  }
};


Result<Context> Resolve(const http::Request& req, const Publisher& publisher, const Config& cfg) {
  Context c;
  c.snap = publisher.Current();
  const Model& m = c.snap->model();
  if (std::optional<std::string> r = req.Query("region")) {
    c.region = m.FindRegion(*r);
    if (!c.region) return Status::Invalid("unknown region \"" + *r + "\"");
  } else {
    const std::string_view host = req.HostName();
    for (const Region& r : m.regions) {
      for (const std::string& h : r.hosts) {
        if (http::EqualsIgnoreCase(h, host)) c.region = &r;
      }
    }
    if (!c.region) c.region = m.FindRegion(cfg.site.default_region);
  }
  if (!c.region) return Status::Internal("no region is configured");
  c.lang = c.region->default_lang;
  if (std::optional<std::string> l = req.Query("lang")) {
    std::optional<Lang> lang = ParseLang(*l);
    if (!lang) return Status::Invalid("unknown language \"" + *l + "\": use fr or en");
    c.lang = *lang;
  }
  return c;
}

// Renders a body; may lower `last_modified` (preset to the region's last change) to the last
// change of what it shows.
using RenderBody = std::function<Result<std::string>(Time& last_modified)>;

// A header sent with every answer of a route (CORS, Content-Language).
struct FixedHeader {
  const char* name;
  std::string_view value;
};
using FixedHeaders = std::initializer_list<FixedHeader>;

// Serves the body under `key` from the snapshot's cache, rendering it on first use; its
// response heads, with Cache-Control and `fixed`, are prepared then too.
// How to ask `site` again for what `req` asked (the Publisher warms the next snapshot with
// it): the same path and query on the same host.
std::function<void()> AskAgain(const Site& site, const http::Request& req) {
  auto again = std::make_shared<http::Request>();
  again->method = "GET";
  again->target = req.target;
  again->path = req.path;
  again->query = req.query;
  again->headers.emplace_back("host", std::string(req.Header("host")));
  return [&site, again] {
    http::Request r = *again;
    site.Handle(r);
  };
}

http::Response ServeRendered(const Site& site, const http::Request& req, const Context& c,
                             std::string_view key, const char* content_type,
                             const char* cache_control, FixedHeaders fixed,
                             const RenderBody& render,
                             const std::function<http::Response(const Status&)>& on_error) {
  Status failed;
  std::shared_ptr<const Body> body = c.snap->Cached(key, [&]() -> Snapshot::Rendered {
    Time modified = c.snap->LastChangeIn(c.region->id);
    Result<std::string> text = render(modified);
    if (!text.ok()) {
      failed = text.status();
      return {};
    }
    HeaderList headers{{"Cache-Control", cache_control},
                       {"X-Content-Type-Options", kNoSniff},
                       {"Referrer-Policy", kReferrerPolicy}};
    for (const FixedHeader& h : fixed) headers.emplace_back(h.name, std::string(h.value));
    return {MakeBody(content_type, std::move(text).value(), modified, std::move(headers)),
            AskAgain(site, req)};
  });
  // A failed rendering (unknown slug) is cached as null; render again to get the reason.
  if (!body) {
    if (failed.ok()) {
      Time ignored;
      Result<std::string> again = render(ignored);
      failed = again.ok() ? Status::Internal("rendering failed") : again.status();
    }
    http::Response res = on_error(failed);
    for (const FixedHeader& h : fixed) {
      if (res.HeaderValue(h.name).empty()) res.Set(h.name, std::string(h.value));
    }
    return res;
  }
  return http::ServeBody(req, std::move(body));
}

constexpr FixedHeader kCors{"Access-Control-Allow-Origin", "*"};

http::Response ServeJson(const Site& site, const http::Request& req, const Context& c,
                         std::string_view key, const std::function<Result<std::string>()>& render) {
  return ServeRendered(site, req, c, key, kJson, kApiCache, {kCors}, [&](Time&) { return render(); },
                       ErrorFor);
}

// The language of a visitor arriving at "/": their cookie, then Accept-Language, then the
// region's language.
Lang PreferredLang(const http::Request& req, Lang fallback) {
  if (auto l = ParseLang(req.Cookie(kLangCookie))) return *l;
  if (auto l = ParseLang(http::NegotiateLanguage(req.Header("accept-language"), {"fr", "en"}))) {
    return *l;
  }
  return fallback;
}

http::Response Redirect(int status, const std::string& location) {
  http::Response res;
  res.status = status;
  res.Set("Location", location);
  res.Set("Content-Type", "text/plain; charset=utf-8");
  res.SetBody("see " + location + "\n");
  return res;
}

// An event id as the site writes it: digits, no leading zero, not zero. Any other spelling of
// a number is refused, so that every event has one URL (and one cache entry).
std::optional<int64_t> CanonicalId(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0 || s[0] == '0') return std::nullopt;
  return v;
}

Result<int> IntParam(const http::Request& req, const char* name, int def, int min, int max) {
  std::optional<std::string> s = req.Query(name);
  if (!s) return def;
  int v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size() || v < min || v > max) {
    return Status::Invalid(std::string(name) + " must be a whole number from " +
                           std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

PageView PageViewOf(const Context& c, const Config& config, const WebAssets& web) {
  return PageView{c.snap->model(), c.snap->derived(), c.snap->index(), c.snap->as_of(), *c.region, c.lang,
                  web.messages,    web.templates,     web.urls,        config.site.name};
}

// JSON for the APIs, a page in the visitor's language for everything else.
http::Response ErrorResponse(const http::Request& req, int status, const std::string& message,
                             const Publisher& publisher, const Config& config,
                             const WebAssets& web) {
  if (req.path.rfind("/api/", 0) == 0 || req.path.find("/api/v2/") != std::string::npos ||
      req.path == "/healthz" || req.path == "/readyz") {
    return JsonError(status, message);
  }
  Result<Context> c = Resolve(req, publisher, config);
  if (!c.ok()) return JsonError(status, message);
  if (req.path.rfind("/en/", 0) == 0 || req.path == "/en") c->lang = Lang::kEn;
  if (req.path.rfind("/fr/", 0) == 0 || req.path == "/fr") c->lang = Lang::kFr;
  http::Response res;
  res.status = status;
  res.Set("Content-Type", kHtml);
  res.Set("Cache-Control", "no-store");
  res.SetBody(RenderError(PageViewOf(*c, config, web), status, message));
  return res;
}

}  // namespace


Result<std::shared_ptr<const WebAssets>> WebAssets::Load(const std::string& override_dir) {
  Result<Assets> assets = Assets::Load(override_dir);
  if (!assets.ok()) return assets.status();
  Result<Messages> messages = Messages::Load(*assets);
  if (!messages.ok()) return messages.status();
  Result<Templates> templates = Templates::Load(*assets);
  if (!templates.ok()) return templates.status();
  auto web = std::make_shared<WebAssets>(WebAssets{std::move(assets).value(),
                                                   std::move(messages).value(),
                                                   std::move(templates).value(),
                                                   {},
                                                   {}});
  const auto content_type = [](const std::string& name) -> std::string {
    const auto ends = [&](std::string_view ext) {
      return name.size() >= ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
    };
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".woff2")) return "font/woff2";
    return "application/octet-stream";
  };
  for (const std::string& path : web->assets.List("static/")) {
    const std::string name = path.substr(7);
    const std::string& bytes = *web->assets.Find(path);
    const std::string key = ContentHash(bytes).substr(0, 12) + "/" + name;
    web->statics[key] =
        MakeBody(content_type(name), bytes, Time{},
                 {{"Cache-Control", kImmutable}, {"X-Content-Type-Options", kNoSniff}});
    const std::string url = "/static/" + key;
    if (name == "vigie.css") web->urls.css = url;
    if (name == "vigie.js") web->urls.js = url;
    if (name == "logo.svg") web->urls.logo = url;
    if (name == "favicon.svg") web->urls.favicon = url;
    if (name == "admin.css") web->urls.admin_css = url;
    if (name == "admin.js") web->urls.admin_js = url;
  }
  if (web->urls.css.empty() || web->urls.js.empty() || web->urls.logo.empty() ||
      web->urls.favicon.empty() || web->urls.admin_css.empty() || web->urls.admin_js.empty()) {
    return Status::Invalid(
        "static/vigie.css, vigie.js, logo.svg, favicon.svg, admin.css and admin.js are required");
  }
  return std::shared_ptr<const WebAssets>(std::move(web));
}

Site::Site(const Config& config, Publisher& publisher, const StoreHealth& health,
           const WebAssets& web, AdminWeb& admin)
    : config_(config),
      publisher_(publisher),
      health_(health),
      web_(web),
      admin_(admin),
      router_([this](const http::Request& req, int status, const std::string& msg) {
        return ErrorResponse(req, status, msg, publisher_, config_, web_);
      }) {
  AddRoutes();
}

http::Response Site::Handle(http::Request& req) const {
  http::Response res = router_.Handle(req);
  if (res.head.empty()) AddSecurityHeaders(res);  // a prepared head has them already
  return res;
}

bool Site::Blocking(const http::Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return true;
  return req.path == "/admin" || req.path.rfind("/admin/", 0) == 0 ||
         req.path.rfind("/api/v1/admin/", 0) == 0;
}

void Site::AddRoutes() {
  // A handler of the public API: resolves the context, then renders through the cache.
  using Render = std::function<Result<std::string>(const http::Request&, const Context&)>;
  const auto api = [this](std::string pattern, Render render,
                          std::function<Result<std::string>(const http::Request&)> extra_key =
                              nullptr) {
    router_.Add("GET", std::move(pattern), [this, render, extra_key](http::Request& req) {
      Result<Context> c = Resolve(req, publisher_, config_);
      if (!c.ok()) return ErrorFor(c.status());
      std::string extra;
      if (extra_key) {
        Result<std::string> k = extra_key(req);
        if (!k.ok()) return ErrorFor(k.status());
        extra = std::move(k).value();
      }
      return ServeJson(*this, req, *c, c->Key("", req, extra), [&] { return render(req, *c); });
    });
  };

  // A page of the public site: /{lang}/..., rendered once per snapshot, region and language.
  using RenderPage = std::function<Result<std::string>(const http::Request&, const PageView&)>;
  // Pages refuse to be framed (clickjacking), but for those made to be (`frameable`).
  const auto page = [this](std::string pattern, RenderPage render,
                           std::function<Result<std::string>(const http::Request&)> extra_key =
                               nullptr,
                           bool frameable = false) {
    router_.Add("GET", std::move(pattern), [this, render, extra_key, frameable](http::Request& req) {
      const auto fail = [&](const Status& st) {
        return ErrorResponse(req, http::HttpStatusOf(st), st.message(), publisher_, config_, web_);
      };
      std::optional<Lang> lang = ParseLang(req.Param("lang"));
      if (!lang) return fail(Status::NotFound("no page at " + req.path));
      Result<Context> c = Resolve(req, publisher_, config_);
      if (!c.ok()) return fail(c.status());
      c->lang = *lang;
      std::string extra;
      if (extra_key) {
        Result<std::string> k = extra_key(req);
        if (!k.ok()) return fail(k.status());
        extra = std::move(k).value();
      }
      const PageView view = PageViewOf(*c, config_, web_);
      const auto body = [&](Time&) { return render(req, view); };
      const std::string_view key = c->Key("page", req, extra);
      if (frameable) {
        return ServeRendered(*this, req, *c, key, kHtml, kPageCache,
                             {{"Content-Language", LangId(*lang)}}, body, fail);
      }
      return ServeRendered(*this, req, *c, key, kHtml, kPageCache,
                           {{"Content-Language", LangId(*lang)}, {"X-Frame-Options", "DENY"}},
                           body, fail);
    });
  };

  // ---- The route table: every URL the site answers. ----
  router_.Add("GET", "/healthz", [](http::Request&) {
    http::Response res;
    res.Set("Content-Type", "text/plain; charset=utf-8");
    res.Set("Cache-Control", "no-store");
    res.SetBody("ok\n");
    return res;
  });
  // Ready: the database answered its last ping and write. Never waits on the store.
  router_.Add("GET", "/readyz", [this](http::Request&) {
    const StoreHealth::State health = health_.Get();
    std::shared_ptr<const Snapshot> snap = publisher_.Current();
    if (!snap) return JsonError(503, "no snapshot loaded yet");
    if (!health.reachable) {
      return JsonError(503, "database unreachable since " + FormatRfc3339(health.since) + " (" +
                                health.reason + "); serving the snapshot of " +
                                FormatRfc3339(snap->as_of()));
    }
    http::Response res;
    res.Set("Content-Type", kJson);
    res.Set("Cache-Control", "no-store");
    res.SetBody("{\"status\":\"ready\",\"snapshot_version\":" + std::to_string(snap->version()) +
                ",\"as_of\":\"" + FormatRfc3339(snap->as_of()) + "\"}\n");
    return res;
  });

  // Live updates: a Server-Sent Events stream that says when the public state changed, so
  // open pages refresh themselves in place (capped per address and in total by the server).
  router_.Add("GET", "/live", [this](http::Request&) {
    http::Response res;
    auto seen = std::make_shared<uint64_t>(publisher_.Current()->version());
    res.stream = [this, seen]() -> std::string {
      const uint64_t now = publisher_.Current()->version();
      if (now == *seen) return {};
      *seen = now;
      return "event: change\ndata: {\"version\":" + std::to_string(now) + "}\n\n";
    };
    res.Set("Access-Control-Allow-Origin", "*");
    return res;
  });

  // Embeds: SVG badges of a platform's global status and of a service, and a small page to
  // put in an intranet's iframe. Framing is allowed on purpose.
  const auto badge = [this](http::Request& req, bool service) -> http::Response {
    std::optional<Lang> lang = ParseLang(req.Param("lang"));
    std::string file(req.Param(service ? "service" : "platform"));
    constexpr std::string_view kExt = ".svg";
    if (!lang || file.size() <= kExt.size() || file.compare(file.size() - kExt.size(), kExt.size(), kExt) != 0) {
      return JsonError(404, "no badge at " + req.path);
    }
    file.resize(file.size() - kExt.size());
    Result<Context> c = Resolve(req, publisher_, config_);
    if (!c.ok()) return ErrorFor(c.status());
    c->lang = *lang;
    const std::string platform = service ? std::string(req.Param("platform")) : file;
    return ServeRendered(
        *this, req, *c, c->Key("badge", req), "image/svg+xml; charset=utf-8", kApiCache, {kCors},
        [&](Time&) -> Result<std::string> {
          const Model& m = c->snap->model();
          const Platform* p = m.FindPlatform(platform);
          if (!p) return Status::NotFound("no platform \"" + platform + "\"");
          std::string label(Localize(p->name, *lang).text);
          Level level = c->snap->derived().Platform(c->region->id, p->slug).level;
          if (service) {
            const Service* s = m.FindService(p->slug, file);
            if (!s) return Status::NotFound("no service \"" + file + "\"");
            label = std::string(Localize(s->name, *lang).text);
            level = c->snap->derived().Service(c->region->id, s->id).level;
          }
          return RenderBadge(label, level, web_.messages.Get(*lang, "level." + std::string(LevelId(level))));
        },
        ErrorFor);
  };
  router_.Add("GET", "/badge/{lang}/{platform}", [badge](http::Request& r) { return badge(r, false); });
  router_.Add("GET", "/badge/{lang}/{platform}/{service}", [badge](http::Request& r) { return badge(r, true); });
  page(
      "/{lang}/{platform}/embed",
      [](const http::Request& req, const PageView& v) { return RenderEmbed(v, req.Param("platform")); },
      nullptr, /*frameable=*/true);

  // The back-office. EVERY ROUTE HERE but the login form goes through admin_.Page()
  // (session, CSRF on POST, role) or admin_.Api() (bearer token, role): add none without them.
  // (The literal /admin segment makes these win over the public /{lang}/... patterns.)
  using Admin = http::Response (AdminWeb::*)(http::Request&, const Caller&);
  const auto office = [this](const char* method, const char* pattern, Role role, Admin handler) {
    router_.Add(method, pattern, admin_.Page(role, [this, handler](http::Request& r, const Caller& c) {
      return (admin_.*handler)(r, c);
    }));
  };
  const auto admin_api = [this](const char* pattern, Role role, Admin handler) {
    router_.Add("POST", pattern, admin_.Api(role, [this, handler](http::Request& r, const Caller& c) {
      return (admin_.*handler)(r, c);
    }));
  };
  router_.Add("GET", "/admin/login", [this](http::Request& r) { return admin_.LoginForm(r); });
  router_.Add("POST", "/admin/login", [this](http::Request& r) { return admin_.Login(r); });
  office("POST", "/admin/logout", Role::kEditor, &AdminWeb::Logout);
  office("GET", "/admin", Role::kEditor, &AdminWeb::Dashboard);
  office("POST", "/admin/levels", Role::kEditor, &AdminWeb::SetLevel);
  office("POST", "/admin/overrides", Role::kEditor, &AdminWeb::SetOverride);
  office("GET", "/admin/events", Role::kEditor, &AdminWeb::Events);
  office("POST", "/admin/events", Role::kEditor, &AdminWeb::CreateEvent);
  office("GET", "/admin/events/{id}", Role::kEditor, &AdminWeb::EventPage);
  office("POST", "/admin/events/{id}", Role::kEditor, &AdminWeb::EditEvent);
  office("POST", "/admin/events/{id}/updates", Role::kEditor, &AdminWeb::PostUpdate);
  office("POST", "/admin/events/{id}/resolve", Role::kEditor, &AdminWeb::Resolve);
  office("POST", "/admin/events/{id}/cancel", Role::kEditor, &AdminWeb::Cancel);
  office("GET", "/admin/messages", Role::kEditor, &AdminWeb::Messages);
  office("POST", "/admin/messages", Role::kEditor, &AdminWeb::CreateMessage);
  office("POST", "/admin/messages/{id}", Role::kEditor, &AdminWeb::EditMessage);
  office("POST", "/admin/messages/{id}/expire", Role::kEditor, &AdminWeb::ExpireMessage);
  office("POST", "/admin/messages/{id}/delete", Role::kEditor, &AdminWeb::DeleteMessage);
  office("GET", "/admin/audit", Role::kEditor, &AdminWeb::Audit);
  office("POST", "/admin/preview", Role::kEditor, &AdminWeb::Preview);
  office("GET", "/admin/catalog", Role::kAdmin, &AdminWeb::Catalog);
  office("POST", "/admin/catalog", Role::kAdmin, &AdminWeb::AddService);
  office("POST", "/admin/catalog/{id}", Role::kAdmin, &AdminWeb::EditService);
  office("GET", "/admin/users", Role::kAdmin, &AdminWeb::Users);
  office("POST", "/admin/users", Role::kAdmin, &AdminWeb::AddUser);
  office("POST", "/admin/users/{name}/{action}", Role::kAdmin, &AdminWeb::UserAction);
  office("GET", "/admin/tokens", Role::kAdmin, &AdminWeb::Tokens);
  office("POST", "/admin/tokens", Role::kAdmin, &AdminWeb::CreateToken);
  office("POST", "/admin/tokens/{id}/revoke", Role::kAdmin, &AdminWeb::RevokeToken);
  admin_api("/api/v1/admin/levels", Role::kEditor, &AdminWeb::ApiSetLevel);
  admin_api("/api/v1/admin/events", Role::kEditor, &AdminWeb::ApiCreateEvent);
  admin_api("/api/v1/admin/events/{id}/updates", Role::kEditor, &AdminWeb::ApiPostUpdate);
  admin_api("/api/v1/admin/events/{id}/resolve", Role::kEditor, &AdminWeb::ApiResolve);
  admin_api("/api/v1/admin/messages", Role::kEditor, &AdminWeb::ApiCreateMessage);

  // The public pages.
  router_.Add("GET", "/", [this](http::Request& req) {
    Result<Context> c = Resolve(req, publisher_, config_);
    const Lang fallback = c.ok() ? c->region->default_lang : Lang::kFr;
    http::Response res = Redirect(302, PagePath(PreferredLang(req, fallback), "/"));
    res.Set("Vary", "Cookie, Accept-Language");
    res.Set("Cache-Control", "private, no-cache");
    return res;
  });
  router_.Add("GET", "/set-lang/{lang}", [this](http::Request& req) {
    std::optional<Lang> lang = ParseLang(req.Param("lang"));
    if (!lang) {
      return ErrorResponse(req, 404, "no language " + std::string(req.Param("lang")), publisher_,
                           config_, web_);
    }
    // Only a path of this site: never an open redirect.
    std::string next = req.Query("next").value_or(PagePath(*lang, "/"));
    if (!http::IsLocalTarget(next)) next = PagePath(*lang, "/");
    http::Response res = Redirect(303, next);
    res.Set("Set-Cookie", std::string(kLangCookie) + "=" + std::string(LangId(*lang)) +
                              "; Path=/; Max-Age=31536000; SameSite=Lax");
    res.Set("Cache-Control", "no-store");
    return res;
  });
  router_.Add("GET", "/static/{hash}/{name}", [this](http::Request& req) {
    auto it = web_.statics.find(std::string(req.Param("hash")) + "/" + std::string(req.Param("name")));
    if (it == web_.statics.end()) {
      return ErrorResponse(req, 404, "no such file", publisher_, config_, web_);
    }
    return http::ServeBody(req, it->second);
  });
  page("/{lang}", [](const http::Request&, const PageView& v) { return RenderHome(v); });
  page("/{lang}/events/{id}",
       [](const http::Request& req, const PageView& v) -> Result<std::string> {
         const std::optional<int64_t> id = CanonicalId(req.Param("id"));
         if (!id) return Status::NotFound("no event " + std::string(req.Param("id")));
         return RenderEvent(v, *id);
       });
  page("/{lang}/{platform}", [](const http::Request& req, const PageView& v) {
    return RenderPlatform(v, req.Param("platform"));
  });
  page("/{lang}/{platform}/services/{service}", [](const http::Request& req, const PageView& v) {
    return RenderService(v, req.Param("platform"), req.Param("service"));
  });
  page(
      "/{lang}/{platform}/history",
      [](const http::Request& req, const PageView& v) -> Result<std::string> {
        std::optional<EventKind> kind;
        if (auto k = req.Query("kind")) kind = ParseEventKind(*k);
        return RenderHistory(v, req.Param("platform"), kind, *IntParam(req, "page", 1, 1, 100000));
      },
      [](const http::Request& req) -> Result<std::string> {
        std::string key;
        if (auto k = req.Query("kind")) {
          if (!ParseEventKind(*k)) {
            return Status::Invalid("kind must be incident, maintenance, action or announcement");
          }
          key = "kind=" + *k;
        }
        Result<int> n = IntParam(req, "page", 1, 1, 100000);
        if (!n.ok()) return n.status();
        return key + "&page=" + std::to_string(*n);
      });

  // The follow feeds: RSS with Atom and JSON Feed twins, and iCalendar. No cookie, no
  // redirect, no login: readers poll them every few minutes.
  enum class FeedScope { kSite, kPlatform, kService };
  const auto feed = [this](FeedScope scope) {
    return [this, scope](http::Request& req) -> http::Response {
      const auto fail = [](const Status& st) {
        http::Response res = ErrorFor(st);
        return res;
      };
      std::optional<Lang> lang = ParseLang(req.Param("lang"));
      const std::string file(req.Param("file"));
      const size_t dot = file.rfind('.');
      if (!lang || dot == std::string::npos) return fail(Status::NotFound("no feed at " + req.path));
      const std::string name = file.substr(0, dot), ext = file.substr(dot + 1);
      std::optional<FeedFormat> format;
      if (ext == "rss") format = FeedFormat::kRss;
      if (ext == "atom") format = FeedFormat::kAtom;
      if (ext == "json") format = FeedFormat::kJson;
      const bool ics = ext == "ics" && scope == FeedScope::kPlatform && name == "maintenance";
      if (!format && !ics) return fail(Status::NotFound("no feed at " + req.path));
      Result<Context> c = Resolve(req, publisher_, config_);
      if (!c.ok()) return fail(c.status());
      c->lang = *lang;
      const std::string platform(req.Param("platform"));
      const FeedView view{c->snap->model(), c->snap->derived(), c->snap->index(), c->snap->as_of(), *c->region,
                          c->lang, web_.messages, config_.site.name, c->region->base_url};
      const auto render = [&](Time& modified) -> Result<std::string> {
        if (ics) return MaintenanceCalendar(view, platform);
        Result<Feed> f = Status::NotFound("no feed at " + req.path);
        if (scope == FeedScope::kService) f = ServiceStatusFeed(view, platform, name);
        if (scope == FeedScope::kPlatform && name == "status") f = PlatformStatusFeed(view, platform);
        if (scope == FeedScope::kPlatform && name == "messages") f = MessagesFeed(view, platform);
        if (scope == FeedScope::kPlatform && name == "events") f = EventsFeed(view, platform);
        if (scope == FeedScope::kSite && name == "messages") f = MessagesFeed(view, std::nullopt);
        if (!f.ok()) return f.status();
        modified = f->updated;  // the last real change of this feed, never "now"
        return WriteFeed(*f, *format);
      };
      return ServeRendered(*this, req, *c, c->Key("feed", req),
                           ics ? "text/calendar; charset=utf-8" : FeedContentType(*format),
                           kFeedCache, {kCors}, render, fail);
    };
  };
  router_.Add("GET", "/feeds/{lang}/{file}", feed(FeedScope::kSite));
  // Statuspage's history feeds: every event of the region; language by ?lang=.
  for (const FeedFormat format : {FeedFormat::kRss, FeedFormat::kAtom}) {
    router_.Add("GET", std::string("/history.") + FeedExtension(format), [this, format](http::Request& req) {
      Result<Context> c = Resolve(req, publisher_, config_);
      if (!c.ok()) return ErrorFor(c.status());
      const FeedView view{c->snap->model(), c->snap->derived(), c->snap->index(), c->snap->as_of(), *c->region,
                          c->lang, web_.messages, config_.site.name, c->region->base_url};
      return ServeRendered(
          *this, req, *c, c->Key("history", req), FeedContentType(format), kFeedCache, {kCors},
          [&](Time& modified) -> Result<std::string> {
            Result<Feed> f = EventsFeed(view, std::nullopt);
            if (!f.ok()) return f.status();
            modified = f->updated;
            return WriteFeed(*f, format);
          },
          ErrorFor);
    });
  }
  router_.Add("GET", "/feeds/{lang}/{platform}/{file}", feed(FeedScope::kPlatform));
  router_.Add("GET", "/feeds/{lang}/{platform}/services/{file}", feed(FeedScope::kService));

  // Atlassian Statuspage's public API v2, so that its clients and widgets work unchanged:
  // the whole region as one page at the root, one platform as a page under /{platform}/.
  using StatuspageFn = Result<std::string> (*)(const api::View&, std::optional<std::string_view>,
                                               const statuspage::PageOptions&);
  const auto statuspage = [this, &api](const std::string& file, StatuspageFn fn) {
    const statuspage::PageOptions options{.site_name = config_.site.name};
    api("/api/v2/" + file, [this, fn, options](const http::Request&, const Context& c) {
      return fn(c.View(config_), std::nullopt, options);
    });
    api("/{platform}/api/v2/" + file, [this, fn, options](const http::Request& req, const Context& c) {
      return fn(c.View(config_), req.Param("platform"), options);
    });
  };
  statuspage("summary.json", &statuspage::SummaryJson);
  statuspage("status.json", &statuspage::StatusJson);
  statuspage("components.json", &statuspage::ComponentsJson);
  statuspage("incidents.json", &statuspage::IncidentsJson);
  statuspage("incidents/unresolved.json", &statuspage::UnresolvedIncidentsJson);
  statuspage("scheduled-maintenances.json", &statuspage::ScheduledMaintenancesJson);
  statuspage("scheduled-maintenances/upcoming.json", &statuspage::UpcomingMaintenancesJson);
  statuspage("scheduled-maintenances/active.json", &statuspage::ActiveMaintenancesJson);

  // The read-only JSON API v1.
  api("/api/v1/regions", [this](const http::Request&, const Context& c) -> Result<std::string> {
    return api::RegionsJson(c.View(config_));
  });
  api("/api/v1/platforms", [this](const http::Request&, const Context& c) -> Result<std::string> {
    return api::PlatformsJson(c.View(config_));
  });
  api("/api/v1/platforms/{platform}", [this](const http::Request& req, const Context& c) {
    return api::PlatformJson(c.View(config_), req.Param("platform"));
  });
  api("/api/v1/platforms/{platform}/services/{service}",
      [this](const http::Request& req, const Context& c) {
        return api::ServiceJson(c.View(config_), req.Param("platform"), req.Param("service"));
      });
  api(
      "/api/v1/platforms/{platform}/events",
      [this](const http::Request& req, const Context& c) -> Result<std::string> {
        api::EventFilter f;
        if (auto s = req.Query("state")) {
          if (*s == "in_progress") f.state = EventState::kInProgress;
          if (*s == "planned") f.state = EventState::kPlanned;
          if (*s == "past") f.state = EventState::kEnded;
        }
        if (auto k = req.Query("kind")) f.kind = ParseEventKind(*k);
        f.limit = *IntParam(req, "limit", 50, 1, 200);
        f.page = *IntParam(req, "page", 1, 1, 100000);
        return api::EventsJson(c.View(config_), req.Param("platform"), f);
      },
      // Validates the filters before anything is cached, and names the cache entry.
      [](const http::Request& req) -> Result<std::string> {
        std::string key;
        if (auto s = req.Query("state")) {
          if (*s != "in_progress" && *s != "planned" && *s != "past") {
            return Status::Invalid("state must be in_progress, planned or past");
          }
          key += "state=" + *s;
        }
        if (auto k = req.Query("kind")) {
          if (!ParseEventKind(*k)) {
            return Status::Invalid("kind must be incident, maintenance, action or announcement");
          }
          key += "&kind=" + *k;
        }
        Result<int> limit = IntParam(req, "limit", 50, 1, 200);
        if (!limit.ok()) return limit.status();
        Result<int> page = IntParam(req, "page", 1, 1, 100000);
        if (!page.ok()) return page.status();
        return key + "&limit=" + std::to_string(*limit) + "&page=" + std::to_string(*page);
      });
  api("/api/v1/platforms/{platform}/messages",
      [this](const http::Request& req, const Context& c) {
        return api::MessagesJson(c.View(config_), req.Param("platform"));
      });
  api(
      "/api/v1/messages",
      [this](const http::Request& req, const Context& c) {
        std::optional<std::string> p = req.Query("platform");
        return api::MessagesJson(c.View(config_),
                                 p ? std::optional<std::string_view>(*p) : std::nullopt);
      },
      [](const http::Request& req) -> Result<std::string> {
        return req.Query("platform").value_or("");
      });
  api(
      "/api/v1/events/{id}",
      [this](const http::Request& req, const Context& c) -> Result<std::string> {
        return api::EventJson(c.View(config_), *CanonicalId(req.Param("id")));
      },
      [](const http::Request& req) -> Result<std::string> {
        const std::string_view id = req.Param("id");
        if (!CanonicalId(id)) {
          return Status::Invalid("an event id is a positive whole number without leading zeros, not \"" +
                                 std::string(id) + "\"");
        }
        return std::string();
      });
}

}  // namespace vigie

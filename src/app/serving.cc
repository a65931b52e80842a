#include "app/serving.h"

#include "http/conditional.h"
#include "render/messages.h"

namespace vigie {

namespace {
constexpr const char* kNoSniff = "nosniff";
constexpr const char* kReferrerPolicy = "strict-origin-when-cross-origin";
}  // namespace

void AddSecurityHeaders(http::Response& res) {
  if (res.HeaderValue("X-Content-Type-Options").empty())
    res.Set("X-Content-Type-Options", kNoSniff);
  if (res.HeaderValue("Referrer-Policy").empty()) res.Set("Referrer-Policy", kReferrerPolicy);
  if (res.HeaderValue("Content-Type").rfind("text/html", 0) == 0 &&
      res.HeaderValue("X-Frame-Options").empty()) {
    res.Set("X-Frame-Options", "DENY");
  }
}

std::string_view Context::Key(std::string_view kind, const http::Request& req,
                              std::string_view extra) const {
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

Result<Context> Resolve(const http::Request& req, Snap snap, const Config& config) {
  Context c;
  c.snap = std::move(snap);
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
    if (!c.region) c.region = m.FindRegion(config.site.default_region);
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

http::Response ServeRendered(const http::Request& req, const Context& c, const Rendering& r,
                             const RenderBody& render, const AskAgain& again,
                             const std::function<http::Response(const Status&)>& fail) {
  Status failed;
  std::shared_ptr<const Body> body = c.snap->Cached(r.key, [&]() -> Snapshot::Rendered {
    Time modified = c.snap->LastChangeIn(c.region->id);
    Result<std::string> text = render(modified);
    if (!text.ok()) {
      failed = text.status();
      return {};
    }
    HeaderList headers{{"Cache-Control", r.cache_control},
                       {"X-Content-Type-Options", kNoSniff},
                       {"Referrer-Policy", kReferrerPolicy}};
    for (const FixedHeader& h : r.fixed) headers.emplace_back(h.name, std::string(h.value));
    // The same path and query on the same host, from the snapshot being warmed. The copy keeps
    // the route the request matched, so it is not routed again.
    auto asked = std::make_shared<http::Request>();
    asked->method = "GET";
    asked->target = req.target;
    asked->path = req.path;
    asked->query = req.query;
    asked->params = req.params;
    asked->route = req.route;
    asked->headers.emplace_back("host", std::string(req.Header("host")));
    return {MakeBody(r.content_type, std::move(text).value(), modified, std::move(headers)),
            [again, asked](const Snap& next) {
              http::Request copy = *asked;
              again(copy, next);
            }};
  });
  if (body) return http::ServeBody(req, std::move(body));
  // A failed rendering is cached as null; render again to get the reason.
  if (failed.ok()) {
    Time ignored;
    Result<std::string> retry = render(ignored);
    failed = retry.ok() ? Status::Internal("rendering failed") : retry.status();
  }
  http::Response res = fail(failed);
  for (const FixedHeader& h : r.fixed) {
    if (res.HeaderValue(h.name).empty()) res.Set(h.name, std::string(h.value));
  }
  return res;
}

PageView PageViewOf(const Context& c, const Config& config, const WebAssets& web) {
  return PageView{c.ViewOf(), web.messages,     web.templates,
                  web.urls,   config.site.name, !config.email.smtp_url.empty()};
}

http::Response PublicError(const http::Request& req, http::Errors style, int status,
                           const std::string& message, const Snap& snap, const Config& config,
                           const WebAssets& web) {
  const auto json = [&] {
    http::Response res = http::JsonError(status, message);
    res.Set("Access-Control-Allow-Origin", "*");
    return res;
  };
  if (style == http::Errors::kJson || !snap) return json();
  Result<Context> c = Resolve(req, snap, config);
  if (!c.ok()) return json();
  std::string_view lang = req.Param("lang");
  if (lang.empty()) {
    const std::string_view path = std::string_view(req.path).substr(req.path.empty() ? 0 : 1);
    lang = path.substr(0, path.find('/'));
  }
  if (std::optional<Lang> l = ParseLang(lang)) c->lang = *l;
  http::Response res;
  res.status = status;
  res.Set("Content-Type", kHtmlType);
  res.Set("Cache-Control", "no-store");
  res.Set("Content-Language", std::string(LangId(c->lang)));
  res.SetBody(RenderError(PageViewOf(*c, config, web), status, message));
  return res;
}

http::Response Redirect(int status, const std::string& location) {
  http::Response res;
  res.status = status;
  res.Set("Location", location);
  res.Set("Content-Type", "text/plain; charset=utf-8");
  res.SetBody("see " + location + "\n");
  return res;
}

}  // namespace vigie

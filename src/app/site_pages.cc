// The public pages, /{lang}/...: rendered once per snapshot, region and language. And what
// leads to them: the redirect of "/", the language switch and the static files.
#include "app/queries.h"
#include "app/site.h"
#include "http/conditional.h"

namespace vigie {

namespace {

// The language of a visitor arriving at "/": their cookie, then Accept-Language, then the
// region's language.
Lang PreferredLang(const http::Request& req, Lang fallback) {
  return ParseLang(http::PreferredLanguage(req, kLangCookie, {"fr", "en"})).value_or(fallback);
}

}  // namespace

http::Response Site::ServePage(http::Request& req, const Snap& snap, std::string_view extra,
                               const std::function<Result<std::string>(const PageView&)>& render,
                               bool frameable) const {
  const auto fail = [&](const Status& st) { return Fail(req, snap, st); };
  std::optional<Lang> lang = ParseLang(req.Param("lang"));
  if (!lang) return fail(Status::NotFound("no page at " + req.path));
  Result<Context> c = Resolve(req, snap, config_);
  if (!c.ok()) return fail(c.status());
  c->lang = *lang;
  const PageView view = PageViewOf(*c, config_, web());
  const auto body = [&](Time&) { return render(view); };
  const std::string_view key = c->Key("page", req, extra);
  // Pages refuse to be framed (clickjacking), but for those made to be (`frameable`).
  if (frameable) {
    return ServeRendered(req, *c,
                         {key, kHtmlType, kPageCache, {{"Content-Language", LangId(*lang)}}}, body,
                         Again(), fail);
  }
  return ServeRendered(req, *c,
                       {key,
                        kHtmlType,
                        kPageCache,
                        {{"Content-Language", LangId(*lang)}, {"X-Frame-Options", "DENY"}}},
                       body, Again(), fail);
}

http::Response Site::Root(http::Request& req, const Snap& snap) const {
  Result<Context> c = Resolve(req, snap, config_);
  const Lang fallback = c.ok() ? c->region->default_lang : Lang::kFr;
  http::Response res = Redirect(302, PagePath(PreferredLang(req, fallback), "/"));
  res.Set("Vary", "Cookie, Accept-Language");
  res.Set("Cache-Control", "private, no-cache");
  return res;
}

http::Response Site::SetLang(http::Request& req, const Snap& snap) const {
  std::optional<Lang> lang = ParseLang(req.Param("lang"));
  if (!lang)
    return Fail(req, snap, Status::NotFound("no language " + std::string(req.Param("lang"))));
  // Only a path of this site: never an open redirect.
  std::string next = req.Query("next").value_or(PagePath(*lang, "/"));
  if (!http::IsLocalTarget(next)) next = PagePath(*lang, "/");
  http::Response res = Redirect(303, next);
  res.Set("Set-Cookie", std::string(kLangCookie) + "=" + std::string(LangId(*lang)) +
                            "; Path=/; Max-Age=31536000; SameSite=Lax");
  res.Set("Cache-Control", "no-store");
  return res;
}

http::Response Site::Static(http::Request& req, const Snap& snap) const {
  const std::string key = std::string(req.Param("hash")) + "/" + std::string(req.Param("name"));
  if (auto it = web().statics.find(key); it != web().statics.end()) {
    return http::ServeBody(req, it->second);
  }
  // A page rendered before a reload of the assets names the files of the set before.
  std::lock_guard lock(web_mu_);
  for (const auto& kept : kept_web_) {
    if (auto it = kept->statics.find(key); it != kept->statics.end()) {
      return http::ServeBody(req, it->second);
    }
  }
  return Fail(req, snap, Status::NotFound("no such file"));
}

http::Response Site::Home(http::Request& req, const Snap& snap) const {
  return ServePage(req, snap, {}, [](const PageView& v) { return RenderHome(v); });
}

http::Response Site::EventPage(http::Request& req, const Snap& snap) const {
  const std::optional<int64_t> id = CanonicalId(req.Param("id"));
  if (!id) return Fail(req, snap, Status::NotFound("no event " + std::string(req.Param("id"))));
  return ServePage(req, snap, {}, [&](const PageView& v) { return RenderEvent(v, *id); });
}

http::Response Site::PlatformPage(http::Request& req, const Snap& snap) const {
  return ServePage(req, snap, {},
                   [&](const PageView& v) { return RenderPlatform(v, req.Param("platform")); });
}

http::Response Site::ServicePage(http::Request& req, const Snap& snap) const {
  return ServePage(req, snap, {}, [&](const PageView& v) {
    return RenderService(v, req.Param("platform"), req.Param("service"));
  });
}

http::Response Site::HistoryPage(http::Request& req, const Snap& snap) const {
  Result<HistoryQuery> q = ParseHistoryQuery(req);
  if (!q.ok()) return Fail(req, snap, q.status());
  return ServePage(req, snap, q->Key(), [&](const PageView& v) {
    return RenderHistory(v, req.Param("platform"), q->kind, q->page);
  });
}

// Made to sit in an intranet's iframe: framing is allowed on purpose.
http::Response Site::EmbedPage(http::Request& req, const Snap& snap) const {
  return ServePage(
      req, snap, {}, [&](const PageView& v) { return RenderEmbed(v, req.Param("platform")); },
      /*frameable=*/true);
}

}  // namespace vigie

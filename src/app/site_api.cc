// The public JSON APIs: Vigie's read-only v1 (docs/api.md) and Atlassian Statuspage's v2
// (docs/statuspage.md). Cached like pages, with CORS: any page may read them.
#include "app/queries.h"
#include "app/site.h"

namespace vigie {

http::Response Site::ServeJson(
    http::Request& req, const Snap& snap, std::string_view extra,
    const std::function<Result<std::string>(const View&)>& render) const {
  const auto fail = [&](const Status& st) { return Fail(req, snap, st); };
  Result<Context> c = Resolve(req, snap, config_);
  if (!c.ok()) return fail(c.status());
  const View view = c->ViewOf();
  return ServeRendered(
      req, *c, {c->Key("", req, extra), kJsonType, kApiCache, {kCors}},
      [&](Time&) { return render(view); }, Again(), fail);
}

http::Response Site::ApiRegions(http::Request& req, const Snap& snap) const {
  return ServeJson(req, snap, {}, [this](const View& v) -> Result<std::string> {
    return api::RegionsJson(v, config_.site.default_region);
  });
}

http::Response Site::ApiPlatforms(http::Request& req, const Snap& snap) const {
  return ServeJson(req, snap, {},
                   [](const View& v) -> Result<std::string> { return api::PlatformsJson(v); });
}

http::Response Site::ApiPlatform(http::Request& req, const Snap& snap) const {
  return ServeJson(req, snap, {},
                   [&](const View& v) { return api::PlatformJson(v, req.Param("platform")); });
}

http::Response Site::ApiService(http::Request& req, const Snap& snap) const {
  return ServeJson(req, snap, {}, [&](const View& v) {
    return api::ServiceJson(v, req.Param("platform"), req.Param("service"));
  });
}

http::Response Site::ApiEvents(http::Request& req, const Snap& snap) const {
  Result<EventsQuery> q = ParseEventsQuery(req);
  if (!q.ok()) return Fail(req, snap, q.status());
  return ServeJson(req, snap, q->Key(), [&](const View& v) {
    return api::EventsJson(v, req.Param("platform"), q->filter);
  });
}

http::Response Site::ApiEvent(http::Request& req, const Snap& snap) const {
  const std::string_view id = req.Param("id");
  const std::optional<int64_t> n = CanonicalId(id);
  if (!n) {
    return Fail(
        req, snap,
        Status::Invalid("an event id is a positive whole number without leading zeros, not \"" +
                        std::string(id) + "\""));
  }
  return ServeJson(req, snap, {}, [&](const View& v) { return api::EventJson(v, *n); });
}

http::Response Site::ApiPlatformMessages(http::Request& req, const Snap& snap) const {
  return ServeJson(req, snap, {},
                   [&](const View& v) { return api::MessagesJson(v, req.Param("platform")); });
}

http::Response Site::ApiMessages(http::Request& req, const Snap& snap) const {
  Result<MessagesQuery> q = ParseMessagesQuery(req);
  if (!q.ok()) return Fail(req, snap, q.status());
  return ServeJson(req, snap, q->Key(), [&](const View& v) {
    return api::MessagesJson(
        v, q->platform ? std::optional<std::string_view>(*q->platform) : std::nullopt);
  });
}

Site::Router::Handler Site::Statuspage(StatuspageFn fn) const {
  return [this, fn](http::Request& req, const Snap& snap) {
    const statuspage::PageOptions options{.site_name = config_.site.name};
    std::optional<std::string_view> platform;
    if (const std::string_view p = req.Param("platform"); !p.empty()) platform = p;
    return ServeJson(req, snap, {}, [&](const View& v) { return fn(v, platform, options); });
  };
}

}  // namespace vigie

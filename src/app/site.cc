#include "app/site.h"

#include <charconv>

#include "api/api.h"
#include "http/conditional.h"

namespace vigie {

namespace {

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kApiCache = "public, max-age=15";

const char* ErrorCode(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "error";
  }
}

http::Response JsonError(int status, const std::string& message) {
  http::Response res;
  res.status = status;
  res.Set("Content-Type", kJson);
  res.Set("Cache-Control", "no-store");
  res.Set("Access-Control-Allow-Origin", "*");
  res.SetBody(api::ErrorJson(ErrorCode(status), message));
  return res;
}

http::Response ErrorFor(const Status& st) { return JsonError(HttpStatusOf(st), st.message()); }

// What every public request resolves first: the snapshot, the region and the language.
struct Context {
  std::shared_ptr<const Snapshot> snap;
  const Region* region = nullptr;
  Lang lang = Lang::kFr;
  api::View View(const Config& cfg) const {
    return api::View{snap->model(), snap->derived(), snap->as_of(), *region, lang,
                     cfg.site.default_region};
  }
  // The cache key of a body: the path and everything the body depends on.
  std::string Key(const http::Request& req, std::string_view extra = {}) const {
    std::string k = req.path;
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
    const std::string host = req.Host();
    for (const Region& r : m.regions) {
      for (const std::string& h : r.hosts) {
        if (h == host) c.region = &r;
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

// Serves the body under `key` from the snapshot's cache, rendering it on first use.
http::Response ServeJson(const http::Request& req, const Context& c, const std::string& key,
                         const std::function<Result<std::string>()>& render) {
  Status failed;
  std::shared_ptr<const Body> body = c.snap->Cached(key, [&]() -> std::shared_ptr<const Body> {
    Result<std::string> text = render();
    if (!text.ok()) {
      failed = text.status();
      return nullptr;
    }
    return MakeBody(kJson, std::move(text).value(), c.snap->LastChangeIn(c.region->id));
  });
  // A failed rendering (unknown slug) is cached as null; render again to get the reason.
  if (!body) {
    if (failed.ok()) {
      Result<std::string> again = render();
      failed = again.ok() ? Status::Internal("rendering failed") : again.status();
    }
    return ErrorFor(failed);
  }
  http::Response res = http::ServeBody(req, std::move(body), kApiCache);
  res.Set("Access-Control-Allow-Origin", "*");
  return res;
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

}  // namespace

int HttpStatusOf(const Status& st) {
  switch (st.code()) {
    case Status::Code::kOk: return 200;
    case Status::Code::kInvalid: return 400;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kConflict: return 409;
    case Status::Code::kUnavailable: return 503;
    case Status::Code::kInternal: return 500;
  }
  return 500;
}

Site::Site(const Config& config, Publisher& publisher, Store& store)
    : config_(config),
      publisher_(publisher),
      store_(store),
      router_([](const http::Request&, int status, const std::string& msg) {
        return JsonError(status, msg);
      }) {
  AddRoutes();
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
      return ServeJson(req, *c, c->Key(req, extra), [&] { return render(req, *c); });
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
  router_.Add("GET", "/readyz", [this](http::Request&) {
    Status st = store_.Ping();
    std::shared_ptr<const Snapshot> snap = publisher_.Current();
    if (!st.ok()) return JsonError(503, "store unreachable: " + st.message());
    if (!snap) return JsonError(503, "no snapshot loaded yet");
    http::Response res;
    res.Set("Content-Type", kJson);
    res.Set("Cache-Control", "no-store");
    res.SetBody("{\"status\":\"ready\",\"snapshot_version\":" + std::to_string(snap->version()) +
                ",\"as_of\":\"" + FormatRfc3339(snap->as_of()) + "\"}\n");
    return res;
  });

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
        return api::EventJson(c.View(config_), std::stoll(std::string(req.Param("id"))));
      },
      [](const http::Request& req) -> Result<std::string> {
        const std::string_view id = req.Param("id");
        int64_t v = 0;
        auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
        if (ec != std::errc() || p != id.data() + id.size() || v <= 0) {
          return Status::Invalid("an event id is a positive whole number, not \"" +
                                 std::string(id) + "\"");
        }
        return std::string();
      });
}

}  // namespace vigie

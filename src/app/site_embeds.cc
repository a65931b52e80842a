// SVG badges of a platform's global status and of a service, for READMEs and intranets.
#include "app/site.h"
#include "render/badge.h"

namespace vigie {

http::Response Site::PlatformBadge(http::Request& req, const Snap& snap) const {
  return Badge(req, snap, false);
}

http::Response Site::ServiceBadge(http::Request& req, const Snap& snap) const {
  return Badge(req, snap, true);
}

http::Response Site::Badge(http::Request& req, const Snap& snap, bool service) const {
  std::optional<Lang> lang = ParseLang(req.Param("lang"));
  std::string file(req.Param(service ? "service" : "platform"));
  constexpr std::string_view kExt = ".svg";
  if (!lang || file.size() <= kExt.size() ||
      file.compare(file.size() - kExt.size(), kExt.size(), kExt) != 0) {
    return Fail(req, snap, Status::NotFound("no badge at " + req.path));
  }
  file.resize(file.size() - kExt.size());
  Result<Context> c = Resolve(req, snap, config_);
  if (!c.ok()) return Fail(req, snap, c.status());
  c->lang = *lang;
  const std::string platform = service ? std::string(req.Param("platform")) : file;
  const auto render = [&](Time&) -> Result<std::string> {
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
    return RenderBadge(label, level, web().messages.Words(*lang, level));
  };
  return ServeRendered(req, *c,
                       {c->Key("badge", req), "image/svg+xml; charset=utf-8", kApiCache, {kCors}},
                       render, Again(), [&](const Status& st) { return Fail(req, snap, st); });
}

}  // namespace vigie

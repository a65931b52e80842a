// The follow feeds: RSS with Atom and JSON Feed twins, and iCalendar for maintenance windows.
// No cookie, no redirect, no login: readers poll them every few minutes.
#include "app/site.h"

namespace vigie {

http::Response Site::SiteFeed(http::Request& req, const Snap& snap) const {
  return Feed(req, snap, FeedScope::kSite);
}
http::Response Site::PlatformFeed(http::Request& req, const Snap& snap) const {
  return Feed(req, snap, FeedScope::kPlatform);
}
http::Response Site::ServiceFeed(http::Request& req, const Snap& snap) const {
  return Feed(req, snap, FeedScope::kService);
}

// /feeds/{lang}/NAME.EXT, /feeds/{lang}/{platform}/NAME.EXT, .../services/{service}.EXT
http::Response Site::Feed(http::Request& req, const Snap& snap, FeedScope scope) const {
  const auto fail = [&](const Status& st) { return Fail(req, snap, st); };
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
  Result<Context> c = Resolve(req, snap, config_);
  if (!c.ok()) return fail(c.status());
  c->lang = *lang;
  const std::string platform(req.Param("platform"));
  const FeedView view{c->ViewOf(), web().messages, config_.site.name};
  const auto render = [&](Time& modified) -> Result<std::string> {
    if (ics) return MaintenanceCalendar(view, platform);
    Result<vigie::Feed> f = Status::NotFound("no feed at " + req.path);
    if (scope == FeedScope::kService) f = ServiceStatusFeed(view, platform, name);
    if (scope == FeedScope::kPlatform && name == "status") f = PlatformStatusFeed(view, platform);
    if (scope == FeedScope::kPlatform && name == "messages") f = MessagesFeed(view, platform);
    if (scope == FeedScope::kPlatform && name == "events") f = EventsFeed(view, platform);
    if (scope == FeedScope::kSite && name == "messages") f = MessagesFeed(view, std::nullopt);
    if (!f.ok()) return f.status();
    modified = f->updated;  // the last real change of this feed, never "now"
    return WriteFeed(*f, *format);
  };
  return ServeRendered(req, *c,
                       {c->Key("feed", req),
                        ics ? "text/calendar; charset=utf-8" : FeedContentType(*format),
                        kFeedCache,
                        {kCors}},
                       render, Again(), fail);
}

http::Response Site::HistoryRss(http::Request& req, const Snap& snap) const {
  return HistoryFeed(req, snap, FeedFormat::kRss);
}
http::Response Site::HistoryAtom(http::Request& req, const Snap& snap) const {
  return HistoryFeed(req, snap, FeedFormat::kAtom);
}

// Statuspage's history feeds: every event of the region; language by ?lang=.
http::Response Site::HistoryFeed(http::Request& req, const Snap& snap, FeedFormat format) const {
  const auto fail = [&](const Status& st) { return Fail(req, snap, st); };
  Result<Context> c = Resolve(req, snap, config_);
  if (!c.ok()) return fail(c.status());
  const FeedView view{c->ViewOf(), web().messages, config_.site.name};
  const auto render = [&](Time& modified) -> Result<std::string> {
    Result<vigie::Feed> f = EventsFeed(view, std::nullopt);
    if (!f.ok()) return f.status();
    modified = f->updated;
    return WriteFeed(*f, format);
  };
  return ServeRendered(req, *c,
                       {c->Key("history", req), FeedContentType(format), kFeedCache, {kCors}},
                       render, Again(), fail);
}

}  // namespace vigie

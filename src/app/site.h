// The site over HTTP: the one route table (app/routes.cc) and the public handlers, which answer
// from a snapshot and never from the database. Region comes from the Host header (or
// ?region=), language from the path's {lang} or ?lang= (else the region's).
//
// The handlers live in files by concern: site_pages.cc (pages, redirects, static files, the
// embed page), site_feeds.cc (RSS, Atom, JSON Feed, iCal), site_api.cc (API v1 and
// Statuspage's v2), site_embeds.cc (badges), site_probes.cc (health, readiness, live
// updates). The back-office's are AdminWeb's.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "admin/web.h"
#include "api/statuspage.h"
#include "app/config.h"
#include "app/serving.h"
#include "app/web_assets.h"
#include "feeds/feeds.h"
#include "http/message.h"
#include "http/router.h"
#include "notify/desk.h"
#include "snapshot/publisher.h"
#include "store/health.h"

namespace vigie {

class Site {
 public:
  // All references must outlive the Site. No public route touches the store: /readyz reads
  // `health`, which a background ping and the writes keep.
  Site(const Config& config, Publisher& publisher, const StoreHealth& health, const WebAssets& web,
       AdminWeb& admin);

  // Answers `req` from the current snapshot. Every answer carries nosniff and a
  // Referrer-Policy, and HTML refuses to be framed but for the embed page. Thread-safe.
  http::Response Handle(http::Request& req) const { return Handle(req, publisher_.Current()); }
  // Answers from `snap` (the Publisher warms the next snapshot through this).
  http::Response Handle(http::Request& req, const Snap& snap) const;
  // Where `req` runs, from its route's line in the table: writes and the back-office may wait
  // on the database or hash a password, so the server runs them off its I/O threads.
  http::Runs RunsOf(http::Request& req) const { return router_.RunsOf(req); }
  // The templates, catalogs and static files the site answers with.
  const WebAssets& web() const { return *web_.load(std::memory_order_acquire); }
  // Answers with `web` from now on (a reload of the assets): publish again, so that every
  // body is rendered with it. Thread-safe.
  void SetWeb(std::shared_ptr<const WebAssets> web);
  // Subscriptions by e-mail: the desk that takes them, and what to call when one leaves a
  // notice (the sender looks at once). Without it (no SMTP server configured) the pages offer
  // none and the routes answer 404. Call before serving.
  void SetSubscriptions(SubscriptionDesk* desk, std::function<void()> wake) {
    desk_ = desk;
    wake_ = std::move(wake);
  }
  // The route table's routes, by the index a matched request holds (metrics name them).
  const http::PathTable& routes() const { return router_.paths(); }

 private:
  using Router = http::Router<const Snap&>;
  using Handler = http::Response (Site::*)(http::Request&, const Snap&) const;
  void AddRoutes();
  Router::Handler Bind(Handler h) const;
  AdminWeb::Handler Bind(http::Response (AdminWeb::*h)(http::Request&, const Caller&)) const;

  // The error answer of `req`'s route, in its style (see the table).
  http::Response Fail(const http::Request& req, const Snap& snap, const Status& st) const;
  // A page of /{lang}/...: rendered once per snapshot, region and language, under `extra`.
  http::Response ServePage(http::Request& req, const Snap& snap, std::string_view extra,
                           const std::function<Result<std::string>(const PageView&)>& render,
                           bool frameable = false) const;
  // A JSON body of the public APIs, cached like pages, with CORS.
  http::Response ServeJson(http::Request& req, const Snap& snap, std::string_view extra,
                           const std::function<Result<std::string>(const View&)>& render) const;
  // What ServeRendered calls to warm a body: the same request against the next snapshot.
  AskAgain Again() const;

  // site_probes.cc
  // The answer to everything but the probes before the node has any state to show: 503, a
  // page in both languages or a JSON error, as the route's errors are written.
  http::Response Starting(const http::Request& req) const;
  http::Response Healthz(http::Request& req, const Snap& snap) const;
  http::Response Readyz(http::Request& req, const Snap& snap) const;
  http::Response Live(http::Request& req, const Snap& snap) const;
  // site_pages.cc
  http::Response Root(http::Request& req, const Snap& snap) const;
  http::Response SetLang(http::Request& req, const Snap& snap) const;
  http::Response Static(http::Request& req, const Snap& snap) const;
  http::Response Home(http::Request& req, const Snap& snap) const;
  http::Response EventPage(http::Request& req, const Snap& snap) const;
  http::Response PlatformPage(http::Request& req, const Snap& snap) const;
  http::Response ServicePage(http::Request& req, const Snap& snap) const;
  http::Response HistoryPage(http::Request& req, const Snap& snap) const;
  http::Response EmbedPage(http::Request& req, const Snap& snap) const;
  // site_subscribe.cc: the subscription form, a subscriber's page, one-click unsubscribe.
  http::Response SubscribeForm(http::Request& req, const Snap& snap) const;
  http::Response Subscribe(http::Request& req, const Snap& snap) const;
  http::Response SubscriptionPage(http::Request& req, const Snap& snap) const;
  http::Response ChangeSubscription(http::Request& req, const Snap& snap) const;
  http::Response UnsubscribePage(http::Request& req, const Snap& snap) const;
  http::Response OneClickUnsubscribe(http::Request& req, const Snap& snap) const;
  // A subscription page (never cached: it holds a token) with `status`.
  http::Response SubscriptionAnswer(const http::Request& req, const Snap& snap, int status,
                                    const vigie::SubscriptionPage& page) const;
  // site_embeds.cc
  http::Response PlatformBadge(http::Request& req, const Snap& snap) const;
  http::Response ServiceBadge(http::Request& req, const Snap& snap) const;
  http::Response Badge(http::Request& req, const Snap& snap, bool service) const;
  // site_feeds.cc
  http::Response SiteFeed(http::Request& req, const Snap& snap) const;
  http::Response PlatformFeed(http::Request& req, const Snap& snap) const;
  http::Response ServiceFeed(http::Request& req, const Snap& snap) const;
  http::Response HistoryRss(http::Request& req, const Snap& snap) const;
  http::Response HistoryAtom(http::Request& req, const Snap& snap) const;
  enum class FeedScope { kSite, kPlatform, kService };
  http::Response Feed(http::Request& req, const Snap& snap, FeedScope scope) const;
  http::Response HistoryFeed(http::Request& req, const Snap& snap, FeedFormat format) const;
  // site_api.cc: API v1
  http::Response ApiRegions(http::Request& req, const Snap& snap) const;
  http::Response ApiPlatforms(http::Request& req, const Snap& snap) const;
  http::Response ApiPlatform(http::Request& req, const Snap& snap) const;
  http::Response ApiService(http::Request& req, const Snap& snap) const;
  http::Response ApiEvents(http::Request& req, const Snap& snap) const;
  http::Response ApiEvent(http::Request& req, const Snap& snap) const;
  http::Response ApiPlatformMessages(http::Request& req, const Snap& snap) const;
  http::Response ApiMessages(http::Request& req, const Snap& snap) const;
  // site_api.cc: Statuspage's v2, for the whole region or one platform ({platform} present).
  using StatuspageFn = Result<std::string> (*)(const View&, std::optional<std::string_view>,
                                               const statuspage::PageOptions&);
  Router::Handler Statuspage(StatuspageFn fn) const;

  const Config& config_;
  Publisher& publisher_;
  const StoreHealth& health_;
  // The templates, catalogs and static files, replaced whole by SetWeb (a reload) and read
  // through one atomic pointer; each set given stays alive with the Site (a page rendered
  // before a reload still finds its static files).
  std::atomic<const WebAssets*> web_;
  mutable std::mutex web_mu_;
  std::vector<std::shared_ptr<const WebAssets>> kept_web_;  // guarded by web_mu_
  AdminWeb& admin_;
  SubscriptionDesk* desk_ = nullptr;
  std::function<void()> wake_;
  Router router_;
};

}  // namespace vigie

// The route table: every URL the site answers, one line each, saying where its handler runs
// (kOnWorker: it may wait on the database or hash a password) and how its errors are
// written (JSON, or a page in the visitor's language).
#include <type_traits>

#include "app/site.h"

namespace vigie {

Site::Site(const Config& config, Publisher& publisher, const StoreHealth& health,
           const WebAssets& web, AdminWeb& admin)
    : config_(config),
      publisher_(publisher),
      health_(health),
      web_(&web),
      admin_(admin),
      router_([this](const http::Request& req, http::Errors style, int status,
                     const std::string& message, const Snap& snap) {
        return PublicError(req, style, status, message, snap, config_, this->web());
      }) {
  AddRoutes();
}

void Site::AddRoutes() {
  using enum http::Runs;
  using enum http::Errors;
  using Admin = http::Response (AdminWeb::*)(http::Request&, const Caller&);
  constexpr Role kEditor = Role::kEditor, kAdmin = Role::kAdmin;
  // A handler is one of Site's (a member) or one built by office(), token(), login() or
  // Statuspage().
  const auto add = [this](std::string method, std::string_view pattern, auto h, http::Runs runs,
                          http::Errors errors) {
    if constexpr (std::is_member_function_pointer_v<decltype(h)>) {
      router_.Add(std::move(method), pattern, Bind(h), runs, errors);
    } else {
      router_.Add(std::move(method), pattern, std::move(h), runs, errors);
    }
  };
  const auto office = [this](Role role, Admin h) -> Router::Handler {
    return [page = admin_.Page(role, Bind(h))](http::Request& r, const Snap&) { return page(r); };
  };
  const auto token = [this](Role role, Admin h) -> Router::Handler {
    return [api = admin_.Api(role, Bind(h))](http::Request& r, const Snap&) { return api(r); };
  };
  const auto login = [this](http::Response (AdminWeb::*h)(http::Request&)) -> Router::Handler {
    return [this, h](http::Request& r, const Snap&) { return (admin_.*h)(r); };
  };

  // clang-format off
  // method  pattern                                         handler                                            runs       errors
  // Probes and live updates.
  add("GET", "/healthz",                                      &Site::Healthz,                                    kOnIo,     kJson);
  add("GET", "/readyz",                                       &Site::Readyz,                                     kOnIo,     kJson);
  add("GET", "/live",                                         &Site::Live,                                       kOnIo,     kJson);
  // The public pages, and what leads to them.
  add("GET", "/",                                             &Site::Root,                                       kOnIo,     kPage);
  add("GET", "/set-lang/{lang}",                              &Site::SetLang,                                    kOnIo,     kPage);
  add("GET", "/static/{hash}/{name}",                         &Site::Static,                                     kOnIo,     kPage);
  add("GET", "/{lang}",                                       &Site::Home,                                       kOnIo,     kPage);
  add("GET", "/{lang}/events/{id}",                           &Site::EventPage,                                  kOnIo,     kPage);
  add("GET", "/{lang}/{platform}",                            &Site::PlatformPage,                               kOnIo,     kPage);
  add("GET", "/{lang}/{platform}/services/{service}",         &Site::ServicePage,                                kOnIo,     kPage);
  add("GET", "/{lang}/{platform}/history",                    &Site::HistoryPage,                                kOnIo,     kPage);
  // Subscriptions by e-mail, without an account: the form, a subscriber's own page (a signed
  // link from a mail) and the one-click unsubscribe of RFC 8058 (a POST with no cookie).
  add("GET", "/{lang}/subscribe",                             &Site::SubscribeForm,                              kOnWorker, kPage);
  add("POST","/{lang}/subscribe",                             &Site::Subscribe,                                  kOnWorker, kPage);
  add("GET", "/{lang}/subscription",                          &Site::SubscriptionPage,                           kOnWorker, kPage);
  add("POST","/{lang}/subscription",                          &Site::ChangeSubscription,                         kOnWorker, kPage);
  add("GET", "/unsubscribe",                                  &Site::UnsubscribePage,                            kOnIo,     kPage);
  add("POST","/unsubscribe",                                  &Site::OneClickUnsubscribe,                        kOnWorker, kPage);
  // Embeds: a page made to sit in an intranet's iframe, and SVG badges.
  add("GET", "/{lang}/{platform}/embed",                      &Site::EmbedPage,                                  kOnIo,     kPage);
  add("GET", "/badge/{lang}/{platform}",                      &Site::PlatformBadge,                              kOnIo,     kJson);
  add("GET", "/badge/{lang}/{platform}/{service}",            &Site::ServiceBadge,                               kOnIo,     kJson);
  // The follow feeds: no cookie, no redirect, no login; readers poll them every few minutes.
  add("GET", "/feeds/{lang}/{file}",                          &Site::SiteFeed,                                   kOnIo,     kJson);
  add("GET", "/feeds/{lang}/{platform}/{file}",               &Site::PlatformFeed,                               kOnIo,     kJson);
  add("GET", "/feeds/{lang}/{platform}/services/{file}",      &Site::ServiceFeed,                                kOnIo,     kJson);
  add("GET", "/history.rss",                                  &Site::HistoryRss,                                 kOnIo,     kJson);
  add("GET", "/history.atom",                                 &Site::HistoryAtom,                                kOnIo,     kJson);
  // The read-only JSON API v1 (docs/api.md).
  add("GET", "/api/v1/regions",                               &Site::ApiRegions,                                 kOnIo,     kJson);
  add("GET", "/api/v1/platforms",                             &Site::ApiPlatforms,                               kOnIo,     kJson);
  add("GET", "/api/v1/platforms/{platform}",                  &Site::ApiPlatform,                                kOnIo,     kJson);
  add("GET", "/api/v1/platforms/{platform}/services/{service}", &Site::ApiService,                                 kOnIo,     kJson);
  add("GET", "/api/v1/platforms/{platform}/events",           &Site::ApiEvents,                                  kOnIo,     kJson);
  add("GET", "/api/v1/platforms/{platform}/messages",         &Site::ApiPlatformMessages,                        kOnIo,     kJson);
  add("GET", "/api/v1/messages",                              &Site::ApiMessages,                                kOnIo,     kJson);
  add("GET", "/api/v1/events/{id}",                           &Site::ApiEvent,                                   kOnIo,     kJson);
  // Atlassian Statuspage's public API v2, so that its clients and widgets work unchanged: the
  // whole region as one page at the root, one platform as a page under /{platform}/.
  for (const std::string at : {"", "/{platform}"}) {
    add("GET", at + "/api/v2/summary.json",                   Statuspage(&statuspage::SummaryJson),              kOnIo,     kJson);
    add("GET", at + "/api/v2/status.json",                    Statuspage(&statuspage::StatusJson),               kOnIo,     kJson);
    add("GET", at + "/api/v2/components.json",                Statuspage(&statuspage::ComponentsJson),           kOnIo,     kJson);
    add("GET", at + "/api/v2/incidents.json",                 Statuspage(&statuspage::IncidentsJson),            kOnIo,     kJson);
    add("GET", at + "/api/v2/incidents/unresolved.json",      Statuspage(&statuspage::UnresolvedIncidentsJson),  kOnIo,     kJson);
    add("GET", at + "/api/v2/scheduled-maintenances.json",    Statuspage(&statuspage::ScheduledMaintenancesJson), kOnIo,     kJson);
    add("GET", at + "/api/v2/scheduled-maintenances/upcoming.json", Statuspage(&statuspage::UpcomingMaintenancesJson), kOnIo,     kJson);
    add("GET", at + "/api/v2/scheduled-maintenances/active.json", Statuspage(&statuspage::ActiveMaintenancesJson),   kOnIo,     kJson);
  }
  // The back-office. EVERY ROUTE HERE but the login form goes through office() (session, CSRF
  // on POST, role) or token() (bearer token, role): add none without them. The literal /admin
  // segment makes these win over the public /{lang}/... patterns.
  add("GET", "/admin/login",                                  login(&AdminWeb::LoginForm),                       kOnWorker, kPage);
  add("POST","/admin/login",                                  login(&AdminWeb::Login),                           kOnWorker, kPage);
  add("POST","/admin/logout",                                 office(kEditor, &AdminWeb::Logout),                kOnWorker, kPage);
  add("GET", "/admin",                                        office(kEditor, &AdminWeb::Dashboard),             kOnWorker, kPage);
  add("POST","/admin/levels",                                 office(kEditor, &AdminWeb::SetLevel),              kOnWorker, kPage);
  add("POST","/admin/overrides",                              office(kEditor, &AdminWeb::SetOverride),           kOnWorker, kPage);
  add("GET", "/admin/events",                                 office(kEditor, &AdminWeb::Events),                kOnWorker, kPage);
  add("POST","/admin/events",                                 office(kEditor, &AdminWeb::CreateEvent),           kOnWorker, kPage);
  add("GET", "/admin/events/{id}",                            office(kEditor, &AdminWeb::EventPage),             kOnWorker, kPage);
  add("POST","/admin/events/{id}",                            office(kEditor, &AdminWeb::EditEvent),             kOnWorker, kPage);
  add("POST","/admin/events/{id}/updates",                    office(kEditor, &AdminWeb::PostUpdate),            kOnWorker, kPage);
  add("POST","/admin/events/{id}/resolve",                    office(kEditor, &AdminWeb::Resolve),               kOnWorker, kPage);
  add("POST","/admin/events/{id}/cancel",                     office(kEditor, &AdminWeb::Cancel),                kOnWorker, kPage);
  add("GET", "/admin/messages",                               office(kEditor, &AdminWeb::Messages),              kOnWorker, kPage);
  add("POST","/admin/messages",                               office(kEditor, &AdminWeb::CreateMessage),         kOnWorker, kPage);
  add("POST","/admin/messages/{id}",                          office(kEditor, &AdminWeb::EditMessage),           kOnWorker, kPage);
  add("POST","/admin/messages/{id}/expire",                   office(kEditor, &AdminWeb::ExpireMessage),         kOnWorker, kPage);
  add("POST","/admin/messages/{id}/delete",                   office(kEditor, &AdminWeb::DeleteMessage),         kOnWorker, kPage);
  add("GET", "/admin/subscribers",                            office(kEditor, &AdminWeb::Subscribers),           kOnWorker, kPage);
  add("GET", "/admin/subscribers.csv",                        office(kAdmin, &AdminWeb::SubscribersCsv),         kOnWorker, kPage);
  add("POST","/admin/subscribers/{id}/remove",                office(kAdmin, &AdminWeb::RemoveSubscriber),       kOnWorker, kPage);
  add("POST","/admin/subscribers/{id}/resume",                office(kAdmin, &AdminWeb::ResumeEndpoint),         kOnWorker, kPage);
  add("GET", "/admin/notices/{id}",                           office(kEditor, &AdminWeb::NoticeLog),             kOnWorker, kPage);
  add("GET", "/admin/audit",                                  office(kEditor, &AdminWeb::Audit),                 kOnWorker, kPage);
  add("POST","/admin/preview",                                office(kEditor, &AdminWeb::Preview),               kOnWorker, kPage);
  add("GET", "/admin/catalog",                                office(kAdmin, &AdminWeb::Catalog),                kOnWorker, kPage);
  add("POST","/admin/catalog",                                office(kAdmin, &AdminWeb::AddService),             kOnWorker, kPage);
  add("POST","/admin/catalog/{id}",                           office(kAdmin, &AdminWeb::EditService),            kOnWorker, kPage);
  add("GET", "/admin/users",                                  office(kAdmin, &AdminWeb::Users),                  kOnWorker, kPage);
  add("POST","/admin/users",                                  office(kAdmin, &AdminWeb::AddUser),                kOnWorker, kPage);
  add("POST","/admin/users/{name}/{action}",                  office(kAdmin, &AdminWeb::UserAction),             kOnWorker, kPage);
  add("GET", "/admin/tokens",                                 office(kAdmin, &AdminWeb::Tokens),                 kOnWorker, kPage);
  add("POST","/admin/tokens",                                 office(kAdmin, &AdminWeb::CreateToken),            kOnWorker, kPage);
  add("POST","/admin/tokens/{id}/revoke",                     office(kAdmin, &AdminWeb::RevokeToken),            kOnWorker, kPage);
  // The admin JSON API (docs/api.md), for scripts and monitoring tools.
  add("POST","/api/v1/admin/levels",                          token(kEditor, &AdminWeb::ApiSetLevel),            kOnWorker, kJson);
  add("POST","/api/v1/admin/events",                          token(kEditor, &AdminWeb::ApiCreateEvent),         kOnWorker, kJson);
  add("POST","/api/v1/admin/events/{id}/updates",             token(kEditor, &AdminWeb::ApiPostUpdate),          kOnWorker, kJson);
  add("POST","/api/v1/admin/events/{id}/resolve",             token(kEditor, &AdminWeb::ApiResolve),             kOnWorker, kJson);
  add("POST","/api/v1/admin/messages",                        token(kEditor, &AdminWeb::ApiCreateMessage),       kOnWorker, kJson);
  add("GET", "/api/v1/admin/subscribers",                     token(kAdmin, &AdminWeb::ApiSubscribers),          kOnWorker, kJson);
  add("POST","/api/v1/admin/subscribers/{id}/remove",         token(kAdmin, &AdminWeb::ApiRemoveSubscriber),     kOnWorker, kJson);
  add("POST","/api/v1/admin/subscribers/{id}/resume",         token(kAdmin, &AdminWeb::ApiResumeSubscriber),     kOnWorker, kJson);
  add("GET", "/api/v1/admin/notices",                         token(kEditor, &AdminWeb::ApiNotices),             kOnWorker, kJson);
  add("GET", "/api/v1/admin/notices/{id}",                    token(kEditor, &AdminWeb::ApiNotice),              kOnWorker, kJson);
  // clang-format on
}

Site::Router::Handler Site::Bind(Handler h) const {
  return [this, h](http::Request& r, const Snap& s) { return (this->*h)(r, s); };
}

AdminWeb::Handler Site::Bind(http::Response (AdminWeb::*h)(http::Request&, const Caller&)) const {
  return [this, h](http::Request& r, const Caller& c) { return (admin_.*h)(r, c); };
}

void Site::SetWeb(std::shared_ptr<const WebAssets> web) {
  std::lock_guard lock(web_mu_);
  kept_web_.push_back(std::move(web));
  web_.store(kept_web_.back().get(), std::memory_order_release);
}

http::Response Site::Handle(http::Request& req, const Snap& snap) const {
  // Nothing to show yet (a node started without its database and without a local copy): only
  // the probes answer; every other route, the back-office too, waits for the first state.
  const bool probe = req.path == "/healthz" || req.path == "/readyz";
  http::Response res = snap || probe ? router_.Handle(req, snap) : Starting(req);
  if (res.head.empty()) AddSecurityHeaders(res);  // a prepared head has them already
  return res;
}

http::Response Site::Fail(const http::Request& req, const Snap& snap, const Status& st) const {
  return PublicError(req, router_.ErrorsOf(req), http::HttpStatusOf(st), st.message(), snap,
                     config_, web());
}

AskAgain Site::Again() const {
  return [this](http::Request& req, const Snap& snap) { Handle(req, snap); };
}

}  // namespace vigie

// The back-office over HTTP: login and server-side sessions, CSRF on every form, the pages
// operators use, and the admin JSON API with bearer tokens. Handlers only; the routes are in
// the one route table (app/routes.cc), each wrapped by Page() or Api(), which authenticate.
// In parts: auth.cc (Page, Api, login), pages.cc (what operators read), forms.cc (what they
// post), api.cc (the JSON API), web.cc (the answers they share).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "admin/operations.h"
#include "admin/security.h"
#include "http/message.h"
#include "render/admin_render.h"
#include "snapshot/publisher.h"
#include "store/store.h"

namespace vigie {

namespace admin {
// A posted application/x-www-form-urlencoded body: every field, repeated ones kept.
using Form = std::multimap<std::string, std::string>;
}  // namespace admin

struct AdminOptions {
  bool secure_cookies = false;                       // https: Secure and __Host- cookies
  std::chrono::seconds idle_timeout{30 * 60};        // a session unused this long ends
  std::chrono::seconds absolute_timeout{12 * 3600};  // and any session after this long
  // Whether the database answers: while it does not, every page says so in a banner. Must
  // outlive the AdminWeb; none in tests that do not need it.
  const StoreHealth* health = nullptr;
};

struct AdminAssets {
  const Messages& messages;
  const Templates& templates;
  const StaticUrls& statics;
  const Text& site_name;
};

// Who is calling: a signed-in user or an API token.
struct Caller {
  std::string name;  // the user, or "token:NAME"
  Role role = Role::kEditor;
  std::string csrf;  // the session's form token (empty for tokens)
  std::string session_hash;
  Lang lang = Lang::kFr;
  // The back-office page to come back to after switching languages ("" for API callers).
  std::string here;
};

class AdminWeb {
 public:
  using Handler = std::function<http::Response(http::Request&, const Caller&)>;

  AdminWeb(AdminOptions options, Publisher& publisher, Store& store, const Clock& clock,
           AdminAssets assets);

  // A back-office page or form: needs a live session (else a redirect to the login page),
  // a valid CSRF token on anything but GET/HEAD (else 403), and `role` (else 403).
  std::function<http::Response(http::Request&)> Page(Role role, Handler handler);
  // The admin JSON API: needs "Authorization: Bearer TOKEN" of a live token with `role`.
  std::function<http::Response(http::Request&)> Api(Role role, Handler handler);

  // The texts and templates from now on (a reload of the assets). Thread-safe.
  void SetAssets(AdminAssets assets);

  http::Response LoginForm(http::Request& req);
  http::Response Login(http::Request& req);
  http::Response Logout(http::Request& req, const Caller& c);

  http::Response Dashboard(http::Request& req, const Caller& c);
  http::Response SetLevel(http::Request& req, const Caller& c);
  http::Response SetOverride(http::Request& req, const Caller& c);
  http::Response Events(http::Request& req, const Caller& c);
  http::Response CreateEvent(http::Request& req, const Caller& c);
  http::Response EventPage(http::Request& req, const Caller& c);
  http::Response EditEvent(http::Request& req, const Caller& c);
  http::Response PostUpdate(http::Request& req, const Caller& c);
  http::Response Resolve(http::Request& req, const Caller& c);
  http::Response Cancel(http::Request& req, const Caller& c);
  http::Response Messages(http::Request& req, const Caller& c);
  http::Response CreateMessage(http::Request& req, const Caller& c);
  http::Response EditMessage(http::Request& req, const Caller& c);
  http::Response ExpireMessage(http::Request& req, const Caller& c);
  http::Response DeleteMessage(http::Request& req, const Caller& c);
  http::Response Audit(http::Request& req, const Caller& c);
  http::Response Tokens(http::Request& req, const Caller& c);
  http::Response CreateToken(http::Request& req, const Caller& c);
  http::Response RevokeToken(http::Request& req, const Caller& c);

  http::Response Catalog(http::Request& req, const Caller& c);
  http::Response AddService(http::Request& req, const Caller& c);
  http::Response EditService(http::Request& req, const Caller& c);
  http::Response Users(http::Request& req, const Caller& c);
  http::Response AddUser(http::Request& req, const Caller& c);
  http::Response UserAction(http::Request& req, const Caller& c);
  http::Response Preview(http::Request& req, const Caller& c);

  // subscribers.cc: counts for every operator; addresses, search, removal and the CSV export
  // for admins only; the delivery log of each notice.
  http::Response Subscribers(http::Request& req, const Caller& c);
  http::Response SubscribersCsv(http::Request& req, const Caller& c);
  http::Response RemoveSubscriber(http::Request& req, const Caller& c);
  http::Response ResumeEndpoint(http::Request& req, const Caller& c);
  http::Response NoticeLog(http::Request& req, const Caller& c);

  http::Response ApiSetLevel(http::Request& req, const Caller& c);
  http::Response ApiCreateEvent(http::Request& req, const Caller& c);
  http::Response ApiPostUpdate(http::Request& req, const Caller& c);
  http::Response ApiResolve(http::Request& req, const Caller& c);
  http::Response ApiCreateMessage(http::Request& req, const Caller& c);
  // Subscribers (admin tokens: addresses are personal data) and the notices' delivery logs.
  http::Response ApiSubscribers(http::Request& req, const Caller& c);
  http::Response ApiRemoveSubscriber(http::Request& req, const Caller& c);
  http::Response ApiResumeSubscriber(http::Request& req, const Caller& c);
  http::Response ApiNotices(http::Request& req, const Caller& c);
  http::Response ApiNotice(http::Request& req, const Caller& c);

 private:
  std::string SessionCookieName() const;
  Lang LangOf(const http::Request& req) const;
  http::Response Html(const Caller& c, int status, std::string_view name,
                      const nlohmann::json& data, const std::string& title) const;
  http::Response Back(const std::string& where) const;
  // The sentence of the outage banner when the database cannot be reached, else "".
  std::string Outage(Lang lang) const;
  // The page that says the database cannot be reached (a session cannot be checked without
  // it): 503, the banner's sentence and why.
  http::Response Unreachable(const Caller& c, const Status& why) const;
  http::Response FormError(http::Request& req, const Caller& c, const Status& st);
  // The skeleton of every form: `act` reads the form and runs one operation, giving the page
  // to go back to; its error is shown on the page the form came from (FormError).
  http::Response Submit(http::Request& req, const Caller& c,
                        const std::function<Result<std::string>(const admin::Form&)>& act);
  // The same for a form on the object of the path's {id}: NotFound(`missing`) without one.
  http::Response SubmitOn(
      http::Request& req, const Caller& c, std::string_view missing,
      const std::function<Result<std::string>(int64_t id, const admin::Form&)>& act);
  nlohmann::json EventForm(const Model& m, const Caller& c) const;

  const AdminOptions options_;
  Publisher& publisher_;
  Store& store_;
  const Clock& clock_;
  // The texts and templates the pages use: replaced whole by SetAssets (a reload), read through
  // one atomic pointer; every set given stays alive with the AdminWeb.
  const AdminAssets& assets() const { return *assets_.load(std::memory_order_acquire); }
  std::atomic<const AdminAssets*> assets_;
  std::mutex assets_mu_;
  std::vector<std::unique_ptr<const AdminAssets>> kept_assets_;  // guarded by assets_mu_
  Operations ops_;
  LoginThrottle throttle_;
};

}  // namespace vigie

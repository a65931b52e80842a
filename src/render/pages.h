// The public site's pages: pure functions from the model, its derived levels, the templates
// and the message catalogs to HTML, for one region and one language.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "domain/derive.h"
#include "domain/model.h"
#include "domain/subscriptions.h"
#include "domain/view.h"
#include "render/assets.h"
#include "render/messages.h"

namespace vigie {

class ParsedTemplate;  // render/mustache.h
struct CommonData;

// The mustache templates of assets/templates, each checked and parsed at load. Immutable;
// thread-safe (a parsed template renders from any thread).
class Templates {
 public:
  // `messages` gives what every page of a language shares (CommonData).
  static Result<Templates> Load(const Assets& assets, const Messages& messages);
  // The source of templates/NAME.mustache with its partials written in ({{> x}} replaced by
  // x's source), or nullptr.
  const std::string* Source(std::string_view name) const;
  // The same, parsed; or nullptr.
  const ParsedTemplate* Parsed(std::string_view name) const;
  const CommonData& Common() const { return *common_; }

 private:
  std::map<std::string, std::string, std::less<>> sources_;
  std::map<std::string, std::shared_ptr<const ParsedTemplate>, std::less<>> parsed_;
  std::shared_ptr<const CommonData> common_;
};

// Content-hashed URLs of the static files, so they can be cached forever.
struct StaticUrls {
  std::string css, js, logo, favicon, admin_css, admin_js;
};

// A View with what pages are made of.
struct PageView : View {
  const Messages& messages;
  const Templates& templates;
  const StaticUrls& statics;
  const Text& site_name;
  // Whether the site sends notifications (an SMTP server is configured): the pages of
  // platforms, services and events then offer to subscribe.
  bool subscribe = false;
};

Result<std::string> RenderHome(const PageView& v);
Result<std::string> RenderPlatform(const PageView& v, std::string_view platform);
Result<std::string> RenderService(const PageView& v, std::string_view platform,
                                  std::string_view service);
Result<std::string> RenderEvent(const PageView& v, int64_t id);
// Past events of the platform by month, newest first, `kind` filter, 20 per page.
Result<std::string> RenderHistory(const PageView& v, std::string_view platform,
                                  std::optional<EventKind> kind, int page);
// A small standalone page with a platform's global status and its events in progress, to
// embed in an iframe.
Result<std::string> RenderEmbed(const PageView& v, std::string_view platform);
// The subscription pages: the form (kForm), "check your inbox" (kSent), a subscriber's own
// page from a mail's link (kManage) and the goodbye (kDone).
struct SubscriptionPage {
  enum class Stage { kForm, kSent, kManage, kDone };
  Stage stage = Stage::kForm;
  std::vector<std::string> platforms;  // the platforms offered (all of them when empty)
  std::vector<Subscription> checked;   // what is ticked (and the events offered)
  std::string email;                   // kManage
  Channel channel = Channel::kEmail;   // how it is told, and for an endpoint:
  std::string endpoint;                // its URL,
  std::string secret;                  // a webhook's signing key (kManage),
  std::optional<Time> quarantined_at;  // when it was stopped (kManage)
  Lang mail_lang = Lang::kFr;
  bool confirmed = false;    // kManage
  std::string token;         // the form token (kForm) or the link (kManage)
  std::string error, flash;  // a problem to fix; what was just done
};
Result<std::string> RenderSubscription(const PageView& v, const SubscriptionPage& p);
// The path of the subscription form of a platform, a service or an event.
std::string SubscribePath(Lang lang, std::string_view platform, std::string_view service = {},
                          int64_t event = 0);

// A 404 or other error page in the visitor's language.
std::string RenderError(const PageView& v, int status, std::string_view message);
// The page a node answers before it has any state to show (it started while its database was
// away, with no local copy of its last state): in both languages, made without a model.
std::string RenderUnavailable(const Messages& messages, const Templates& templates,
                              const StaticUrls& statics, const Text& site_name);

// The path of a page in a language: PagePath(Lang::kEn, "/infinity/") = "/en/infinity/".
std::string PagePath(Lang lang, std::string_view rest);
// The path of a feed: FeedUrlPath(Lang::kFr, "infinity/status", "rss") =
// "/feeds/fr/infinity/status.rss".
std::string FeedUrlPath(Lang lang, std::string_view what, std::string_view extension);

}  // namespace vigie

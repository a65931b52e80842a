// Subscriptions by e-mail, for a visitor without an account: the form, the answer that is the
// same whether the address is known or not, a subscriber's page opened by a signed link, and
// the one-click unsubscribe of RFC 8058. Pages here hold tokens: never cached, never framed.
#include "app/site.h"
#include "render/escape.h"

namespace vigie {

namespace {

// The visitor's address for the rate limits: the peer, or when the peer is a proxy on this
// host (nginx in front, deploy/), the address it says it received the request from (the last
// of X-Forwarded-For: the one it added).
std::string VisitorAddress(const http::Request& req) {
  const bool loopback = req.remote.rfind("127.", 0) == 0 || req.remote == "::1" ||
                        req.remote.rfind("::ffff:127.", 0) == 0;
  const std::string_view forwarded = req.Header("x-forwarded-for");
  if (!loopback || forwarded.empty()) return req.remote;
  std::string_view last = forwarded.substr(forwarded.rfind(',') + 1);
  while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
  while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
  return last.empty() || last.size() > 64 ? req.remote : std::string(last);
}

std::string FormValue(const std::vector<std::pair<std::string, std::string>>& form,
                      std::string_view name) {
  for (const auto& [k, v] : form) {
    if (k == name) return v;
  }
  return {};
}

// The platforms a subscriber's page shows: those it follows something of.
std::vector<std::string> PlatformsOf(const std::vector<Subscription>& subs) {
  std::vector<std::string> out;
  for (const Subscription& x : subs) {
    if (!x.platform.empty() && std::find(out.begin(), out.end(), x.platform) == out.end()) {
      out.push_back(x.platform);
    }
  }
  return out;
}

// A subscriber's own page, as stored. A webhook's signing key shows only on the page a
// confirmation link opens (it is only in the owner's mails): the management link also goes
// in every payload, where whoever reads one must not learn to sign others.
vigie::SubscriptionPage ManagePage(const Subscriber& s, const std::string& token) {
  vigie::SubscriptionPage page;
  page.stage = vigie::SubscriptionPage::Stage::kManage;
  page.email = s.email;
  page.mail_lang = s.lang;
  page.confirmed = s.confirmed_at.has_value();
  page.channel = s.channel;
  page.endpoint = s.endpoint;
  if (token.rfind("c.", 0) == 0) page.secret = s.secret;
  page.quarantined_at = s.quarantined_at;
  page.checked = s.subscriptions;
  page.platforms = PlatformsOf(s.subscriptions);
  page.token = token;
  return page;
}

}  // namespace

http::Response Site::SubscriptionAnswer(const http::Request& req, const Snap& snap, int status,
                                        const vigie::SubscriptionPage& page) const {
  std::optional<Lang> lang = ParseLang(req.Param("lang"));
  Result<Context> c = Resolve(req, snap, config_);
  if (!c.ok()) return Fail(req, snap, c.status());
  if (lang) c->lang = *lang;
  Result<std::string> body = RenderSubscription(PageViewOf(*c, config_, web()), page);
  if (!body.ok()) return Fail(req, snap, body.status());
  http::Response res;
  res.status = status;
  res.Set("Content-Type", kHtmlType);
  res.Set("Content-Language", std::string(LangId(c->lang)));
  res.Set("Cache-Control", "no-store");
  // The page's address holds a subscriber's token: never sent on to another site.
  res.Set("Referrer-Policy", "no-referrer");
  res.SetBody(std::move(*body));
  return res;
}

namespace {

// The visitor's words for why a subscription request or link failed: the desk names the
// catalog key of a form's mistake; a link's is told by its code.
std::string Why(const Messages& m, Lang lang, const Status& st) {
  const std::string& msg = st.message();
  if (st.code() == Status::Code::kInvalid && msg.rfind("subscribe.err_", 0) == 0) {
    return m.Get(lang, msg);
  }
  switch (st.code()) {
    case Status::Code::kPermissionDenied:
      return m.Get(lang, msg.find("expired") != std::string::npos ? "subscribe.err_expired"
                                                                  : "subscribe.err_link");
    case Status::Code::kTooManyRequests:
      return m.Get(lang, "subscribe.err_busy");
    case Status::Code::kUnavailable:
      return m.Get(lang, "subscribe.err_unavailable");
    default:
      break;
  }
  return msg;
}

}  // namespace

http::Response Site::SubscribeForm(http::Request& req, const Snap& snap) const {
  if (!desk_) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  const std::optional<Lang> lang = ParseLang(req.Param("lang"));
  if (!lang) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  const Model& m = snap->model();
  vigie::SubscriptionPage page;
  page.mail_lang = *lang;
  const std::string platform = req.Query("platform").value_or("");
  if (!platform.empty()) {
    if (!m.FindPlatform(platform)) {
      return Fail(req, snap, Status::NotFound("no platform \"" + platform + "\""));
    }
    page.platforms.push_back(platform);
    if (const std::optional<std::string> service = req.Query("service")) {
      const Service* s = m.FindService(platform, *service);
      if (!s) return Fail(req, snap, Status::NotFound("no service \"" + *service + "\""));
      page.checked.push_back({platform, Topic::kService, s->id});
    } else if (const std::optional<std::string> event = req.Query("event")) {
      const Event* e = nullptr;
      if (!event->empty() && event->size() < 16 &&
          event->find_first_not_of("0123456789") == std::string::npos) {
        e = m.FindEvent(std::stoll(*event));
      }
      if (!e || e->platform != platform) {
        return Fail(req, snap, Status::NotFound("no event " + *event));
      }
      page.checked.push_back({platform, Topic::kEvent, e->id});
    } else {
      page.checked.push_back({platform, Topic::kPlatform, 0});
    }
  }
  Result<std::string> token = desk_->FormToken();
  if (!token.ok()) {
    page.error = Why(web().messages, *lang, token.status());
    return SubscriptionAnswer(req, snap, 503, page);
  }
  page.token = *token;
  return SubscriptionAnswer(req, snap, 200, page);
}

http::Response Site::Subscribe(http::Request& req, const Snap& snap) const {
  if (!desk_) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  const std::optional<Lang> lang = ParseLang(req.Param("lang"));
  if (!lang) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  Result<Context> c = Resolve(req, snap, config_);
  if (!c.ok()) return Fail(req, snap, c.status());
  const SubscriptionDesk::Request r = SubscriptionDesk::RequestOf(
      http::UrlEncoded(req.body).All(), c->region->id, *lang, VisitorAddress(req));
  const Status st = desk_->Subscribe(r, snap->model());
  vigie::SubscriptionPage page;
  page.mail_lang = r.lang;
  if (st.ok()) {
    if (wake_) wake_();
    page.stage = vigie::SubscriptionPage::Stage::kSent;
    return SubscriptionAnswer(req, snap, 200, page);
  }
  // The form again, as it was sent, with what to fix.
  page.email = r.email.substr(0, 254);
  page.channel = r.channel;
  page.endpoint = r.endpoint.substr(0, 2000);
  page.checked = r.subscriptions;
  page.platforms = PlatformsOf(r.subscriptions);
  page.token = r.form_token;
  page.error = Why(web().messages, *lang, st);
  if (st.code() == Status::Code::kInvalid && st.message() == "subscribe.err_form") {
    if (Result<std::string> token = desk_->FormToken(); token.ok()) page.token = *token;
  }
  return SubscriptionAnswer(req, snap, http::HttpStatusOf(st), page);
}

http::Response Site::SubscriptionPage(http::Request& req, const Snap& snap) const {
  if (!desk_) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  const std::optional<Lang> lang = ParseLang(req.Param("lang"));
  if (!lang) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  const std::string token = req.Query("t").value_or("");
  Result<Subscriber> s = desk_->Open(token);
  if (!s.ok()) {
    return Fail(req, snap, s.status().WithMessage(Why(web().messages, *lang, s.status())));
  }
  vigie::SubscriptionPage page = ManagePage(*s, token);
  return SubscriptionAnswer(req, snap, 200, page);
}

http::Response Site::ChangeSubscription(http::Request& req, const Snap& snap) const {
  if (!desk_) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  const std::optional<Lang> lang = ParseLang(req.Param("lang"));
  if (!lang) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  const auto form = http::UrlEncoded(req.body).All();
  const std::string token = FormValue(form, "t");
  const std::string action = FormValue(form, "action");
  const Messages& msgs = web().messages;
  const auto failed = [&](const Status& st) {
    return Fail(req, snap, st.WithMessage(Why(msgs, *lang, st)));
  };
  if (action == "unsubscribe") {
    const Status st = desk_->Unsubscribe(token);
    if (!st.ok()) return failed(st);
    vigie::SubscriptionPage page;
    page.stage = vigie::SubscriptionPage::Stage::kDone;
    return SubscriptionAnswer(req, snap, 200, page);
  }
  if (action == "resume") {
    const Status st = desk_->Resume(token);
    if (!st.ok()) return failed(st);
    Result<Subscriber> s = desk_->Open(token);
    if (!s.ok()) return failed(s.status());
    vigie::SubscriptionPage page = ManagePage(*s, token);
    page.flash = msgs.Get(*lang, "subscribe.resumed");
    if (wake_) wake_();
    return SubscriptionAnswer(req, snap, 200, page);
  }
  if (action != "save" && action != "confirm") {
    return Fail(req, snap, Status::Invalid("unknown action \"" + action + "\""));
  }
  const Lang mail_lang = ParseLang(FormValue(form, "lang")).value_or(*lang);
  const std::vector<Subscription> chosen = SubscriptionDesk::Choices(form);
  Result<Subscriber> s = desk_->Open(token);
  if (!s.ok()) return failed(s.status());
  vigie::SubscriptionPage page = ManagePage(*s, token);
  page.mail_lang = mail_lang;
  page.checked = chosen;
  for (const std::string& p : PlatformsOf(chosen)) {
    if (std::find(page.platforms.begin(), page.platforms.end(), p) == page.platforms.end()) {
      page.platforms.push_back(p);
    }
  }
  page.confirmed = s->confirmed_at.has_value();
  page.token = token;
  Status st = desk_->Save(token, mail_lang, chosen, snap->model());
  if (st.ok() && action == "confirm") {
    Result<Subscriber> confirmed = desk_->Confirm(token);
    st = confirmed.status();
    if (st.ok()) {
      page.confirmed = true;
      // From now on the page's own link: a confirmation link expires, this one does not.
      if (Result<std::shared_ptr<const LinkSigner>> signer = desk_->Signer(); signer.ok()) {
        page.token = (*signer)->Manage(*confirmed);
      }
    }
  }
  if (!st.ok()) {
    if (st.code() != Status::Code::kInvalid) return failed(st);
    page.error = Why(msgs, *lang, st);
    return SubscriptionAnswer(req, snap, 400, page);
  }
  page.flash = msgs.Get(*lang, action == "confirm" ? "subscribe.confirmed" : "subscribe.saved");
  return SubscriptionAnswer(req, snap, 200, page);
}

http::Response Site::UnsubscribePage(http::Request& req, const Snap& snap) const {
  if (!desk_) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  // The List-Unsubscribe address opened in a browser: the subscriber's page, where one button
  // unsubscribes (a GET must never do it: mail scanners follow links).
  Result<Context> c = Resolve(req, snap, config_);
  const Lang lang = c.ok() ? c->region->default_lang : Lang::kFr;
  std::string target =
      PagePath(lang, "/subscription") + "?t=" + QueryEscape(req.Query("t").value_or(""));
  http::Response res = Redirect(303, target);
  res.Set("Cache-Control", "no-store");
  res.Set("Referrer-Policy", "no-referrer");
  return res;
}

http::Response Site::OneClickUnsubscribe(http::Request& req, const Snap& snap) const {
  if (!desk_) return Fail(req, snap, Status::NotFound("no page at " + req.path));
  // RFC 8058: a POST of "List-Unsubscribe=One-Click" to the List-Unsubscribe address, with no
  // cookie and no page to read; the signed token in the address is the authority.
  const Status st = desk_->Unsubscribe(req.Query("t").value_or(""));
  if (!st.ok()) return Fail(req, snap, st);
  http::Response res;
  res.status = 200;
  res.Set("Content-Type", "text/plain; charset=utf-8");
  res.Set("Cache-Control", "no-store");
  res.SetBody("Unsubscribed. / Désabonnement effectué.\n");
  return res;
}

}  // namespace vigie

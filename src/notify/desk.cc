#include "notify/desk.h"

#include <algorithm>

#include "core/log.h"
#include "notify/webhook.h"

namespace vigie {

SubscriptionDesk::SubscriptionDesk(Store& store, const Clock& clock, Options options)
    : store_(store), clock_(clock), options_(options) {}

Result<std::shared_ptr<const LinkSigner>> SubscriptionDesk::Signer() {
  std::lock_guard lock(signer_mu_);
  if (signer_) return signer_;
  Result<std::string> key = LoadLinkKey(store_);
  if (!key.ok()) return key.status();
  signer_ = std::make_shared<const LinkSigner>(*key);
  return signer_;
}

Result<std::string> SubscriptionDesk::FormToken() {
  Result<std::shared_ptr<const LinkSigner>> signer = Signer();
  if (!signer.ok()) return signer.status();
  return (*signer)->FormToken(clock_.Now());
}

bool SubscriptionDesk::Allow(const std::string& key, int per_hour, Time now) {
  std::lock_guard lock(mu_);
  if (counts_.size() > 100'000) {
    // Bounded: forget the windows that are over.
    std::erase_if(counts_,
                  [&](const auto& kv) { return now - kv.second.first >= std::chrono::hours(1); });
  }
  if (counts_.size() > 100'000) counts_.clear();  // a flood of new keys: start again, bounded
  auto& [start, count] = counts_[key];
  if (now - start >= std::chrono::hours(1)) {
    start = now;
    count = 0;
  }
  return ++count <= per_hour;
}

std::vector<Subscription> SubscriptionDesk::Choices(const Form& form) {
  std::vector<Subscription> out;
  for (const auto& [name, value] : form) {
    if (name != "follow" || out.size() > 1000) continue;
    const size_t a = value.find(':');
    if (a == std::string::npos) continue;
    const std::optional<Topic> topic = ParseTopic(value.substr(0, a));
    if (!topic) continue;
    Subscription x{value.substr(a + 1), *topic, 0};
    if (*topic == Topic::kService || *topic == Topic::kEvent) {
      const size_t b = x.platform.find(':');
      if (b == std::string::npos) continue;
      const std::string id = x.platform.substr(b + 1);
      x.platform.resize(b);
      if (id.empty() || id.size() > 15 || id.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      x.target = std::stoll(id);
    }
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(std::move(x));
  }
  return out;
}

SubscriptionDesk::Request SubscriptionDesk::RequestOf(const Form& form, std::string region,
                                                      Lang lang, std::string visitor) {
  const auto value = [&](std::string_view name) {
    for (const auto& [k, v] : form) {
      if (k == name) return v;
    }
    return std::string();
  };
  Request r;
  r.email = value("email");
  r.channel = ParseChannel(value("channel")).value_or(Channel::kEmail);
  r.endpoint = value("endpoint");
  r.region = std::move(region);
  r.lang = ParseLang(value("lang")).value_or(lang);
  r.subscriptions = Choices(form);
  r.visitor = std::move(visitor);
  r.form_token = value("t");
  r.trap = value("website");
  return r;
}

Status SubscriptionDesk::CheckChoice(const std::vector<Subscription>& subs, const Model& m) {
  if (subs.empty()) return Status::Invalid("subscribe.err_choice");
  for (const Subscription& x : subs) {
    const Platform* p = m.FindPlatform(x.platform);
    if (!p && !(x.topic == Topic::kMessages && x.platform.empty())) {
      return Status::Invalid("unknown platform \"" + x.platform + "\"");
    }
    if (x.topic == Topic::kService) {
      const Service* s = m.FindService(x.target);
      if (!s || s->platform != x.platform) {
        return Status::Invalid("unknown service #" + std::to_string(x.target));
      }
    }
    if (x.topic == Topic::kEvent) {
      const Event* e = m.FindEvent(x.target);
      if (!e || e->platform != x.platform) {
        return Status::Invalid("unknown event #" + std::to_string(x.target));
      }
    }
  }
  if (subs.size() > 500) return Status::Invalid("too many choices");
  return Status::Ok();
}

Status SubscriptionDesk::Subscribe(const Request& r, const Model& m) {
  const Time now = clock_.Now();
  Result<std::shared_ptr<const LinkSigner>> signer = Signer();
  if (!signer.ok()) return signer.status();
  if (!(*signer)->CheckFormToken(r.form_token, now, std::chrono::seconds(0))) {
    return Status::Invalid("subscribe.err_form");
  }
  std::string email = r.email;
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.pop_back();
  email.erase(0, std::min(email.size(), email.find_first_not_of(" \t\r\n")));
  if (!PlausibleEmail(email)) return Status::Invalid("subscribe.err_email");
  std::string endpoint;
  if (r.channel != Channel::kEmail) {
    endpoint = r.endpoint;
    while (!endpoint.empty() && std::isspace(static_cast<unsigned char>(endpoint.back()))) {
      endpoint.pop_back();
    }
    endpoint.erase(0, std::min(endpoint.size(), endpoint.find_first_not_of(" \t\r\n")));
    if (!CheckEndpointUrl(endpoint, true).ok()) return Status::Invalid("subscribe.err_endpoint");
    if (!options_.endpoints_private) {
      std::string scheme = endpoint.substr(0, 8);
      for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (scheme != "https://") return Status::Invalid("subscribe.err_https");
      if (!CheckEndpointUrl(endpoint, false).ok()) return Status::Invalid("subscribe.err_private");
    }
  }
  VIGIE_RETURN_IF_ERROR(CheckChoice(r.subscriptions, m));
  if (!m.FindRegion(r.region)) return Status::Invalid("unknown region \"" + r.region + "\"");
  if (!Allow("v|" + r.visitor, options_.per_visitor_per_hour, now)) {
    return Status::TooManyRequests(
        "too many subscription requests from your address: try again in an hour");
  }
  // A bot: it filled the trap, or sent the form back faster than anyone reads it.
  if (!r.trap.empty() || !(*signer)->CheckFormToken(r.form_token, now, options_.form_min_age)) {
    LogInfo("subscription: a request that looks automated was dropped");
    return Status::Ok();
  }
  // The allowance is the owner address's, whatever the channel.
  if (!Allow("a|" + SubscriberKey(email, Channel::kEmail, ""), options_.per_address_per_hour,
             now)) {
    return Status::Ok();
  }
  return store_.Write([&](StoreTx& tx) -> Status {
    Result<std::optional<Subscriber>> known =
        tx.FindSubscriberByKey(SubscriberKey(email, r.channel, endpoint), r.region);
    if (!known.ok()) return known.status();
    Subscriber s;
    if (!*known) {
      s.email = email;
      s.channel = r.channel;
      s.endpoint = endpoint;
      if (r.channel == Channel::kWebhook) s.secret = NewWebhookSecret();
      s.region = r.region;
      s.lang = r.lang;
      s.created_at = now;
      s.subscriptions = r.subscriptions;
      Result<int64_t> id = tx.AddSubscriber(s);
      if (!id.ok()) return id.status();
      s.id = *id;
    } else {
      s = **known;
      // A confirmed subscription is changed only from its own management page: the mail
      // tells its owner where that is.
      if (!s.confirmed_at) {
        s.lang = r.lang;
        s.subscriptions = r.subscriptions;
        VIGIE_RETURN_IF_ERROR(tx.UpdateSubscriber(s));
      }
    }
    Notice n;
    n.kind = NoticeKind::kConfirm;
    n.at = now;
    n.subscriber_id = s.id;
    return tx.InsertNotice(n).status();
  });
}

Result<Subscriber> SubscriptionDesk::Open(std::string_view token) {
  Result<LinkSigner::Claim> claim = LinkSigner::Parse(token);
  if (!claim.ok()) return Status::PermissionDenied(claim.status().message());
  Result<std::shared_ptr<const LinkSigner>> signer = Signer();
  if (!signer.ok()) return signer.status();
  std::optional<Subscriber> found;
  VIGIE_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    Result<std::optional<Subscriber>> s = tx.FindSubscriber(claim->subscriber_id);
    if (!s.ok()) return s.status();
    found = std::move(*s);
    return Status::Ok();
  }));
  if (!found) {
    return Status::PermissionDenied(
        "this link is not valid (or the subscription it was for has ended)");
  }
  VIGIE_RETURN_IF_ERROR((*signer)->Verify(token, *found, clock_.Now()));
  return *found;
}

Result<Subscriber> SubscriptionDesk::Confirm(std::string_view token) {
  Result<Subscriber> s = Open(token);
  if (!s.ok() || s->confirmed_at) return s;
  // Read again and changed in one transaction: a change saved meanwhile is kept.
  std::optional<Subscriber> now;
  VIGIE_RETURN_IF_ERROR(store_.Write([&](StoreTx& tx) -> Status {
    Result<std::optional<Subscriber>> fresh = tx.FindSubscriber(s->id);
    if (!fresh.ok()) return fresh.status();
    if (!*fresh || (*fresh)->created_at != s->created_at) {
      return Status::PermissionDenied("this subscription has ended");
    }
    now = std::move(**fresh);
    if (!now->confirmed_at) {
      now->confirmed_at = clock_.Now();
      return tx.UpdateSubscriber(*now);
    }
    return Status::Ok();
  }));
  return *now;
}

Status SubscriptionDesk::Save(std::string_view token, Lang lang,
                              const std::vector<Subscription>& subs, const Model& m) {
  Result<Subscriber> s = Open(token);
  if (!s.ok()) return s.status();
  VIGIE_RETURN_IF_ERROR(CheckChoice(subs, m));
  return store_.Write([&](StoreTx& tx) -> Status {
    Result<std::optional<Subscriber>> fresh = tx.FindSubscriber(s->id);
    if (!fresh.ok()) return fresh.status();
    if (!*fresh || (*fresh)->created_at != s->created_at) {
      return Status::PermissionDenied("this subscription has ended");
    }
    Subscriber changed = std::move(**fresh);
    changed.lang = lang;
    changed.subscriptions = subs;
    return tx.UpdateSubscriber(changed);
  });
}

Status SubscriptionDesk::Resume(std::string_view token) {
  Result<Subscriber> s = Open(token);
  if (!s.ok()) return s.status();
  if (!s->quarantined_at) return Status::Ok();
  return store_.Write([&](StoreTx& tx) { return tx.SetQuarantine(s->id, std::nullopt); });
}

Status SubscriptionDesk::Unsubscribe(std::string_view token) {
  Result<Subscriber> s = Open(token);
  if (!s.ok()) return s.status();
  return store_.Write([&](StoreTx& tx) { return tx.DeleteSubscriber(s->id); });
}

}  // namespace vigie

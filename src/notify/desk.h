// What a visitor does about subscriptions, without an account: subscribe (double opt-in: a
// confirmation mail with a signed link valid 48 h, nothing else sent before), confirm, change
// what is followed or the language, unsubscribe (also in one click, RFC 8058). The answer to
// a subscription is the same whether the address is known or not. Writes go to the store
// (subscribers are not part of the model: no snapshot shows them); the mails go through the
// outbox like every notice. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "domain/model.h"
#include "domain/subscriptions.h"
#include "notify/links.h"
#include "store/store.h"

namespace vigie {

class SubscriptionDesk {
 public:
  struct Options {
    std::chrono::seconds form_min_age{2};  // a form sent back sooner is a bot's
    std::chrono::hours confirm_valid{48};  // how long a confirmation link works
    int per_address_per_hour = 5;          // subscription requests for one address
    int per_visitor_per_hour = 30;         // and from one visitor (IP address)
    bool endpoints_private = false;        // endpoints on loopback or private networks taken
  };
  SubscriptionDesk(Store& store, const Clock& clock, Options options);

  // The link signer (the link key is read from the store at first use). Unavailable while
  // the store cannot be read.
  Result<std::shared_ptr<const LinkSigner>> Signer();
  // A token for a subscription form shown now.
  Result<std::string> FormToken();

  struct Request {
    std::string email, region;
    Channel channel = Channel::kEmail;
    std::string endpoint;  // the URL of a webhook, Slack or Teams channel
    Lang lang = Lang::kFr;
    std::vector<Subscription> subscriptions;
    std::string visitor;     // the visitor's address, for the rate limit
    std::string form_token;  // from the form
    std::string trap;        // the field a person never fills
  };
  // Ok when the request is taken (a confirmation mail is queued) and also when it is quietly
  // dropped (a bot, or too many requests for that address): the visitor cannot tell which.
  // Invalid: no plausible address, no usable endpoint, nothing chosen, something unknown
  // chosen, or a form that expired; the message is then the catalog key of the visitor's
  // sentence ("subscribe.err_email"), or for a choice no form offers, a sentence.
  // TooManyRequests: too many requests from this visitor.
  Status Subscribe(const Request& r, const Model& m);

  // The subscriber a link opens: PermissionDenied when the link is not (or no longer) valid.
  Result<Subscriber> Open(std::string_view token);
  // Confirms the subscription of a confirmation (or management) link; Ok when it already was.
  Result<Subscriber> Confirm(std::string_view token);
  // Replaces what the subscriber follows and the language of its mails.
  Status Save(std::string_view token, Lang lang, const std::vector<Subscription>& subs,
              const Model& m);
  // Ends the subscription: nothing more is sent.
  Status Unsubscribe(std::string_view token);
  // Sends to a quarantined endpoint again (its failures forgotten).
  Status Resume(std::string_view token);

  using Form = std::vector<std::pair<std::string, std::string>>;
  // The choices of a form's `follow` fields: platform:SLUG, messages:SLUG, service:SLUG:ID,
  // event:SLUG:ID; each once, at most 1,001 (CheckChoice refuses more than 500).
  static std::vector<Subscription> Choices(const Form& form);
  // A request from the public form's fields (email, channel, endpoint, lang, follow, t,
  // website), sent on `region`'s site in `lang` by `visitor`.
  static Request RequestOf(const Form& form, std::string region, Lang lang, std::string visitor);

  // Checks each subscription against the model: Invalid with a sentence when one names a
  // platform, service or event that does not exist (or when there is none).
  static Status CheckChoice(const std::vector<Subscription>& subs, const Model& m);

 private:
  // Counts one request under `key`; false when the hour's allowance is spent.
  bool Allow(const std::string& key, int per_hour, Time now);

  Store& store_;
  const Clock& clock_;
  const Options options_;
  std::mutex signer_mu_;                      // held while the key is read from the store
  std::shared_ptr<const LinkSigner> signer_;  // guarded by signer_mu_
  std::mutex mu_;
  std::map<std::string, std::pair<Time, int>> counts_;  // key → (window start, count)
};

}  // namespace vigie

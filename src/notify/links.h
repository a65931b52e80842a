// Signed links of the subscription mails, so that a visitor manages a subscription without an
// account: HMAC-SHA256 with the site's link key (kept in the store, shared by every node) over
// what the link allows, the subscriber's id, address and creation time. A confirmation link
// expires; a management link lives as long as the subscription (a mail from last year can
// still unsubscribe, RFC 8058). A form token proves a form was shown by this site a few
// seconds before it came back (bots post at once).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "domain/subscriptions.h"
#include "store/store.h"

namespace vigie {

class LinkSigner {
 public:
  // `key`: at least 32 random bytes.
  explicit LinkSigner(std::string key) : key_(std::move(key)) {}

  enum class Purpose { kConfirm, kManage };
  struct Claim {
    Purpose purpose = Purpose::kManage;
    int64_t subscriber_id = 0;
    Time expires{};  // kConfirm only
  };

  std::string Confirm(const Subscriber& s, Time expires) const;
  std::string Manage(const Subscriber& s) const;
  // What a token claims, before it is checked against its subscriber: Invalid when it is not
  // one of ours.
  static Result<Claim> Parse(std::string_view token);
  // Ok when `token` was signed for `s` and has not expired at `now`; PermissionDenied otherwise,
  // with a sentence.
  Status Verify(std::string_view token, const Subscriber& s, Time now) const;

  // A token for a form shown at `now`; Check accepts it from `min_age` to two hours after.
  std::string FormToken(Time now) const;
  bool CheckFormToken(std::string_view token, Time now, std::chrono::seconds min_age) const;

 private:
  std::string Mac(std::string_view payload) const;
  const std::string key_;
};

// The site's link key: read from the store, made (32 random bytes) and stored on first use.
// Every node reads the same one.
Result<std::string> LoadLinkKey(Store& store);

}  // namespace vigie

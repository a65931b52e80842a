// Posts notifications to the endpoints subscribers gave (webhooks, Slack, Teams) with
// libcurl: JSON, a 2xx within the timeout or it failed. Against server-side request forgery,
// an endpoint must be https and must not name a non-public address, and every address curl
// connects to is checked as the socket opens (whatever the name resolved to then: an IDN, a
// DNS answer changed since the form): none may be loopback, private, link-local or otherwise
// not public unless the configuration allows it ([notify] webhook_private, which also allows
// http). Never through a proxy, never following a redirect. Not thread-safe: one per sending
// thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace vigie {

struct WebhookOptions {
  std::chrono::seconds timeout{10};
  bool allow_private = false;  // loopback, private and link-local endpoints allowed
  std::string user_agent = "Vigie";
};

class WebhookClient {
 public:
  explicit WebhookClient(WebhookOptions options);
  ~WebhookClient();
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;

  // POSTs `body` (application/json) with `headers` ("Name: value"). Ok on a 2xx; Unavailable
  // otherwise, with what happened (the status, a timeout, a refused address).
  Status Post(const std::string& url, const std::string& body,
              const std::vector<std::string>& headers);

 private:
  struct Curl;
  WebhookOptions options_;
  std::unique_ptr<Curl> curl_;
};

// An endpoint's form: http or https, a host, no user or password, at most 2,000 characters;
// and when private addresses are not allowed, https and not a host that names one (an IP
// literal or "localhost": what connecting would refuse later). Invalid with a sentence.
Status CheckEndpointUrl(std::string_view url, bool allow_private);

// Whether a numeric address (IPv4 or IPv6, as text) is one a webhook may not reach: loopback,
// private (RFC 1918, unique local), shared (100.64/10), link-local, multicast, unspecified,
// reserved or documentation ranges, and IPv4 inside IPv6 (mapped, NAT64) of those.
bool NonPublicAddress(std::string_view address);

// The value of the Vigie-Signature header: "t=UNIX,v1=HEX", HEX being the HMAC-SHA256 of
// "UNIX.BODY" keyed with the subscriber's secret (as Stripe signs its webhooks: the time is
// signed with the body, so a receiver can refuse a replay).
std::string WebhookSignature(std::string_view secret, Time at, std::string_view body);

// A new secret for a webhook: 32 random bytes, in hex.
std::string NewWebhookSecret();

}  // namespace vigie

// Probes for load balancers and supervisors, and the live-update stream of open pages.
#include "app/site.h"

namespace vigie {

http::Response Site::Starting(const http::Request& req) const {
  if (router_.ErrorsOf(req) == http::Errors::kJson) {
    http::Response res = http::JsonError(
        503,
        "the status page is starting: it cannot reach its database yet and has no local copy of "
        "its last state; it keeps trying");
    res.Set("Retry-After", "5");
    res.Set("Access-Control-Allow-Origin", "*");  // as every public JSON error
    return res;
  }
  http::Response res;
  res.status = 503;
  res.Set("Content-Type", kHtmlType);
  res.Set("Cache-Control", "no-store");
  res.Set("Retry-After", "5");
  res.SetBody(RenderUnavailable(web().messages, web().templates, web().urls, config_.site.name));
  return res;
}

http::Response Site::Healthz(http::Request&, const Snap&) const {
  http::Response res;
  res.Set("Content-Type", "text/plain; charset=utf-8");
  res.Set("Cache-Control", "no-store");
  res.SetBody("ok\n");
  return res;
}

// Ready: the database answered its last ping and write. Never waits on the store.
http::Response Site::Readyz(http::Request&, const Snap& snap) const {
  const StoreHealth::State health = health_.Get();
  if (!snap) {
    return http::JsonError(
        503, "no state to serve yet (no local copy of the last one): " +
                 (health.reachable ? std::string("the database answers, its state is being read")
                                   : "database unreachable since " + FormatRfc3339(health.since) +
                                         " (" + health.reason + ")"));
  }
  if (!health.reachable) {
    const std::optional<Time> copy = publisher_.ServingLocalCopy();
    return http::JsonError(
        503, "database unreachable since " + FormatRfc3339(health.since) + " (" + health.reason +
                 "); serving " +
                 (copy ? "the local copy of the state saved at " + FormatRfc3339(*copy)
                       : "the snapshot of " + FormatRfc3339(snap->as_of())));
  }
  http::Response res;
  res.Set("Content-Type", kJsonType);
  res.Set("Cache-Control", "no-store");
  res.SetBody("{\"status\":\"ready\",\"snapshot_version\":" + std::to_string(snap->version()) +
              ",\"as_of\":\"" + FormatRfc3339(snap->as_of()) +
              "\",\"clock_leader\":" + (publisher_.leader() ? "true" : "false") + "}\n");
  return res;
}

// A Server-Sent Events stream that says when the public state changed, so open pages refresh
// themselves in place (capped per address and in total by the server).
http::Response Site::Live(http::Request&, const Snap& snap) const {
  http::Response res;
  auto seen = std::make_shared<uint64_t>(snap->version());
  res.stream = [this, seen]() -> std::string {
    const uint64_t now = publisher_.Current()->version();
    if (now == *seen) return {};
    *seen = now;
    return "event: change\ndata: {\"version\":" + std::to_string(now) + "}\n\n";
  };
  res.Set("Access-Control-Allow-Origin", "*");
  return res;
}

}  // namespace vigie

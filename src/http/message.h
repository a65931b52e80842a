// HTTP request and response values. No sockets here: handlers are functions of a Request.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vigie::http {

struct Request {
  std::string method;  // upper case, as sent: "GET", "HEAD", "POST"
  std::string target;  // as sent: "/api/v1/platforms?lang=fr"
  std::string path;    // percent-decoded path without the query
  std::string query;   // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote;  // peer address
  // Route parameters {name}: names point into the route table, which outlives requests.
  std::vector<std::pair<std::string_view, std::string>> params;
  // The route table's index of the route this request matched, kept by the first match (see
  // PathTable::Find); SIZE_MAX until then. Whoever refills a Request for another request
  // resets it with `params`.
  size_t route = SIZE_MAX;

  // The first header of that (lower-case) name, or "".
  std::string_view Header(std::string_view lower_name) const;
  // The first query parameter of that name, percent-decoded; nullopt when absent.
  std::optional<std::string> Query(std::string_view name) const;
  // The value of the first cookie of that name in the Cookie header, as sent; "" when absent.
  std::string_view Cookie(std::string_view name) const;
  std::string_view Param(std::string_view name) const;
  // Host without port, lower case.
  std::string Host() const;
  // Host without port, as sent (no copy).
  std::string_view HostName() const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  // A prepared head (a Body's status line and header lines, kept alive by `owner`): the
  // server writes it as is, then `headers`, Date and Connection, so a cached body is served
  // without formatting anything. When empty, the server formats `status` and `headers` and
  // adds Content-Length.
  std::string_view head;
  // The body is either owned (`own`) or shared: bytes kept alive by `owner`, such as a
  // snapshot's cached body, written without a copy.
  std::string own;
  std::string_view shared;
  std::shared_ptr<const void> owner;
  // When valid, a file (kept open by `owner`) holding exactly body(): the server may send it
  // with sendfile() instead of copying the bytes.
  int body_file = -1;

  std::string_view body() const { return owner ? shared : std::string_view(own); }

  // A Server-Sent Events stream instead of a body (status 200 only): the server sends the
  // headers, then calls `stream` about every 250 ms and sends what it returns ("" for
  // nothing), with a heartbeat comment every 15 s, until the client leaves or the server
  // stops. Called from one I/O thread at a time; must not block.
  std::function<std::string()> stream;

  void Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  // Replaces the body with `text`, owned by the response.
  void SetBody(std::string text);
  // Replaces the body with bytes that `keep` keeps alive.
  void SetSharedBody(std::string_view bytes, std::shared_ptr<const void> keep);
  // The value of a header (any case), from `headers` or the prepared head; "" when absent.
  std::string_view HeaderValue(std::string_view name) const;
};

// The one mapping from a Status to an HTTP status code: invalid 400, not found 404,
// conflict 409, unavailable 503, internal 500.
int HttpStatusOf(const Status& st);
// The name of an HTTP error status in JSON error bodies ("bad_request", "unavailable", ...),
// from the same table as HttpStatusOf.
const char* ErrorName(int http_status);
// The one JSON error answer, for the public and the admin APIs alike:
// {"error":{"code":"not_found","message":"..."}}, not cached.
Response JsonError(int http_status, std::string_view message);
Response JsonError(const Status& st);

// ASCII case-insensitive equality (header names, host names).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// application/x-www-form-urlencoded text (a query string, a form body) as its name=value
// pairs, in order and percent-decoded ('+' is a space); empty pairs are skipped, and a pair
// without '=' has an empty value. The one parser of such text in the program.
class UrlEncoded {
 public:
  explicit UrlEncoded(std::string_view text) : rest_(text) {}
  // The next pair, raw (not decoded); false at the end.
  bool Next(std::string_view& name, std::string_view& value);
  // Every pair, decoded.
  std::vector<std::pair<std::string, std::string>> All();

 private:
  std::string_view rest_;
};

// The language of `offered` (two-letter primary tags: "fr", "en") that an Accept-Language
// header prefers: the highest q= (1 when absent; 0 refuses), the first listed on a tie;
// "" when none is acceptable. The one language negotiation of the program.
std::string_view NegotiateLanguage(std::string_view accept_language,
                                   std::initializer_list<std::string_view> offered);
// The language a visitor prefers among `offered`: the value of the cookie `cookie` when it is
// one of them (a choice they made on this site), else NegotiateLanguage of their
// Accept-Language; "" when neither says. The site's "/" and the back-office both ask this.
std::string_view PreferredLanguage(const Request& req, std::string_view cookie,
                                   std::initializer_list<std::string_view> offered);

// Whether `target` (a path with an optional query) is one of this site's that a Location
// header may name: it starts with a single '/' and holds no control character, space,
// backslash or non-ASCII byte. Browsers drop tabs and newlines and read '\\' as '/', so
// "/\t/evil.example" and "/\\evil.example" would send a visitor to another host.
bool IsLocalTarget(std::string_view target);

// Percent-decodes; '+' becomes a space when `form` is true. Invalid escapes are kept as is.
std::string PercentDecode(std::string_view s, bool form);
// The same into `out` (replaced; its capacity is reused).
void PercentDecodeTo(std::string_view s, bool form, std::string& out);

}  // namespace vigie::http

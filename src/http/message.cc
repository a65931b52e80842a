#include "http/message.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

namespace vigie::http {

namespace {
int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

namespace {
// Every error the program answers, once: its Status code, HTTP status and JSON name.
struct ErrorRow {
  Status::Code code;
  int http;
  const char* name;
};
constexpr ErrorRow kErrors[] = {
    {Status::Code::kInvalid, 400, "bad_request"},
    {Status::Code::kUnauthenticated, 401, "unauthorized"},
    {Status::Code::kPermissionDenied, 403, "forbidden"},
    {Status::Code::kNotFound, 404, "not_found"},
    {Status::Code::kInvalid, 405, "method_not_allowed"},  // the router's, by HTTP status only
    {Status::Code::kConflict, 409, "conflict"},
    {Status::Code::kTooManyRequests, 429, "too_many_requests"},
    {Status::Code::kInternal, 500, "internal"},
    {Status::Code::kUnavailable, 503, "unavailable"},
};
}  // namespace

int HttpStatusOf(const Status& st) {
  if (st.ok()) return 200;
  for (const ErrorRow& e : kErrors) {
    if (e.code == st.code()) return e.http;
  }
  return 500;
}

const char* ErrorName(int http_status) {
  for (const ErrorRow& e : kErrors) {
    if (e.http == http_status) return e.name;
  }
  return http_status >= 500 ? "internal" : "bad_request";
}

std::string_view PreferredLanguage(const Request& req, std::string_view cookie,
                                   std::initializer_list<std::string_view> offered) {
  const std::string_view chosen = req.Cookie(cookie);
  for (const std::string_view o : offered) {
    if (chosen == o) return o;
  }
  return NegotiateLanguage(req.Header("accept-language"), offered);
}

Response JsonError(int http_status, std::string_view message) {
  Response res;
  res.status = http_status;
  res.Set("Content-Type", "application/json; charset=utf-8");
  res.Set("Cache-Control", "no-store");
  const nlohmann::json body{
      {"error", {{"code", ErrorName(http_status)}, {"message", std::string(message)}}}};
  res.SetBody(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  return res;
}

Response JsonError(const Status& st) { return JsonError(HttpStatusOf(st), st.message()); }

std::string PercentDecode(std::string_view s, bool form) {
  std::string out;
  PercentDecodeTo(s, form, out);
  return out;
}

void PercentDecodeTo(std::string_view s, bool form, std::string& out) {
  out.clear();
  const std::string_view special = form ? "%+" : "%";
  if (s.find_first_of(special) == std::string_view::npos) {
    out.assign(s);
    return;
  }
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2])));
      i += 2;
    } else if (c == '+' && form) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
}

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

std::optional<std::string> Request::Query(std::string_view name) const {
  UrlEncoded pairs(query);
  std::string_view n, v;
  while (pairs.Next(n, v)) {
    if (PercentDecode(n, true) == name) return PercentDecode(v, true);
  }
  return std::nullopt;
}

std::string_view Request::Cookie(std::string_view name) const {
  std::string_view all = Header("cookie");
  while (!all.empty()) {
    const size_t semi = all.find(';');
    std::string_view item = all.substr(0, semi);
    all = semi == std::string_view::npos ? std::string_view() : all.substr(semi + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() > name.size() && item.substr(0, name.size()) == name &&
        item[name.size()] == '=') {
      return item.substr(name.size() + 1);
    }
  }
  return {};
}

bool UrlEncoded::Next(std::string_view& name, std::string_view& value) {
  while (!rest_.empty()) {
    const size_t amp = rest_.find('&');
    const std::string_view pair = rest_.substr(0, amp);
    rest_ = amp == std::string_view::npos ? std::string_view() : rest_.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    name = pair.substr(0, eq);
    value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> UrlEncoded::All() {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view n, v;
  while (Next(n, v)) out.emplace_back(PercentDecode(n, true), PercentDecode(v, true));
  return out;
}

std::string_view Request::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

std::string_view Request::HostName() const {
  std::string_view host = Header("host");
  if (!host.empty() && host.front() == '[') {  // [::1]:8080
    const size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  return host.substr(0, host.find(':'));
}

std::string Request::Host() const {
  std::string host(HostName());
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return host;
}

void Response::SetBody(std::string text) {
  own = std::move(text);
  owner.reset();
  shared = {};
  head = {};
  body_file = -1;
}

void Response::SetSharedBody(std::string_view bytes, std::shared_ptr<const void> keep) {
  own.clear();
  shared = bytes;
  owner = std::move(keep);
  head = {};
  body_file = -1;
}

std::string_view Response::HeaderValue(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  // The prepared head: "Name: value\r\n" lines after the status line.
  std::string_view rest = head;
  while (!rest.empty()) {
    const size_t end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
    const size_t colon = line.find(": ");
    if (colon != std::string_view::npos && EqualsIgnoreCase(line.substr(0, colon), name)) {
      return line.substr(colon + 2);
    }
  }
  return {};
}

bool IsLocalTarget(std::string_view target) {
  if (target.empty() || target[0] != '/' || (target.size() > 1 && target[1] == '/')) return false;
  for (const char ch : target) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '\\') return false;
  }
  return true;
}

std::string_view NegotiateLanguage(std::string_view accept,
                                   std::initializer_list<std::string_view> offered) {
  double best_q = 0;
  std::string_view best;
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    double q = 1;
    if (const size_t semi = item.find(";q="); semi != std::string_view::npos) {
      const std::string_view value = item.substr(semi + 3);
      if (std::from_chars(value.data(), value.data() + value.size(), q).ec != std::errc()) q = 0;
      item = item.substr(0, semi);
    }
    if (item.size() < 2 ||
        (item.size() > 2 && item[2] != '-' && item[2] != ';' && item[2] != ' ')) {
      continue;
    }
    for (const std::string_view lang : offered) {
      if (q > best_q && EqualsIgnoreCase(item.substr(0, 2), lang)) {
        best_q = q;
        best = lang;
      }
    }
  }
  return best;
}

}  // namespace vigie::http

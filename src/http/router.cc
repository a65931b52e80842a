#include "http/router.h"

namespace vigie::http {

namespace {
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = path.find('/', i);
    out.push_back(path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    i = j == std::string_view::npos ? path.size() : j;
  }
  return out;
}
}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route r{std::move(method), {}, std::move(handler)};
  for (std::string_view s : Split(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

bool Router::Match(const Route& r, const std::vector<std::string_view>& path, Request& req) {
  if (r.segments.size() != path.size()) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = r.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') continue;
    if (seg != path[i]) return false;
  }
  for (size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = r.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      req.params[seg.substr(1, seg.size() - 2)] = std::string(path[i]);
    }
  }
  return true;
}

Response Router::Handle(Request& req) const {
  const std::vector<std::string_view> path = Split(req.path);
  const std::string method = req.method == "HEAD" ? std::string("GET") : req.method;
  // The most specific route wins: the one with the most literal segments ("/history.rss"
  // before "/{lang}"), then the first added.
  const Route* best = nullptr;
  int best_literals = -1;
  std::string allow;
  for (const Route& r : routes_) {
    Request probe;
    if (!Match(r, path, probe)) continue;
    if (r.method != method) {
      if (allow.find(r.method) == std::string::npos) {
        allow += (allow.empty() ? "" : ", ") + r.method;
        if (r.method == "GET") allow += ", HEAD";
      }
      continue;
    }
    int literals = 0;
    for (const std::string& seg : r.segments) {
      literals += !(seg.size() > 2 && seg.front() == '{' && seg.back() == '}');
    }
    if (literals > best_literals) {
      best = &r;
      best_literals = literals;
    }
  }
  if (best) {
    Match(*best, path, req);
    return best->handler(req);
  }
  if (allow.empty()) return error_(req, 404, "no page or resource at " + req.path);
  Response res = error_(req, 405, "method " + req.method + " is not allowed here (allowed: " +
                                      allow + ")");
  res.Set("Allow", allow);
  return res;
}

}  // namespace vigie::http

#include "http/router.h"

namespace vigie::http {

namespace {
template <typename Out>
void Split(std::string_view path, Out&& out) {
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = path.find('/', i);
    out(path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    i = j == std::string_view::npos ? path.size() : j;
  }
}
}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route r{std::move(method), {}, 0, std::move(handler)};
  Split(pattern, [&r](std::string_view s) {
    const bool param = s.size() > 2 && s.front() == '{' && s.back() == '}';
    r.segments.push_back(Segment{std::string(param ? s.substr(1, s.size() - 2) : s), param});
    r.literals += !param;
  });
  if (r.segments.size() <= kMaxSegments) by_size_[r.segments.size()].push_back(routes_.size());
  routes_.push_back(std::move(r));
}

bool Router::Match(const Route& r, const Path& path) {
  if (r.segments.size() != path.size) return false;
  for (size_t i = 0; i < path.size; ++i) {
    if (!r.segments[i].param && r.segments[i].text != path.segments[i]) return false;
  }
  return true;
}

Response Router::Handle(Request& req) const {
  Path path;
  Split(req.path, [&path](std::string_view s) {
    if (path.size == kMaxSegments) {
      path.too_long = true;
      return;
    }
    path.segments[path.size++] = s;
  });
  const std::string_view method = req.method == "HEAD" ? std::string_view("GET") : req.method;
  // The most specific route wins: the one with the most literal segments ("/history.rss"
  // before "/{lang}"), then the first added.
  const Route* best = nullptr;
  std::string allow;
  if (!path.too_long) {
    for (const size_t i : by_size_[path.size]) {
      const Route& r = routes_[i];
      if (!Match(r, path)) continue;
      if (r.method != method) {
        if (allow.find(r.method) == std::string::npos) {
          allow += (allow.empty() ? "" : ", ") + r.method;
          if (r.method == "GET") allow += ", HEAD";
        }
        continue;
      }
      if (!best || r.literals > best->literals) best = &r;
    }
  }
  if (best) {
    req.params.clear();
    for (size_t i = 0; i < path.size; ++i) {
      if (best->segments[i].param) req.params.emplace_back(best->segments[i].text, path.segments[i]);
    }
    return best->handler(req);
  }
  if (allow.empty()) return error_(req, 404, "no page or resource at " + req.path);
  Response res = error_(req, 405, "method " + req.method + " is not allowed here (allowed: " +
                                      allow + ")");
  res.Set("Allow", allow);
  return res;
}

}  // namespace vigie::http

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

size_t PathTable::Add(std::string method, std::string_view pattern, Errors errors) {
  Route r{std::move(method), std::string(pattern), {}, 0, errors};
  Split(pattern, [&r](std::string_view s) {
    const bool param = s.size() > 2 && s.front() == '{' && s.back() == '}';
    r.segments.push_back(Segment{std::string(param ? s.substr(1, s.size() - 2) : s), param});
    r.literals += !param;
  });
  if (r.segments.size() <= kMaxSegments) by_size_[r.segments.size()].push_back(routes_.size());
  if (!r.segments.empty() && !r.segments[0].param) first_literals_.insert(r.segments[0].text);
  routes_.push_back(std::move(r));
  return routes_.size() - 1;
}

bool PathTable::Matches(const Route& r, const Path& path) const {
  if (r.segments.size() != path.size) return false;
  for (size_t i = 0; i < path.size; ++i) {
    if (!r.segments[i].param && r.segments[i].text != path.segments[i]) return false;
  }
  // A leading parameter never takes a word another route spells there: /api/nothing is not a
  // page in the language "api", but the API's own 404 (NearestErrors).
  return path.size == 0 || !r.segments[0].param || !first_literals_.count(path.segments[0]);
}

// Only for paths no route takes: the route whose leading segments match the path's with the
// most literals (then the most segments), whatever its length.
Errors PathTable::NearestErrors(const Path& path) const {
  Errors best = Errors::kPage;
  int best_shared = 0, best_literals = 0;
  for (const Route& r : routes_) {
    int shared = 0, literals = 0;
    for (size_t i = 0; i < path.size && i < r.segments.size(); ++i) {
      if (!r.segments[i].param && r.segments[i].text != path.segments[i]) break;
      ++shared;
      literals += !r.segments[i].param;
    }
    if (literals > best_literals || (literals == best_literals && shared > best_shared)) {
      best = r.errors;
      best_shared = shared;
      best_literals = literals;
    }
  }
  return best;
}

Match PathTable::Find(Request& req) const {
  if (req.route < routes_.size()) return Match{req.route, {}, routes_[req.route].errors};
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
  size_t best = Match::kNone;
  Match m;
  if (!path.too_long) {
    for (const size_t i : by_size_[path.size]) {
      const Route& r = routes_[i];
      if (!Matches(r, path)) continue;
      if (r.method != method) {
        if (m.allow.find(r.method) == std::string::npos) {
          m.allow += (m.allow.empty() ? "" : ", ") + r.method;
          if (r.method == "GET") m.allow += ", HEAD";
        }
        m.errors = r.errors;
        continue;
      }
      if (best == Match::kNone || r.literals > routes_[best].literals) best = i;
    }
  }
  if (best == Match::kNone) {
    if (m.allow.empty()) m.errors = NearestErrors(path);
    return m;
  }
  req.params.clear();
  for (size_t i = 0; i < path.size; ++i) {
    if (routes_[best].segments[i].param) {
      req.params.emplace_back(routes_[best].segments[i].text, path.segments[i]);
    }
  }
  req.route = best;
  return Match{best, {}, routes_[best].errors};
}

}  // namespace vigie::http

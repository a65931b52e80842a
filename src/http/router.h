// One route table: (method, pattern) → handler, and what each route is: whether it may block
// and how it says what went wrong. Patterns are literal segments and {name} parameters:
// "/api/v1/platforms/{platform}". HEAD is answered by GET routes. When several patterns match,
// the one with the most literal segments wins, so the table's order only matters between
// equally specific patterns.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "http/message.h"

namespace vigie::http {

// Where a route's handler runs. kOnWorker: it may wait on the database or hash a password,
// so the server runs it on a worker and the I/O thread goes on serving the others.
enum class Runs { kOnIo, kOnWorker };
// How a route's errors are written: JSON ({"error":..,"message":..}) for APIs, feeds, badges
// and probes; an HTML page in the visitor's language for pages and the back-office.
enum class Errors { kJson, kPage };

// What matching a request found: the route, or why none (then `allow` names the methods the
// path has, empty for 404) and the error style for that path.
struct Match {
  static constexpr size_t kNone = SIZE_MAX;
  size_t route = kNone;
  std::string allow;
  // The route's style; for a path no route matches, that of the route sharing its longest
  // prefix (so /api/v1/nothing answers in JSON, /fr/nothing with a page).
  Errors errors = Errors::kPage;
};

// The matching half of the Router, without handlers. Not thread-safe while adding; Find is.
class PathTable {
 public:
  size_t Add(std::string method, std::string_view pattern, Errors errors);
  // Matches `req` and fills req.params. Memoized in req.route: a request matched once (to
  // decide where it runs) is not matched again to be handled.
  Match Find(Request& req) const;
  // The error style of the route `req` matched; kPage if none did.
  Errors ErrorsOf(const Request& req) const {
    return req.route < routes_.size() ? routes_[req.route].errors : Errors::kPage;
  }
  // The routes, by the index Add gave them (and req.route holds): how many, and each one's
  // method and pattern as added ("GET", "/api/v1/platforms/{platform}").
  size_t size() const { return routes_.size(); }
  const std::string& MethodOf(size_t route) const { return routes_[route].method; }
  const std::string& PatternOf(size_t route) const { return routes_[route].pattern; }

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    int literals = 0;  // how specific the pattern is
    Errors errors;
  };
  // At most this many segments in a path: longer paths match no route.
  static constexpr size_t kMaxSegments = 16;
  struct Path {
    std::array<std::string_view, kMaxSegments> segments;
    size_t size = 0;
    bool too_long = false;
  };
  bool Matches(const Route& r, const Path& path) const;
  Errors NearestErrors(const Path& path) const;

  std::vector<Route> routes_;
  // The literal first segments of the routes ("api", "feeds", "admin", ...).
  std::set<std::string, std::less<>> first_literals_;
  // Route indexes by segment count: only patterns of the path's length can match.
  std::array<std::vector<size_t>, kMaxSegments + 1> by_size_;
};

// The route table with handlers taking the request and `Args` (the app passes the snapshot the
// request is answered from).
template <class... Args>
class Router {
 public:
  using Handler = std::function<Response(Request&, Args...)>;
  // Builds the error answer for a path no route takes (404, or 405 with Allow).
  using ErrorResponder =
      std::function<Response(const Request&, Errors, int status, const std::string&, Args...)>;

  explicit Router(ErrorResponder error) : error_(std::move(error)) {}

  void Add(std::string method, std::string_view pattern, Handler handler, Runs runs,
           Errors errors) {
    paths_.Add(std::move(method), pattern, errors);
    routes_.push_back(Route{std::move(handler), runs});
  }

  // Where `req` runs (kOnIo for a path no route takes).
  Runs RunsOf(Request& req) const {
    const Match m = paths_.Find(req);
    return m.route == Match::kNone ? Runs::kOnIo : routes_[m.route].runs;
  }
  // The error style of the route `req` matched (a handler's own errors).
  Errors ErrorsOf(const Request& req) const { return paths_.ErrorsOf(req); }
  // The routes, by index (req.route): see PathTable.
  const PathTable& paths() const { return paths_; }

  Response Handle(Request& req, Args... args) const {
    const Match m = paths_.Find(req);
    if (m.route != Match::kNone) return routes_[m.route].handler(req, args...);
    if (m.allow.empty())
      return error_(req, m.errors, 404, "no page or resource at " + req.path, args...);
    Response res =
        error_(req, m.errors, 405,
               "method " + req.method + " is not allowed here (allowed: " + m.allow + ")", args...);
    res.Set("Allow", m.allow);
    return res;
  }

 private:
  struct Route {
    Handler handler;
    Runs runs;
  };
  PathTable paths_;
  std::vector<Route> routes_;
  ErrorResponder error_;
};

}  // namespace vigie::http

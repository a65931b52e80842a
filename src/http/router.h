// One route table: (method, pattern) → handler. Patterns are literal segments and {name}
// parameters: "/api/v1/platforms/{platform}". HEAD is answered by GET routes. When several
// patterns match, the one with the most literal segments wins, so the table's order only
// matters between equally specific patterns.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace vigie::http {

using Handler = std::function<Response(Request&)>;
// Builds the error response for a status and a sentence (the app chooses JSON or HTML).
using ErrorResponder = std::function<Response(const Request&, int status, const std::string&)>;

class Router {
 public:
  explicit Router(ErrorResponder error) : error_(std::move(error)) {}

  void Add(std::string method, std::string pattern, Handler handler);
  // Dispatches: 404 when no pattern matches, 405 with Allow when only the method is wrong.
  Response Handle(Request& req) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool param = false;
  };
  struct Route {
    std::string method;
    std::vector<Segment> segments;
    int literals = 0;  // how specific the pattern is
    Handler handler;
  };
  // At most this many segments in a path: longer paths match no route.
  static constexpr size_t kMaxSegments = 16;
  struct Path {
    std::array<std::string_view, kMaxSegments> segments;
    size_t size = 0;
    bool too_long = false;
  };
  static bool Match(const Route& r, const Path& path);

  std::vector<Route> routes_;
  // Route indexes by segment count: only patterns of the path's length can match.
  std::array<std::vector<size_t>, kMaxSegments + 1> by_size_;
  ErrorResponder error_;
};

}  // namespace vigie::http

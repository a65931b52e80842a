// One route table: (method, pattern) → handler. Patterns are literal segments and {name}
// parameters: "/api/v1/platforms/{platform}". HEAD is answered by GET routes. When several
// patterns match, the one with the most literal segments wins, so the table's order only
// matters between equally specific patterns.
#pragma once

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
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool Match(const Route& r, const std::vector<std::string_view>& path, Request& req);

  std::vector<Route> routes_;
  ErrorResponder error_;
};

}  // namespace vigie::http

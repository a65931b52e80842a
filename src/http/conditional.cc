#include "http/conditional.h"

#include <cctype>

#include "core/time.h"

namespace vigie::http {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ is ignored.
bool EtagListMatches(std::string_view list, std::string_view etag) {
  if (Trim(list) == "*") return true;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

}  // namespace

bool AcceptsEncoding(std::string_view accept, std::string_view coding) {
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    std::string_view item = Trim(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    const size_t semi = item.find(';');
    std::string_view name = Trim(item.substr(0, semi));
    if (name.size() != coding.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(name[i])) != coding[i]) same = false;
    }
    if (!same) continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = Trim(item.substr(semi + 1));
    if (params.substr(0, 2) == "q=") {
      std::string q(Trim(params.substr(2)));
      return std::strtod(q.c_str(), nullptr) > 0;
    }
    return true;
  }
  return false;
}

Response ServeBody(const Request& req, std::shared_ptr<const Body> body) {
  // Brotli when accepted (smaller), else gzip, else the identity.
  const std::string_view accept = req.Header("accept-encoding");
  const Representation* rep = nullptr;
  if (!accept.empty()) {
    if (AcceptsEncoding(accept, "br")) rep = body->Compressed(Coding::kBrotli);
    if (!rep && AcceptsEncoding(accept, "gzip")) rep = body->Compressed(Coding::kGzip);
  }
  const bool identity = rep == nullptr;
  if (identity) rep = &body->Identity();

  bool not_modified = false;
  if (std::string_view inm = req.Header("if-none-match"); !inm.empty()) {
    not_modified = EtagListMatches(inm, rep->etag);
  } else if (std::string_view ims = req.Header("if-modified-since"); !ims.empty()) {
    Result<Time> since = ParseHttpDate(ims);
    not_modified = since.ok() && body->last_modified <= *since;
  }
  Response res;
  if (not_modified) {
    res.status = 304;
    res.head = rep->head_304;
    res.owner = std::move(body);
    return res;
  }
  const std::string_view head = rep->head_200;
  const std::string_view bytes = rep->bytes;
  const int file = identity ? body->identity_file.get() : -1;
  res.SetSharedBody(bytes, std::move(body));
  res.head = head;
  res.body_file = file;
  return res;
}

}  // namespace vigie::http

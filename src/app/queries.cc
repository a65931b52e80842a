#include "app/queries.h"

#include <charconv>

namespace vigie {

namespace {

Result<int> IntParam(const http::Request& req, const char* name, int def, int min, int max) {
  std::optional<std::string> s = req.Query(name);
  if (!s) return def;
  int v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size() || v < min || v > max) {
    return Status::Invalid(std::string(name) + " must be a whole number from " +
                           std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

Result<std::optional<EventKind>> KindParam(const http::Request& req) {
  std::optional<std::string> k = req.Query("kind");
  if (!k) return std::optional<EventKind>();
  std::optional<EventKind> kind = ParseEventKind(*k);
  if (!kind) return Status::Invalid("kind must be incident, maintenance, action or announcement");
  return kind;
}

std::string KindKey(const std::optional<EventKind>& kind) {
  return kind ? "kind=" + std::string(EventKindId(*kind)) : std::string();
}

}  // namespace

std::string HistoryQuery::Key() const { return KindKey(kind) + "&page=" + std::to_string(page); }

Result<HistoryQuery> ParseHistoryQuery(const http::Request& req) {
  Result<std::optional<EventKind>> kind = KindParam(req);
  if (!kind.ok()) return kind.status();
  Result<int> page = IntParam(req, "page", 1, 1, 100000);
  if (!page.ok()) return page.status();
  return HistoryQuery{*kind, *page};
}

std::string EventsQuery::Key() const {
  std::string key;
  if (filter.state == EventState::kInProgress) key = "state=in_progress";
  if (filter.state == EventState::kPlanned) key = "state=planned";
  if (filter.state == EventState::kEnded) key = "state=past";
  return key + "&" + KindKey(filter.kind) + "&limit=" + std::to_string(filter.limit) +
         "&page=" + std::to_string(filter.page);
}

Result<EventsQuery> ParseEventsQuery(const http::Request& req) {
  EventsQuery q;
  if (std::optional<std::string> s = req.Query("state")) {
    if (*s == "in_progress") q.filter.state = EventState::kInProgress;
    if (*s == "planned") q.filter.state = EventState::kPlanned;
    if (*s == "past") q.filter.state = EventState::kEnded;
    if (!q.filter.state) return Status::Invalid("state must be in_progress, planned or past");
  }
  Result<std::optional<EventKind>> kind = KindParam(req);
  if (!kind.ok()) return kind.status();
  q.filter.kind = *kind;
  Result<int> limit = IntParam(req, "limit", 50, 1, 200);
  if (!limit.ok()) return limit.status();
  Result<int> page = IntParam(req, "page", 1, 1, 100000);
  if (!page.ok()) return page.status();
  q.filter.limit = *limit;
  q.filter.page = *page;
  return q;
}

std::string MessagesQuery::Key() const { return platform.value_or(""); }

Result<MessagesQuery> ParseMessagesQuery(const http::Request& req) {
  return MessagesQuery{req.Query("platform")};
}

std::optional<int64_t> CanonicalId(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0 || s[0] == '0') return std::nullopt;
  return v;
}

}  // namespace vigie

// The query strings the public site accepts, each parsed once into a typed value that both
// names the cache entry (Key) and drives the rendering, so that two spellings of one question
// share one body and a wrong one is refused before anything is rendered or kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/api.h"
#include "core/status.h"
#include "domain/model.h"
#include "http/message.h"

namespace vigie {

// /{lang}/{platform}/history?kind=&page=
struct HistoryQuery {
  std::optional<EventKind> kind;
  int page = 1;  // 1..100000
  std::string Key() const;
};
Result<HistoryQuery> ParseHistoryQuery(const http::Request& req);

// /api/v1/platforms/{platform}/events?state=&kind=&limit=&page=
struct EventsQuery {
  api::EventFilter filter;
  std::string Key() const;
};
Result<EventsQuery> ParseEventsQuery(const http::Request& req);

// /api/v1/messages?platform=
struct MessagesQuery {
  std::optional<std::string> platform;  // none: every message of the region
  std::string Key() const;
};
Result<MessagesQuery> ParseMessagesQuery(const http::Request& req);

// An event id as the site writes it: digits, no leading zero, not zero. Any other spelling is
// refused, so that every event has one URL (and one cache entry).
std::optional<int64_t> CanonicalId(std::string_view s);

}  // namespace vigie

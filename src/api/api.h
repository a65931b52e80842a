// The read-only JSON API v1: pure functions from the model and its derived levels to JSON
// bodies, seen from one region in one language. Documented in docs/api.md.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "domain/derive.h"
#include "domain/model.h"
#include "domain/view.h"

namespace vigie::api {

struct EventFilter {
  std::optional<EventState> state;  // planned, in_progress or past (ended and cancelled)
  std::optional<EventKind> kind;
  int limit = 50;  // 1..200
  int page = 1;    // 1-based
};

std::string RegionsJson(const View& v, std::string_view default_region);
std::string PlatformsJson(const View& v);
Result<std::string> PlatformJson(const View& v, std::string_view slug);
Result<std::string> ServiceJson(const View& v, std::string_view platform, std::string_view slug);
Result<std::string> EventsJson(const View& v, std::string_view platform, const EventFilter& filter);
Result<std::string> EventJson(const View& v, int64_t id);
// Messages active now; of one platform (and the whole site) when `platform` is given.
Result<std::string> MessagesJson(const View& v, std::optional<std::string_view> platform);

}  // namespace vigie::api

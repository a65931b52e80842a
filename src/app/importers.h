// Importers of the TOML files an operator writes by hand: the catalog (platforms and services)
// and scenarios (events, updates, messages, manual levels, overrides). Both validate the whole
// file first and then write it through the Publisher in one transaction: all or nothing.
#pragma once

#include <string>

#include "core/status.h"
#include "snapshot/publisher.h"

namespace vigie {

struct ImportSummary {
  int platforms = 0, services = 0, events = 0, updates = 0, messages = 0, levels = 0;
  std::string ToString() const;
};

// Inserts or updates every platform and service of the catalog file, by slug: texts and
// positions change, ids and history stay. Services absent from the file are left as they are.
Result<ImportSummary> ImportCatalog(Publisher& publisher, const std::string& path,
                                    const std::string& actor);

// Loads a scenario. Its times are RFC 3339 or relative to `now`: "now", "now-2h30m",
// "now+3d", "next sunday 23:00" (local time of the event's first region); an event's end may
// also be a duration after its start: "+1h45m".
Result<ImportSummary> ImportScenario(Publisher& publisher, const std::string& path, Time now,
                                     const std::string& actor);

// Resolves a scenario time expression (exposed for tests). `zone` is an IANA name.
Result<Time> ResolveTime(const std::string& expr, Time now, const std::string& zone);

}  // namespace vigie

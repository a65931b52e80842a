// A small model for unit tests: regions fr and na, platform "erp" with services 1..3 and
// platform "crm" with service 10. Times are minutes from T0.
#pragma once

#include "domain/model.h"

namespace vigie::testing {

inline const Time kT0 = FromUnix(1'800'000'000);
inline Time At(int minutes) { return kT0 + std::chrono::minutes(minutes); }

inline Model SmallModel() {
  Model m;
  m.regions = {Region{"fr", {"France", "France"}, {"status.example.fr"}, "Europe/Paris", Lang::kFr},
               Region{"na",
                      {"Amérique du Nord", "North America"},
                      {"status.example.ca"},
                      "America/Toronto",
                      Lang::kEn}};
  m.platforms = {Platform{"erp", 1, {"ERP", "ERP"}, {}, {}, {}},
                 Platform{"crm", 2, {"CRM", "CRM"}, {}, {}, {}}};
  for (int64_t id : {1, 2, 3}) {
    Service s;
    s.id = id;
    s.platform = "erp";
    s.slug = "s" + std::to_string(id);
    s.position = static_cast<int>(id);
    s.name = {"Service " + std::to_string(id), "Service " + std::to_string(id)};
    m.services.push_back(s);
  }
  Service crm;
  crm.id = 10;
  crm.platform = "crm";
  crm.slug = "c10";
  crm.name = {"CRM", "CRM"};
  m.services.push_back(crm);
  return m;
}

// An event on "erp" in the given regions, from minute `start` to `end` (none when < 0).
inline Event MakeEvent(int64_t id, EventKind kind, std::vector<std::string> regions,
                       std::vector<Impact> impacts, int start, int end) {
  Event e;
  e.id = id;
  e.kind = kind;
  e.platform = "erp";
  e.regions = std::move(regions);
  e.title = {"Titre", "Title"};
  e.impacts = std::move(impacts);
  e.starts_at = At(start);
  if (end >= 0) e.ends_at = At(end);
  e.phase = kind == EventKind::kIncident ? Phase::kInvestigating : Phase::kNone;
  e.created_at = e.updated_at = At(std::min(start, 0));
  return e;
}

}  // namespace vigie::testing

// Atlassian Statuspage public API v2 compatibility: the region's page (or one platform's) in the
// shape of Statuspage's /api/v2/*.json, so that existing Statuspage clients, widgets and
// aggregators can read Vigie. Pure functions of a View, like the API v1.
// Documented in docs/statuspage.md (mapping, endpoints, deviations).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/api.h"
#include "core/status.h"
#include "domain/level.h"
#include "domain/model.h"

namespace vigie::statuspage {

// What the page says about itself that the view does not hold.
struct PageOptions {
  // The site's name (SiteConfig::name), read in the view's language. Unused when a platform
  // filter is set: the page is then named after the platform.
  Text site_name{"Statut des services", "Service status"};
  // page.updated_at. When unset: the newest status change, event update, event start or end
  // (<= as_of) in the page's scope, else as_of.
  std::optional<Time> updated_at;
};

// The endpoints, each a whole JSON body (with a final newline, like the API v1). `platform`
// narrows the page to one platform (served under /{platform}/api/v2/...); an unknown platform
// is Status::NotFound. Nothing else fails.
//   /api/v2/summary.json                       {page, components, incidents,
//   scheduled_maintenances, status} /api/v2/status.json                        {page, status}
//   /api/v2/components.json                    {page, components}
//   /api/v2/incidents.json                     {page, incidents}  the 50 most recent
//   /api/v2/incidents/unresolved.json          {page, incidents}  those in progress
//   /api/v2/scheduled-maintenances.json        {page, scheduled_maintenances}  the 50 most recent
//   /api/v2/scheduled-maintenances/upcoming.json  {page, scheduled_maintenances}  planned
//   /api/v2/scheduled-maintenances/active.json    {page, scheduled_maintenances}  in progress
Result<std::string> SummaryJson(const View& v,
                                std::optional<std::string_view> platform = std::nullopt,
                                const PageOptions& page = {});
Result<std::string> StatusJson(const View& v,
                               std::optional<std::string_view> platform = std::nullopt,
                               const PageOptions& page = {});
Result<std::string> ComponentsJson(const View& v,
                                   std::optional<std::string_view> platform = std::nullopt,
                                   const PageOptions& page = {});
Result<std::string> IncidentsJson(const View& v,
                                  std::optional<std::string_view> platform = std::nullopt,
                                  const PageOptions& page = {});
Result<std::string> UnresolvedIncidentsJson(const View& v,
                                            std::optional<std::string_view> platform = std::nullopt,
                                            const PageOptions& page = {});
Result<std::string> ScheduledMaintenancesJson(
    const View& v, std::optional<std::string_view> platform = std::nullopt,
    const PageOptions& page = {});
Result<std::string> UpcomingMaintenancesJson(
    const View& v, std::optional<std::string_view> platform = std::nullopt,
    const PageOptions& page = {});
Result<std::string> ActiveMaintenancesJson(const View& v,
                                           std::optional<std::string_view> platform = std::nullopt,
                                           const PageOptions& page = {});

// What a webhook tells of (see WebhookJson).
struct WebhookSubject {
  std::string event_type;      // meta.event_type: the notice's kind ("event.created", ...)
  int64_t notice_id = 0;       // what it is told for (component_update.id without a status change)
  std::string platform;        // the page's scope
  int64_t event_id = 0;        // "incident": this event
  int64_t service_id = 0;      // "component_update": this service's level, set by hand at `at`
  std::optional<Level> level;  // the level it was set to (when no status change shows it)
  int64_t message_id = 0;      // "message": this general message (Vigie's own)
  Time at{};                   // when it happened
  std::string unsubscribe;     // meta.unsubscribe: the subscriber's page
};
// The body of a webhook, shaped like Statuspage's webhook notifications: {"meta", "page":
// {"id", "status_indicator", "status_description"}, then "incident" (the object of
// incidents.json, scheduled_maintenances.json for a maintenance), or "component_update" and
// "component", or "message"}. NotFound when what it is about is not in the view.
Result<std::string> WebhookJson(const View& v, const WebhookSubject& subject,
                                const PageOptions& page = {});

// The mapping, exposed for tests and for the docs' table.
// Component status: operational, degraded_performance, partial_outage, major_outage,
// under_maintenance.
std::string_view ComponentStatus(Level l);
// Appends `s` as a JSON string exactly as nlohmann's dump writes it (UTF-8 kept, control
// characters escaped, invalid UTF-8 replaced), for the bodies written directly as text.
void AppendJsonString(std::string& out, std::string_view s);
// status.indicator: none, minor, major, critical, maintenance.
std::string_view Indicator(Level worst);
// status.description: Statuspage's English words ("All Systems Operational", ...), or French.
std::string_view IndicatorDescription(Level worst, Lang lang);
// An incident's impact from the worst level it puts a service in: none, minor, major, critical.
std::string_view IncidentImpact(Level worst);

}  // namespace vigie::statuspage

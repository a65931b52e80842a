#include "api/statuspage.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/derive.h"
#include "domain/test_model.h"

namespace vigie::statuspage {
namespace {

using json = nlohmann::ordered_json;
using testing::At;
using testing::MakeEvent;
using testing::SmallModel;

using Endpoint = Result<std::string> (*)(const View&, std::optional<std::string_view>,
                                         const PageOptions&);

// Renders one endpoint of `m` seen from `region` in `lang` at minute `minute`.
json Render(Endpoint f, Model m, int minute, std::optional<std::string_view> platform = {},
            Lang lang = Lang::kEn, const std::string& region = "fr", const PageOptions& opts = {}) {
  for (Region& r : m.regions) r.base_url = "https://status.example." + r.id;
  m.events.StableSort(EventBefore);  // the Store's order, which the lists of the index keep
  const DerivedState d = Derive(m, At(minute));
  const HistoryIndex index{ChangeIndex(m.status_changes), EventIndex(m, At(minute))};
  const Region* r = m.FindRegion(region);
  const View v{m, d, index, At(minute), *r, lang};
  Result<std::string> body = f(v, platform, opts);
  EXPECT_TRUE(body.ok()) << body.status().ToString();
  if (!body.ok()) return json();
  EXPECT_EQ(body->back(), '\n');
  json parsed = json::parse(*body);
  // Parts written directly as text come out as nlohmann's compact dump would write them.
  EXPECT_EQ(*body, parsed.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
  return parsed;
}

std::vector<std::string> Keys(const json& j) {
  std::vector<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

std::vector<std::string> Ids(const json& arr) {
  std::vector<std::string> out;
  for (const json& e : arr) out.push_back(e.at("id").get<std::string>());
  return out;
}

const json* FindId(const json& arr, const std::string& id) {
  for (const json& e : arr) {
    if (e.at("id") == id) return &e;
  }
  return nullptr;
}

const std::vector<std::string> kFr = {"fr"};

// ---- The mapping ----

struct LevelCase {
  Level level;
  const char* component;
  const char* indicator;
  const char* description_en;
  const char* impact;
};

class LevelMappingTest : public ::testing::TestWithParam<LevelCase> {};

TEST_P(LevelMappingTest, Maps) {
  const LevelCase& c = GetParam();
  EXPECT_EQ(ComponentStatus(c.level), c.component);
  EXPECT_EQ(Indicator(c.level), c.indicator);
  EXPECT_EQ(IndicatorDescription(c.level, Lang::kEn), c.description_en);
  EXPECT_FALSE(IndicatorDescription(c.level, Lang::kFr).empty());
  EXPECT_NE(IndicatorDescription(c.level, Lang::kFr), c.description_en);
  EXPECT_EQ(IncidentImpact(c.level), c.impact);
}

INSTANTIATE_TEST_SUITE_P(
    AllLevels, LevelMappingTest,
    ::testing::Values(
        LevelCase{Level::kOperational, "operational", "none", "All Systems Operational", "none"},
        LevelCase{Level::kMinor, "degraded_performance", "minor", "Minor Service Outage", "minor"},
        LevelCase{Level::kMajor, "partial_outage", "major", "Partial System Outage", "major"},
        LevelCase{Level::kOutage, "major_outage", "critical", "Major System Outage", "critical"},
        LevelCase{Level::kMaintenance, "under_maintenance", "maintenance",
                  "Service Under Maintenance", "none"}));

// A component's status and the page's indicator follow the derived levels, through the API.
struct IndicatorCase {
  const char* name;
  std::vector<ManualLevel> manual;
  const char* indicator;
  const char* erp_status;  // the group's status
  const char* s1_status;
};

class IndicatorTest : public ::testing::TestWithParam<IndicatorCase> {};

TEST_P(IndicatorTest, FromWorstPlatform) {
  const IndicatorCase& c = GetParam();
  Model m = SmallModel();
  m.manual_levels = c.manual;
  const json j = Render(SummaryJson, m, 0);
  EXPECT_EQ(j["status"]["indicator"], c.indicator) << c.name;
  EXPECT_EQ(FindId(j["components"], "grp-erp")->at("status"), c.erp_status) << c.name;
  EXPECT_EQ(FindId(j["components"], "svc-1")->at("status"), c.s1_status) << c.name;
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Levels, IndicatorTest,
    ::testing::Values(
        IndicatorCase{"AllOperational", {}, "none", "operational", "operational"},
        IndicatorCase{"Minor", {{"fr", 1, Level::kMinor, At(-5), ""}}, "minor",
                      "degraded_performance", "degraded_performance"},
        IndicatorCase{"Major", {{"fr", 1, Level::kMajor, At(-5), ""}}, "major", "partial_outage",
                      "partial_outage"},
        IndicatorCase{"Outage", {{"fr", 1, Level::kOutage, At(-5), ""}}, "critical",
                      "major_outage", "major_outage"},
        IndicatorCase{"Maintenance", {{"fr", 1, Level::kMaintenance, At(-5), ""}}, "maintenance",
                      "under_maintenance", "under_maintenance"},
        // Maintenance on one platform does not hide a disruption on another.
        IndicatorCase{"MinorElsewhereBeatsMaintenance",
                      {{"fr", 1, Level::kMaintenance, At(-5), ""},
                       {"fr", 10, Level::kMinor, At(-5), ""}},
                      "minor", "under_maintenance", "under_maintenance"},
        IndicatorCase{"OtherRegionIgnored", {{"na", 1, Level::kOutage, At(-5), ""}}, "none",
                      "operational", "operational"}));
// clang-format on

TEST(StatusJsonTest, DescriptionInTheViewsLanguage) {
  Model m = SmallModel();
  m.manual_levels = {{"fr", 2, Level::kMajor, At(-5), ""}};
  const json en = Render(StatusJson, m, 0, {}, Lang::kEn);
  EXPECT_EQ(Keys(en), (std::vector<std::string>{"page", "status"}));
  EXPECT_EQ(en["status"], (json{{"indicator", "major"}, {"description", "Partial System Outage"}}));
  const json fr = Render(StatusJson, m, 0, {}, Lang::kFr);
  EXPECT_EQ(fr["status"]["indicator"], "major");
  EXPECT_EQ(fr["status"]["description"], "Panne partielle du système");
}

// ---- Shape ----

TEST(SummaryJsonTest, TopLevelKeysAndPage) {
  PageOptions opts;
  opts.site_name = {"Statut Divalto", "Divalto status"};
  opts.updated_at = At(-30);
  const json j = Render(SummaryJson, SmallModel(), 0, {}, Lang::kEn, "fr", opts);
  EXPECT_EQ(Keys(j), (std::vector<std::string>{"page", "components", "incidents",
                                               "scheduled_maintenances", "status"}));
  EXPECT_EQ(Keys(j["page"]),
            (std::vector<std::string>{"id", "name", "url", "time_zone", "updated_at"}));
  EXPECT_EQ(j["page"]["id"], "vigie-fr");
  EXPECT_EQ(j["page"]["name"], "Divalto status");
  EXPECT_EQ(j["page"]["url"], "https://status.example.fr");
  EXPECT_EQ(j["page"]["time_zone"], "Europe/Paris");
  EXPECT_EQ(j["page"]["updated_at"], FormatRfc3339(At(-30)).insert(19, ".000"));
  EXPECT_TRUE(j["incidents"].is_array());
  EXPECT_TRUE(j["scheduled_maintenances"].is_array());
}

TEST(ComponentsJsonTest, PlatformsAreGroupsOfServices) {
  Model m = SmallModel();
  m.services[1].retired = true;  // service 2: hidden
  m.services[0].information = {"Infos", "Info"};
  const json j = Render(ComponentsJson, m, 0);
  EXPECT_EQ(Keys(j), (std::vector<std::string>{"page", "components"}));
  EXPECT_EQ(Ids(j["components"]),
            (std::vector<std::string>{"grp-erp", "svc-1", "svc-3", "grp-crm", "svc-10"}));
  const json& grp = *FindId(j["components"], "grp-erp");
  EXPECT_EQ(Keys(grp), (std::vector<std::string>{"id", "name", "status", "created_at", "updated_at",
                                                 "position", "description", "showcase",
                                                 "start_date", "group_id", "page_id", "group",
                                                 "only_show_if_degraded", "components"}));
  EXPECT_EQ(grp["group"], true);
  EXPECT_TRUE(grp["group_id"].is_null());
  EXPECT_EQ(grp["components"], (json{"svc-1", "svc-3"}));
  const json& svc = *FindId(j["components"], "svc-1");
  EXPECT_EQ(Keys(svc),
            (std::vector<std::string>{"id", "name", "status", "created_at", "updated_at",
                                      "position", "description", "showcase", "start_date",
                                      "group_id", "page_id", "group", "only_show_if_degraded"}));
  EXPECT_EQ(svc["group"], false);
  EXPECT_EQ(svc["group_id"], "grp-erp");
  EXPECT_EQ(svc["page_id"], "vigie-fr");
  EXPECT_EQ(svc["description"], "Info");
  EXPECT_EQ(svc["position"], 1);
  EXPECT_TRUE(FindId(j["components"], "svc-3")->at("description").is_null());
}

TEST(ComponentsJsonTest, UpdatedAtIsTheLastRecordedChange) {
  Model m = SmallModel();
  const auto change = [&m](int64_t id, int minute, Level from, Level to) {
    m.status_changes.push_back({.id = id,
                                .at = At(minute),
                                .service_id = 1,
                                .region = "fr",
                                .platform = "erp",
                                .from = from,
                                .to = to});
  };
  change(1, -20, Level::kOperational, Level::kMinor);
  change(2, -10, Level::kMinor, Level::kOperational);
  change(3, 30, Level::kOperational, Level::kMajor);
  const json j = Render(ComponentsJson, m, 0);
  const json& svc = *FindId(j["components"], "svc-1");
  EXPECT_EQ(svc["updated_at"], FormatRfc3339(At(-10)).insert(19, ".000"));
  EXPECT_EQ(svc["created_at"], FormatRfc3339(At(-20)).insert(19, ".000"));
  // The page's updated_at, computed: the newest change up to as_of.
  EXPECT_EQ(j["page"]["updated_at"], FormatRfc3339(At(-10)).insert(19, ".000"));
}

// ---- Incidents ----

Event Incident(int64_t id, std::vector<Impact> impacts, int start) {
  Event e = MakeEvent(id, EventKind::kIncident, kFr, std::move(impacts), start, -1);
  e.body = {"Corps", "Body"};
  e.created_at = e.updated_at = At(start);
  return e;
}

TEST(IncidentsJsonTest, IncidentFieldsStatusImpactAndUpdates) {
  Model m = SmallModel();
  Event e = Incident(7, {{1, Level::kMinor}, {2, Level::kOutage}}, -60);
  e.phase = Phase::kIdentified;
  e.updates = {{71, At(-50), Phase::kInvestigating, {"Enquête", "Looking"}},
               {72, At(-40), Phase::kNone, {"Encore", "Still"}},
               {73, At(-30), Phase::kIdentified, {"Trouvé", "Found"}}};
  e.updated_at = At(-30);
  m.events.push_back(e);
  const json j = Render(UnresolvedIncidentsJson, m, 0);
  EXPECT_EQ(Keys(j), (std::vector<std::string>{"page", "incidents"}));
  ASSERT_EQ(j["incidents"].size(), 1u);
  const json& inc = j["incidents"][0];
  EXPECT_EQ(Keys(inc),
            (std::vector<std::string>{"id", "name", "status", "created_at", "updated_at",
                                      "monitoring_at", "resolved_at", "impact", "shortlink",
                                      "started_at", "page_id", "incident_updates", "components"}));
  EXPECT_EQ(inc["id"], "inc-7");
  EXPECT_EQ(inc["name"], "Title");
  EXPECT_EQ(inc["status"], "identified");
  EXPECT_EQ(inc["impact"], "critical");
  EXPECT_EQ(inc["shortlink"], "https://status.example.fr/en/events/7");
  EXPECT_EQ(inc["started_at"], "2027-01-15T07:00:00.000Z");
  EXPECT_TRUE(inc["monitoring_at"].is_null());
  EXPECT_TRUE(inc["resolved_at"].is_null());
  EXPECT_EQ(Ids(inc["components"]), (std::vector<std::string>{"svc-1", "svc-2"}));
  EXPECT_EQ(inc["components"][1]["status"], "major_outage");
  // Newest first; the body is the oldest update; a phase-less update carries the one before.
  const json& ups = inc["incident_updates"];
  EXPECT_EQ(Ids(ups), (std::vector<std::string>{"upd-73", "upd-72", "upd-71", "upd-body-7"}));
  EXPECT_EQ(Keys(ups[0]),
            (std::vector<std::string>{"id", "status", "body", "incident_id", "created_at",
                                      "updated_at", "display_at", "affected_components",
                                      "deliver_notifications", "custom_tweet", "tweet_id"}));
  EXPECT_EQ(ups[0]["status"], "identified");
  EXPECT_EQ(ups[0]["body"], "Found");
  EXPECT_EQ(ups[0]["incident_id"], "inc-7");
  EXPECT_EQ(ups[1]["status"], "investigating");
  EXPECT_EQ(ups[3]["body"], "Body");
  EXPECT_EQ(ups[3]["status"], "investigating");
}

TEST(IncidentsJsonTest, ResolvedIncidentIsInTheRecentListOnly) {
  Model m = SmallModel();
  Event e = Incident(7, {{1, Level::kMajor}}, -60);
  e.phase = Phase::kResolved;
  e.ends_at = At(-10);
  e.updates = {{71, At(-40), Phase::kMonitoring, {"", "Watching"}},
               {72, At(-10), Phase::kResolved, {"", "Fixed"}}};
  m.events.push_back(e);
  EXPECT_TRUE(Render(UnresolvedIncidentsJson, m, 0)["incidents"].empty());
  EXPECT_TRUE(Render(SummaryJson, m, 0)["incidents"].empty());
  const json j = Render(IncidentsJson, m, 0);
  ASSERT_EQ(j["incidents"].size(), 1u);
  EXPECT_EQ(j["incidents"][0]["status"], "resolved");
  EXPECT_EQ(j["incidents"][0]["impact"], "major");
  EXPECT_EQ(j["incidents"][0]["monitoring_at"], "2027-01-15T07:20:00.000Z");
  EXPECT_EQ(j["incidents"][0]["resolved_at"], "2027-01-15T07:50:00.000Z");
}

TEST(IncidentsJsonTest, ActionIsAnIncidentWithImpactNone) {
  Model m = SmallModel();
  m.events.push_back(MakeEvent(8, EventKind::kAction, kFr, {{1, Level::kMajor}}, -10, -1));
  m.events.push_back(MakeEvent(9, EventKind::kAnnouncement, kFr, {}, -20, 30));
  const json j = Render(UnresolvedIncidentsJson, m, 0);
  EXPECT_EQ(Ids(j["incidents"]), (std::vector<std::string>{"inc-8", "inc-9"}));
  for (const json& inc : j["incidents"]) {
    EXPECT_EQ(inc["impact"], "none");
    EXPECT_EQ(inc["status"], "monitoring");
  }
  // Once ended, resolved.
  const json later = Render(IncidentsJson, m, 40);
  EXPECT_EQ(FindId(later["incidents"], "inc-9")->at("status"), "resolved");
  EXPECT_EQ(FindId(later["incidents"], "inc-9")->at("resolved_at"), "2027-01-15T08:30:00.000Z");
  EXPECT_EQ(Ids(Render(UnresolvedIncidentsJson, m, 40)["incidents"]),
            (std::vector<std::string>{"inc-8"}));
}

TEST(IncidentsJsonTest, PlannedCancelledAndOtherRegionsAreLeftOut) {
  Model m = SmallModel();
  m.events.push_back(MakeEvent(1, EventKind::kAnnouncement, kFr, {}, 60, -1));  // planned
  Event cancelled = MakeEvent(2, EventKind::kIncident, kFr, {{1, Level::kMinor}}, -10, -1);
  cancelled.cancelled = true;
  m.events.push_back(cancelled);
  m.events.push_back(MakeEvent(3, EventKind::kIncident, {"na"}, {{1, Level::kMinor}}, -10, -1));
  m.events.push_back(
      MakeEvent(4, EventKind::kMaintenance, kFr, {{1, Level::kMaintenance}}, -10, 60));
  EXPECT_TRUE(Render(IncidentsJson, m, 0)["incidents"].empty());
  EXPECT_EQ(Ids(Render(IncidentsJson, m, 0, {}, Lang::kEn, "na")["incidents"]),
            (std::vector<std::string>{"inc-3"}));
}

TEST(IncidentsJsonTest, MostRecentFiftyNewestFirst) {
  Model m = SmallModel();
  for (int i = 1; i <= 60; ++i) {
    Event e = MakeEvent(i, EventKind::kIncident, kFr, {}, -1000 + i, -1);
    e.phase = Phase::kResolved;
    e.ends_at = At(-1000 + i + 1);
    m.events.push_back(e);
  }
  const json j = Render(IncidentsJson, m, 0);
  ASSERT_EQ(j["incidents"].size(), 50u);
  EXPECT_EQ(j["incidents"][0]["id"], "inc-60");
  EXPECT_EQ(j["incidents"][49]["id"], "inc-11");
}

TEST(IncidentsJsonTest, TextFallsBackToTheOtherLanguage) {
  Model m = SmallModel();
  Event e = MakeEvent(7, EventKind::kIncident, kFr, {}, -10, -1);
  e.title = {"Seulement en français", ""};
  m.events.push_back(e);
  EXPECT_EQ(Render(IncidentsJson, m, 0, {}, Lang::kEn)["incidents"][0]["name"],
            "Seulement en français");
}

// ---- Scheduled maintenances ----

TEST(MaintenancesJsonTest, StatesAndLists) {
  Model m = SmallModel();
  Event past = MakeEvent(1, EventKind::kMaintenance, kFr, {{1, Level::kMaintenance}}, -120, -1);
  past.ends_at = At(-60);  // MakeEvent reads a negative end as none
  m.events.push_back(past);
  m.events.push_back(
      MakeEvent(2, EventKind::kMaintenance, kFr, {{2, Level::kMaintenance}}, -10, 50));
  m.events.push_back(
      MakeEvent(3, EventKind::kMaintenance, kFr, {{3, Level::kMaintenance}}, 60, 120));
  Event cancelled = MakeEvent(4, EventKind::kMaintenance, kFr, {}, 70, 80);
  cancelled.cancelled = true;
  m.events.push_back(cancelled);

  const json all = Render(ScheduledMaintenancesJson, m, 0);
  EXPECT_EQ(Keys(all), (std::vector<std::string>{"page", "scheduled_maintenances"}));
  EXPECT_EQ(Ids(all["scheduled_maintenances"]),
            (std::vector<std::string>{"inc-3", "inc-2", "inc-1"}));
  EXPECT_EQ(FindId(all["scheduled_maintenances"], "inc-3")->at("status"), "scheduled");
  EXPECT_EQ(FindId(all["scheduled_maintenances"], "inc-2")->at("status"), "in_progress");
  EXPECT_EQ(FindId(all["scheduled_maintenances"], "inc-1")->at("status"), "completed");

  EXPECT_EQ(Ids(Render(UpcomingMaintenancesJson, m, 0)["scheduled_maintenances"]),
            (std::vector<std::string>{"inc-3"}));
  EXPECT_EQ(Ids(Render(ActiveMaintenancesJson, m, 0)["scheduled_maintenances"]),
            (std::vector<std::string>{"inc-2"}));
  const json summary = Render(SummaryJson, m, 0);
  EXPECT_EQ(Ids(summary["scheduled_maintenances"]), (std::vector<std::string>{"inc-2", "inc-3"}));
  EXPECT_TRUE(summary["incidents"].empty());  // maintenances are not incidents

  const json& active = *FindId(all["scheduled_maintenances"], "inc-2");
  EXPECT_EQ(Keys(active),
            (std::vector<std::string>{"id", "name", "status", "created_at", "updated_at",
                                      "monitoring_at", "resolved_at", "impact", "shortlink",
                                      "started_at", "page_id", "incident_updates", "components",
                                      "scheduled_for", "scheduled_until"}));
  EXPECT_EQ(active["impact"], "maintenance");
  EXPECT_EQ(active["scheduled_for"], "2027-01-15T07:50:00.000Z");
  EXPECT_EQ(active["scheduled_until"], "2027-01-15T08:50:00.000Z");
  EXPECT_EQ(active["components"][0]["status"], "under_maintenance");
  EXPECT_EQ(FindId(all["scheduled_maintenances"], "inc-1")->at("resolved_at"),
            "2027-01-15T07:00:00.000Z");
}

TEST(MaintenancesJsonTest, UpdateStatusFollowsTheWindow) {
  Model m = SmallModel();
  Event e = MakeEvent(1, EventKind::kMaintenance, kFr, {}, -60, -1);
  e.ends_at = At(-10);
  e.updates = {{11, At(-90), Phase::kNone, {"", "Planned"}},
               {12, At(-60), Phase::kNone, {"", "Started"}},
               {13, At(-10), Phase::kNone, {"", "Done"}}};
  m.events.push_back(e);
  const json j = Render(ScheduledMaintenancesJson, m, 0);
  const json& ups = j["scheduled_maintenances"][0]["incident_updates"];
  ASSERT_EQ(ups.size(), 3u);  // no body: no body update
  EXPECT_EQ(ups[0]["status"], "completed");
  EXPECT_EQ(ups[1]["status"], "in_progress");
  EXPECT_EQ(ups[2]["status"], "scheduled");
}

// ---- The platform filter ----

TEST(PlatformFilterTest, OnlyThatPlatform) {
  Model m = SmallModel();
  m.manual_levels = {{"fr", 1, Level::kOutage, At(-5), ""}};  // erp
  m.events.push_back(MakeEvent(7, EventKind::kIncident, kFr, {{1, Level::kOutage}}, -10, -1));
  Event crm = MakeEvent(8, EventKind::kIncident, kFr, {{10, Level::kMinor}}, -10, -1);
  crm.platform = "crm";
  m.events.push_back(crm);

  const json j = Render(SummaryJson, m, 0, "crm");
  EXPECT_EQ(j["page"]["id"], "vigie-fr-crm");
  EXPECT_EQ(j["page"]["name"], "CRM");
  EXPECT_EQ(j["page"]["url"], "https://status.example.fr/en/crm");
  EXPECT_EQ(Ids(j["components"]), (std::vector<std::string>{"grp-crm", "svc-10"}));
  EXPECT_EQ(j["components"][1]["page_id"], "vigie-fr-crm");
  EXPECT_EQ(Ids(j["incidents"]), (std::vector<std::string>{"inc-8"}));
  EXPECT_EQ(j["status"]["indicator"], "minor");  // erp's outage is not on this page

  const json whole = Render(SummaryJson, m, 0);
  EXPECT_EQ(whole["status"]["indicator"], "critical");
  EXPECT_EQ(Ids(whole["incidents"]), (std::vector<std::string>{"inc-8", "inc-7"}));
}

TEST(JsonTextTest, StringsAreWrittenAsNlohmannWritesThem) {
  for (const std::string& s :
       {std::string(""), std::string("plain"), std::string("quote \" and \\ backslash"),
        std::string("tab\tnew\nline\rcr\bbs\fff"), std::string("\x01\x1f\x7f control"),
        std::string("été — 東京 🚀"), std::string("bad \xff\xfe bytes"), std::string("cut \xe2\x82"),
        std::string("overlong \xc0\xaf"), std::string("surrogate \xed\xa0\x80"),
        std::string("</script>")}) {
    std::string out;
    AppendJsonString(out, s);
    EXPECT_EQ(out, json(s).dump(-1, ' ', false, json::error_handler_t::replace)) << s;
  }
}

TEST(JsonTextTest, ComponentsWithAwkwardTextsAreValidAndCanonical) {
  Model m = SmallModel();
  m.services[0].name = {"Nom \"cité\"\n\tet 東京", "Name \\ \x01"};
  m.services[1].information = {"bad \xff byte", ""};
  m.platforms[0].description = {"</script> & <b>", "x"};
  m.events.push_back(MakeEvent(8, EventKind::kIncident, kFr, {{1, Level::kMajor}}, -10, -1));
  for (Endpoint f : {SummaryJson, ComponentsJson, IncidentsJson}) {
    for (Lang lang : {Lang::kFr, Lang::kEn}) {
      const json j = Render(f, m, 0, std::nullopt, lang);  // checks the text is canonical
      EXPECT_TRUE(j.contains("page"));
    }
  }
  const json fr = Render(ComponentsJson, m, 0, std::nullopt, Lang::kFr);
  EXPECT_EQ(FindId(fr["components"], "svc-1")->at("name"), "Nom \"cité\"\n\tet 東京");
  EXPECT_EQ(FindId(fr["components"], "svc-2")->at("description"), "bad \xef\xbf\xbd byte");
}

TEST(PlatformFilterTest, UnknownPlatformIsNotFound) {
  Model m = SmallModel();
  const DerivedState d = Derive(m, At(0));
  const HistoryIndex index{ChangeIndex(m.status_changes), EventIndex(m, At(0))};
  const View v{m, d, index, At(0), m.regions[0], Lang::kFr};
  for (Endpoint f :
       {SummaryJson, StatusJson, ComponentsJson, IncidentsJson, UnresolvedIncidentsJson,
        ScheduledMaintenancesJson, UpcomingMaintenancesJson, ActiveMaintenancesJson}) {
    Result<std::string> r = f(v, "nope", {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  }
}

}  // namespace
}  // namespace vigie::statuspage

#include "domain/derive.h"

#include <gtest/gtest.h>

#include "domain/test_model.h"

namespace vigie {
namespace {

using testing::At;
using testing::MakeEvent;
using testing::SmallModel;

// The cases read as a table: left as written.
// clang-format off
struct DeriveCase {
  const char* name;
  std::function<void(Model&)> setup;
  int minute;                       // when to derive
  std::string region;
  int64_t service;                  // the service to check
  Level service_level;
  Level platform_level;             // of "erp" in that region
  CauseKind cause = CauseKind::kManual;
  std::optional<int64_t> event_id = std::nullopt;
};

class DerivedLevelTest : public ::testing::TestWithParam<DeriveCase> {};

TEST_P(DerivedLevelTest, Matches) {
  const DeriveCase& c = GetParam();
  Model m = SmallModel();
  c.setup(m);
  const DerivedState d = Derive(m, At(c.minute));
  const DerivedLevel s = d.Service(c.region, c.service);
  EXPECT_EQ(LevelId(s.level), LevelId(c.service_level)) << c.name;
  EXPECT_EQ(LevelId(d.Platform(c.region, "erp").level), LevelId(c.platform_level)) << c.name;
  EXPECT_EQ(CauseKindId(s.cause), CauseKindId(c.cause)) << c.name;
  EXPECT_EQ(s.event_id, c.event_id) << c.name;
}

const auto kBoth = std::vector<std::string>{"fr", "na"};

INSTANTIATE_TEST_SUITE_P(
    Rules, DerivedLevelTest,
    ::testing::Values(
        DeriveCase{"NothingSaid_Operational", [](Model&) {}, 0, "fr", 1, Level::kOperational,
                   Level::kOperational},
        DeriveCase{"ManualLevel_OnlyInItsRegion",
                   [](Model& m) { m.manual_levels.push_back({"fr", 1, Level::kMinor, At(-5), ""}); },
                   0, "na", 1, Level::kOperational, Level::kOperational},
        DeriveCase{"ManualLevel_RollsUpToPlatform",
                   [](Model& m) { m.manual_levels.push_back({"fr", 1, Level::kMinor, At(-5), ""}); },
                   0, "fr", 1, Level::kMinor, Level::kMinor},
        DeriveCase{"ManualLevel_SaidLater_DoesNotCountBefore",
                   [](Model& m) { m.manual_levels.push_back({"fr", 1, Level::kMinor, At(10), ""}); },
                   5, "fr", 1, Level::kOperational, Level::kOperational},
        DeriveCase{"MaintenanceWindow_BeforeStart_Operational",
                   [](Model& m) {
                     m.events.push_back(MakeEvent(7, EventKind::kMaintenance, kBoth,
                                                  {{1, Level::kMaintenance}}, 60, 120));
                   },
                   59, "fr", 1, Level::kOperational, Level::kOperational},
        DeriveCase{"MaintenanceWindow_TurnsServicesBlueAtStart",
                   [](Model& m) {
                     m.events.push_back(MakeEvent(7, EventKind::kMaintenance, kBoth,
                                                  {{1, Level::kMaintenance}}, 60, 120));
                   },
                   60, "na", 1, Level::kMaintenance, Level::kMaintenance, CauseKind::kEvent, 7},
        DeriveCase{"MaintenanceWindow_BackAtEnd",
                   [](Model& m) {
                     m.events.push_back(MakeEvent(7, EventKind::kMaintenance, kBoth,
                                                  {{1, Level::kMaintenance}}, 60, 120));
                   },
                   120, "fr", 1, Level::kOperational, Level::kOperational},
        DeriveCase{"OverlappingEvents_WorstWins",
                   [](Model& m) {
                     m.events.push_back(MakeEvent(7, EventKind::kMaintenance, kBoth,
                                                  {{1, Level::kMaintenance}}, 0, 120));
                     m.events.push_back(
                         MakeEvent(8, EventKind::kIncident, kBoth, {{1, Level::kMajor}}, 10, -1));
                   },
                   30, "fr", 1, Level::kMajor, Level::kMajor, CauseKind::kEvent, 8},
        DeriveCase{"OverlappingIncidents_OutageBeatsMinor",
                   [](Model& m) {
                     m.events.push_back(
                         MakeEvent(7, EventKind::kIncident, kBoth, {{2, Level::kOutage}}, 0, -1));
                     m.events.push_back(
                         MakeEvent(8, EventKind::kIncident, kBoth, {{2, Level::kMinor}}, 5, -1));
                   },
                   30, "fr", 2, Level::kOutage, Level::kOutage, CauseKind::kEvent, 7},
        DeriveCase{"MaintenanceIsBelowMinor_InTheRollUp",
                   [](Model& m) {
                     m.events.push_back(MakeEvent(7, EventKind::kMaintenance, kBoth,
                                                  {{1, Level::kMaintenance}}, 0, 120));
                     m.manual_levels.push_back({"fr", 2, Level::kMinor, At(-5), ""});
                   },
                   30, "fr", 1, Level::kMaintenance, Level::kMinor, CauseKind::kEvent, 7},
        DeriveCase{"ManualWorseThanEvent_ManualWins",
                   [](Model& m) {
                     m.manual_levels.push_back({"fr", 1, Level::kOutage, At(-5), ""});
                     m.events.push_back(
                         MakeEvent(7, EventKind::kIncident, kBoth, {{1, Level::kMinor}}, 0, -1));
                   },
                   30, "fr", 1, Level::kOutage, Level::kOutage},
        DeriveCase{"Override_ReplacesGlobalStatusOnly",
                   [](Model& m) {
                     m.events.push_back(
                         MakeEvent(7, EventKind::kIncident, kBoth, {{1, Level::kOutage}}, 0, -1));
                     m.overrides.push_back({"fr", "erp", Level::kMinor, At(-1), "partial"});
                   },
                   30, "fr", 1, Level::kOutage, Level::kMinor, CauseKind::kEvent, 7},
        DeriveCase{"ResolvedIncident_InProgressUntilItsEnd",
                   [](Model& m) {
                     Event e = MakeEvent(7, EventKind::kIncident, kBoth, {{1, Level::kMajor}}, 0, 50);
                     e.phase = Phase::kResolved;
                     m.events.push_back(e);
                   },
                   49, "fr", 1, Level::kMajor, Level::kMajor, CauseKind::kEvent, 7},
        DeriveCase{"ResolvedIncident_NoLongerCounts",
                   [](Model& m) {
                     Event e = MakeEvent(7, EventKind::kIncident, kBoth, {{1, Level::kMajor}}, 0, 50);
                     e.phase = Phase::kResolved;
                     m.events.push_back(e);
                   },
                   50, "fr", 1, Level::kOperational, Level::kOperational},
        DeriveCase{"UnresolvedIncident_OutlivesItsEstimatedEnd",
                   [](Model& m) {
                     m.events.push_back(
                         MakeEvent(7, EventKind::kIncident, kBoth, {{1, Level::kMajor}}, 0, 50));
                   },
                   500, "fr", 1, Level::kMajor, Level::kMajor, CauseKind::kEvent, 7},
        DeriveCase{"EventInOneRegion_OtherRegionUntouched",
                   [](Model& m) {
                     m.events.push_back(
                         MakeEvent(7, EventKind::kIncident, {"na"}, {{1, Level::kMajor}}, 0, -1));
                   },
                   30, "fr", 1, Level::kOperational, Level::kOperational},
        DeriveCase{"EventInOneRegion_ItsRegionAffected",
                   [](Model& m) {
                     m.events.push_back(
                         MakeEvent(7, EventKind::kIncident, {"na"}, {{1, Level::kMajor}}, 0, -1));
                   },
                   30, "na", 1, Level::kMajor, Level::kMajor, CauseKind::kEvent, 7},
        DeriveCase{"CancelledMaintenance_ChangesNothing",
                   [](Model& m) {
                     Event e = MakeEvent(7, EventKind::kMaintenance, kBoth,
                                         {{1, Level::kMaintenance}}, 0, 120);
                     e.cancelled = true;
                     m.events.push_back(e);
                   },
                   30, "fr", 1, Level::kOperational, Level::kOperational},
        DeriveCase{"RetiredService_DoesNotCountInPlatform",
                   [](Model& m) {
                     m.manual_levels.push_back({"fr", 3, Level::kOutage, At(-5), ""});
                     m.services[2].retired = true;
                   },
                   0, "fr", 1, Level::kOperational, Level::kOperational}),
    [](const ::testing::TestParamInfo<DeriveCase>& info) { return std::string(info.param.name); });
// clang-format on

TEST(Transitions, MaintenanceStartAndEnd_UnresolvedIncidentEndIsNot) {
  Model m = SmallModel();
  m.events.push_back(
      MakeEvent(7, EventKind::kMaintenance, {"fr"}, {{1, Level::kMaintenance}}, 60, 120));
  m.events.push_back(MakeEvent(8, EventKind::kIncident, {"fr"}, {{2, Level::kMajor}}, 10, 90));
  EXPECT_EQ(TransitionsAfter(m, At(0)), (std::vector<Time>{At(10), At(60), At(120)}));
  EXPECT_EQ(NextTransition(m, At(60)), At(120));
  EXPECT_EQ(NextTransition(m, At(120)), std::nullopt);
}

TEST(Diff, WritesOneRowPerChange_ThenNothing) {
  Model m = SmallModel();
  m.events.push_back(
      MakeEvent(7, EventKind::kMaintenance, {"fr"}, {{1, Level::kMaintenance}}, 60, 120));
  RecordedLevels recorded = LastRecorded(m.status_changes);
  std::vector<StatusChange> start = Diff(m, Derive(m, At(60)), recorded, "");
  ASSERT_EQ(start.size(), 2u);  // the service and its platform, in fr only
  EXPECT_EQ(start[0].service_id, 1);
  EXPECT_EQ(start[0].to, Level::kMaintenance);
  EXPECT_EQ(start[0].event_id, 7);
  EXPECT_EQ(start[1].service_id, std::nullopt);
  EXPECT_EQ(start[1].platform, "erp");
  EXPECT_TRUE(Diff(m, Derive(m, At(90)), recorded, "").empty());
  std::vector<StatusChange> end = Diff(m, Derive(m, At(120)), recorded, "");
  ASSERT_EQ(end.size(), 2u);
  EXPECT_EQ(end[0].from, Level::kMaintenance);
  EXPECT_EQ(end[0].to, Level::kOperational);
}

TEST(Diff, NeverRewritesHistory) {
  Model m = SmallModel();
  StatusChange later;
  later.region = "fr";
  later.platform = "erp";
  later.service_id = 1;
  later.to = Level::kMinor;
  later.at = At(100);
  m.status_changes.push_back(later);
  m.manual_levels.push_back({"fr", 1, Level::kMajor, At(-5), ""});
  RecordedLevels recorded = LastRecorded(m.status_changes);
  for (const StatusChange& c : Diff(m, Derive(m, At(50)), recorded, "")) {
    EXPECT_NE(c.service_id, 1) << "a row before the recorded one was written";
  }
}

// A snapshot's index names the events the clock can still change: derivations and
// transitions read through it give what a scan of every event gives, from its instant on.
TEST(Derive, ThroughAnIndexOfTheUnsettledEventsIsTheSameAsAScan) {
  Model m = SmallModel();
  auto add = [&m](Event e) { m.events.push_back(std::move(e)); };
  add(MakeEvent(1, EventKind::kMaintenance, {"fr"}, {{1, Level::kMaintenance}}, -300, -200));
  Event resolved = MakeEvent(2, EventKind::kIncident, {"fr", "na"}, {{2, Level::kMajor}}, -90, -30);
  resolved.phase = Phase::kResolved;
  add(resolved);
  // Unresolved, past its estimated end: still in progress.
  add(MakeEvent(3, EventKind::kIncident, {"na"}, {{3, Level::kMinor}}, -60, -10));
  Event cancelled = MakeEvent(4, EventKind::kMaintenance, {"fr"}, {{1, Level::kOutage}}, 20, 80);
  cancelled.cancelled = true;
  add(cancelled);
  add(MakeEvent(5, EventKind::kMaintenance, {"fr", "na"}, {{10, Level::kMaintenance}}, -5, 40));
  add(MakeEvent(6, EventKind::kMaintenance, {"fr"}, {{2, Level::kMaintenance}}, 30, 90));
  add(MakeEvent(7, EventKind::kAction, {"na"}, {{1, Level::kMinor}}, 50, -1));
  add(MakeEvent(8, EventKind::kMaintenance, {"fr"}, {{3, Level::kOutage}}, 95, 60));  // ends first
  m.Index();
  const EventIndex index(m, At(0));
  ASSERT_LT(index.Unsettled().size(), m.events.size());  // the ended and cancelled are left out
  for (int minute : {0, 10, 30, 45, 50, 89, 90, 95, 200}) {
    const DerivedState scan = Derive(m, At(minute));
    const DerivedState read = Derive(m, At(minute), &index);
    ASSERT_EQ(scan.services.size(), read.services.size());
    for (const auto& [key, level] : scan.services) {
      const DerivedLevel other = read.Service(key.first, key.second);
      EXPECT_EQ(level.level, other.level) << key.first << " #" << key.second << " at " << minute;
      EXPECT_EQ(level.event_id, other.event_id) << key.first << " #" << key.second;
    }
    for (const auto& [key, level] : scan.platforms) {
      EXPECT_EQ(level.level, read.Platform(key.first, key.second).level) << key.second;
    }
    EXPECT_EQ(TransitionsAfter(m, At(minute)), TransitionsAfter(m, At(minute), &index)) << minute;
    EXPECT_EQ(NextTransition(m, At(minute)), NextTransition(m, At(minute), &index)) << minute;
  }
  // Before the index's instant, it is not used: the ended events count again.
  EXPECT_EQ(Derive(m, At(-250), &index).Service("fr", 1).level, Level::kMaintenance);
  EXPECT_EQ(TransitionsAfter(m, At(-400), &index), TransitionsAfter(m, At(-400)));
}

}  // namespace
}  // namespace vigie

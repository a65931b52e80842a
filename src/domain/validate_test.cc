#include "domain/validate.h"

#include <gtest/gtest.h>

#include "domain/test_model.h"

namespace vigie {
namespace {

using testing::At;
using testing::MakeEvent;
using testing::SmallModel;

Event GoodIncident() {
  return MakeEvent(0, EventKind::kIncident, {"fr"}, {{1, Level::kMajor}}, 0, -1);
}

struct EventCase {
  const char* name;
  std::function<void(Event&)> spoil;
  const char* message_part;  // what the error must say
};

class EventValidationTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(EventValidationTest, RefusesWithAClearMessage) {
  const EventCase& c = GetParam();
  Event e = GoodIncident();
  c.spoil(e);
  Status st = ValidateEvent(SmallModel(), e);
  ASSERT_FALSE(st.ok()) << c.name;
  EXPECT_NE(st.message().find(c.message_part), std::string::npos)
      << c.name << ": \"" << st.message() << "\"";
}

INSTANTIATE_TEST_SUITE_P(
    Refusals, EventValidationTest,
    ::testing::Values(
        EventCase{"UnknownService",
                  [](Event& e) {
                    e.impacts = {{99, Level::kMinor}};
                  },
                  "unknown service"},
        EventCase{"ServiceOfAnotherPlatform",
                  [](Event& e) {
                    e.impacts = {{10, Level::kMinor}};
                  },
                  "belongs to crm"},
        EventCase{"ServiceTwice",
                  [](Event& e) {
                    e.impacts = {{1, Level::kMinor}, {1, Level::kMajor}};
                  },
                  "listed twice"},
        EventCase{"EndBeforeStart", [](Event& e) { e.ends_at = At(-10); }, "end must come after"},
        EventCase{"NoTitleInAnyLanguage",
                  [](Event& e) {
                    e.title = {" ", ""};
                  },
                  "title"},
        EventCase{"UnknownPlatform", [](Event& e) { e.platform = "nope"; }, "unknown platform"},
        EventCase{"UnknownRegion", [](Event& e) { e.regions = {"mars"}; }, "unknown region"},
        EventCase{"NoRegion", [](Event& e) { e.regions.clear(); }, "at least one region"},
        EventCase{"IncidentWithoutPhase", [](Event& e) { e.phase = Phase::kNone; }, "phase"},
        EventCase{"ResolvedWithoutEnd", [](Event& e) { e.phase = Phase::kResolved; }, "end time"},
        EventCase{"PhaseOnAnnouncement",
                  [](Event& e) {
                    e.kind = EventKind::kAnnouncement;
                    e.phase = Phase::kMonitoring;
                  },
                  "only incidents"},
        EventCase{"MaintenanceWithoutEnd",
                  [](Event& e) {
                    e.kind = EventKind::kMaintenance;
                    e.phase = Phase::kNone;
                    e.impacts = {{1, Level::kMaintenance}};
                  },
                  "planned end"},
        EventCase{"MaintenanceLeavingServiceOperational",
                  [](Event& e) {
                    e.kind = EventKind::kMaintenance;
                    e.phase = Phase::kNone;
                    e.ends_at = At(60);
                    e.impacts = {{1, Level::kOperational}};
                  },
                  "operational"}),
    [](const ::testing::TestParamInfo<EventCase>& info) { return std::string(info.param.name); });

TEST(EventValidation, AcceptsAGoodIncidentAndMaintenance) {
  EXPECT_TRUE(ValidateEvent(SmallModel(), GoodIncident()).ok());
  Event m =
      MakeEvent(0, EventKind::kMaintenance, {"fr", "na"}, {{1, Level::kMaintenance}}, 60, 120);
  EXPECT_TRUE(ValidateEvent(SmallModel(), m).ok());
}

TEST(MessageValidation, RefusesExpiryBeforePublicationAndUnknownPlatform) {
  Message msg;
  msg.regions = {"fr"};
  msg.title = {"Titre", ""};
  msg.published_at = At(0);
  EXPECT_TRUE(ValidateMessage(SmallModel(), msg).ok());
  msg.expires_at = At(-1);
  EXPECT_FALSE(ValidateMessage(SmallModel(), msg).ok());
  msg.expires_at.reset();
  msg.platform = "nope";
  EXPECT_EQ(ValidateMessage(SmallModel(), msg).code(), Status::Code::kNotFound);
}

TEST(ManualLevelValidation, RefusesUnknownServiceAndRegion) {
  EXPECT_TRUE(ValidateManualLevel(SmallModel(), {"fr", 1, Level::kMinor, At(0), ""}).ok());
  EXPECT_FALSE(ValidateManualLevel(SmallModel(), {"fr", 42, Level::kMinor, At(0), ""}).ok());
  EXPECT_FALSE(ValidateManualLevel(SmallModel(), {"xx", 1, Level::kMinor, At(0), ""}).ok());
}

TEST(SlugRule, LowerCaseLettersDigitsAndInnerDashes) {
  for (const char* ok : {"weavy", "web-client", "a", "odata2", "na"}) EXPECT_TRUE(IsSlug(ok)) << ok;
  for (const char* bad : {"", "-a", "a-", "Web", "web client", "web_client", "é", "a/b"}) {
    EXPECT_FALSE(IsSlug(bad)) << bad;
  }
  EXPECT_TRUE(IsSlug(std::string(64, 'a')));
  EXPECT_FALSE(IsSlug(std::string(65, 'a')));
}

}  // namespace
}  // namespace vigie

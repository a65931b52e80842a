#include "admin/operations.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "admin/security.h"
#include "core/test_clock.h"
#include "store/test_store.h"

namespace vigie {
namespace {

using testing::At;

// A seeded store, a started Publisher and the operations on them, at minute 10.
class OperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = testing::Open(dir.Db());
    testing::Seed(*store);
    pub = std::make_unique<Publisher>(*store, clock, testing::SmallModel().regions);
    ASSERT_TRUE(pub->Start(false).ok());
    ops = std::make_unique<Operations>(*pub, *store, clock);
  }
  size_t AuditRows() { return store->ListAudit({.limit = 1000})->size(); }
  Level ServiceLevel(const std::string& region, const std::string& slug) {
    const auto snap = pub->Current();
    return snap->derived().Service(region, snap->model().FindService("erp", slug)->id).level;
  }
  EventDraft Incident() {
    EventDraft d;
    d.kind = EventKind::kIncident;
    d.platform = "erp";
    d.regions = {"fr"};
    d.title = {"Lenteurs", "Slowness"};
    d.services = {{"s1", Level::kMajor}};
    return d;
  }

  testing::TempDir dir;
  std::unique_ptr<Store> store;
  testing::ManualClock clock{At(10)};
  std::unique_ptr<Publisher> pub;
  std::unique_ptr<Operations> ops;  // declared last: gone first
};

TEST_F(OperationsTest, SetLevelShowsAtOnceInEachRegionGiven_WithOneAuditRow) {
  const size_t audit = AuditRows();
  ASSERT_TRUE(ops->SetLevel("alice", {"fr", "na"}, "erp", "s2", Level::kOutage, "panne").ok());
  EXPECT_EQ(ServiceLevel("fr", "s2"), Level::kOutage);
  EXPECT_EQ(ServiceLevel("na", "s2"), Level::kOutage);
  EXPECT_EQ(AuditRows(), audit + 1);
  EXPECT_EQ(store->ListAudit({.actor = "alice", .limit = 10})->front().action, "level.set");
}

TEST_F(OperationsTest, ARefusedOperationWritesNothing) {
  const size_t audit = AuditRows();
  const uint64_t version = pub->Current()->version();
  struct Case {
    const char* name;
    Status status;
    Status::Code code;
  };
  EventDraft unknown_service = Incident();
  unknown_service.services.push_back({"nope", Level::kMinor});
  EventDraft no_title = Incident();
  no_title.title = {};
  const Case cases[] = {
      {"unknown service", ops->SetLevel("a", {"fr"}, "erp", "nope", Level::kMinor, ""),
       Status::Code::kNotFound},
      {"one unknown region of two",
       ops->SetLevel("a", {"fr", "mars"}, "erp", "s1", Level::kMinor, ""), Status::Code::kNotFound},
      {"no region", ops->SetLevel("a", {}, "erp", "s1", Level::kMinor, ""), Status::Code::kInvalid},
      {"event on an unknown service", ops->CreateEvent("a", unknown_service).status(),
       Status::Code::kNotFound},
      {"event without a title", ops->CreateEvent("a", no_title).status(), Status::Code::kInvalid},
      {"update of no event", ops->PostUpdate("a", 999, {"x", "x"}, std::nullopt, std::nullopt),
       Status::Code::kNotFound},
  };
  for (const Case& c : cases)
    EXPECT_EQ(c.status.code(), c.code) << c.name << ": " << c.status.ToString();
  EXPECT_EQ(AuditRows(), audit);
  EXPECT_EQ(pub->Current()->version(), version);
  EXPECT_EQ(ServiceLevel("fr", "s1"), Level::kOperational);
}

TEST_F(OperationsTest, AnIncidentTurnsItsServicesUntilResolved) {
  Result<int64_t> id = ops->CreateEvent("bob", Incident());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(ServiceLevel("fr", "s1"), Level::kMajor);
  EXPECT_EQ(ServiceLevel("na", "s1"), Level::kOperational);  // not in that region
  clock.Set(At(20));
  ASSERT_TRUE(ops->Resolve("bob", *id, {"Réparé", "Fixed"}).ok());
  EXPECT_EQ(ServiceLevel("fr", "s1"), Level::kOperational);
  const Event* e = pub->Current()->model().FindEvent(*id);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->phase, Phase::kResolved);
  EXPECT_EQ(e->ends_at, At(20));
}

TEST_F(OperationsTest, OnlyAPlannedEventCanBeCancelled) {
  Result<int64_t> now = ops->CreateEvent("bob", Incident());
  ASSERT_TRUE(now.ok());
  EXPECT_FALSE(ops->Cancel("bob", *now, {"non", "no"}).ok());
  EventDraft later;
  later.kind = EventKind::kMaintenance;
  later.platform = "erp";
  later.regions = {"fr"};
  later.title = {"Maintenance", "Maintenance"};
  later.services = {{"s3", Level::kMaintenance}};
  later.starts_at = At(60);
  later.ends_at = At(90);
  Result<int64_t> planned = ops->CreateEvent("bob", later);
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  EXPECT_TRUE(ops->Cancel("bob", *planned, {"reportée", "postponed"}).ok());
}

TEST_F(OperationsTest, ATokenIsShownOnceAndStoredHashed) {
  Result<std::string> token = ops->CreateToken("admin", "ci", Role::kEditor);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  Result<std::optional<ApiToken>> found = store->FindToken(HashSecret(*token));
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ((*found)->name, "ci");
  // Never in clear: not in the database file nor in its write-ahead log.
  const std::string db = dir.Db().substr(std::string("sqlite:").size());
  for (const std::string& file : {db, db + "-wal"}) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(*token), std::string::npos) << file;
  }
  ASSERT_TRUE(ops->RevokeToken("admin", (*found)->id).ok());
  EXPECT_TRUE((*store->FindToken(HashSecret(*token)))->revoked_at.has_value());
}

TEST_F(OperationsTest, AnEditMadeFromAnOlderRevisionIsRefusedAndNamesWhoChangedIt) {
  Result<int64_t> id = ops->CreateEvent("alice", Incident());
  ASSERT_TRUE(id.ok());
  const int64_t opened = pub->Current()->model().FindEvent(*id)->revision;
  // Bob and Carol open the same event; Bob saves first.
  EventDraft bob = Incident();
  bob.title = {"Lenteurs (Bob)", "Slowness (Bob)"};
  bob.revision = opened;
  clock.Set(At(12));
  ASSERT_TRUE(ops->EditEvent("bob", *id, bob).ok());
  EventDraft carol = Incident();
  carol.title = {"Lenteurs (Carol)", "Slowness (Carol)"};
  carol.revision = opened;
  const size_t audit = AuditRows();
  Status st = ops->EditEvent("carol", *id, carol);
  EXPECT_EQ(st.code(), Status::Code::kConflict) << st.ToString();
  EXPECT_NE(st.message().find("changed by bob at " + FormatRfc3339(At(12))), std::string::npos)
      << st.message();
  const Event* e = pub->Current()->model().FindEvent(*id);
  EXPECT_EQ(e->title.en(), "Slowness (Bob)");  // never silently overwritten
  EXPECT_EQ(e->revision, opened + 1);
  EXPECT_EQ(e->updated_by, "bob");
  EXPECT_EQ(AuditRows(), audit);
  // From the revision she now sees, her edit goes through.
  carol.revision = e->revision;
  EXPECT_TRUE(ops->EditEvent("carol", *id, carol).ok());
  EXPECT_EQ(pub->Current()->model().FindEvent(*id)->title.en(), "Slowness (Carol)");
}

}  // namespace
}  // namespace vigie

#include "domain/history_index.h"

#include <gtest/gtest.h>

#include "domain/test_model.h"

namespace vigie {
namespace {

using testing::At;
using testing::MakeEvent;
using testing::SmallModel;

StatusChange Change(int64_t id, std::string region, std::string platform,
                    std::optional<int64_t> service, Level to, int minute) {
  StatusChange c;
  c.id = id;
  c.region = std::move(region);
  c.platform = std::move(platform);
  c.service_id = service;
  c.to = to;
  c.at = At(minute);
  return c;
}

std::vector<int64_t> Ids(const ChangeIndex::List& list) {
  std::vector<int64_t> out;
  for (const auto& c : list) out.push_back(c->id);
  return out;
}

// What a scan of the whole history finds, for comparison with the index.
std::vector<int64_t> Scan(const AppendVector<StatusChange>& all, const std::string& region,
                          const std::string& platform, std::optional<int64_t> service) {
  std::vector<int64_t> out;
  for (const StatusChange& c : all) {
    if (c.region == region && c.service_id == service && (service || c.platform == platform)) {
      out.push_back(c.id);
    }
  }
  return out;
}

AppendVector<StatusChange> History() {
  AppendVector<StatusChange> h;
  h.push_back(Change(1, "fr", "erp", 1, Level::kMinor, 0));
  h.push_back(Change(2, "fr", "erp", std::nullopt, Level::kMinor, 0));
  h.push_back(Change(3, "na", "erp", 1, Level::kMajor, 5));
  h.push_back(Change(4, "fr", "erp", 2, Level::kMajor, 10));
  h.push_back(Change(5, "fr", "erp", 1, Level::kOperational, 20));
  h.push_back(Change(6, "fr", "crm", 10, Level::kOutage, 30));
  return h;
}

TEST(ChangeIndexTest, ListsEachTargetsChangesInOrder) {
  const AppendVector<StatusChange> h = History();
  const ChangeIndex index(h);
  EXPECT_EQ(index.size(), 6u);
  EXPECT_EQ(Ids(index.Of("fr", "erp", 1)), (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(Ids(index.Of("na", "erp", 1)), (std::vector<int64_t>{3}));
  EXPECT_EQ(Ids(index.Of("fr", "erp", std::nullopt)), (std::vector<int64_t>{2}));
  EXPECT_TRUE(index.Of("na", "crm", 10).empty());
  for (const char* region : {"fr", "na"}) {
    for (std::optional<int64_t> service : {std::optional<int64_t>(1), std::optional<int64_t>(2),
                                           std::optional<int64_t>(10), std::optional<int64_t>()}) {
      EXPECT_EQ(Ids(index.Of(region, "erp", service)), Scan(h, region, "erp", service));
    }
  }
  // The newest at an instant, and of a region or one platform.
  EXPECT_EQ(index.LastBy("fr", "erp", 1, At(19))->id, 1);
  EXPECT_EQ(index.LastBy("fr", "erp", 1, At(20))->id, 5);
  EXPECT_EQ(index.LastBy("fr", "erp", 1, At(-1)), nullptr);
  // The same, as the instant and level the index keeps (the newest, or found in the list).
  for (const Time at : {At(-1), At(19), At(20), At(100)}) {
    const StatusChange* row = index.LastBy("fr", "erp", 1, at);
    const std::optional<ChangeIndex::Newest> kept = index.NewestOf("fr", "erp", 1, at);
    ASSERT_EQ(kept.has_value(), row != nullptr);
    if (row) {
      EXPECT_EQ(kept->at, row->at);
      EXPECT_EQ(kept->to, row->to);
    }
  }
  EXPECT_EQ(index.NewestOf("fr", "erp", 1)->at, index.Of("fr", "erp", 1).back()->at);
  EXPECT_EQ(index.NewestIn("fr", "", At(100)), At(30));
  EXPECT_EQ(index.NewestIn("fr", "erp", At(100)), At(20));
  EXPECT_EQ(index.NewestIn("fr", "erp", At(15)), At(10));
  EXPECT_EQ(index.NewestIn("na", "crm", At(100)), std::nullopt);
}

TEST(ChangeIndexTest, ExtendSharesWhatDidNotChange) {
  AppendVector<StatusChange> h = History();
  const ChangeIndex before(h);
  // A write adds rows: the next model shares the earlier ones (AppendVector shares its blocks).
  AppendVector<StatusChange> next = h;
  next.push_back(Change(7, "fr", "erp", 1, Level::kMajor, 40));
  next.push_back(Change(8, "fr", "erp", 3, Level::kMinor, 40));
  const ChangeIndex after = ChangeIndex::Extend(before, next);
  EXPECT_EQ(after.size(), 8u);
  EXPECT_EQ(Ids(after.Of("fr", "erp", 1)), (std::vector<int64_t>{1, 5, 7}));
  EXPECT_EQ(Ids(after.Of("fr", "erp", 3)), (std::vector<int64_t>{8}));
  // The index before is left as it was; an untouched target's list is the same list.
  EXPECT_EQ(Ids(before.Of("fr", "erp", 1)), (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(&before.Of("na", "erp", 1), &after.Of("na", "erp", 1));
  EXPECT_NE(&before.Of("fr", "erp", 1), &after.Of("fr", "erp", 1));
}

TEST(ChangeIndexTest, ExtendIndexesAgainWhenTheHistoryIsNotAnExtension) {
  AppendVector<StatusChange> h = History();
  const ChangeIndex before(h);
  // A row merged in before the last indexed one, and a history loaded anew (other objects).
  AppendVector<StatusChange> merged = h;
  AppendVector<StatusChange> early;
  early.push_back(Change(9, "fr", "erp", 1, Level::kMajor, 15));
  merged.MergeIn(early, ChangeBefore);
  const ChangeIndex a = ChangeIndex::Extend(before, merged);
  EXPECT_EQ(Ids(a.Of("fr", "erp", 1)), (std::vector<int64_t>{1, 9, 5}));
  const AppendVector<StatusChange> reloaded = History();
  const ChangeIndex b = ChangeIndex::Extend(before, reloaded);
  EXPECT_EQ(&b.Of("fr", "erp", 1).front()->at, &reloaded[0].at);
  // Shorter than what was indexed.
  AppendVector<StatusChange> shorter;
  for (size_t i = 0; i + 1 < h.size(); ++i) shorter.push_back(h[i]);
  EXPECT_EQ(ChangeIndex::Extend(before, shorter).size(), 5u);
  EXPECT_TRUE(ChangeIndex::Extend(before, shorter).Of("fr", "crm", 10).empty());
}

TEST(EventIndexTest, ByPlatformOpenAndNewest) {
  Model m = SmallModel();
  Event resolved = MakeEvent(1, EventKind::kIncident, {"fr"}, {{1, Level::kMajor}}, -60, -30);
  resolved.phase = Phase::kResolved;  // else its end is only an estimate
  m.events.push_back(resolved);
  m.events.push_back(MakeEvent(2, EventKind::kMaintenance, {"fr", "na"}, {}, -10, 50));
  Event crm = MakeEvent(3, EventKind::kIncident, {"na"}, {{10, Level::kMinor}}, 0, -1);
  crm.platform = "crm";
  crm.updates.push_back({30, At(5), Phase::kIdentified, {}});
  crm.updates.push_back({31, At(90), Phase::kMonitoring, {}});  // after the instant
  m.events.push_back(crm);
  Event cancelled = MakeEvent(4, EventKind::kMaintenance, {"fr"}, {}, 100, 160);
  cancelled.cancelled = true;
  m.events.push_back(cancelled);
  m.events.push_back(MakeEvent(5, EventKind::kAnnouncement, {"fr"}, {}, 120, 200));

  const EventIndex index(m, At(10));
  std::vector<int64_t> erp;
  for (const Event* e : index.OfPlatform("erp")) erp.push_back(e->id);
  EXPECT_EQ(erp, (std::vector<int64_t>{1, 2, 4, 5}));
  EXPECT_TRUE(index.OfPlatform("nope").empty());
  std::vector<int64_t> open;
  for (const Event* e : index.Open()) open.push_back(e->id);
  EXPECT_EQ(open, (std::vector<int64_t>{2, 3, 5}));  // in progress or planned, not cancelled
  // Events 4 and 5 were written at 0 (4's start does not count: it is cancelled, and 5's is
  // later); crm's update at 5 counts, the one at 90 is after the instant.
  EXPECT_EQ(index.NewestIn("fr", "erp"), At(0));
  const EventIndex earlier(m, At(-5));
  EXPECT_EQ(earlier.NewestIn("fr", "erp"), At(-10));  // event 2's start (1 ended at -30)
  EXPECT_EQ(index.NewestIn("na", "crm"), At(5));
  EXPECT_EQ(index.NewestIn("na", ""), At(5));
  EXPECT_EQ(index.NewestIn("fr", "crm"), std::nullopt);
}

std::vector<int64_t> ActiveIds(const EventIndex& index, const char* region) {
  std::vector<int64_t> out;
  for (const EventIndex::Activity& a : index.RecentlyActive(region)) out.push_back(a.event->id);
  return out;
}

TEST(EventIndexTest, RecentlyActiveFollowsTheClockWhenReused) {
  Model m = SmallModel();
  // 60 events created at minutes 0..59, each in fr; 7 is cancelled; 3 has an update at 100.
  // (At 150 the top 50 are 3, then 60 down to 12: 7 would be left out.)
  for (int64_t id = 1; id <= 60; ++id) {
    Event e = MakeEvent(id, EventKind::kAnnouncement, {"fr"}, {}, static_cast<int>(id), 200);
    e.created_at = e.updated_at = At(static_cast<int>(id) - 1);
    if (id == 7) e.cancelled = true;
    if (id == 3) e.updates.push_back({300, At(100), Phase::kNone, {}});
    m.events.push_back(e);
  }
  const EventIndex at50(m, At(50));
  std::vector<int64_t> ids = ActiveIds(at50, "fr");
  ASSERT_EQ(ids.size(), EventIndex::kRecentlyActive);
  // Creations after 50 count at 50 (ties keep the model's order: 51..60 first), then 50, 49,
  // ... 11; 3 (created at 2, its update still to come) is not among them.
  EXPECT_EQ(ids.front(), 51);
  EXPECT_EQ(ids.back(), 11);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 3), 0);
  EXPECT_TRUE(ActiveIds(at50, "na").empty());

  // Later, reusing the index: 3's update is now the newest item.
  const EventIndex later(m, At(150), &at50, &m.events);
  const EventIndex fresh(m, At(150));
  EXPECT_EQ(ActiveIds(later, "fr").front(), 3);
  EXPECT_EQ(ActiveIds(later, "fr").back(), 12);
  EXPECT_EQ(ActiveIds(later, "fr"), ActiveIds(fresh, "fr"));
  std::vector<int64_t> open_later, open_fresh;
  for (const Event* e : later.Open()) open_later.push_back(e->id);
  for (const Event* e : fresh.Open()) open_fresh.push_back(e->id);
  EXPECT_EQ(open_later, open_fresh);
  EXPECT_EQ(later.NewestIn("fr", "erp"), fresh.NewestIn("fr", "erp"));
}

}  // namespace
}  // namespace vigie

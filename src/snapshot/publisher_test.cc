#include "snapshot/publisher.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/body.h"
#include "core/test_clock.h"
#include "store/test_store.h"

namespace vigie {
namespace {

using testing::At;
using testing::Open;
using testing::Seed;
using testing::StoredEvent;
using testing::TempDir;

// A seeded store and a started Publisher, on a clock the test moves.
class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = Open(dir.Db());
    Seed(*store);
    pub = std::make_unique<Publisher>(*store, clock, testing::SmallModel().regions);
    ASSERT_TRUE(pub->Start(false).ok());
  }

  // A maintenance of s1 in fr from minute 60 to 120, written through `pub`; s1's id.
  int64_t PlanMaintenance() {
    const int64_t s1 = store->Load()->FindService("erp", "s1")->id;
    Event m = testing::MakeEvent(0, EventKind::kMaintenance, {"fr"}, {{s1, Level::kMaintenance}},
                                 60, 120);
    EXPECT_TRUE(pub->Write({.actor = "bob", .action = "event.create"},
                           [&](const Model&, StoreTx& tx) { return tx.InsertEvent(m).status(); })
                    .ok());
    return s1;
  }

  TempDir dir;
  std::unique_ptr<Store> store;
  testing::ManualClock clock{At(0)};
  std::unique_ptr<Publisher> pub;  // declared last: stopped first
};

TEST_F(PublisherTest, WriteRecordsStatusChangesAndAudit_AndPublishesASnapshot) {
  const uint64_t v0 = pub->Current()->version();
  const int64_t s1 = store->Load()->FindService("erp", "s1")->id;
  ASSERT_TRUE(
      pub->Write({.actor = "alice", .action = "level.set", .detail = "s1 minor", .note = "slow"},
                 [&](const Model&, StoreTx& tx) {
                   return tx.SetManualLevel({"fr", s1, Level::kMinor, At(0), "slow"});
                 })
          .ok());
  std::shared_ptr<const Snapshot> snap = pub->Current();
  EXPECT_GT(snap->version(), v0);
  EXPECT_EQ(snap->derived().Service("fr", s1).level, Level::kMinor);
  EXPECT_EQ(snap->derived().Platform("fr", "erp").level, Level::kMinor);
  ASSERT_EQ(snap->model().status_changes.size(), 2u);  // service and platform, fr only
  EXPECT_EQ(snap->model().status_changes[0].note, "slow");
  const std::string dump = *store->Export();
  EXPECT_NE(dump.find("alice"), std::string::npos);
  EXPECT_NE(dump.find("level.set"), std::string::npos);
}

TEST_F(PublisherTest, TheModelPublishedAfterAWriteIsTheStoredOne) {
  const int64_t s1 = store->Load()->FindService("erp", "s1")->id;
  for (Level l : {Level::kMinor, Level::kMajor, Level::kOperational}) {
    clock.Set(clock.Now() + std::chrono::minutes(1));
    ASSERT_TRUE(pub->Write({.actor = "alice", .action = "level.set"},
                           [&](const Model&, StoreTx& tx) {
                             return tx.SetManualLevel({"fr", s1, l, clock.Now(), ""});
                           })
                    .ok());
  }
  // The status changes were merged in memory; they must be what a load gives, ids and order.
  const Model stored = *store->Load();
  const Model& published = pub->Current()->model();
  ASSERT_EQ(published.status_changes.size(), stored.status_changes.size());
  ASSERT_GE(stored.status_changes.size(), 6u);
  for (size_t i = 0; i < stored.status_changes.size(); ++i) {
    EXPECT_EQ(published.status_changes[i].id, stored.status_changes[i].id) << i;
    EXPECT_EQ(published.status_changes[i].at, stored.status_changes[i].at) << i;
    EXPECT_EQ(published.status_changes[i].to, stored.status_changes[i].to) << i;
  }
  EXPECT_EQ(published.manual_levels.size(), stored.manual_levels.size());
}

// Every field the pages read, for comparing two loads of the same database.
std::string Describe(const Model& m) {
  std::string out;
  for (const Event& e : m.events) {
    out += std::to_string(e.id) + " " + std::string(e.title.fr()) + " " +
           std::to_string(ToUnix(e.starts_at)) + " " +
           (e.ends_at ? std::to_string(ToUnix(*e.ends_at)) : "-") + " " +
           std::string(PhaseId(e.phase)) + (e.cancelled ? " cancelled" : "") + " [";
    for (const Impact& i : e.impacts)
      out += std::to_string(i.service_id) + ":" + std::string(LevelId(i.level)) + " ";
    out += "] {";
    for (const EventUpdate& u : e.updates)
      out += std::to_string(u.id) + ":" + std::string(u.text.fr()) + " ";
    out += "}\n";
  }
  for (const StatusChange& c : m.status_changes) {
    out += std::to_string(c.id) + "@" + std::to_string(ToUnix(c.at)) + " ";
  }
  out += "\n" + std::to_string(m.services.size()) + " services, " +
         std::to_string(m.manual_levels.size()) + " levels, " + std::to_string(m.messages.size()) +
         " messages";
  return out;
}

TEST_F(PublisherTest, EachWriteReadsOnlyWhatChanged_AndGetsTheModelAFullLoadGives) {
  const Model seeded = *store->Load();
  const int64_t s1 = seeded.FindService("erp", "s1")->id;
  int64_t first = 0, second = 0;
  const auto write = [&](const std::function<Status(StoreTx&)>& change) {
    clock.Set(clock.Now() + std::chrono::minutes(1));
    ASSERT_TRUE(pub->Write({.actor = "t", .action = "t"},
                           [&](const Model&, StoreTx& tx) { return change(tx); })
                    .ok());
    Model stored = *store->Load();
    EXPECT_EQ(Describe(pub->Current()->model()), Describe(stored));
  };
  const std::shared_ptr<const Snapshot> before = pub->Current();
  write([&](StoreTx& tx) {  // two events
    Result<int64_t> a = tx.InsertEvent(StoredEvent(seeded));
    if (!a.ok()) return a.status();
    first = *a;
    Event other = StoredEvent(seeded);
    other.title = {"Deuxième", "Second"};
    other.starts_at = At(-100);  // sorts before the first
    Result<int64_t> b = tx.InsertEvent(other);
    if (!b.ok()) return b.status();
    second = *b;
    return Status::Ok();
  });
  const std::shared_ptr<const Snapshot> two = pub->Current();
  write([&](StoreTx& tx) {  // an update on the first: the second stays shared
    return tx.InsertUpdate(first, {0, clock.Now(), Phase::kMonitoring, {"Surveillé", "Watched"}})
        .status();
  });
  const Model& now = pub->Current()->model();
  const Model& then = two->model();
  size_t shared = 0;
  for (size_t i = 0; i < now.events.size(); ++i) {
    for (size_t j = 0; j < then.events.size(); ++j)
      shared += now.events.shared(i) == then.events.shared(j);
  }
  EXPECT_EQ(shared, 1u);    // the second event, not the one that changed
  write([&](StoreTx& tx) {  // an edit that moves the second event after the first
    Event e = *pub->Current()->model().FindEvent(second);
    e.starts_at = At(500);
    e.title = {"Déplacé", "Moved"};
    return tx.UpdateEvent(e);
  });
  write([&](StoreTx& tx) {  // a level: status changes, no event
    return tx.SetManualLevel({"fr", s1, Level::kMajor, clock.Now(), ""});
  });
  write([&](StoreTx& tx) {  // the catalog order changes the order of an event's services
    Service moved = *pub->Current()->model().FindService(s1);
    moved.position += 100;
    return tx.UpsertService(moved).status();
  });
  EXPECT_EQ(before->model().events.size(), 0u);  // older snapshots are left as they were
  EXPECT_EQ(two->model().events.size(), 2u);
}

TEST_F(PublisherTest, BodiesAskedForAreRenderedAgainBeforeTheNextSnapshotIsPublished) {
  int renders = 0;
  // What a handler does: look the body up in the current snapshot, say how to ask again.
  using Snap = std::shared_ptr<const Snapshot>;
  std::function<std::shared_ptr<const Body>(const Snap&)> serve_at = [&](const Snap& snap) {
    return snap->Cached("page", [&]() -> Snapshot::Rendered {
      ++renders;
      return {MakeBody("text/plain",
                       "version " + std::to_string(snap->version()) + std::string(400, '.'), At(0)),
              [&](const Snap& next) { serve_at(next); }};
    });
  };
  const auto serve = [&] { return serve_at(pub->Current()); };
  std::shared_ptr<const Body> first = serve();
  EXPECT_EQ(renders, 1);
  EXPECT_EQ(serve(), first);  // cached
  EXPECT_EQ(renders, 1);
  // A reader took it gzipped: compressed then, in that coding only.
  EXPECT_FALSE(first->WasCompressed(Coding::kGzip));
  ASSERT_NE(first->Compressed(Coding::kGzip), nullptr);
  EXPECT_TRUE(first->WasCompressed(Coding::kGzip));
  EXPECT_FALSE(first->WasCompressed(Coding::kBrotli));
  ASSERT_TRUE(pub->Write({.actor = "alice", .action = "noop"},
                         [](const Model&, StoreTx&) { return Status::Ok(); })
                  .ok());
  EXPECT_EQ(renders, 2);  // warmed by the write, for the new snapshot
  std::shared_ptr<const Body> second = serve();
  EXPECT_EQ(renders, 2);  // and found ready by the next request
  EXPECT_EQ(second->identity.substr(0, second->identity.find('.')),
            "version " + std::to_string(pub->Current()->version()));
  EXPECT_NE(second->identity, first->identity);
  // Compressed, once the write has answered, in the codings readers took the body in before.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!second->WasCompressed(Coding::kGzip) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(second->WasCompressed(Coding::kGzip));
  EXPECT_FALSE(second->WasCompressed(Coding::kBrotli));
}

TEST_F(PublisherTest, MaintenanceTransitionsAreRecordedAtTheirTimeEvenIfLate) {
  const int64_t s1 = PlanMaintenance();
  EXPECT_EQ(pub->Current()->next_transition(), At(60));
  // Nobody looks until minute 200: the replay still dates the changes at 60 and 120.
  clock.Set(At(200));
  ASSERT_TRUE(pub->Start(false).ok());
  std::vector<StatusChange> rows;
  for (const StatusChange& c : pub->Current()->model().status_changes) {
    if (c.service_id == s1) rows.push_back(c);
  }
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at, At(60));
  EXPECT_EQ(rows[0].to, Level::kMaintenance);
  EXPECT_EQ(rows[1].at, At(120));
  EXPECT_EQ(rows[1].to, Level::kOperational);
}

// The clock passes a transition while a write is under way (it read the clock before): the
// snapshot it publishes is as of the write's instant, so the transition is the timer's next
// one, not skipped (the snapshot as of the later instant would name the one after it).
TEST_F(PublisherTest, ATransitionDueDuringAWriteIsTheNextOneNotSkipped) {
  PlanMaintenance();
  clock.Set(At(59));
  ASSERT_TRUE(pub->Write({.actor = "clock", .action = "start"},
                         [&](const Model&, StoreTx&) {
                           clock.Set(At(61));  // the write is slow: the start comes due
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(pub->Current()->as_of(), At(59));
  EXPECT_EQ(pub->Current()->next_transition(), At(60));
}

// Two writers on one database (two processes on the file, later two nodes): each validates
// its change against the stored state and publishes what the other wrote too.
TEST_F(PublisherTest, TwoWritersOnOneDatabaseEachSeeWhatTheOtherWrote) {
  std::unique_ptr<Store> other_store = Open(dir.Db());
  Publisher other(*other_store, clock, testing::SmallModel().regions);
  ASSERT_TRUE(other.Start(false).ok());
  const int64_t s1 = store->Load()->FindService("erp", "s1")->id;
  const int64_t s2 = store->Load()->FindService("erp", "s2")->id;

  // This one creates an event; the other has not seen it.
  Event e = testing::MakeEvent(0, EventKind::kIncident, {"fr"}, {{s1, Level::kMajor}}, 0, -1);
  int64_t id = 0;
  ASSERT_TRUE(pub->Write({.actor = "alice", .action = "event.create"},
                         [&](const Model&, StoreTx& tx) -> Status {
                           Result<int64_t> r = tx.InsertEvent(e);
                           if (!r.ok()) return r.status();
                           id = *r;
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(other.Current()->model().FindEvent(id), nullptr);

  // The other's next write sees it while validating, and publishes it with its own change.
  bool saw = false;
  ASSERT_TRUE(other
                  .Write({.actor = "bob", .action = "level.set"},
                         [&](const Model& m, StoreTx& tx) {
                           saw = m.FindEvent(id) != nullptr;
                           return tx.SetManualLevel({"fr", s2, Level::kMinor, At(0), ""});
                         })
                  .ok());
  EXPECT_TRUE(saw);
  std::shared_ptr<const Snapshot> theirs = other.Current();
  ASSERT_NE(theirs->model().FindEvent(id), nullptr);
  EXPECT_EQ(theirs->derived().Service("fr", s1).level, Level::kMajor);
  EXPECT_EQ(theirs->derived().Service("fr", s2).level, Level::kMinor);

  // And back: this one sees the other's level and an edit of the event made there.
  ASSERT_TRUE(other
                  .Write({.actor = "bob", .action = "event.edit"},
                         [&](const Model& m, StoreTx& tx) {
                           Event edited = *m.FindEvent(id);
                           edited.title = {"Corrigé", "Fixed"};
                           return tx.UpdateEvent(edited);
                         })
                  .ok());
  ASSERT_TRUE(pub->Write({.actor = "alice", .action = "noop"},
                         [](const Model&, StoreTx&) { return Status::Ok(); })
                  .ok());
  std::shared_ptr<const Snapshot> ours = pub->Current();
  EXPECT_EQ(ours->model().FindEvent(id)->title.en(), "Fixed");
  EXPECT_EQ(ours->derived().Service("fr", s2).level, Level::kMinor);
  // Both published the stored state: what a full load gives, and the same seq.
  const Model stored = *store->Load();
  EXPECT_EQ(ours->model().seq, stored.seq);
  EXPECT_EQ(ours->model().status_changes.size(), stored.status_changes.size());
  EXPECT_EQ(ours->model().events.size(), stored.events.size());
  other.Stop();
}

// The clock leader reads another writer's event only once its start has come (the other's
// clock had not reached it, so it did not record it): publishing that event must not swallow
// the start. The leader records it, dated at its instant, without waiting for its timer's
// next look.
TEST_F(PublisherTest, AChangeReadFromElsewherePastATransitionDoesNotSwallowIt) {
  std::unique_ptr<Store> leader_store = Open(dir.Db());
  testing::ManualClock leader_clock{At(0)};
  Publisher leader(*leader_store, leader_clock, testing::SmallModel().regions,
                   Publisher::Options{.longest_sleep = std::chrono::hours(1),
                                      .refresh_every = std::chrono::milliseconds(0),
                                      .lease_every = std::chrono::hours(1)});
  ASSERT_TRUE(leader.Start(true).ok());
  for (int i = 0; i < 200 && !leader.leader(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(leader.leader());
  const int64_t s1 = PlanMaintenance();
  leader_clock.Set(At(61));  // nothing of the leader's is due: its timer sleeps on
  ASSERT_TRUE(leader.Refresh().ok());
  ASSERT_EQ(leader.Current()->next_transition(), At(120));
  const auto recorded = [&] {
    for (const StatusChange& c : leader.Current()->model().status_changes) {
      if (c.service_id == s1 && c.to == Level::kMaintenance) return std::optional<Time>(c.at);
    }
    return std::optional<Time>();
  };
  for (int i = 0; i < 300 && !recorded(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(recorded().has_value()) << "the start was swallowed";
  EXPECT_EQ(*recorded(), At(60));
  leader.Stop();
}

TEST_F(PublisherTest, EveryWriteTakesTheNextSeq) {
  const int64_t first = pub->Current()->model().seq;
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(pub->Write({.actor = "alice", .action = "noop"},
                           [](const Model&, StoreTx&) { return Status::Ok(); })
                    .ok());
    EXPECT_EQ(pub->Current()->model().seq, first + i);
  }
  EXPECT_EQ(store->Load()->seq, first + 3);
}

}  // namespace
}  // namespace vigie

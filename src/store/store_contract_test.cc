#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "store/pg_schema.h"
#include "store/sqlite_schema.h"
#include "store/test_pg.h"
#include "store/test_store.h"

// The contract every Store backend keeps, run on each of them: SQLite, and PostgreSQL on the
// server ctest starts. Backend-specific checks follow, in their own suites.
namespace vigie {
namespace {

using testing::At;
using testing::Open;
using testing::Seed;
using testing::StoredEvent;
using testing::TempDir;

// A backend the contract runs on: how to name a new, empty database of it.
struct Backend {
  const char* name;
  // The URL of a new database named `name` (several in one test are told apart by it).
  std::function<std::string(const TempDir& dir, const std::string& name)> url;
};

const Backend kSqlite{"sqlite", [](const TempDir& dir, const std::string& name) {
                        return dir.Db((name + ".db").c_str());
                      }};
const Backend kPostgres{"postgres", [](const TempDir&, const std::string& name) {
                          return testing::NewPgDatabase(name);
                        }};

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam().name == std::string("postgres") && !testing::PgServer()) {
      GTEST_SKIP() << "no PostgreSQL test server: run through ctest, which starts one";
    }
  }
  // The same name gives the same database within a test.
  std::string Url(const std::string& name = "vigie") {
    auto [it, added] = urls_.try_emplace(name);
    if (added) it->second = GetParam().url(dir, name);
    return it->second;
  }
  std::unique_ptr<Store> OpenNew(const std::string& name = "vigie") { return Open(Url(name)); }
  TempDir dir;

 private:
  std::map<std::string, std::string> urls_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values(kSqlite, kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(info.param.name);
                         });

TEST_P(StoreContract, MigrateIsIdempotent) {
  auto store = OpenNew();
  const int version = *store->SchemaVersion();
  EXPECT_GT(version, 0);
  EXPECT_TRUE(store->Migrate().ok());
  EXPECT_EQ(*store->SchemaVersion(), version);
}

TEST_P(StoreContract, WriteIsAllOrNothing) {
  auto store = OpenNew();
  Status st = store->Write([](StoreTx& tx) -> Status {
    VIGIE_RETURN_IF_ERROR(tx.UpsertPlatform(testing::SmallModel().platforms[0]));
    return Status::Invalid("changed my mind");
  });
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(store->Load()->platforms.empty());
}

TEST_P(StoreContract, ForeignKeysRefuseAnEventOnAnUnknownService) {
  auto store = OpenNew();
  Seed(*store);
  Event e = StoredEvent(*store->Load());
  e.impacts = {{424242, Level::kMajor}};
  Status st = store->Write([&](StoreTx& tx) -> Status { return tx.InsertEvent(e).status(); });
  EXPECT_EQ(st.code(), Status::Code::kConflict) << st.ToString();
  EXPECT_TRUE(store->Load()->events.empty());
}

TEST_P(StoreContract, EventRoundTripsWithImpactsAndUpdates) {
  auto store = OpenNew();
  Seed(*store);
  const Event e = StoredEvent(*store->Load());
  ASSERT_TRUE(store->Write([&](StoreTx& tx) { return tx.InsertEvent(e).status(); }).ok());
  Model m = *store->Load();
  ASSERT_EQ(m.events.size(), 1u);
  const Event& got = m.events[0];
  EXPECT_EQ(got.title, e.title);
  EXPECT_EQ(got.body, e.body);
  EXPECT_EQ(got.regions, e.regions);
  EXPECT_EQ(got.impacts, e.impacts);
  EXPECT_EQ(got.phase, Phase::kInvestigating);
  ASSERT_EQ(got.updates.size(), 2u);
  EXPECT_EQ(got.updates[1].text.fr(), "Trouvé");
  EXPECT_EQ(got.updates[1].phase, Phase::kIdentified);
}

TEST_P(StoreContract, SubscribersNoticesAndDeliveriesAreIdempotent) {
  auto store = OpenNew();
  Seed(*store);
  const int64_t service = store->Load()->FindService("erp", "s2")->id;
  Subscriber s;
  s.email = "Alice@Example.com";
  s.region = "fr";
  s.lang = Lang::kEn;
  s.created_at = FromUnix(1'000);
  s.subscriptions = {{"erp", Topic::kPlatform, 0}, {"erp", Topic::kService, service}};
  int64_t id = 0;
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) -> Status {
                    Result<int64_t> r = tx.AddSubscriber(s);
                    if (!r.ok()) return r.status();
                    id = *r;
                    return Status::Ok();
                  })
                  .ok());
  // One per address (any case) and region.
  Subscriber again = s;
  again.email = "alice@example.COM";
  Status dup = store->Write([&](StoreTx& tx) { return tx.AddSubscriber(again).status(); });
  EXPECT_EQ(dup.code(), Status::Code::kConflict) << dup.ToString();
  int64_t notice = 0;
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) -> Status {
                    Result<std::optional<Subscriber>> found = tx.FindSubscriberByKey(
                        SubscriberKey("ALICE@example.com", Channel::kEmail, ""), "fr");
                    if (!found.ok()) return found.status();
                    EXPECT_TRUE(found->has_value());
                    if (!*found) return Status::Ok();
                    EXPECT_EQ((*found)->id, id);
                    EXPECT_EQ((*found)->subscriptions, s.subscriptions);
                    EXPECT_FALSE((*found)->confirmed_at);
                    Subscriber confirmed = **found;
                    confirmed.confirmed_at = FromUnix(2'000);
                    confirmed.subscriptions = {{"erp", Topic::kMessages, 0}};
                    VIGIE_RETURN_IF_ERROR(tx.UpdateSubscriber(confirmed));
                    Result<int64_t> n = tx.InsertNotice(Notice{0, NoticeKind::kMessagePublished,
                                                               FromUnix(3'000), "erp", 0, 0, 7, 0});
                    if (!n.ok()) return n.status();
                    notice = *n;
                    // Confirming sets where its notices start: after this one.
                    Result<std::optional<Subscriber>> now = tx.FindSubscriber(id);
                    EXPECT_EQ((*now)->from_notice, notice);
                    return Status::Ok();
                  })
                  .ok());
  // Fanning out twice adds each delivery once.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(store
                    ->Write([&](StoreTx& tx) -> Status {
                      VIGIE_RETURN_IF_ERROR(tx.AddDeliveries(notice, {id}, FromUnix(3'000)));
                      return tx.MarkFannedOut(notice);
                    })
                    .ok());
  }
  std::vector<Delivery> due;
  ASSERT_TRUE(store
                  ->Read([&](StoreTx& tx) -> Status {
                    Result<std::vector<Notice>> waiting = tx.NoticesToFanOut(10);
                    EXPECT_TRUE(waiting.ok() && waiting->empty());
                    Result<std::vector<Subscriber>> confirmed = tx.ListSubscribers(0, 10, true);
                    EXPECT_TRUE(confirmed.ok() && confirmed->size() == 1u);
                    if (confirmed.ok() && !confirmed->empty()) {
                      EXPECT_EQ(confirmed->front().subscriptions.size(), 1u);
                    }
                    Result<std::vector<Delivery>> r = tx.DueDeliveries(FromUnix(3'000), 10);
                    if (!r.ok()) return r.status();
                    due = *r;
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].subscriber_id, id);
  // One sender takes it; a second, having read it as it was, does not. (A bookkeeping write:
  // it commits and shows like any other.)
  Result<bool> first = Status::Internal("unset"), second = Status::Internal("unset");
  ASSERT_TRUE(store
                  ->WriteBookkeeping([&](StoreTx& tx) -> Status {
                    first = tx.ClaimDelivery(due[0], FromUnix(3'100));
                    second = tx.ClaimDelivery(due[0], FromUnix(3'200));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);
  due[0].attempts = 1;
  Result<bool> stale = Status::Internal("unset");
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) -> Status {
                    stale = tx.FinishDelivery(due[0], FromUnix(3'200));  // not its claim
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_FALSE(*stale);
  // Not due before its time; sent once marked.
  due[0].next_at = FromUnix(9'000);
  due[0].attempts = 1;
  due[0].error = "SMTP 421 busy";
  ASSERT_TRUE(store->Write([&](StoreTx& tx) { return tx.UpdateDelivery(due[0]); }).ok());
  ASSERT_TRUE(store
                  ->Read([&](StoreTx& tx) -> Status {
                    EXPECT_TRUE(tx.DueDeliveries(FromUnix(8'999), 10)->empty());
                    EXPECT_EQ(tx.DueDeliveries(FromUnix(9'000), 10)->size(), 1u);
                    EXPECT_EQ((*tx.CountDeliveries())[0], 1);
                    return Status::Ok();
                  })
                  .ok());
  // The dump carries them, and loads into the other store the same.
  const std::string dump = *store->Export();
  EXPECT_NE(dump.find("alice@example.com"), std::string::npos);
  auto copy = OpenNew("copy");
  Status imported = copy->Import(dump);
  ASSERT_TRUE(imported.ok()) << imported.ToString();
  EXPECT_EQ(*copy->Export(), dump);
  // The same owner's webhook is another subscriber, with its endpoint and key. Its failures in
  // a row are counted; quarantining it fails what it had pending and keeps it from the fan-out;
  // resuming forgets the failures.
  Subscriber hook = s;
  hook.channel = Channel::kWebhook;
  hook.endpoint = "https://hooks.example.com/vigie";
  hook.secret = "0123abcd";
  hook.confirmed_at = FromUnix(2'500);
  int64_t hook_id = 0;
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) -> Status {
                    Result<int64_t> r = tx.AddSubscriber(hook);
                    if (!r.ok()) return r.status();
                    hook_id = *r;
                    Result<std::optional<Subscriber>> found = tx.FindSubscriberByKey(
                        SubscriberKey("Alice@example.com", Channel::kWebhook, hook.endpoint), "fr");
                    if (!found.ok()) return found.status();
                    EXPECT_TRUE(*found && (*found)->id == hook_id);
                    if (*found) {
                      EXPECT_EQ((*found)->channel, Channel::kWebhook);
                      EXPECT_EQ((*found)->endpoint, hook.endpoint);
                      EXPECT_EQ((*found)->secret, "0123abcd");
                    }
                    return tx.AddDeliveries(notice, {hook_id}, FromUnix(3'000));
                  })
                  .ok());
  ASSERT_TRUE(store
                  ->WriteBookkeeping([&](StoreTx& tx) -> Status {
                    EXPECT_EQ(*tx.CountEndpointAttempt(hook_id, false), 1);
                    EXPECT_EQ(*tx.CountEndpointAttempt(hook_id, false), 2);
                    EXPECT_EQ(*tx.CountEndpointAttempt(hook_id, true), 0);
                    EXPECT_EQ(*tx.CountEndpointAttempt(hook_id, false), 1);
                    EXPECT_EQ(*tx.CountEndpointAttempt(999'999, false), 0);  // gone: none
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE(
      store->Write([&](StoreTx& tx) { return tx.SetQuarantine(hook_id, FromUnix(4'000)); }).ok());
  ASSERT_TRUE(store
                  ->Read([&](StoreTx& tx) -> Status {
                    const std::optional<Subscriber> q = *tx.FindSubscriber(hook_id);
                    EXPECT_TRUE(q && q->quarantined_at == FromUnix(4'000) && q->failures == 1);
                    EXPECT_EQ(tx.ListSubscribers(0, 10, true)->size(), 1u);  // alice's mail only
                    EXPECT_EQ(tx.ListSubscribers(0, 10, false)->size(), 2u);
                    Result<std::vector<Delivery>> d = tx.ListDeliveries(notice, 10);
                    for (const Delivery& x : *d) {
                      if (x.subscriber_id == hook_id) {
                        EXPECT_EQ(x.state, DeliveryState::kFailed);
                        EXPECT_EQ(x.error, "the endpoint is quarantined");
                      }
                    }
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE(
      store->Write([&](StoreTx& tx) { return tx.SetQuarantine(hook_id, std::nullopt); }).ok());
  ASSERT_TRUE(store
                  ->Read([&](StoreTx& tx) -> Status {
                    const std::optional<Subscriber> q = *tx.FindSubscriber(hook_id);
                    EXPECT_TRUE(q && !q->quarantined_at && q->failures == 0);
                    EXPECT_EQ(tx.ListSubscribers(0, 10, true)->size(), 2u);
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE(store->Write([&](StoreTx& tx) { return tx.DeleteSubscriber(hook_id); }).ok());
  // Leaving removes what was not sent yet.
  ASSERT_TRUE(store->Write([&](StoreTx& tx) { return tx.DeleteSubscriber(id); }).ok());
  ASSERT_TRUE(store
                  ->Read([&](StoreTx& tx) -> Status {
                    EXPECT_FALSE(*tx.FindSubscriber(id));
                    EXPECT_TRUE(tx.DueDeliveries(FromUnix(9'000), 10)->empty());
                    return Status::Ok();
                  })
                  .ok());
}

TEST_P(StoreContract, ReimportingUpdatesTextsAndKeepsIds) {
  auto store = OpenNew();
  Seed(*store);
  const int64_t id = store->Load()->FindService("erp", "s2")->id;
  Service renamed = *store->Load()->FindService("erp", "s2");
  renamed.name.set(Lang::kEn, "Renamed");
  renamed.position = 9;
  Result<int64_t> again = Result<int64_t>(Status::Internal("unset"));
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) {
                    again = tx.UpsertService(renamed);
                    return again.status();
                  })
                  .ok());
  EXPECT_EQ(*again, id);
  EXPECT_EQ(store->Load()->FindService("erp", "s2")->name.en(), "Renamed");
}

TEST_P(StoreContract, ExportThenImportGivesTheSameDatabase) {
  auto a = OpenNew("a");
  Seed(*a);
  const Event e = StoredEvent(*a->Load());
  ASSERT_TRUE(a->Write([&](StoreTx& tx) -> Status {
                 Result<int64_t> id = tx.InsertEvent(e);
                 if (!id.ok()) return id.status();
                 return tx.InsertAudit(At(0), "test", "event.create", "« détail »");
               }).ok());
  const std::string dump = *a->Export();
  auto b = OpenNew("b");
  ASSERT_TRUE(b->Import(dump).ok());
  EXPECT_EQ(*b->Export(), dump);
  EXPECT_EQ(b->Import(dump).code(), Status::Code::kConflict);  // not into a non-empty one
  auto c = OpenNew("c");
  EXPECT_EQ(c->Import("{\"hello\": 1}").code(), Status::Code::kInvalid);
  EXPECT_EQ(c->Import("not json").code(), Status::Code::kInvalid);
}

// A dump is read as it is parsed, a row at a time: any order of tables, columns and keys
// loads the same site (tables that come before those they refer to are held until their
// turn), and a bad one is refused whole.
TEST_P(StoreContract, ADumpInAnyOrderLoadsTheSameAndABadOneNothing) {
  auto a = OpenNew("a");
  Seed(*a);
  const Event e = StoredEvent(*a->Load());
  ASSERT_TRUE(a->Write([&](StoreTx& tx) { return tx.InsertEvent(e).status(); }).ok());
  const std::string dump = *a->Export();
  const nlohmann::json parsed = nlohmann::json::parse(dump);

  // Keys sorted (tables by name, as nlohmann writes an object): event_services before events.
  {
    auto b = OpenNew("sorted");
    ASSERT_TRUE(b->Import(parsed.dump(1, '\t')).ok());
    EXPECT_EQ(*b->Export(), dump);
  }
  // Tables last to first, columns reversed, rows before columns, the header last.
  {
    using ordered = nlohmann::ordered_json;
    const ordered in = ordered::parse(dump);
    ordered tables = ordered::object();
    const ordered& all = in["tables"];
    for (auto t = all.rbegin(); t != all.rend(); ++t) {
      const ordered& cols = (*t)["columns"];
      ordered reversed_cols = ordered::array();
      for (auto c = cols.rbegin(); c != cols.rend(); ++c) reversed_cols.push_back(*c);
      ordered rows = ordered::array();
      for (const ordered& row : (*t)["rows"]) {
        ordered reversed_row = ordered::array();
        for (auto v = row.rbegin(); v != row.rend(); ++v) reversed_row.push_back(*v);
        rows.push_back(reversed_row);
      }
      ordered table = ordered::object();
      table["rows"] = rows;
      table["columns"] = reversed_cols;
      tables[std::string(t.key())] = table;
    }
    ordered reordered = ordered::object();
    reordered["tables"] = tables;
    reordered["schema_version"] = in["schema_version"];
    reordered["format"] = "vigie-dump";
    auto c = OpenNew("reordered");
    Status st = c->Import(reordered.dump());
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(*c->Export(), dump);
  }
  // Refused, with a sentence, and nothing of it kept: the same store takes the good dump after.
  auto d = OpenNew("bad");
  const auto refused = [&](nlohmann::json bad, const std::string& words) {
    const Status st = d->Import(bad.dump());
    EXPECT_EQ(st.code(), Status::Code::kInvalid) << words;
    EXPECT_NE(st.message().find(words), std::string::npos) << st.ToString();
  };
  nlohmann::json wide = parsed;
  wide["tables"]["events"]["rows"][0].push_back(1);
  refused(wide, "a row of events has the wrong width");
  nlohmann::json typed = parsed;
  typed["tables"]["events"]["rows"][0][0] = "one";
  refused(typed, "a value of events.id has the wrong type: \"one\"");
  nlohmann::json unknown = parsed;
  unknown["tables"]["events"]["columns"][0] = "colour";
  refused(unknown, "has a column Vigie does not know: \"colour\"");
  nlohmann::json future = parsed;
  future["schema_version"] = 999;
  refused(future, "the dump has schema version 999");
  nlohmann::json late = parsed;
  late["tables"]["platforms"]["rows"].push_back(late["tables"]["platforms"]["rows"][0]);
  EXPECT_EQ(d->Import(late.dump()).code(), Status::Code::kConflict);  // a key twice
  ASSERT_TRUE(d->Import(dump).ok());
  EXPECT_EQ(*d->Export(), dump);
}

TEST_P(StoreContract, AnAcknowledgedWriteSurvivesKill9) {
  const std::string url = Url();
  Open(url);  // create and migrate
  int ack[2];
  ASSERT_EQ(pipe(ack), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = OpenStore(url, StoreOptions{});
    Platform p = testing::SmallModel().platforms[0];
    p.name.set(Lang::kFr, "Écrit avant kill -9");
    Status st = (*store)->Write([&](StoreTx& tx) { return tx.UpsertPlatform(p); });
    const char c = st.ok() ? 'y' : 'n';
    (void)!write(ack[1], &c, 1);
    for (;;) pause();  // killed here, the connection never closed
  }
  close(ack[1]);
  char c = 0;
  ASSERT_EQ(read(ack[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto store = Open(url);
  Model m = *store->Load();
  ASSERT_EQ(m.platforms.size(), 1u);
  EXPECT_EQ(m.platforms[0].name.fr(), "Écrit avant kill -9");
}

// What LoadAbove gives from a model another writer has since moved past is what a full
// load gives: the events touched above its seq are read again, the rest is shared.
TEST_P(StoreContract, LoadAboveAStaleModelGivesTheStoredOne) {
  auto a = OpenNew();
  Seed(*a);
  auto b = Open(Url());  // a second writer on the same database
  const Model stale = *b->Load();
  int64_t kept = 0, edited = 0;
  ASSERT_TRUE(a->Write([&](StoreTx& tx) -> Status {
                 kept = *tx.InsertEvent(StoredEvent(stale));
                 edited = *tx.InsertEvent(StoredEvent(stale));
                 return tx.LogChange(At(0)).status();
               }).ok());
  const Model middle = *b->Load();
  ASSERT_TRUE(a->Write([&](StoreTx& tx) -> Status {
                 Event e = *middle.FindEvent(edited);
                 e.title = {"Modifié", "Edited"};
                 VIGIE_RETURN_IF_ERROR(tx.UpdateEvent(e));
                 return tx.LogChange(At(1)).status();
               }).ok());
  EXPECT_EQ(middle.seq, stale.seq + 1);
  for (const Model* from : {&stale, &middle}) {
    Model above;
    ASSERT_TRUE(b->Write([&](StoreTx& tx) -> Status {
                   Result<Model> m = tx.LoadAbove(*from);
                   if (!m.ok()) return m.status();
                   above = std::move(m).value();
                   return Status::Ok();
                 }).ok());
    const Model stored = *b->Load();
    EXPECT_EQ(above.seq, stored.seq);
    ASSERT_EQ(above.events.size(), 2u);
    EXPECT_EQ(above.FindEvent(edited)->title.en(), "Edited");
    EXPECT_EQ(above.FindEvent(kept)->title.en(), stored.FindEvent(kept)->title.en());
  }
  // The write that only read logged nothing.
  EXPECT_EQ(b->Load()->seq, middle.seq + 1);
}

// The catalog (platforms, services) is read again only when a change above the model's seq,
// or the open transaction, touched it: a mark left in the model's copy shows which.
TEST_P(StoreContract, LoadAboveReadsTheCatalogAgainOnlyWhenAChangeTouchedIt) {
  auto a = OpenNew();
  Seed(*a);  // a catalog write the log has not named yet: the next entry names it
  ASSERT_TRUE(a->Write([](StoreTx& tx) { return tx.LogChange(At(0)).status(); }).ok());
  auto b = Open(Url());  // a second writer on the same database
  Model marked = *b->Load();
  const int64_t s1 = marked.FindService("erp", "s1")->id;
  const auto mark = [&](Model& m) {
    for (Service& s : m.services) s.name.set(Lang::kEn, "mark");
  };
  const auto above = [&](const Model& from, const std::function<Status(StoreTx&)>& first = {}) {
    Model out;
    EXPECT_TRUE(b->Write([&](StoreTx& tx) -> Status {
                   if (first) VIGIE_RETURN_IF_ERROR(first(tx));
                   Result<Model> m = tx.LoadAbove(from);
                   if (!m.ok()) return m.status();
                   out = std::move(m).value();
                   return Status::Ok();
                 }).ok());
    return out;
  };
  mark(marked);
  ASSERT_TRUE(a->Write([&](StoreTx& tx) -> Status {
                 VIGIE_RETURN_IF_ERROR(tx.SetManualLevel({"fr", s1, Level::kMinor, At(1), ""}));
                 return tx.LogChange(At(1)).status();
               }).ok());
  Model after_level = above(marked);
  EXPECT_EQ(after_level.manual_levels.size(), 1u);
  EXPECT_EQ(after_level.FindService(s1)->name.en(), "mark");  // shared, not read again

  ASSERT_TRUE(a->Write([&](StoreTx& tx) -> Status {
                 Service renamed = *marked.FindService(s1);
                 renamed.name = {"Renommé", "Renamed"};
                 VIGIE_RETURN_IF_ERROR(tx.UpdateService(renamed));
                 return tx.LogChange(At(2)).status();
               }).ok());
  EXPECT_EQ(above(marked).FindService(s1)->name.en(), "Renamed");  // another writer's change
  mark(after_level);
  EXPECT_EQ(above(after_level).FindService(s1)->name.en(), "Renamed");

  Model current = *b->Load();
  mark(current);
  EXPECT_EQ(above(current).FindService(s1)->name.en(), "mark");
  const Model own = above(current, [&](StoreTx& tx) {  // this transaction's own change
    Service renamed = *current.FindService(s1);
    renamed.name = {"Encore", "Again"};
    return tx.UpdateService(renamed);
  });
  EXPECT_EQ(own.FindService(s1)->name.en(), "Again");
  EXPECT_EQ(own.FindService("erp", "s2")->name.en(),
            b->Load()->FindService("erp", "s2")->name.en());
}

TEST_P(StoreContract, AWriterFurtherBehindThanTheKeptLogReadsTheWholeModel) {
  const StoreOptions keep_two{.changes_kept = 2};
  auto a = std::move(OpenStore(Url(), keep_two)).value();
  ASSERT_TRUE(a->Migrate().ok());
  Seed(*a);
  auto b = std::move(OpenStore(Url(), keep_two)).value();
  const Model stale = *b->Load();
  // The first entry names `early`; the four after it (of which two are kept) name `late`.
  int64_t early = 0, late = 0;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(a->Write([&](StoreTx& tx) -> Status {
                   if (i == 0) {
                     early = *tx.InsertEvent(StoredEvent(stale));
                   } else if (i == 1) {
                     late = *tx.InsertEvent(StoredEvent(stale));
                   } else {
                     Event e = *tx.Load()->FindEvent(late);
                     e.title = {"Révision " + std::to_string(i), "Revision " + std::to_string(i)};
                     VIGIE_RETURN_IF_ERROR(tx.UpdateEvent(e));
                   }
                   return tx.LogChange(At(i)).status();
                 }).ok());
  }
  Model above;
  ASSERT_TRUE(b->Read([&](StoreTx& tx) -> Status {
                 Result<Model> m = tx.LoadAbove(stale);
                 if (!m.ok()) return m.status();
                 above = std::move(m).value();
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(above.seq, stale.seq + 5);
  EXPECT_NE(above.FindEvent(early), nullptr);  // named only by a pruned entry
  ASSERT_NE(above.FindEvent(late), nullptr);
  EXPECT_EQ(above.FindEvent(late)->title.en(), "Revision 4");
}

TEST_P(StoreContract, EveryKindOfWriteIsReadBack) {
  auto store = OpenNew();
  Seed(*store);
  const Model seeded = *store->Load();
  const int64_t s1 = seeded.FindService("erp", "s1")->id;
  int64_t message = 0;
  ASSERT_TRUE(
      store
          ->Write([&](StoreTx& tx) -> Status {
            VIGIE_RETURN_IF_ERROR(tx.SetManualLevel({"fr", s1, Level::kMinor, At(1), "lent"}));
            VIGIE_RETURN_IF_ERROR(tx.SetOverride({"na", "erp", Level::kMajor, At(2), "panne"}));
            VIGIE_RETURN_IF_ERROR(tx.SetOverride({"fr", "crm", Level::kOutage, At(2), ""}));
            VIGIE_RETURN_IF_ERROR(tx.ClearOverride("fr", "crm"));
            Service renamed = *seeded.FindService(s1);
            renamed.name = {"Nouveau nom", "New name"};
            renamed.retired = true;
            VIGIE_RETURN_IF_ERROR(tx.UpdateService(renamed));
            Message m{0, "erp", {"fr"}, {"Titre", "Title"}, {"Corps", "Body"}, At(3), At(60)};
            Result<int64_t> id = tx.InsertMessage(m);
            if (!id.ok()) return id.status();
            message = *id;
            m.id = message;
            m.title = {"Titre 2", "Title 2"};
            VIGIE_RETURN_IF_ERROR(tx.UpdateMessage(m));
            std::vector<StatusChange> changes(1);
            changes[0].region = "fr";
            changes[0].platform = "erp";
            changes[0].service_id = s1;
            changes[0].from = Level::kOperational;
            changes[0].to = Level::kMinor;
            changes[0].at = At(1);
            VIGIE_RETURN_IF_ERROR(tx.InsertStatusChanges(changes));
            if (changes[0].id <= 0) return Status::Internal("no id set");
            VIGIE_RETURN_IF_ERROR(tx.SetMeta("k", "v"));
            return tx.InsertAudit(At(4), "alice", "level.set", "s1 minor");
          })
          .ok());
  const Model m = *store->Load();
  ASSERT_EQ(m.manual_levels.size(), 1u);
  EXPECT_EQ(m.manual_levels[0].level, Level::kMinor);
  EXPECT_EQ(m.manual_levels[0].note, "lent");
  ASSERT_EQ(m.overrides.size(), 1u);  // the cleared one is gone
  EXPECT_EQ(m.overrides[0].region, "na");
  EXPECT_EQ(m.FindService(s1)->name.en(), "New name");
  EXPECT_TRUE(m.FindService(s1)->retired);
  ASSERT_EQ(m.messages.size(), 1u);
  EXPECT_EQ(m.messages[0].title.en(), "Title 2");
  EXPECT_EQ(m.messages[0].expires_at, At(60));
  ASSERT_EQ(m.status_changes.size(), 1u);
  EXPECT_EQ(m.status_changes[0].to, Level::kMinor);
  std::string meta;
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) -> Status {
                    Result<std::string> v = tx.GetMeta("k");
                    if (!v.ok()) return v.status();
                    meta = *v;
                    return tx.DeleteMessage(message);
                  })
                  .ok());
  EXPECT_EQ(meta, "v");
  EXPECT_TRUE(store->Load()->messages.empty());
  Result<std::vector<AuditEntry>> audit = store->ListAudit({.action = "level."});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].actor, "alice");
  EXPECT_TRUE(store->ListAudit({.actor = "bob"})->empty());
}

TEST_P(StoreContract, AccountsSessionsAndTokens) {
  auto store = OpenNew();
  User alice{0, "Alice", Role::kAdmin, "hash", false, At(0), At(0)};
  Result<int64_t> id = Result<int64_t>(Status::Internal("unset"));
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) -> Status {
                    id = tx.AddUser(alice);
                    return id.status();
                  })
                  .ok());
  // Names are unique whatever their case.
  User again = alice;
  again.name = "ALICE";
  Status taken = store->Write([&](StoreTx& tx) { return tx.AddUser(again).status(); });
  EXPECT_EQ(taken.code(), Status::Code::kConflict) << taken.ToString();
  ASSERT_TRUE(store->FindUser("Alice")->has_value());
  EXPECT_EQ((*store->FindUserById(*id))->name, "Alice");
  // A session: created, found by its hash, touched, ended.
  const Session s{"session-hash", *id, "csrf", At(0), At(0)};
  ASSERT_TRUE(store->Write([&](StoreTx& tx) { return tx.CreateSession(s); }).ok());
  ASSERT_TRUE(store->Write([&](StoreTx& tx) { return tx.TouchSession(s.id_hash, At(5)); }).ok());
  Result<std::optional<Session>> found = store->FindSession(s.id_hash);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->last_seen_at, At(5));
  ASSERT_TRUE(store->Write([&](StoreTx& tx) { return tx.DeleteSessionsOf(*id); }).ok());
  EXPECT_FALSE(store->FindSession(s.id_hash)->has_value());
  // A token: found by its hash, then revoked.
  ApiToken t{0, "ci", "token-hash", Role::kEditor, "Alice", At(0), std::nullopt, std::nullopt};
  Result<int64_t> tid = Result<int64_t>(Status::Internal("unset"));
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) -> Status {
                    tid = tx.AddToken(t);
                    return tid.status();
                  })
                  .ok());
  ASSERT_TRUE(store->Write([&](StoreTx& tx) { return tx.RevokeToken(*tid, At(9)); }).ok());
  Result<std::optional<ApiToken>> token = store->FindToken("token-hash");
  ASSERT_TRUE(token.ok() && token->has_value());
  EXPECT_EQ((*token)->revoked_at, At(9));
  EXPECT_EQ(store->ListTokens()->size(), 1u);
  EXPECT_FALSE(store->FindToken("other-hash")->has_value());
}

// A dump replaces a site whole: what the store held before is gone (sessions too), and a
// model of the store from before reads the new state whole, whatever its seq.
TEST_P(StoreContract, ReplaceSwapsTheWholeSiteAndStartsANewGeneration) {
  auto source = OpenNew("source");
  Seed(*source);
  const Event stored = StoredEvent(*source->Load());
  ASSERT_TRUE(source->Write([&](StoreTx& tx) { return tx.InsertEvent(stored).status(); }).ok());
  const std::string dump = *source->Export();
  auto site = OpenNew("site");
  Seed(*site);
  int64_t user = 0;
  Event e = StoredEvent(*site->Load());
  e.title = {"Ancien", "Old"};
  ASSERT_TRUE(
      site->Write([&](StoreTx& tx) -> Status {
            VIGIE_RETURN_IF_ERROR(tx.InsertEvent(e).status());
            VIGIE_RETURN_IF_ERROR(tx.InsertEvent(e).status());
            Result<int64_t> id = tx.AddUser({0, "old", Role::kAdmin, "h", false, At(0), At(0)});
            if (!id.ok()) return id.status();
            user = *id;
            VIGIE_RETURN_IF_ERROR(tx.CreateSession({"sess", user, "c", At(0), At(0)}));
            return tx.LogChange(At(0)).status();
          })
          .ok());
  const Model before = *site->Load();
  ASSERT_EQ(before.events.size(), 2u);
  ASSERT_TRUE(site->Replace(dump).ok());
  EXPECT_FALSE(site->FindSession("sess")->has_value());
  EXPECT_FALSE(site->FindUser("old")->has_value());
  const Model after = *site->Load();
  ASSERT_EQ(after.events.size(), 1u);
  EXPECT_EQ(after.events[0].title.en(), "Slow web access");
  EXPECT_NE(after.generation, before.generation);
  Model above;
  ASSERT_TRUE(site->Read([&](StoreTx& tx) -> Status {
                    Result<Model> m = tx.LoadAbove(before);
                    if (!m.ok()) return m.status();
                    above = std::move(m).value();
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(above.events.size(), 1u) << "the old events are not kept";
  EXPECT_EQ(above.events[0].title.en(), "Slow web access");
  EXPECT_EQ(above.status_changes.size(), after.status_changes.size());
  EXPECT_EQ(site->Replace("not json").code(), Status::Code::kInvalid);
  EXPECT_EQ(site->Load()->events.size(), 1u) << "a refused replace writes nothing";
}

// A backup taken while the store is in use holds all of it, and loads back unchanged.
TEST_P(StoreContract, ABackupLoadsBackUnchanged) {
  auto store = OpenNew();
  Seed(*store);
  const Event e = StoredEvent(*store->Load());
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) -> Status {
                    VIGIE_RETURN_IF_ERROR(tx.InsertEvent(e).status());
                    return tx.InsertAudit(At(0), "test", "event.create", "détail");
                  })
                  .ok());
  const std::string path = dir.Db("backup.file").substr(7);
  ASSERT_TRUE(store->Backup(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::string head(16, '\0');
  std::ifstream(path, std::ios::binary).read(head.data(), 16);
  std::unique_ptr<Store> back;
  if (head == std::string("SQLite format 3\0", 16)) {
    back = Open("sqlite:" + path);  // SQLite's backup is a database file
  } else {
    std::stringstream text;
    text << std::ifstream(path, std::ios::binary).rdbuf();
    back = OpenNew("restored");
    ASSERT_TRUE(back->Import(text.str()).ok());
  }
  EXPECT_EQ(*back->Export(), *store->Export());
}

// Two writers (two processes, two nodes) writing at once: their writes take turns, each gets a
// seq of its own, and nothing is lost.
TEST_P(StoreContract, WritersAtOnceTakeTurns) {
  auto a = OpenNew();
  Seed(*a);
  auto b = Open(Url());
  const Model seeded = *a->Load();
  constexpr int kEach = 15;
  std::vector<int64_t> seqs;
  std::mutex mu;
  const auto writer = [&](Store& store) {
    for (int i = 0; i < kEach; ++i) {
      Status st = store.Write([&](StoreTx& tx) -> Status {
        VIGIE_RETURN_IF_ERROR(tx.InsertEvent(StoredEvent(seeded)).status());
        Result<int64_t> seq = tx.LogChange(At(i));
        if (!seq.ok()) return seq.status();
        std::lock_guard lock(mu);
        seqs.push_back(*seq);
        return Status::Ok();
      });
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  };
  std::thread one(writer, std::ref(*a)), two(writer, std::ref(*b));
  one.join();
  two.join();
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(std::adjacent_find(seqs.begin(), seqs.end()), seqs.end()) << "a seq given twice";
  const Model m = *b->Load();
  EXPECT_EQ(m.events.size(), 2u * kEach);
  EXPECT_EQ(m.seq, seqs.back());
}

TEST(SqliteStore, SchemaVersionIsTheNumberOfMigrations) {
  TempDir dir;
  auto store = Open(dir.Db());
  EXPECT_EQ(*store->SchemaVersion(), static_cast<int>(sqlite::kMigrations.size()));
}

TEST(OpenStore, TheDataDirectorysFileUnlessAUrlNamesAnother) {
  TempDir dir;
  const std::string base = dir.Db().substr(std::string("sqlite:").size());  // .../vigie.db
  const std::string folder = std::filesystem::path(base).parent_path() / "node" / "data";
  const StoreOptions options{.data_dir = folder};
  EXPECT_EQ(StoreName("", options), "sqlite:" + folder + "/vigie.db");
  Result<std::unique_ptr<Store>> in_dir = OpenStore("", options);
  ASSERT_TRUE(in_dir.ok()) << in_dir.status().ToString();  // the folders are created
  EXPECT_TRUE(std::filesystem::exists(folder + "/vigie.db"));
  const std::string other = std::filesystem::path(base).parent_path() / "elsewhere" / "v.db";
  ASSERT_TRUE(OpenStore("sqlite:" + other, options).ok());
  EXPECT_TRUE(std::filesystem::exists(other));
  Result<std::unique_ptr<Store>> unknown = OpenStore("mysql://db/vigie", options);
  EXPECT_EQ(unknown.status().code(), Status::Code::kInvalid);
  EXPECT_NE(unknown.status().message().find("mysql://db/vigie"), std::string::npos);
}

TEST(OpenStore, APostgresUrlIsCheckedButTheServerNotReachedYet) {
  // A node may start while its database is away: opening names it, the first use reaches it.
  Result<std::unique_ptr<Store>> later = OpenStore("postgresql://vigie@127.0.0.1:1/none", {});
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  Status st = (*later)->Ping();
  EXPECT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("unreachable"), std::string::npos) << st.message();
  Result<std::unique_ptr<Store>> bad = OpenStore("postgresql://db/vigie?no_such_setting=1", {});
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalid) << bad.status().ToString();
  EXPECT_EQ(StoreName("postgresql://alice:s3cret@db1:5432/vigie", {}),
            "postgresql://alice:***@db1:5432/vigie");
  EXPECT_EQ(StoreName("postgresql://db1,db2/vigie?target_session_attrs=read-write", {}),
            "postgresql://db1,db2/vigie?target_session_attrs=read-write");
}

// What only PostgreSQL does: tell other nodes at once, give the clock lease to one of them.
class PostgresStore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::PgServer()) GTEST_SKIP() << "no PostgreSQL test server";
    url_ = testing::NewPgDatabase("pg");
  }
  std::string url_;
};

TEST_F(PostgresStore, AWriteIsAnnouncedToTheOtherNodesAtOnce) {
  auto a = Open(url_);
  auto b = Open(url_);
  ASSERT_TRUE(b->WaitForChange(std::chrono::milliseconds(50)).value_or(false))
      << "the first call opens the listening connection: look once";
  EXPECT_FALSE(b->WaitForChange(std::chrono::milliseconds(50)).value_or(true)) << "nothing yet";
  Seed(*a);  // a write that logs no change announces nothing
  EXPECT_FALSE(b->WaitForChange(std::chrono::milliseconds(50)).value_or(true));
  ASSERT_TRUE(a->Write([](StoreTx& tx) { return tx.LogChange(At(0)).status(); }).ok());
  const auto asked = std::chrono::steady_clock::now();
  Result<bool> told = b->WaitForChange(std::chrono::seconds(5));
  ASSERT_TRUE(told.ok()) << told.status().ToString();
  EXPECT_TRUE(*told);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(1));
}

TEST_F(PostgresStore, OneNodeHoldsTheLeaseAndAnotherTakesItWhenItGoes) {
  auto a = Open(url_);
  auto b = Open(url_);
  EXPECT_TRUE(a->HoldsLease().value_or(false));
  EXPECT_TRUE(a->HoldsLease().value_or(false)) << "still held";
  EXPECT_FALSE(b->HoldsLease().value_or(true));
  a.reset();  // its sessions end: the server releases the lease
  bool taken = false;
  for (int i = 0; i < 50 && !taken; ++i) {
    taken = b->HoldsLease().value_or(false);
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(taken);
}

TEST_F(PostgresStore, SchemaVersionIsTheNumberOfMigrationsAndAnotherProgramsDatabaseIsRefused) {
  auto store = Open(url_);
  EXPECT_EQ(*store->SchemaVersion(), static_cast<int>(pg::kMigrations.size()));
  const std::string other = testing::NewPgDatabase("other");
  PGconn* conn = PQconnectdb(other.c_str());
  PQclear(PQexec(conn, "CREATE TABLE invoices (id int)"));
  PQfinish(conn);
  auto foreign = std::move(OpenStore(other, {})).value();
  Status st = foreign->Migrate();
  EXPECT_EQ(st.code(), Status::Code::kInvalid) << st.ToString();
  EXPECT_NE(st.message().find("invoices"), std::string::npos) << st.message();
}

// A dump is the same JSON whichever backend wrote it: SQLite → PostgreSQL → SQLite gives the
// first export byte for byte.
TEST_F(PostgresStore, ADumpMovesBetweenBackendsUnchanged) {
  TempDir dir;
  auto lite = Open(dir.Db("a.db"));
  Seed(*lite);
  const Event e = StoredEvent(*lite->Load());
  ASSERT_TRUE(lite->Write([&](StoreTx& tx) -> Status {
                    VIGIE_RETURN_IF_ERROR(tx.InsertEvent(e).status());
                    VIGIE_RETURN_IF_ERROR(tx.SetOverride({"na", "erp", Level::kMajor, At(2), ""}));
                    VIGIE_RETURN_IF_ERROR(
                        tx.AddUser({0, "Zoé", Role::kAdmin, "h", false, At(0), At(0)}).status());
                    VIGIE_RETURN_IF_ERROR(
                        tx.AddUser({0, "bob", Role::kEditor, "h", false, At(0), At(0)}).status());
                    return tx.InsertAudit(At(0), "test", "event.create", "« détail »");
                  })
                  .ok());
  const std::string dump = *lite->Export();
  auto pg = Open(url_);
  ASSERT_TRUE(pg->Import(dump).ok());
  EXPECT_EQ(*pg->Export(), dump);
  auto back = Open(dir.Db("b.db"));
  ASSERT_TRUE(back->Import(*pg->Export()).ok());
  EXPECT_EQ(*back->Export(), dump);
  // Ids drawn after an import come after the imported ones.
  Result<int64_t> next = Result<int64_t>(Status::Internal("unset"));
  ASSERT_TRUE(pg->Write([&](StoreTx& tx) {
                  next = tx.InsertEvent(e);
                  return next.status();
                }).ok());
  EXPECT_GT(*next, pg->Load()->events[0].id);
}

}  // namespace
}  // namespace vigie

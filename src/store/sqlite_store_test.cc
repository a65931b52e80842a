#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "store/test_store.h"

namespace vigie {
namespace {

using testing::At;
using testing::Open;
using testing::Seed;
using testing::StoredEvent;
using testing::TempDir;

TEST(SqliteStore, MigrateIsIdempotent) {
  TempDir dir;
  auto store = Open(dir.Db());
  EXPECT_TRUE(store->Migrate().ok());
  EXPECT_EQ(*store->SchemaVersion(), 6);
}

TEST(SqliteStore, WriteIsAllOrNothing) {
  TempDir dir;
  auto store = Open(dir.Db());
  Status st = store->Write([](StoreTx& tx) -> Status {
    VIGIE_RETURN_IF_ERROR(tx.UpsertPlatform(testing::SmallModel().platforms[0]));
    return Status::Invalid("changed my mind");
  });
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(store->Load()->platforms.empty());
}

TEST(SqliteStore, ForeignKeysRefuseAnEventOnAnUnknownService) {
  TempDir dir;
  auto store = Open(dir.Db());
  Seed(*store);
  Event e = StoredEvent(*store->Load());
  e.impacts = {{424242, Level::kMajor}};
  Status st = store->Write([&](StoreTx& tx) -> Status { return tx.InsertEvent(e).status(); });
  EXPECT_EQ(st.code(), Status::Code::kConflict) << st.ToString();
  EXPECT_TRUE(store->Load()->events.empty());
}

TEST(SqliteStore, EventRoundTripsWithImpactsAndUpdates) {
  TempDir dir;
  auto store = Open(dir.Db());
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
  EXPECT_EQ(got.updates[1].text.fr, "Trouvé");
  EXPECT_EQ(got.updates[1].phase, Phase::kIdentified);
}

TEST(SqliteStore, ReimportingUpdatesTextsAndKeepsIds) {
  TempDir dir;
  auto store = Open(dir.Db());
  Seed(*store);
  const int64_t id = store->Load()->FindService("erp", "s2")->id;
  Service renamed = *store->Load()->FindService("erp", "s2");
  renamed.name.en = "Renamed";
  renamed.position = 9;
  Result<int64_t> again = Result<int64_t>(Status::Internal("unset"));
  ASSERT_TRUE(store
                  ->Write([&](StoreTx& tx) {
                    again = tx.UpsertService(renamed);
                    return again.status();
                  })
                  .ok());
  EXPECT_EQ(*again, id);
  EXPECT_EQ(store->Load()->FindService("erp", "s2")->name.en, "Renamed");
}

TEST(SqliteStore, ExportThenImportGivesTheSameDatabase) {
  TempDir dir;
  auto a = Open(dir.Db("a.db"));
  Seed(*a);
  const Event e = StoredEvent(*a->Load());
  ASSERT_TRUE(a->Write([&](StoreTx& tx) -> Status {
                 Result<int64_t> id = tx.InsertEvent(e);
                 if (!id.ok()) return id.status();
                 return tx.InsertAudit(At(0), "test", "event.create", "« détail »");
               }).ok());
  const std::string dump = *a->Export();
  auto b = Open(dir.Db("b.db"));
  ASSERT_TRUE(b->Import(dump).ok());
  EXPECT_EQ(*b->Export(), dump);
  EXPECT_EQ(b->Import(dump).code(), Status::Code::kConflict);  // not into a non-empty one
  auto c = Open(dir.Db("c.db"));
  EXPECT_EQ(c->Import("{\"hello\": 1}").code(), Status::Code::kInvalid);
  EXPECT_EQ(c->Import("not json").code(), Status::Code::kInvalid);
}

TEST(SqliteStore, AnAcknowledgedWriteSurvivesKill9) {
  TempDir dir;
  const std::string url = dir.Db();
  Open(url);  // create and migrate
  int ack[2];
  ASSERT_EQ(pipe(ack), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = OpenStore(url, StoreOptions{});
    Platform p = testing::SmallModel().platforms[0];
    p.name.fr = "Écrit avant kill -9";
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
  EXPECT_EQ(m.platforms[0].name.fr, "Écrit avant kill -9");
}

// What LoadAbove gives from a model another writer has since moved past is what a full
// load gives: the events touched above its seq are read again, the rest is shared.
TEST(SqliteStore, LoadAboveAStaleModelGivesTheStoredOne) {
  TempDir dir;
  auto a = Open(dir.Db());
  Seed(*a);
  auto b = Open(dir.Db());  // a second writer on the same file
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
    EXPECT_EQ(above.FindEvent(edited)->title.en, "Edited");
    EXPECT_EQ(above.FindEvent(kept)->title.en, stored.FindEvent(kept)->title.en);
  }
  // The write that only read logged nothing.
  EXPECT_EQ(b->Load()->seq, middle.seq + 1);
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

}  // namespace
}  // namespace vigie

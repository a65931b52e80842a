#include "app/importers.h"

#include <gtest/gtest.h>

#include <fstream>

#include "store/test_store.h"

namespace vigie {
namespace {

using testing::At;

// An empty migrated store and a started Publisher on it, with the shipped regions fr and na.
class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = testing::Open(dir.Db());
    pub = std::make_unique<Publisher>(*store, clock, testing::SmallModel().regions);
    ASSERT_TRUE(pub->Start(false).ok());
  }
  // Writes `text` to a file of the test's directory; returns its path.
  std::string File(const char* name, const std::string& text) {
    const std::string path = dir.Db(name).substr(std::string("sqlite:").size());
    std::ofstream(path) << text;
    return path;
  }
  size_t AuditRows() { return store->ListAudit({.limit = 1000})->size(); }

  testing::TempDir dir;
  std::unique_ptr<Store> store;
  SystemClock clock;
  std::unique_ptr<Publisher> pub;
};

TEST_F(ImportTest, TheShippedCatalogHasTheGuidesPlatformsAndServices_AndReimportKeepsIds) {
  const std::string catalog = std::string(VIGIE_SOURCE_DIR) + "/catalog/divalto.toml";
  Result<ImportSummary> first = ImportCatalog(*pub, catalog, "test");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->platforms, 2);
  EXPECT_EQ(first->services, 37);  // 15 weavy + 22 infinity
  const Model before = pub->Current()->model();
  ASSERT_TRUE(ImportCatalog(*pub, catalog, "test").ok());
  const Model& after = pub->Current()->model();
  ASSERT_EQ(after.services.size(), before.services.size());
  for (const Service& s : before.services) {
    const Service* again = after.FindService(s.platform, s.slug);
    ASSERT_NE(again, nullptr) << s.slug;
    EXPECT_EQ(again->id, s.id) << s.slug;
  }
}

TEST_F(ImportTest, ABadFileWritesNothingAndSaysWhere) {
  struct Case {
    const char* name;
    const char* toml;
    const char* says;  // a part of the error message
  };
  const Case cases[] = {
      {"syntax", "[[platforms]\nslug = \"x\"\n", "bad.toml:1:"},
      {"bad slug", "[[platforms]]\nslug = \"Not A Slug\"\nname = { fr = \"X\", en = \"X\" }\n",
       "slug"},
      {"second service bad",
       "[[platforms]]\nslug = \"erp\"\nname = { fr = \"ERP\", en = \"ERP\" }\n"
       "[[platforms.services]]\nslug = \"ok\"\nname = { fr = \"A\", en = \"A\" }\n"
       "[[platforms.services]]\nslug = \"\"\nname = { fr = \"B\", en = \"B\" }\n",
       "slug"},
  };
  for (const Case& c : cases) {
    Result<ImportSummary> r = ImportCatalog(*pub, File("bad.toml", c.toml), "test");
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalid) << c.name << ": " << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.says), std::string::npos)
        << c.name << ": " << r.status().ToString();
  }
  EXPECT_TRUE(pub->Current()->model().platforms.empty());
  EXPECT_TRUE(pub->Current()->model().services.empty());
  EXPECT_EQ(AuditRows(), 0u);
  EXPECT_EQ(ImportCatalog(*pub, dir.Db("missing.toml").substr(7), "test").status().code(),
            Status::Code::kInvalid);
}

TEST_F(ImportTest, AScenarioIsAllOrNothing) {
  const std::string catalog = std::string(VIGIE_SOURCE_DIR) + "/catalog/divalto.toml";
  ASSERT_TRUE(ImportCatalog(*pub, catalog, "test").ok());
  Result<ImportSummary> demo =
      ImportScenario(*pub, std::string(VIGIE_SOURCE_DIR) + "/scenarios/demo.toml", At(0), "test");
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  EXPECT_GT(demo->events, 0);
  const size_t events = pub->Current()->model().events.size();
  const size_t audit = AuditRows();
  // A good event then one on a service that does not exist: neither is written.
  const std::string bad =
      "[[events]]\nkind = \"incident\"\nplatform = \"weavy\"\nregions = [\"fr\"]\n"
      "title = { fr = \"Bon\", en = \"Good\" }\nstart = \"now\"\nservices = { backend = \"minor\" "
      "}\n"
      "[[events]]\nkind = \"incident\"\nplatform = \"weavy\"\nregions = [\"fr\"]\n"
      "title = { fr = \"Mauvais\", en = \"Bad\" }\nstart = \"now\"\nservices = { nope = \"minor\" "
      "}\n";
  Result<ImportSummary> r = ImportScenario(*pub, File("bad-scenario.toml", bad), At(0), "test");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nope"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(pub->Current()->model().events.size(), events);
  EXPECT_EQ(AuditRows(), audit);
}

}  // namespace
}  // namespace vigie

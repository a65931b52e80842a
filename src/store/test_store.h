// What store and snapshot tests share: a temporary directory, a migrated store in it, the
// small model (domain/test_model.h) written to it, and an event as stored.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "domain/test_model.h"
#include "store/store.h"

namespace vigie::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vigie-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Db(const char* name = "vigie.db") const { return "sqlite:" + path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::unique_ptr<Store> Open(const std::string& url) {
  Result<std::unique_ptr<Store>> s = OpenStore(url, StoreOptions{});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE((*s)->Migrate().ok());
  return std::move(s).value();
}

// Writes the small model's platforms and services; returns the model with stored ids.
inline void Seed(Store& store) {
  Model m = SmallModel();
  ASSERT_TRUE(store
                  .Write([&](StoreTx& tx) -> Status {
                    for (const Platform& p : m.platforms)
                      VIGIE_RETURN_IF_ERROR(tx.UpsertPlatform(p));
                    for (const Service& s : m.services) {
                      Result<int64_t> id = tx.UpsertService(s);
                      if (!id.ok()) return id.status();
                    }
                    return Status::Ok();
                  })
                  .ok());
}

inline Event StoredEvent(const Model& m) {
  Event e = MakeEvent(0, EventKind::kIncident, {"fr", "na"},
                      {{m.FindService("erp", "s1")->id, Level::kMajor}}, 0, -1);
  e.title = {"Accès « web » lent", "Slow web access"};
  e.body = {"Corps **gras**", ""};
  e.updates.push_back({0, At(1), Phase::kInvestigating, {"On regarde", "Looking"}});
  e.updates.push_back({0, At(5), Phase::kIdentified, {"Trouvé", "Found"}});
  return e;
}

}  // namespace vigie::testing

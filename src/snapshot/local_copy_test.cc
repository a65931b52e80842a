#include "snapshot/local_copy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "domain/test_model.h"
#include "store/test_store.h"

namespace vigie {
namespace {

using testing::At;
using testing::TempDir;

// Every field of every kind of row, none at its default: a field the copy forgets shows.
Model FullModel() {
  Model m = testing::SmallModel();
  m.regions.clear();  // not kept: they come from the configuration
  m.seq = 4242;
  m.generation = "a1b2c3";
  m.platforms[0].category = {"Gestion", "Management"};
  m.platforms[0].description = {"Desc « fr »", "Desc en"};
  m.platforms[0].products = {"Infinity", "Weavy"};
  m.services[1].information = {"Info", "Information"};
  m.services[1].impact = {"Impact fr", "Impact en"};
  m.services[1].retired = true;
  m.services[1].created_at = At(-90);
  m.manual_levels = {{"fr", 2, Level::kMinor, At(3), "lent"}};
  m.overrides = {{"na", "erp", Level::kOutage, At(4), "panne"}};
  Event e = testing::MakeEvent(77, EventKind::kMaintenance, {"fr", "na"},
                               {{1, Level::kMaintenance}, {3, Level::kMajor}}, -5, 60);
  e.body = {"**Corps**", "Body"};
  e.phase = Phase::kMonitoring;
  e.cancelled = true;
  e.created_at = At(-10);
  e.updated_at = At(-1);
  e.revision = 7;
  e.updated_by = "alice";
  e.updates = {{501, At(-4), Phase::kIdentified, {"Trouvé", "Found"}}};
  m.events.push_back(e);
  Event open = testing::MakeEvent(78, EventKind::kIncident, {"fr"}, {}, -2, -1);  // no end
  m.events.push_back(open);
  m.messages = {{9, "erp", {"na"}, {"Titre", "Title"}, {"Corps", "Body"}, At(-3), At(30)},
                {10, "", {"fr"}, {"Site", "Site"}, {"", ""}, At(-2), std::nullopt}};
  StatusChange c;
  c.id = 31;
  c.region = "na";
  c.platform = "erp";
  c.service_id = 3;
  c.from = Level::kOperational;
  c.to = Level::kMajor;
  c.at = At(-5);
  c.cause = CauseKind::kEvent;
  c.event_id = 77;
  c.note = "note";
  m.status_changes.push_back(c);
  StatusChange global = c;
  global.id = 32;
  global.service_id = std::nullopt;
  global.event_id = std::nullopt;
  global.cause = CauseKind::kOverride;
  m.status_changes.push_back(global);
  return m;
}

TEST(LocalCopy, EveryFieldComesBack) {
  TempDir dir;
  const std::string path = dir.Db("copy.bin").substr(7);
  const Model m = FullModel();
  ASSERT_TRUE(LocalCopy::Write(path, m, At(100)).ok());
  Result<LocalCopy::Saved> saved = LocalCopy::Read(path);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->saved_at, At(100));
  const Model &r = saved->model;
  EXPECT_EQ(r.seq, 4242);
  EXPECT_EQ(r.generation, "a1b2c3");
  ASSERT_EQ(r.platforms.size(), m.platforms.size());
  const Platform &p = r.platforms[0], &want_p = m.platforms[0];
  EXPECT_EQ(p.slug, want_p.slug);
  EXPECT_EQ(p.position, want_p.position);
  EXPECT_EQ(p.name, want_p.name);
  EXPECT_EQ(p.category, want_p.category);
  EXPECT_EQ(p.description, want_p.description);
  EXPECT_EQ(p.products, want_p.products);
  ASSERT_EQ(r.services.size(), m.services.size());
  for (size_t i = 0; i < m.services.size(); ++i) {
    const Service &s = r.services[i], &w = m.services[i];
    EXPECT_EQ(s.id, w.id);
    EXPECT_EQ(s.platform, w.platform);
    EXPECT_EQ(s.slug, w.slug);
    EXPECT_EQ(s.position, w.position);
    EXPECT_EQ(s.name, w.name);
    EXPECT_EQ(s.information, w.information);
    EXPECT_EQ(s.impact, w.impact);
    EXPECT_EQ(s.retired, w.retired);
    EXPECT_EQ(s.created_at, w.created_at);
  }
  ASSERT_EQ(r.manual_levels.size(), 1u);
  EXPECT_EQ(r.manual_levels[0].region, "fr");
  EXPECT_EQ(r.manual_levels[0].service_id, 2);
  EXPECT_EQ(r.manual_levels[0].level, Level::kMinor);
  EXPECT_EQ(r.manual_levels[0].set_at, At(3));
  EXPECT_EQ(r.manual_levels[0].note, "lent");
  ASSERT_EQ(r.overrides.size(), 1u);
  EXPECT_EQ(r.overrides[0].region, "na");
  EXPECT_EQ(r.overrides[0].platform, "erp");
  EXPECT_EQ(r.overrides[0].level, Level::kOutage);
  EXPECT_EQ(r.overrides[0].set_at, At(4));
  EXPECT_EQ(r.overrides[0].note, "panne");
  ASSERT_EQ(r.events.size(), 2u);
  const Event &e = r.events[0], &w = m.events[0];
  EXPECT_EQ(e.id, w.id);
  EXPECT_EQ(e.kind, w.kind);
  EXPECT_EQ(e.platform, w.platform);
  EXPECT_EQ(e.regions, w.regions);
  EXPECT_EQ(e.title, w.title);
  EXPECT_EQ(e.body, w.body);
  EXPECT_EQ(e.impacts, w.impacts);
  EXPECT_EQ(e.starts_at, w.starts_at);
  EXPECT_EQ(e.ends_at, w.ends_at);
  EXPECT_EQ(e.phase, w.phase);
  EXPECT_EQ(e.cancelled, w.cancelled);
  EXPECT_EQ(e.created_at, w.created_at);
  EXPECT_EQ(e.updated_at, w.updated_at);
  EXPECT_EQ(e.revision, w.revision);
  EXPECT_EQ(e.updated_by, w.updated_by);
  ASSERT_EQ(e.updates.size(), 1u);
  EXPECT_EQ(e.updates[0].id, 501);
  EXPECT_EQ(e.updates[0].at, At(-4));
  EXPECT_EQ(e.updates[0].phase, Phase::kIdentified);
  EXPECT_EQ(e.updates[0].text, (Text{"Trouvé", "Found"}));
  EXPECT_FALSE(r.events[1].ends_at.has_value());
  ASSERT_EQ(r.messages.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const Message &msg = r.messages[i], &wm = m.messages[i];
    EXPECT_EQ(msg.id, wm.id);
    EXPECT_EQ(msg.platform, wm.platform);
    EXPECT_EQ(msg.regions, wm.regions);
    EXPECT_EQ(msg.title, wm.title);
    EXPECT_EQ(msg.body, wm.body);
    EXPECT_EQ(msg.published_at, wm.published_at);
    EXPECT_EQ(msg.expires_at, wm.expires_at);
  }
  ASSERT_EQ(r.status_changes.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const StatusChange &c = r.status_changes[i], &wc = m.status_changes[i];
    EXPECT_EQ(c.id, wc.id);
    EXPECT_EQ(c.region, wc.region);
    EXPECT_EQ(c.platform, wc.platform);
    EXPECT_EQ(c.service_id, wc.service_id);
    EXPECT_EQ(c.from, wc.from);
    EXPECT_EQ(c.to, wc.to);
    EXPECT_EQ(c.at, wc.at);
    EXPECT_EQ(c.cause, wc.cause);
    EXPECT_EQ(c.event_id, wc.event_id);
    EXPECT_EQ(c.note, wc.note);
  }
}

TEST(LocalCopy, AMissingCopyIsNotFoundAndADamagedOneIsRefused) {
  TempDir dir;
  const std::string path = dir.Db("copy.bin").substr(7);
  EXPECT_EQ(LocalCopy::Read(path).status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(LocalCopy::Write(path, FullModel(), At(0)).ok());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto rewrite = [&](const std::string &content) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    return LocalCopy::Read(path).status();
  };
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x20;
  Status st = rewrite(flipped);
  EXPECT_EQ(st.code(), Status::Code::kInvalid);
  EXPECT_NE(st.message().find("damaged"), std::string::npos) << st.message();
  EXPECT_EQ(rewrite(bytes.substr(0, bytes.size() - 3)).code(), Status::Code::kInvalid);
  EXPECT_EQ(rewrite("not a copy").code(), Status::Code::kInvalid);
  EXPECT_TRUE(rewrite(bytes).ok());
  // The write goes through a new file renamed over the old one: nothing is left beside it.
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

}  // namespace
}  // namespace vigie

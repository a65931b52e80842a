#include "render/pages.h"

#include <gtest/gtest.h>

#include "render/test_view.h"

namespace vigie {
namespace {

using testing::At;
using testing::Change;
using testing::ModelAt;
using testing::ShippedAssets;

const Text kSiteName{"Statut des services", "Service status"};
const StaticUrls kUrls{"/static/a/vigie.css",   "/static/b/vigie.js",  "/static/c/logo.svg",
                       "/static/d/favicon.svg", "/static/e/admin.css", "/static/f/admin.js"};

PageView PageOf(const ModelAt& s, std::string_view region, Lang lang) {
  const ShippedAssets& a = ShippedAssets::Get();
  return PageView{s.ViewOf(region, lang), a.messages, a.templates, kUrls, kSiteName};
}

bool Has(const std::string& page, std::string_view what) {
  return page.find(what) != std::string::npos;
}

size_t Count(const std::string& page, std::string_view what) {
  size_t n = 0;
  for (size_t at = page.find(what); at != std::string::npos; at = page.find(what, at + 1)) ++n;
  return n;
}

TEST(PlatformPageTest, EveryServiceWithItsLevelInWordsAndTheRegionsOwnState) {
  Model m = testing::SmallModel();
  m.events.push_back(
      testing::MakeEvent(3, EventKind::kIncident, {"fr"}, {{2, Level::kMajor}}, 0, -1));
  const ModelAt s(std::move(m), 10);
  Result<std::string> fr = RenderPlatform(PageOf(s, "fr", Lang::kFr), "erp");
  ASSERT_TRUE(fr.ok()) << fr.status().ToString();
  for (const char* name : {"Service 1", "Service 2", "Service 3"})
    EXPECT_TRUE(Has(*fr, name)) << name;
  const Messages& words = ShippedAssets::Get().messages;
  EXPECT_TRUE(Has(*fr, words.Words(Lang::kFr, Level::kMajor)));
  EXPECT_TRUE(Has(*fr, "/fr/events/3"));  // the incident in progress links to its page
  EXPECT_TRUE(Has(*fr, "lang=\"fr\""));
  // North America has no incident: no event, and fewer "major" badges (the legend has one
  // of each level; France adds the service's and the platform's).
  Result<std::string> na = RenderPlatform(PageOf(s, "na", Lang::kEn), "erp");
  ASSERT_TRUE(na.ok());
  EXPECT_FALSE(Has(*na, "/en/events/3"));
  EXPECT_TRUE(Has(*na, words.Words(Lang::kEn, Level::kOperational)));
  EXPECT_GE(Count(*fr, "level level-major"), Count(*na, "level level-major") + 2);
}

TEST(PlatformPageTest, OperatorTextIsEscaped) {
  Model m = testing::SmallModel();
  m.services[0].name = {"<script>alert(1)</script>", "<script>alert(1)</script>"};
  m.events.push_back(
      testing::MakeEvent(4, EventKind::kIncident, {"fr"}, {{1, Level::kMinor}}, 0, -1));
  m.events.back().title = {"\"><img src=x onerror=alert(1)>", ""};
  const ModelAt s(std::move(m), 10);
  Result<std::string> page = RenderPlatform(PageOf(s, "fr", Lang::kFr), "erp");
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(Has(*page, "<script>alert"));
  EXPECT_FALSE(Has(*page, "<img src=x"));
  EXPECT_TRUE(Has(*page, "&lt;script&gt;"));
}

TEST(PagesTest, UnknownPlatformServiceOrEventIsNotFound) {
  const ModelAt s(testing::SmallModel(), 0);
  const PageView v = PageOf(s, "fr", Lang::kFr);
  EXPECT_EQ(RenderPlatform(v, "nope").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(RenderService(v, "erp", "nope").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(RenderService(v, "crm", "s1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(RenderEvent(v, 99).status().code(), Status::Code::kNotFound);
}

TEST(PagesTest, AnEventOfAnotherRegionIsNotShownThere) {
  Model m = testing::SmallModel();
  m.events.push_back(
      testing::MakeEvent(5, EventKind::kIncident, {"na"}, {{1, Level::kMinor}}, 0, -1));
  const ModelAt s(std::move(m), 10);
  EXPECT_TRUE(RenderEvent(PageOf(s, "na", Lang::kEn), 5).ok());
  EXPECT_EQ(RenderEvent(PageOf(s, "fr", Lang::kFr), 5).status().code(), Status::Code::kNotFound);
}

TEST(ServicePageTest, ShowsTheServicesChangesOfTheRegion) {
  Model m = testing::SmallModel();
  m.status_changes.push_back(Change(1, "fr", 2, Level::kOperational, Level::kOutage, 1));
  m.status_changes.push_back(Change(2, "fr", 2, Level::kOutage, Level::kOperational, 9));
  const ModelAt s(std::move(m), 60);
  Result<std::string> page = RenderService(PageOf(s, "fr", Lang::kEn), "erp", "s2");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(Has(*page, "Service 2"));
  EXPECT_TRUE(Has(*page, ShippedAssets::Get().messages.Words(Lang::kEn, Level::kOutage)));
}

}  // namespace
}  // namespace vigie

#include "feeds/feeds.h"

#include <gtest/gtest.h>

#include "render/test_view.h"

namespace vigie {
namespace {

using testing::At;
using testing::Change;
using testing::ModelAt;
using testing::ShippedAssets;

const Text kSiteName{"Statut", "Status"};

// "20261128T153000Z"
std::string Ical(Time t) {
  std::string s;
  for (const char c : FormatRfc3339(t)) {
    if (c != '-' && c != ':') s += c;
  }
  return s;
}

FeedView FeedOf(const ModelAt& s, std::string_view region, Lang lang) {
  return FeedView{s.ViewOf(region, lang), ShippedAssets::Get().messages, kSiteName};
}

Model WithChanges() {
  Model m = testing::SmallModel();
  m.status_changes.push_back(Change(1, "fr", std::nullopt, Level::kOperational, Level::kMinor, 1));
  m.status_changes.push_back(Change(2, "na", std::nullopt, Level::kOperational, Level::kOutage, 3));
  m.status_changes.push_back(Change(3, "fr", std::nullopt, Level::kMinor, Level::kMajor, 5));
  return m;
}

TEST(StatusFeedTest, NewestFirst_OnlyTheRegionsChanges_UpdatedIsTheLastChange) {
  const ModelAt s(WithChanges(), 60);
  Result<Feed> f = PlatformStatusFeed(FeedOf(s, "fr", Lang::kFr), "erp");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->items.size(), 2u);  // na's change is not France's
  EXPECT_EQ(f->items[0].published, At(5));
  EXPECT_EQ(f->items[1].published, At(1));
  const std::string& major = ShippedAssets::Get().messages.Words(Lang::kFr, Level::kMajor);
  EXPECT_NE(f->items[0].title.find(major), std::string::npos) << f->items[0].title;
  EXPECT_EQ(f->updated, At(5));  // the last real change, never "now" (minute 60)
}

TEST(StatusFeedTest, AnItemKeepsItsIdWhenLaterChangesArrive) {
  const ModelAt before(WithChanges(), 60);
  Model more = WithChanges();
  more.status_changes.push_back(
      Change(4, "fr", std::nullopt, Level::kMajor, Level::kOperational, 70));
  const ModelAt after(std::move(more), 80);
  Result<Feed> a = PlatformStatusFeed(FeedOf(before, "fr", Lang::kEn), "erp");
  Result<Feed> b = PlatformStatusFeed(FeedOf(after, "fr", Lang::kEn), "erp");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(b->items.size(), 3u);
  EXPECT_EQ(b->items[1].id, a->items[0].id);
  EXPECT_EQ(b->items[2].id, a->items[1].id);
  EXPECT_NE(b->items[0].id, a->items[0].id);
  EXPECT_EQ(b->updated, At(70));
}

TEST(StatusFeedTest, UnknownPlatformOrServiceIsNotFound) {
  const ModelAt s(WithChanges(), 60);
  EXPECT_EQ(PlatformStatusFeed(FeedOf(s, "fr", Lang::kFr), "nope").status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(ServiceStatusFeed(FeedOf(s, "fr", Lang::kFr), "erp", "nope").status().code(),
            Status::Code::kNotFound);
}

TEST(WriteFeedTest, RssHasGmtDatesPermanentGuidsAndNoControlCharacters) {
  Model m = WithChanges();
  m.platforms[0].name = {"ERP \x01<b>", "ERP \x01<b>"};
  const ModelAt s(std::move(m), 60);
  Result<Feed> f = PlatformStatusFeed(FeedOf(s, "fr", Lang::kEn), "erp");
  ASSERT_TRUE(f.ok());
  const std::string rss = WriteFeed(*f, FeedFormat::kRss);
  EXPECT_NE(rss.find("<lastBuildDate>" + FormatHttpDate(At(5)) + "</lastBuildDate>"),
            std::string::npos)
      << rss;
  EXPECT_NE(rss.find("GMT</pubDate>"), std::string::npos);
  EXPECT_NE(rss.find("<guid isPermaLink=\"false\">" + f->items[0].id + "</guid>"),
            std::string::npos);
  EXPECT_EQ(rss.find('\x01'), std::string::npos);
  EXPECT_EQ(rss.find("<b>"), std::string::npos);  // escaped
  const std::string atom = WriteFeed(*f, FeedFormat::kAtom);
  EXPECT_NE(atom.find("<updated>" + FormatRfc3339(At(5)) + "</updated>"), std::string::npos)
      << atom;
}

TEST(MaintenanceCalendarTest, APlannedWindowIsOneEventInUtc) {
  Model m = testing::SmallModel();
  m.events.push_back(
      testing::MakeEvent(7, EventKind::kMaintenance, {"fr"}, {{1, Level::kMaintenance}}, 120, 180));
  const ModelAt s(std::move(m), 0);
  Result<std::string> ics = MaintenanceCalendar(FeedOf(s, "fr", Lang::kFr), "erp");
  ASSERT_TRUE(ics.ok()) << ics.status().ToString();
  EXPECT_NE(ics->find("BEGIN:VCALENDAR\r\n"), std::string::npos);
  size_t events = 0;
  for (size_t at = ics->find("BEGIN:VEVENT"); at != std::string::npos;
       at = ics->find("BEGIN:VEVENT", at + 1)) {
    ++events;
  }
  EXPECT_EQ(events, 1u);
  EXPECT_NE(ics->find("DTSTART:" + Ical(At(120))), std::string::npos) << *ics;
  EXPECT_NE(ics->find("DTEND:" + Ical(At(180))), std::string::npos) << *ics;
}

}  // namespace
}  // namespace vigie

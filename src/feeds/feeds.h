// The "follow" feeds: RSS 2.0 (read by Outlook and the ERP's RSS widget every 5 minutes),
// with Atom 1.0 and JSON Feed 1.1 twins, and iCalendar for maintenance windows. Pure
// functions of the model, for one region and one language.
//
// Rules the readers depend on: newest item first, so the first item of a status feed is the
// current status; one permanent guid per item; lastBuildDate is the last real change, never
// "now"; dates in GMT with English names; plain-text titles; no control characters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "domain/derive.h"
#include "domain/model.h"
#include "domain/view.h"
#include "render/messages.h"

namespace vigie {

enum class FeedFormat { kRss, kAtom, kJson };

// A View with what feeds need; links start at the region's base_url.
struct FeedView : View {
  const Messages& messages;
  const Text& site_name;
};

// One entry of a feed, format-neutral.
struct FeedItem {
  std::string id;        // permanent: never changes once published
  std::string title;     // plain text
  std::string html;      // a short, safe HTML description
  std::string link;      // absolute URL of the page that tells more
  std::string category;  // words, may be empty
  Time published{};
};

struct Feed {
  std::string id;                              // permanent id of the feed
  std::string title, description, link, self;  // link: the page; self: this feed's URL
  Lang lang = Lang::kFr;
  Time updated{};               // the last real change
  std::vector<FeedItem> items;  // newest first, bounded
};

inline constexpr size_t kFeedItems = 50;

// A platform's global status: one item per change in the region.
Result<Feed> PlatformStatusFeed(const FeedView& v, std::string_view platform);
// A service's level: one item per change in the region.
Result<Feed> ServiceStatusFeed(const FeedView& v, std::string_view platform,
                               std::string_view service);
// General messages of a platform (and the whole site's), or of the whole site only.
Result<Feed> MessagesFeed(const FeedView& v, std::optional<std::string_view> platform);
// Events of a platform, or of every platform: one item per event and one per update.
Result<Feed> EventsFeed(const FeedView& v, std::optional<std::string_view> platform);

std::string WriteFeed(const Feed& feed, FeedFormat format);
const char* FeedContentType(FeedFormat format);

// Planned and recent (90 days) maintenance windows of a platform, as iCalendar.
Result<std::string> MaintenanceCalendar(const FeedView& v, std::string_view platform);

// Feed URLs (paths), shared by pages and feeds: /feeds/{lang}/{platform}/status.rss ...
std::string FeedPath(Lang lang, std::string_view what, FeedFormat format);
inline const char* FeedExtension(FeedFormat f) {
  return f == FeedFormat::kRss ? "rss" : f == FeedFormat::kAtom ? "atom" : "json";
}

}  // namespace vigie

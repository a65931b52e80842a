#include "feeds/feeds.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "render/escape.h"
#include "render/pages.h"

namespace vigie {

namespace {

// Text safe for XML 1.0 and for readers: no control characters but tab and newline, and
// no broken UTF-8 byte left alone.
std::string CleanText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) continue;
      out.push_back(static_cast<char>(c));
      continue;
    }
    const int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (!ok) continue;
    out.append(s.substr(i, len));
    i += len - 1;
  }
  return out;
}

std::string Xml(std::string_view s) { return EscapeMarkup(CleanText(s), "&apos;"); }

// Text inside a short HTML description.
std::string Html(std::string_view s) { return EscapeMarkup(CleanText(s)); }

// Titles are one line of plain text, not too long for a widget.
std::string Title(std::string_view s) {
  std::string t = CleanText(s);
  std::replace(t.begin(), t.end(), '\n', ' ');
  std::replace(t.begin(), t.end(), '\t', ' ');
  constexpr size_t kMax = 200;
  if (t.size() > kMax) {
    size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xc0) == 0x80) --cut;
    t = t.substr(0, cut) + "…";
  }
  return t;
}

std::string L(const Text& t, Lang lang) { return std::string(Localize(t, lang).text); }

class Builder {
 public:
  explicit Builder(const FeedView& v) : v_(v) {}
  const std::string& T(std::string_view key) const { return v_.messages.Get(v_.lang, key); }
  template <class Term>
  const std::string& W(Term term) const {
    return v_.messages.Words(v_.lang, term);
  }
  std::string Page(std::string_view rest) const {
    return v_.region.base_url + "/" + std::string(LangId(v_.lang)) + std::string(rest);
  }
  std::string Self(std::string_view what) const {
    return v_.region.base_url + FeedPath(v_.lang, what, FeedFormat::kRss);
  }
  std::string Id(std::string_view what) const {
    // Permanent, and distinct per region: the same change is a different item in each.
    return "urn:vigie:" + v_.region.id + ":" + std::string(what);
  }
  std::string LevelWords(Level l) const { return W(l); }

  // Items from the status changes of one target, newest first.
  std::vector<FeedItem> ChangeItems(const std::string& platform, std::optional<int64_t> service,
                                    const std::string& name, const std::string& link) const {
    std::vector<FeedItem> items;
    const ChangeIndex::List& changes = v_.index.changes.Of(v_.region.id, platform, service);
    for (auto c = changes.rbegin(); c != changes.rend() && items.size() < kFeedItems; ++c) {
      const StatusChange* it = *c;
      if (it->at > v_.as_of) continue;
      FeedItem item;
      item.id = Id("change:" + std::to_string(it->id));
      item.title =
          Title(Fill(T("feed.status_title"), {{"name", name}, {"level", LevelWords(it->to)}}));
      item.published = it->at;
      item.link = link;
      item.category = LevelWords(it->to);
      std::string html = "<p>" +
                         Html(Fill(T("feed.status_change"),
                                   {{"from", LevelWords(it->from)}, {"to", LevelWords(it->to)}})) +
                         "</p>";
      if (it->event_id) {
        if (const Event* e = v_.model.FindEvent(*it->event_id); e && e->InRegion(v_.region.id)) {
          html += "<p>" + Html(W(e->kind)) + " : <a href=\"" +
                  Html(Page("/events/" + std::to_string(e->id))) + "\">" +
                  Html(L(e->title, v_.lang)) + "</a></p>";
          std::string services;
          for (const Impact& i : e->impacts) {
            if (const Service* s = v_.model.FindService(i.service_id)) {
              services +=
                  "<li>" + Html(L(s->name, v_.lang)) + " : " + Html(LevelWords(i.level)) + "</li>";
            }
          }
          if (!services.empty()) html += "<ul>" + services + "</ul>";
        }
      } else if (!it->note.empty()) {
        html += "<p>" + Html(it->note) + "</p>";
      }
      item.html = html;
      items.push_back(std::move(item));
    }
    return items;
  }

  // The one item of a status feed whose target never changed: its current level, dated when
  // the target appeared.
  FeedItem CurrentItem(const std::string& id, const std::string& name, Level l,
                       const std::string& link, Time since) const {
    FeedItem item;
    item.published = std::min(since, v_.as_of);
    item.id = Id(id);
    item.title = Title(Fill(T("feed.status_title"), {{"name", name}, {"level", LevelWords(l)}}));
    item.html = "<p>" + Html(T("level_help." + std::string(LevelId(l)))) + "</p>";
    item.link = link;
    item.category = LevelWords(l);
    return item;
  }

  const FeedView& v() const { return v_; }

 private:
  const FeedView& v_;
};

Time Newest(const std::vector<FeedItem>& items, Time fallback) {
  Time t{};
  for (const FeedItem& i : items) t = std::max(t, i.published);
  return items.empty() ? fallback : t;
}

std::string Rfc822(Time t) { return FormatHttpDate(t); }

std::string WriteRss(const Feed& f) {
  std::string o =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n";
  o += "<title>" + Xml(f.title) + "</title>\n";
  o += "<link>" + Xml(f.link) + "</link>\n";
  o += "<description>" + Xml(f.description) + "</description>\n";
  o += "<language>" + std::string(f.lang == Lang::kFr ? "fr-FR" : "en") + "</language>\n";
  o += "<lastBuildDate>" + Rfc822(f.updated) + "</lastBuildDate>\n";
  o += "<ttl>5</ttl>\n";
  o += "<atom:link href=\"" + Xml(f.self) + "\" rel=\"self\" type=\"application/rss+xml\"/>\n";
  for (const FeedItem& i : f.items) {
    o += "<item>\n<title>" + Xml(i.title) + "</title>\n";
    o += "<link>" + Xml(i.link) + "</link>\n";
    o += "<guid isPermaLink=\"false\">" + Xml(i.id) + "</guid>\n";
    o += "<pubDate>" + Rfc822(i.published) + "</pubDate>\n";
    if (!i.category.empty()) o += "<category>" + Xml(i.category) + "</category>\n";
    o += "<description>" + Xml(i.html) + "</description>\n</item>\n";
  }
  o += "</channel>\n</rss>\n";
  return o;
}

std::string WriteAtom(const Feed& f) {
  std::string o =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" "
      "xml:lang=\"" +
      std::string(LangId(f.lang)) + "\">\n";
  o += "<id>" + Xml(f.id) + "</id>\n<title>" + Xml(f.title) + "</title>\n";
  o += "<subtitle>" + Xml(f.description) + "</subtitle>\n";
  o += "<updated>" + FormatRfc3339(f.updated) + "</updated>\n";
  o += "<link rel=\"alternate\" type=\"text/html\" href=\"" + Xml(f.link) + "\"/>\n";
  std::string self = f.self;
  if (const size_t at = self.find(".rss"); at != std::string::npos) self.replace(at, 4, ".atom");
  o += "<link rel=\"self\" type=\"application/atom+xml\" href=\"" + Xml(self) + "\"/>\n";
  o += "<author><name>" + Xml(f.title) + "</name></author>\n";
  for (const FeedItem& i : f.items) {
    o += "<entry>\n<id>" + Xml(i.id) + "</id>\n<title type=\"text\">" + Xml(i.title) + "</title>\n";
    o += "<updated>" + FormatRfc3339(i.published) + "</updated>\n";
    o += "<published>" + FormatRfc3339(i.published) + "</published>\n";
    o += "<link rel=\"alternate\" type=\"text/html\" href=\"" + Xml(i.link) + "\"/>\n";
    if (!i.category.empty()) o += "<category term=\"" + Xml(i.category) + "\"/>\n";
    o += "<content type=\"html\">" + Xml(i.html) + "</content>\n</entry>\n";
  }
  o += "</feed>\n";
  return o;
}

std::string WriteJsonFeed(const Feed& f) {
  using json = nlohmann::ordered_json;
  std::string self = f.self;
  if (self.size() > 4 && self.compare(self.size() - 4, 4, ".rss") == 0) {
    self = self.substr(0, self.size() - 4) + ".json";
  }
  json j{{"version", "https://jsonfeed.org/version/1.1"},
         {"title", CleanText(f.title)},
         {"home_page_url", f.link},
         {"feed_url", self},
         {"description", CleanText(f.description)},
         {"language", std::string(LangId(f.lang))}};
  json items = json::array();
  for (const FeedItem& i : f.items) {
    json item{{"id", i.id},
              {"url", i.link},
              {"title", i.title},
              {"content_html", i.html},
              {"date_published", FormatRfc3339(i.published)}};
    if (!i.category.empty()) item["tags"] = json::array({i.category});
    items.push_back(std::move(item));
  }
  j["items"] = std::move(items);
  return j.dump(1, '\t', false, json::error_handler_t::replace) + "\n";
}

// iCalendar text value: escaped and free of control characters.
std::string IcalText(std::string_view s) {
  std::string out;
  for (char c : CleanText(s)) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 sequence.
std::string Fold(const std::string& line) {
  std::string out;
  size_t start = 0, limit = 75;
  while (line.size() - start > limit) {
    size_t cut = start + limit;
    while (cut > start && (static_cast<unsigned char>(line[cut]) & 0xc0) == 0x80) --cut;
    out += line.substr(start, cut - start) + "\r\n ";
    start = cut;
    limit = 74;  // the leading space counts
  }
  return out + line.substr(start) + "\r\n";
}

std::string IcalTime(Time t) {
  std::string s = FormatRfc3339(t);  // 2026-11-28T15:30:00Z
  s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
  s.erase(std::remove(s.begin(), s.end(), ':'), s.end());
  return s;
}

}  // namespace

std::string FeedPath(Lang lang, std::string_view what, FeedFormat format) {
  return FeedUrlPath(lang, what, FeedExtension(format));
}

const char* FeedContentType(FeedFormat f) {
  switch (f) {
    case FeedFormat::kRss:
      return "application/rss+xml; charset=utf-8";
    case FeedFormat::kAtom:
      return "application/atom+xml; charset=utf-8";
    case FeedFormat::kJson:
      return "application/feed+json; charset=utf-8";
  }
  return "application/octet-stream";
}

std::string WriteFeed(const Feed& feed, FeedFormat format) {
  switch (format) {
    case FeedFormat::kRss:
      return WriteRss(feed);
    case FeedFormat::kAtom:
      return WriteAtom(feed);
    case FeedFormat::kJson:
      return WriteJsonFeed(feed);
  }
  return {};
}

Result<Feed> PlatformStatusFeed(const FeedView& v, std::string_view slug) {
  const Platform* p = v.model.FindPlatform(slug);
  if (!p) return Status::NotFound("no platform \"" + std::string(slug) + "\"");
  Builder b(v);
  const std::string name = Title(L(p->name, v.lang));
  Feed f;
  f.lang = v.lang;
  f.id = b.Id("feed:" + p->slug + ":status");
  f.title = Fill(b.T("feed.status_feed"), {{"name", name}});
  f.description = Fill(b.T("feed.status_feed_description"), {{"name", name}});
  f.link = b.Page("/" + p->slug + "/");
  f.self = b.Self(p->slug + "/status");
  f.items = b.ChangeItems(p->slug, std::nullopt, name, f.link);
  if (f.items.empty()) {
    // Nothing has ever changed: the current status is still the first item.
    Time since = v.as_of;  // the platform appeared with its first service
    for (const Service& s : v.model.services) {
      if (s.platform == p->slug) since = std::min(since, s.created_at);
    }
    f.items.push_back(b.CurrentItem("status:" + p->slug + ":initial", name,
                                    v.derived.Platform(v.region.id, p->slug).level, f.link, since));
  }
  f.updated = Newest(f.items, Time{});
  return f;
}

Result<Feed> ServiceStatusFeed(const FeedView& v, std::string_view platform,
                               std::string_view slug) {
  const Platform* p = v.model.FindPlatform(platform);
  if (!p) return Status::NotFound("no platform \"" + std::string(platform) + "\"");
  const Service* s = v.model.FindService(platform, slug);
  if (!s) return Status::NotFound("no service \"" + std::string(slug) + "\" in " + p->slug);
  Builder b(v);
  const std::string name = Title(L(s->name, v.lang) + " (" + L(p->name, v.lang) + ")");
  Feed f;
  f.lang = v.lang;
  f.id = b.Id("feed:" + p->slug + ":service:" + s->slug);
  f.title = Fill(b.T("feed.status_feed"), {{"name", name}});
  f.description = Title(L(s->information, v.lang));
  if (f.description.empty()) f.description = f.title;
  f.link = b.Page("/" + p->slug + "/services/" + s->slug);
  f.self = b.Self(p->slug + "/services/" + s->slug);
  f.items = b.ChangeItems(p->slug, s->id, Title(L(s->name, v.lang)), f.link);
  if (f.items.empty()) {
    f.items.push_back(b.CurrentItem("status:" + p->slug + ":" + s->slug + ":initial",
                                    L(s->name, v.lang), v.derived.Service(v.region.id, s->id).level,
                                    f.link, s->created_at));
  }
  f.updated = Newest(f.items, Time{});
  return f;
}

Result<Feed> MessagesFeed(const FeedView& v, std::optional<std::string_view> platform) {
  const Platform* p = nullptr;
  if (platform) {
    p = v.model.FindPlatform(*platform);
    if (!p) return Status::NotFound("no platform \"" + std::string(*platform) + "\"");
  }
  Builder b(v);
  Feed f;
  f.lang = v.lang;
  const std::string name = p ? Title(L(p->name, v.lang)) : Title(L(v.site_name, v.lang));
  f.id = b.Id(p ? "feed:" + p->slug + ":messages" : std::string("feed:messages"));
  f.title = Fill(b.T("feed.messages_feed"), {{"name", name}});
  f.description = f.title;
  f.link = p ? b.Page("/" + p->slug + "/") : b.Page("/");
  f.self = b.Self(p ? p->slug + "/messages" : std::string("messages"));
  for (const Message& m : v.model.messages) {  // newest first
    if (f.items.size() >= kFeedItems) break;
    if (!m.InRegion(v.region.id) || m.published_at > v.as_of) continue;
    if (p ? (!m.platform.empty() && m.platform != p->slug) : !m.platform.empty()) continue;
    FeedItem item;
    item.id = b.Id("message:" + std::to_string(m.id));
    item.title = Title(L(m.title, v.lang));
    item.html = MarkdownToHtml(CleanText(L(m.body, v.lang)));
    item.link = f.link;
    item.published = m.published_at;
    item.category = b.T("platform.messages");
    f.items.push_back(std::move(item));
  }
  f.updated = Newest(f.items, Time{});
  return f;
}

Result<Feed> EventsFeed(const FeedView& v, std::optional<std::string_view> platform) {
  const Platform* p = nullptr;
  if (platform) {
    p = v.model.FindPlatform(*platform);
    if (!p) return Status::NotFound("no platform \"" + std::string(*platform) + "\"");
  }
  Builder b(v);
  Feed f;
  f.lang = v.lang;
  const std::string name = Title(L(p ? p->name : v.site_name, v.lang));
  f.id = b.Id(p ? "feed:" + p->slug + ":events" : std::string("feed:history"));
  f.title = Fill(b.T("feed.events_feed"), {{"name", name}});
  f.description = f.title;
  f.link = p ? b.Page("/" + p->slug + "/history") : b.Page("/");
  // Statuspage's /history.rss is a fixed address: the language comes as ?lang=.
  f.self = p ? b.Self(p->slug + "/events")
             : v.region.base_url + "/history.rss?lang=" + std::string(LangId(v.lang));
  // The newest items first (an event's creation, each of its updates), chosen before any is
  // rendered: with a long history only the 50 shown are formatted. Ties keep the model's
  // order (event, then the item within it), as a stable sort would.
  struct Candidate {
    Time published;
    size_t event_seq;
    size_t item_seq;  // 0 for the event itself, then its updates
    const Event* event;
    const EventUpdate* update;  // null for the event itself
  };
  const auto newer = [](const Candidate& a, const Candidate& b) {
    if (a.published != b.published) return a.published > b.published;
    return a.event_seq != b.event_seq ? a.event_seq < b.event_seq : a.item_seq < b.item_seq;
  };
  // First each event's newest item: the 50 newest items are among the items of the 50 events
  // whose newest item is newest, so only those events' items are gathered. For the whole
  // region, the index knows these events.
  static_assert(kFeedItems <= EventIndex::kRecentlyActive);
  std::vector<Candidate> newest;
  if (p) {
    for (const Event* e : v.index.events.OfPlatform(p->slug)) {
      if (!e->InRegion(v.region.id) || e->cancelled) continue;
      newest.push_back({EventIndex::NewestItem(*e, v.as_of), newest.size(), 0, e, nullptr});
    }
  } else {
    for (const EventIndex::Activity& a : v.index.events.RecentlyActive(v.region.id)) {
      newest.push_back({a.at, a.position, 0, a.event, nullptr});
    }
  }
  const size_t events_shown = std::min(newest.size(), kFeedItems);
  std::nth_element(newest.begin(), newest.begin() + static_cast<std::ptrdiff_t>(events_shown),
                   newest.end(), newer);
  newest.resize(events_shown);
  std::vector<Candidate> candidates;
  for (const Candidate& n : newest) {
    const Event& e = *n.event;
    candidates.push_back({std::min(e.created_at, v.as_of), n.event_seq, 0, &e, nullptr});
    for (size_t i = 0; i < e.updates.size(); ++i) {
      const EventUpdate& u = e.updates[i];
      if (u.at <= v.as_of) candidates.push_back({u.at, n.event_seq, i + 1, &e, &u});
    }
  }
  const size_t shown = std::min(candidates.size(), kFeedItems);
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(shown),
                    candidates.end(), newer);
  candidates.resize(shown);
  for (const Candidate& c : candidates) {
    const Event& e = *c.event;
    const std::string kind = b.W(e.kind);
    const std::string link = b.Page("/events/" + std::to_string(e.id));
    const std::string title = Title(L(e.title, v.lang));
    FeedItem item;
    item.link = link;
    item.category = kind;
    item.published = c.published;
    if (!c.update) {
      item.id = b.Id("event:" + std::to_string(e.id));
      item.title = Title(kind + (v.lang == Lang::kEn ? ": " : " : ") + title);
      std::string html = "<p>" + Html(b.T("event.start")) + " : " +
                         Html(FormatDateTime(e.starts_at, v.region, v.lang, v.messages));
      if (e.ends_at)
        html += " — " + Html(b.T("event.end")) + " : " +
                Html(FormatDateTime(*e.ends_at, v.region, v.lang, v.messages));
      html += "</p>" + MarkdownToHtml(CleanText(L(e.body, v.lang)));
      item.html = std::move(html);
    } else {
      const EventUpdate& u = *c.update;
      item.id = b.Id("update:" + std::to_string(u.id));
      const std::string phase = u.phase == Phase::kNone ? std::string() : b.W(u.phase);
      item.title =
          Title((phase.empty() ? kind : phase) + (v.lang == Lang::kEn ? ": " : " : ") + title);
      item.html = MarkdownToHtml(CleanText(L(u.text, v.lang)));
    }
    f.items.push_back(std::move(item));
  }
  f.updated = Newest(f.items, Time{});
  return f;
}

Result<std::string> MaintenanceCalendar(const FeedView& v, std::string_view platform) {
  const Platform* p = v.model.FindPlatform(platform);
  if (!p) return Status::NotFound("no platform \"" + std::string(platform) + "\"");
  Builder b(v);
  std::string host = v.region.base_url.substr(
      v.region.base_url.find("://") == std::string::npos ? 0 : v.region.base_url.find("://") + 3);
  std::string o;
  o += Fold("BEGIN:VCALENDAR");
  o += Fold("VERSION:2.0");
  o += Fold("PRODID:-//Vigie//Status site//" + std::string(LangId(v.lang) == "fr" ? "FR" : "EN"));
  o += Fold("CALSCALE:GREGORIAN");
  o += Fold("METHOD:PUBLISH");
  o += Fold("X-WR-CALNAME:" + IcalText(Fill(b.T("feed.calendar"), {{"name", L(p->name, v.lang)}})));
  o += Fold("X-PUBLISHED-TTL:PT5M");
  o += Fold("REFRESH-INTERVAL;VALUE=DURATION:PT5M");
  const Time recent = v.as_of - std::chrono::hours(24 * 90);
  for (const Event* event : v.index.events.OfPlatform(p->slug)) {
    const Event& e = *event;
    if (e.kind != EventKind::kMaintenance || !e.InRegion(v.region.id)) continue;
    if (!e.ends_at || *e.ends_at < recent) continue;
    o += Fold("BEGIN:VEVENT");
    o += Fold("UID:maintenance-" + std::to_string(e.id) + "-" + v.region.id + "@" + host);
    o += Fold("DTSTAMP:" + IcalTime(std::min(e.updated_at, v.as_of)));
    o += Fold("LAST-MODIFIED:" + IcalTime(std::min(e.updated_at, v.as_of)));
    o += Fold("CREATED:" + IcalTime(std::min(e.created_at, v.as_of)));
    // Raised on every change: the seconds between creation and the last change.
    o += Fold("SEQUENCE:" +
              std::to_string(std::max<int64_t>(0, (e.updated_at - e.created_at).count())));
    o += Fold("DTSTART:" + IcalTime(e.starts_at));
    o += Fold("DTEND:" + IcalTime(*e.ends_at));
    o += Fold("SUMMARY:" + IcalText(Title(L(e.title, v.lang))));
    std::string services;
    for (const Impact& i : e.impacts) {
      if (const Service* s = v.model.FindService(i.service_id)) {
        services += (services.empty() ? "" : ", ") + L(s->name, v.lang);
      }
    }
    std::string desc = L(e.body, v.lang);
    if (!services.empty())
      desc += (desc.empty() ? "" : "\n\n") + b.T("event.affected") + " : " + services;
    o += Fold("DESCRIPTION:" + IcalText(desc));
    o += Fold("URL:" + b.Page("/events/" + std::to_string(e.id)));
    o += Fold(std::string("STATUS:") + (e.cancelled ? "CANCELLED" : "CONFIRMED"));
    o += Fold("TRANSP:TRANSPARENT");
    o += Fold("END:VEVENT");
  }
  o += Fold("END:VCALENDAR");
  return o;
}

}  // namespace vigie

#include "render/pages.h"

#include <algorithm>
#include <cctype>

#include "render/escape.h"
#include "render/mustache.h"

namespace vigie {

namespace {

constexpr int kHistoryPageSize = 20;
constexpr int kRecentEvents = 5;
// Events in progress or planned listed on one page at most, whatever happens: a page's size
// and first render stay bounded (the rest are counted, and all are in the events API).
constexpr size_t kMaxOpenListed = 20;
constexpr int kHistoryChanges = 50;
constexpr int kBarDays = 90;

// Drops control characters other than tab and newline from text shown in pages.
std::string Clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n' && c != '\t') continue;
    if (c == 0x7f) continue;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

class Page {
 public:
  explicit Page(const PageView& v) : v_(v) {}

  const std::string& T(std::string_view key) const { return v_.messages.Get(v_.lang, key); }
  template <class Term>
  const std::string& W(Term term) const {
    return v_.messages.Words(v_.lang, term);
  }
  std::string Url(std::string_view rest) const { return PagePath(v_.lang, rest); }
  std::string PlatformUrl(const Platform& p) const { return Url("/" + p.slug + "/"); }
  std::string ServiceUrl(const Service& s) const {
    return Url("/" + s.platform + "/services/" + s.slug);
  }
  std::string EventUrl(int64_t id) const { return Url("/events/" + std::to_string(id)); }
  std::string When(Time t) const { return FormatDateTime(t, v_.region, v_.lang, v_.messages); }

  Data Level(Level l) const {
    Data d;
    d.set("level", std::string(LevelId(l)));
    d.set("words", W(l));
    return d;
  }

  // Sets key (and key_fallback, key_lang) from a bilingual text.
  void PutText(Data& d, const std::string& key, const Text& t) const {
    const Localized l = Localize(t, v_.lang);
    d.set(key, Clean(l.text));
    d.set(key + "_fallback", l.fallback);
    d.set(key + "_lang", std::string(LangId(l.lang)));
  }
  std::string Markdown(const Text& t) const {
    const Localized l = Localize(t, v_.lang);
    std::string html = MarkdownToHtml(Clean(l.text));
    if (l.fallback && !html.empty()) {
      html = "<div lang=\"" + std::string(LangId(l.lang)) + "\">" + html + "</div>";
    }
    return html;
  }

  // Sets `name` to the summaries of the first kMaxOpenListed `events`, and `name`_more to a
  // sentence counting the others (with a link to the whole list), when there are others.
  void SetCapped(Data& d, const std::string& name, const std::vector<const Event*>& events,
                 bool with_state, const std::string& all_url) const {
    Data list{Data::type::list};
    for (size_t i = 0; i < events.size() && i < kMaxOpenListed; ++i) {
      list.push_back(EventSummary(*events[i], with_state));
    }
    d.set(name, list);
    if (events.size() > kMaxOpenListed) {
      Data more;
      more.set("text", Fill(T("platform.more_events"),
                            {{"count", std::to_string(events.size() - kMaxOpenListed)}}));
      more.set("url", all_url);
      more.set("link", T("platform.more_events_link"));
      d.set(name + "_more", more);
    }
  }

  Data EventSummary(const Event& e, bool with_state) const {
    Data d;
    d.set("id", std::to_string(e.id));
    d.set("kind", std::string(EventKindId(e.kind)));
    d.set("kind_words", W(e.kind));
    if (e.phase != Phase::kNone) d.set("phase_words", W(e.phase));
    const EventState state = e.StateAt(v_.as_of);
    if (with_state) d.set("state_words", W(state));
    PutText(d, "title", e.title);
    d.set("fallback_note", T("fallback"));
    d.set("url", EventUrl(e.id));
    d.set("start_label", T("event.start"));
    d.set("start_iso", FormatRfc3339(e.starts_at));
    d.set("start_text", When(e.starts_at));
    const bool ended = state == EventState::kEnded;
    const bool estimate = e.kind == EventKind::kIncident && e.phase != Phase::kResolved;
    d.set("end_label", ended      ? T("event.end")
                       : estimate ? T("event.estimated_end")
                                  : T("event.expected_end"));
    if (e.ends_at) {
      d.set("end_iso", FormatRfc3339(*e.ends_at));
      d.set("end_text", When(*e.ends_at));
    } else {
      d.set("end_text", T("event.no_end"));
    }
    Data services{Data::type::list};
    for (const Impact& i : e.impacts) {
      const Service* s = v_.model.FindService(i.service_id);
      if (!s) continue;
      Data sd = Level(i.level);
      sd.set("name", Clean(Localize(s->name, v_.lang).text));
      sd.set("url", ServiceUrl(*s));
      services.push_back(sd);
    }
    d.set("has_services", !e.impacts.empty());
    d.set("services", services);
    d.set("affected_label", T("event.affected"));
    if (!e.updates.empty()) {
      const EventUpdate& u = e.updates.back();
      Data latest;
      latest.set("at_iso", FormatRfc3339(u.at));
      latest.set("at_text", When(u.at));
      if (u.phase != Phase::kNone) latest.set("phase_words", W(u.phase));
      latest.set("html", Markdown(u.text));
      d.set("latest", latest);
      d.set("latest_label", T("event.latest_update"));
    }
    return d;
  }

  Data MessageData(const Message& m) const {
    Data d;
    d.set("id", std::to_string(m.id));
    PutText(d, "title", m.title);
    d.set("fallback_note", T("fallback"));
    d.set("published_iso", FormatRfc3339(m.published_at));
    d.set("published_text", When(m.published_at));
    d.set("body_html", Markdown(m.body));
    if (const Platform* p = v_.model.FindPlatform(m.platform)) {
      d.set("platform_name", Clean(Localize(p->name, v_.lang).text));
    }
    return d;
  }

  // Messages in force in the region: site-wide ones, and those of `platform` (all when null).
  Data Messages(const std::string* platform) const {
    Data list{Data::type::list};
    for (const Message& m : v_.model.messages) {
      if (!m.InRegion(v_.region.id) || !m.ActiveAt(v_.as_of)) continue;
      if (platform && !m.platform.empty() && m.platform != *platform) continue;
      list.push_back(MessageData(m));
    }
    return list;
  }

  // Status changes of one target in the region, newest first, with their event's title.
  Data Changes(const std::string& platform, std::optional<int64_t> service, int limit) const {
    Data list{Data::type::list};
    int n = 0;
    const ChangeIndex::List& changes = v_.index.changes.Of(v_.region.id, platform, service);
    for (auto c = changes.rbegin(); c != changes.rend() && n < limit; ++c) {
      const StatusChange* it = *c;
      if (it->at > v_.as_of) continue;
      Data d;
      d.set("at_iso", FormatRfc3339(it->at));
      d.set("at_text", When(it->at));
      d.set("to", Level(it->to));
      if (it->event_id) {
        if (const Event* e = v_.model.FindEvent(*it->event_id); e && e->InRegion(v_.region.id)) {
          d.set("event_url", EventUrl(e->id));
          d.set("event_title", Clean(Localize(e->title, v_.lang).text));
        }
      }
      list.push_back(d);
      ++n;
    }
    return list;
  }

  // Renders `name` into the layout. `path` is the page's path without the language prefix.
  std::string Render(std::string_view name, Data& data, const std::string& title,
                     const std::string& path, std::string_view current_platform = {}) const {
    const std::string content = Mustache(name, data);
    Data layout;
    layout.set("content", content);
    layout.set("title", title);
    layout.set("html_lang", std::string(LangId(v_.lang)));
    layout.set("other_lang", std::string(LangId(OtherLang(v_.lang))));
    layout.set("site_name", Clean(Localize(v_.site_name, v_.lang).text));
    layout.set("home_url", Url("/"));
    layout.set("switch_lang_url", "/set-lang/" + std::string(LangId(OtherLang(v_.lang))) +
                                      "?next=" + QueryEscape(PagePath(OtherLang(v_.lang), path)));
    Data alternates{Data::type::list};
    for (Lang l : kAllLangs) {
      Data a;
      a.set("hreflang", std::string(LangId(l)));
      a.set("href", PagePath(l, path));
      alternates.push_back(a);
    }
    layout.set("alternates", alternates);
    Data nav{Data::type::list};
    for (const Platform& p : v_.model.platforms) {
      Data n;
      n.set("name", Clean(Localize(p.name, v_.lang).text));
      n.set("url", PlatformUrl(p));
      n.set("current", p.slug == current_platform);
      nav.push_back(n);
    }
    layout.set("nav_platforms", nav);
    layout.set("feeds", announced_);
    layout.set("css_url", v_.statics.css);
    layout.set("js_url", v_.statics.js);
    layout.set("logo_url", v_.statics.logo);
    layout.set("favicon_url", v_.statics.favicon);
    layout.set("region_label",
               Fill(T("region"), {{"name", Clean(Localize(v_.region.name, v_.lang).text)}}));
    layout.set("as_of_text", Fill(T("as_of"), {{"when", When(v_.as_of)}}));
    std::string zone = T("zones." + v_.region.time_zone);
    if (zone == "zones." + v_.region.time_zone) zone = v_.region.time_zone;
    layout.set("zone_text", Fill(T("all_times"), {{"zone", zone}}));
    return Mustache("layout", layout);
  }

  // The "subscribe" link, when the site sends notifications.
  void Subscribe(Data& d, const std::string& name, const std::string& url) const {
    if (!v_.subscribe) return;
    Data sub;
    sub.set("url", url);
    sub.set("label", Fill(T("subscribe.link_label"), {{"name", name}}));
    d.set("subscribe", sub);
  }

  // The "follow" link and its panel for a feed `what` ("infinity/status").
  Data Follow(const std::string& what, const std::string& name, bool with_calendar) const {
    Data d;
    d.set("rss", FeedUrlPath(v_.lang, what, "rss"));
    d.set("rss_abs", v_.region.base_url + FeedUrlPath(v_.lang, what, "rss"));
    d.set("atom", FeedUrlPath(v_.lang, what, "atom"));
    d.set("json", FeedUrlPath(v_.lang, what, "json"));
    if (with_calendar) {
      const std::string platform = what.substr(0, what.find('/'));
      d.set("ics", FeedUrlPath(v_.lang, platform + "/maintenance", "ics"));
    }
    d.set("label", Fill(T("follow.label"), {{"name", name}}));
    d.set("fid", "f" + std::to_string(++follow_ids_));
    return d;
  }
  // A feed announced in the page's head for autodiscovery.
  void Announce(const std::string& what, const std::string& name) {
    Data d;
    d.set("title", Fill(T("follow.rss_title"), {{"name", name}}));
    d.set("href", FeedUrlPath(v_.lang, what, "rss"));
    announced_.push_back(d);
  }

  // Renders `name` on its own, without the layout.
  std::string Standalone(std::string_view name, Data& data) const { return Mustache(name, data); }

  const PageView& v() const { return v_; }

 private:
  mutable int follow_ids_ = 0;
  Data announced_{Data::type::list};

  // `name` rendered from `data`, over what every page of the language shares (t.*, legend).
  std::string Mustache(std::string_view name, const Data& data) const {
    const ParsedTemplate* tmpl = v_.templates.Parsed(name);
    if (!tmpl) return {};
    return tmpl->Render(data, &v_.templates.Common().by_lang[v_.lang == Lang::kFr ? 0 : 1]);
  }

  const PageView& v_;
};

Status NoPlatform(std::string_view slug) {
  return Status::NotFound("no platform \"" + std::string(slug) + "\"");
}

// Events of a platform in the region that are in `state` at the view's instant, by start.
std::vector<const Event*> EventsIn(const PageView& v, std::string_view platform, EventState state) {
  const bool open = state == EventState::kPlanned || state == EventState::kInProgress;
  std::vector<const Event*> out;
  for (const Event* e : open ? v.index.events.Open() : v.index.events.OfPlatform(platform)) {
    if (e->platform == platform && e->InRegion(v.region.id) && e->StateAt(v.as_of) == state) {
      out.push_back(e);
    }
  }
  return out;
}

}  // namespace

std::string PagePath(Lang lang, std::string_view rest) {
  std::string out = "/" + std::string(LangId(lang));
  if (rest.empty() || rest.front() != '/') out += '/';
  out += rest;
  return out;
}

std::string FeedUrlPath(Lang lang, std::string_view what, std::string_view extension) {
  return "/feeds/" + std::string(LangId(lang)) + "/" + std::string(what) + "." +
         std::string(extension);
}

namespace {
// `src` with each {{> name}} replaced by that template's text, itself expanded. A partial that
// is not a template is refused: kainjow would look it up in the data at each render.
Result<std::string> InlinePartials(const std::map<std::string, std::string, std::less<>>& sources,
                                   std::string_view src, int depth) {
  if (depth > 8)
    return Status::Invalid("partials nested more than 8 deep (a partial includes itself?)");
  std::string out;
  size_t at = 0;
  while (true) {
    const size_t open = src.find("{{>", at);
    const size_t close = open == std::string_view::npos ? open : src.find("}}", open + 3);
    if (close == std::string_view::npos) break;
    std::string_view name = src.substr(open + 3, close - open - 3);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    out.append(src.substr(at, open - at));
    auto it = sources.find(name);
    if (it == sources.end()) {
      return Status::Invalid("{{> " + std::string(name) + "}} names no template (templates/" +
                             std::string(name) + ".mustache)");
    }
    Result<std::string> inner = InlinePartials(sources, it->second, depth + 1);
    if (!inner.ok()) return inner.status();
    out.append(*inner);
    at = close + 2;
  }
  out.append(src.substr(at));
  return out;
}
}  // namespace

Result<Templates> Templates::Load(const Assets& assets, const Messages& messages) {
  Templates t;
  std::string errors;
  for (const std::string& path : assets.List("templates/")) {
    constexpr std::string_view kExt = ".mustache";
    if (path.size() <= kExt.size() ||
        path.compare(path.size() - kExt.size(), kExt.size(), kExt) != 0) {
      continue;
    }
    const std::string name = path.substr(10, path.size() - 10 - kExt.size());
    const std::string& src = *assets.Find(path);
    if (const ParsedTemplate check(src); !check.valid())
      errors += (errors.empty() ? "" : "\n") + path + ": " + check.error();
    t.sources_[name] = src;
  }
  for (const char* required : {"layout", "icons", "badge", "legend_block", "message_card",
                               "event_card", "follow_block", "home", "platform", "service", "event",
                               "history", "error", "subscribe", "mail_text", "mail_html"}) {
    if (!t.sources_.count(required)) {
      errors +=
          (errors.empty() ? "" : "\n") + std::string("missing templates/") + required + ".mustache";
    }
  }
  if (!errors.empty()) return Status::Invalid(errors);
  // kainjow parses a partial again at each use (a 100-service platform page used 200), and
  // renders it at the tag's place with the same context: the same as its text written there.
  std::map<std::string, std::string, std::less<>> expanded;
  for (const auto& [name, src] : t.sources_) {
    Result<std::string> text = InlinePartials(t.sources_, src, 0);
    if (!text.ok())
      return Status::Invalid("templates/" + name + ".mustache: " + text.status().message());
    expanded[name] = std::move(*text);
  }
  t.sources_ = std::move(expanded);
  for (const auto& [name, src] : t.sources_) {
    auto parsed = std::make_shared<const ParsedTemplate>(src);
    // A partial that changes the delimiters can break the text it is written into.
    if (!parsed->valid()) {
      return Status::Invalid("templates/" + name +
                             ".mustache, with its partials written in: " + parsed->error());
    }
    t.parsed_[name] = std::move(parsed);
  }
  // What every page shares, made once per language rather than for each page.
  auto common = std::make_shared<CommonData>();
  for (const Lang lang : kAllLangs) {
    Data& d = common->by_lang[lang == Lang::kFr ? 0 : 1];
    Data catalog;
    std::map<std::string, Data> sections;
    for (const auto& [key, text] : messages.All(lang)) {
      const size_t dot = key.find('.');
      if (dot == std::string::npos) {
        catalog.set(key, text);
      } else {
        sections[key.substr(0, dot)].set(key.substr(dot + 1), text);
      }
    }
    for (auto& [name, section] : sections) catalog.set(name, section);
    d.set("t", catalog);
    Data legend{Data::type::list};
    for (const Level l : kAllLevels) {
      Data item;
      item.set("level", std::string(LevelId(l)));
      item.set("words", messages.Words(lang, l));
      item.set("help", messages.Get(lang, "level_help." + std::string(LevelId(l))));
      legend.push_back(item);
    }
    d.set("legend", legend);
  }
  t.common_ = std::move(common);
  return t;
}

const ParsedTemplate* Templates::Parsed(std::string_view name) const {
  auto it = parsed_.find(name);
  return it == parsed_.end() ? nullptr : it->second.get();
}

const std::string* Templates::Source(std::string_view name) const {
  auto it = sources_.find(name);
  return it == sources_.end() ? nullptr : &it->second;
}

Result<std::string> RenderHome(const PageView& v) {
  Page page(v);
  Data d;
  Data platforms{Data::type::list};
  for (const Platform& p : v.model.platforms) {
    Data pd;
    pd.set("name", Clean(Localize(p.name, v.lang).text));
    pd.set("category", Clean(Localize(p.category, v.lang).text));
    pd.set("description", Clean(Localize(p.description, v.lang).text));
    pd.set("url", page.PlatformUrl(p));
    pd.set("status", page.Level(v.derived.Platform(v.region.id, p.slug).level));
    const size_t n = EventsIn(v, p.slug, EventState::kInProgress).size();
    if (n > 0) {
      pd.set("in_progress_count", true);
      pd.set("in_progress_text",
             Fill(page.T("platform.in_progress_count"), {{"count", std::to_string(n)}}));
    }
    platforms.push_back(pd);
  }
  d.set("platforms", platforms);
  // The home page shows the whole site's messages only; platform pages show their own.
  Data messages{Data::type::list};
  for (const Message& m : v.model.messages) {
    if (m.platform.empty() && m.InRegion(v.region.id) && m.ActiveAt(v.as_of)) {
      messages.push_back(page.MessageData(m));
    }
  }
  d.set("has_messages", !messages.is_empty_list());
  d.set("messages", messages);
  d.set("follow_messages", page.Follow("messages", page.T("platform.messages"), false));
  page.Announce("messages", page.T("platform.messages"));
  return page.Render("home", d, page.T("home.title"), "/");
}

Result<std::string> RenderPlatform(const PageView& v, std::string_view slug) {
  const Platform* p = v.model.FindPlatform(slug);
  if (!p) return NoPlatform(slug);
  Page page(v);
  Data d;
  Data pd;
  pd.set("name", Clean(Localize(p->name, v.lang).text));
  pd.set("category", Clean(Localize(p->category, v.lang).text));
  pd.set("description", Clean(Localize(p->description, v.lang).text));
  d.set("platform", pd);
  d.set("status", page.Level(v.derived.Platform(v.region.id, p->slug).level));
  const std::string platform_name = Clean(Localize(p->name, v.lang).text);
  d.set("follow_status", page.Follow(p->slug + "/status", platform_name, true));
  page.Subscribe(d, platform_name, SubscribePath(v.lang, p->slug));
  d.set("follow_messages", page.Follow(p->slug + "/messages",
                                       page.T("platform.messages") + " · " + platform_name, false));
  d.set("follow_events", page.Follow(p->slug + "/events",
                                     page.T("platform.in_progress") + " · " + platform_name, true));
  page.Announce(p->slug + "/status", page.T("platform.global_status") + " · " + platform_name);
  page.Announce(p->slug + "/messages", page.T("platform.messages") + " · " + platform_name);
  page.Announce(p->slug + "/events", platform_name);
  Data messages = page.Messages(&p->slug);
  d.set("has_messages", !messages.is_empty_list());
  d.set("messages", messages);

  Data recent{Data::type::list};
  const std::string api = "/api/v1/platforms/" + p->slug +
                          "/events?lang=" + std::string(LangId(v.lang)) + "&region=" + v.region.id +
                          "&state=";
  std::vector<const Event*> now = EventsIn(v, slug, EventState::kInProgress);
  std::sort(now.begin(), now.end(), [](auto a, auto b) { return a->starts_at > b->starts_at; });
  page.SetCapped(d, "in_progress", now, false, api + "in_progress");
  std::vector<const Event*> soon = EventsIn(v, slug, EventState::kPlanned);
  std::sort(soon.begin(), soon.end(), [](auto a, auto b) { return a->starts_at < b->starts_at; });
  page.SetCapped(d, "planned", soon, false, api + "planned");
  std::vector<const Event*> past = EventsIn(v, slug, EventState::kEnded);
  std::sort(past.begin(), past.end(), [](auto a, auto b) { return a->starts_at > b->starts_at; });
  for (size_t i = 0; i < past.size() && i < static_cast<size_t>(kRecentEvents); ++i) {
    recent.push_back(page.EventSummary(*past[i], true));
  }
  d.set("recent", recent);

  Data services{Data::type::list};
  for (const Service& s : v.model.services) {
    if (s.platform != p->slug || s.retired) continue;
    Data sd;
    sd.set("name", Clean(Localize(s.name, v.lang).text));
    sd.set("information", Clean(Localize(s.information, v.lang).text));
    sd.set("impact", Clean(Localize(s.impact, v.lang).text));
    sd.set("url", page.ServiceUrl(s));
    sd.set("status", page.Level(v.derived.Service(v.region.id, s.id).level));
    sd.set("follow", page.Follow(p->slug + "/services/" + s.slug,
                                 Clean(Localize(s.name, v.lang).text), false));
    services.push_back(sd);
  }
  d.set("services", services);
  d.set("history_url", page.Url("/" + p->slug + "/history"));
  return page.Render("platform", d, Clean(Localize(p->name, v.lang).text), "/" + p->slug + "/",
                     p->slug);
}

Result<std::string> RenderService(const PageView& v, std::string_view platform,
                                  std::string_view slug) {
  const Platform* p = v.model.FindPlatform(platform);
  if (!p) return NoPlatform(platform);
  const Service* s = v.model.FindService(platform, slug);
  if (!s) return Status::NotFound("no service \"" + std::string(slug) + "\" in " + p->slug);
  Page page(v);
  Data d;
  const std::string name = Clean(Localize(s->name, v.lang).text);
  d.set("name", name);
  d.set("information", Clean(Localize(s->information, v.lang).text));
  d.set("impact", Clean(Localize(s->impact, v.lang).text));
  d.set("platform_name", Clean(Localize(p->name, v.lang).text));
  d.set("platform_url", page.PlatformUrl(*p));
  d.set("status", page.Level(v.derived.Service(v.region.id, s->id).level));
  d.set("follow", page.Follow(p->slug + "/services/" + s->slug, name, false));
  page.Subscribe(d, name, SubscribePath(v.lang, p->slug, s->slug));
  page.Announce(p->slug + "/services/" + s->slug, name);

  std::vector<const Event*> open;
  for (const Event* e : v.index.events.Open()) {  // planned or in progress
    if (!e->InRegion(v.region.id)) continue;
    for (const Impact& i : e->impacts) {
      if (i.service_id == s->id) open.push_back(e);
    }
  }
  page.SetCapped(d, "events", open, true,
                 "/api/v1/platforms/" + p->slug + "/events?lang=" + std::string(LangId(v.lang)) +
                     "&region=" + v.region.id);
  Data history = page.Changes(p->slug, s->id, kHistoryChanges);
  d.set("has_history", !history.is_empty_list());
  d.set("history", history);

  // The level over time from this service's changes in the region (operational before any).
  std::vector<const StatusChange*> changes;
  for (const auto& c : v.index.changes.Of(v.region.id, s->platform, s->id)) {
    if (c->at <= v.as_of) changes.push_back(c);
  }
  const int64_t today = LocalDay(v.as_of, v.region);
  const Time window_start = v.as_of - std::chrono::hours(24 * kBarDays);
  size_t next = 0;
  Level level = Level::kOperational;
  const auto advance = [&](Time t) {  // applies the changes up to and including t
    while (next < changes.size() && changes[next]->at <= t) level = changes[next++]->to;
  };
  // Outage time within the 90-day window, for availability.
  int64_t outage_seconds = 0;
  Data bars{Data::type::list};
  for (int64_t day = today - kBarDays + 1; day <= today; ++day) {
    const Time start = LocalDayStart(day, v.region);
    const Time end = std::min(LocalDayStart(day + 1, v.region), v.as_of);
    advance(start);
    Level worst = level;
    Time cursor = std::max(start, window_start);
    while (next < changes.size() && changes[next]->at < end) {
      const Time at = changes[next]->at;
      if (level == Level::kOutage && at > cursor) outage_seconds += (at - cursor).count();
      cursor = std::max(cursor, at);
      level = changes[next++]->to;
      worst = Worse(worst, level);
    }
    if (level == Level::kOutage && end > cursor) outage_seconds += (end - cursor).count();
    Data bar = page.Level(worst);
    bar.set("date_iso", FormatRfc3339(start).substr(0, 10));
    bar.set("date_text", FormatDate(start + std::chrono::hours(12), v.region, v.lang, v.messages));
    bars.push_back(bar);
  }
  d.set("bars", bars);
  const double total = static_cast<double>(std::chrono::seconds(v.as_of - window_start).count());
  const double availability = 100.0 * (1.0 - static_cast<double>(outage_seconds) / total);
  char value[16];
  std::snprintf(value, sizeof value, "%.2f %%", std::max(0.0, availability));
  std::string shown = value;
  if (v.lang == Lang::kEn) {
    shown.erase(shown.find(' '), 1);  // "99.95%"
  } else {
    std::replace(shown.begin(), shown.end(), '.', ',');  // "99,95 %"
  }
  d.set("availability_text", Fill(page.T("service.availability"), {{"value", shown}}));
  return page.Render("service", d, name + " · " + Clean(Localize(p->name, v.lang).text),
                     "/" + p->slug + "/services/" + s->slug, p->slug);
}

Result<std::string> RenderEvent(const PageView& v, int64_t id) {
  const Event* e = v.model.FindEvent(id);
  if (!e || !e->InRegion(v.region.id)) {
    return Status::NotFound("no event #" + std::to_string(id) + " in this region");
  }
  const Platform* p = v.model.FindPlatform(e->platform);
  if (!p) return NoPlatform(e->platform);
  Page page(v);
  Data d = page.EventSummary(*e, true);
  d.set("platform_name", Clean(Localize(p->name, v.lang).text));
  d.set("platform_url", page.PlatformUrl(*p));
  page.Subscribe(d, Clean(Localize(e->title, v.lang).text),
                 SubscribePath(v.lang, p->slug, {}, e->id));
  const std::string body = page.Markdown(e->body);
  d.set("has_body", !body.empty());
  d.set("body_html", body);
  Data updates{Data::type::list};
  for (auto it = e->updates.rbegin(); it != e->updates.rend(); ++it) {  // newest first
    Data u;
    u.set("at_iso", FormatRfc3339(it->at));
    u.set("at_text", page.When(it->at));
    if (it->phase != Phase::kNone) u.set("phase_words", page.W(it->phase));
    u.set("html", page.Markdown(it->text));
    updates.push_back(u);
  }
  d.set("has_updates", !e->updates.empty());
  d.set("updates", updates);
  return page.Render("event", d, Clean(Localize(e->title, v.lang).text),
                     "/events/" + std::to_string(e->id), p->slug);
}

Result<std::string> RenderHistory(const PageView& v, std::string_view platform,
                                  std::optional<EventKind> kind, int page_number) {
  const Platform* p = v.model.FindPlatform(platform);
  if (!p) return NoPlatform(platform);
  Page page(v);
  // The newest start first: the platform's events read backwards.
  std::vector<const Event*> past;
  const EventIndex::List& all = v.index.events.OfPlatform(platform);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    const Event& e = **it;
    if (!e.InRegion(v.region.id)) continue;
    const EventState st = e.StateAt(v.as_of);
    if (st != EventState::kEnded && st != EventState::kCancelled) continue;
    if (kind && e.kind != *kind) continue;
    past.push_back(&e);
  }
  const int pages =
      std::max<int>(1, (static_cast<int>(past.size()) + kHistoryPageSize - 1) / kHistoryPageSize);
  if (page_number > pages)
    return Status::NotFound("there is no page " + std::to_string(page_number));
  const std::string base = "/" + p->slug + "/history";
  const auto url_of = [&](std::optional<EventKind> k, int n) {
    std::string q;
    if (k) q += "kind=" + std::string(EventKindId(*k));
    if (n > 1) q += std::string(q.empty() ? "" : "&") + "page=" + std::to_string(n);
    return page.Url(base) + (q.empty() ? "" : "?" + q);
  };
  Data d;
  const std::string name = Clean(Localize(p->name, v.lang).text);
  d.set("heading", Fill(page.T("history.title"), {{"name", name}}));
  d.set("platform_name", name);
  d.set("platform_url", page.PlatformUrl(*p));
  Data filters{Data::type::list};
  {
    Data all;
    all.set("words", page.T("kind.all"));
    all.set("url", url_of(std::nullopt, 1));
    all.set("current", !kind.has_value());
    filters.push_back(all);
  }
  for (EventKind k : kAllEventKinds) {
    Data f;
    f.set("words", page.W(k));
    f.set("url", url_of(k, 1));
    f.set("current", kind == k);
    filters.push_back(f);
  }
  d.set("filters", filters);
  Data months{Data::type::list};
  std::string current_month;
  Data month_events{Data::type::list};
  const auto flush = [&] {
    if (current_month.empty()) return;
    Data m;
    m.set("month", current_month);
    m.set("events", month_events);
    months.push_back(m);
    month_events = Data{Data::type::list};
  };
  const size_t first = static_cast<size_t>(page_number - 1) * kHistoryPageSize;
  for (size_t i = first; i < past.size() && i < first + kHistoryPageSize; ++i) {
    const std::string month = FormatMonth(past[i]->starts_at, v.region, v.lang, v.messages);
    if (month != current_month) {
      flush();
      current_month = month;
    }
    month_events.push_back(page.EventSummary(*past[i], true));
  }
  flush();
  d.set("months", months);
  if (pages > 1) {
    d.set("paged", true);
    d.set("page_text", Fill(page.T("history.page"), {{"page", std::to_string(page_number)},
                                                     {"pages", std::to_string(pages)}}));
    if (page_number > 1) d.set("previous_url", url_of(kind, page_number - 1));
    if (page_number < pages) d.set("next_url", url_of(kind, page_number + 1));
  }
  Data global = page.Changes(p->slug, std::nullopt, kHistoryChanges);
  d.set("has_global", !global.is_empty_list());
  d.set("global", global);
  // The same page in the other language keeps its filter and page.
  std::string path = url_of(kind, page_number).substr(3);
  return page.Render("history", d, Fill(page.T("history.title"), {{"name", name}}), path, p->slug);
}

Result<std::string> RenderEmbed(const PageView& v, std::string_view slug) {
  const Platform* p = v.model.FindPlatform(slug);
  if (!p) return NoPlatform(slug);
  Page page(v);
  Data d;
  d.set("html_lang", std::string(LangId(v.lang)));
  d.set("name", Clean(Localize(p->name, v.lang).text));
  d.set("site_name", Clean(Localize(v.site_name, v.lang).text));
  d.set("css_url", v.statics.css);
  d.set("url", v.region.base_url + page.PlatformUrl(*p));
  d.set("status", page.Level(v.derived.Platform(v.region.id, p->slug).level));
  Data events{Data::type::list};
  const std::vector<const Event*> now = EventsIn(v, slug, EventState::kInProgress);
  for (size_t i = 0; i < now.size() && i < kMaxOpenListed; ++i) {
    const Event* e = now[i];
    Data ed;
    ed.set("kind_words", page.W(e->kind));
    ed.set("title", Clean(Localize(e->title, v.lang).text));
    ed.set("url", v.region.base_url + page.EventUrl(e->id));
    events.push_back(ed);
  }
  d.set("events", events);
  d.set("as_of_text", Fill(page.T("as_of"), {{"when", page.When(v.as_of)}}));
  return page.Standalone("embed", d);
}

std::string RenderUnavailable(const Messages& messages, const Templates& templates,
                              const StaticUrls& statics, const Text& site_name) {
  const ParsedTemplate* tmpl = templates.Parsed("unavailable");
  if (!tmpl) return {};
  Data d;
  for (const Lang lang : kAllLangs) {
    Data t;
    t.set("lang", std::string(LangId(lang)));
    t.set("site", std::string(Localize(site_name, lang).text));
    t.set("title", messages.Get(lang, "error.unavailable_title"));
    t.set("text", messages.Get(lang, "error.unavailable"));
    d.set(std::string(LangId(lang)), t);
  }
  d.set("css_url", statics.css);
  d.set("favicon_url", statics.favicon);
  return tmpl->Render(d);
}

std::string SubscribePath(Lang lang, std::string_view platform, std::string_view service,
                          int64_t event) {
  std::string q = "/subscribe?platform=" + QueryEscape(platform);
  if (!service.empty()) q += "&service=" + QueryEscape(service);
  if (event) q += "&event=" + std::to_string(event);
  return PagePath(lang, q);
}

Result<std::string> RenderSubscription(const PageView& v, const SubscriptionPage& sp) {
  using Stage = SubscriptionPage::Stage;
  Page page(v);
  Data d;
  const std::string site = Clean(Localize(v.site_name, v.lang).text);
  std::string heading;
  switch (sp.stage) {
    case Stage::kForm:
      heading = page.T("subscribe.title");
      d.set("intro", page.T("subscribe.intro"));
      break;
    case Stage::kSent:
      heading = page.T("subscribe.sent_title");
      d.set("intro", page.T("subscribe.sent"));
      break;
    case Stage::kManage:
      heading = page.T("subscribe.manage_title");
      d.set("intro", Fill(page.T("subscribe.manage_intro"), {{"site", site}, {"email", sp.email}}));
      if (!sp.confirmed) d.set("pending", page.T("subscribe.pending"));
      if (sp.channel != Channel::kEmail) {
        Data e;
        e.set(
            "text",
            Fill(page.T("subscribe.endpoint_to"),
                 {{"channel", page.T("subscribe.channel_" + std::string(ChannelId(sp.channel)))}}));
        e.set("url", sp.endpoint);
        if (!sp.secret.empty()) e.set("secret", sp.secret);
        if (sp.quarantined_at) {
          Data q;
          q.set("text",
                Fill(page.T("subscribe.quarantined"),
                     {{"date", FormatDateTime(*sp.quarantined_at, v.region, v.lang, v.messages)}}));
          q.set("action", page.Url("/subscription"));
          q.set("token", sp.token);
          e.set("quarantine", q);
        }
        d.set("endpoint", e);
      }
      break;
    case Stage::kDone:
      heading = page.T("subscribe.unsubscribed_title");
      d.set("intro", Fill(page.T("subscribe.unsubscribed"), {{"site", site}}));
      break;
  }
  d.set("heading", heading);
  if (!sp.error.empty()) d.set("error", sp.error);
  if (!sp.flash.empty()) d.set("flash", sp.flash);
  d.set("back_url", page.Url("/"));
  const bool form = sp.stage == Stage::kForm || sp.stage == Stage::kManage;
  if (form) {
    Data f;
    f.set("action", page.Url(sp.stage == Stage::kForm ? "/subscribe" : "/subscription"));
    f.set("token", sp.token);
    f.set("ask_email", sp.stage == Stage::kForm);
    f.set("email", sp.email);
    const auto ticked = [&](const std::string& platform, Topic topic, int64_t target) {
      return std::find(sp.checked.begin(), sp.checked.end(),
                       Subscription{platform, topic, target}) != sp.checked.end();
    };
    const auto choice = [&](const std::string& value, const std::string& label, bool checked) {
      Data c;
      c.set("value", value);
      c.set("label", label);
      c.set("checked", checked);
      c.set("id", "f-" + value);
      return c;
    };
    Data platforms{Data::type::list};
    for (const Platform& p : v.model.platforms) {
      if (!sp.platforms.empty() &&
          std::find(sp.platforms.begin(), sp.platforms.end(), p.slug) == sp.platforms.end()) {
        continue;
      }
      Data pd;
      pd.set("name", Clean(Localize(p.name, v.lang).text));
      Data choices{Data::type::list};
      for (const Subscription& x : sp.checked) {
        if (x.platform != p.slug || x.topic != Topic::kEvent) continue;
        const Event* e = v.model.FindEvent(x.target);
        if (!e) continue;
        choices.push_back(choice("event:" + p.slug + ":" + std::to_string(e->id),
                                 Fill(page.T("subscribe.topic_event"),
                                      {{"title", Clean(Localize(e->title, v.lang).text)}}),
                                 true));
      }
      choices.push_back(choice("platform:" + p.slug, page.T("subscribe.topic_platform"),
                               ticked(p.slug, Topic::kPlatform, 0)));
      choices.push_back(choice("messages:" + p.slug, page.T("subscribe.topic_messages"),
                               ticked(p.slug, Topic::kMessages, 0)));
      pd.set("choices", choices);
      Data services{Data::type::list};
      bool open = false;
      for (const Service& s : v.model.services) {
        if (s.platform != p.slug || s.retired) continue;
        const bool on = ticked(p.slug, Topic::kService, s.id);
        open = open || on;
        services.push_back(choice("service:" + p.slug + ":" + std::to_string(s.id),
                                  Clean(Localize(s.name, v.lang).text), on));
      }
      pd.set("has_services", !services.is_empty_list());
      pd.set("services", services);
      pd.set("open", open);
      platforms.push_back(pd);
    }
    f.set("platforms", platforms);
    Data langs{Data::type::list};
    for (Lang l : kAllLangs) {
      Data ld;
      ld.set("id", std::string(LangId(l)));
      ld.set("name", l == Lang::kFr ? std::string("Français") : std::string("English"));
      ld.set("checked", l == sp.mail_lang);
      langs.push_back(ld);
    }
    f.set("langs", langs);
    Data channels{Data::type::list};
    for (Channel c : {Channel::kEmail, Channel::kWebhook, Channel::kSlack, Channel::kTeams}) {
      Data cd;
      cd.set("id", std::string(ChannelId(c)));
      cd.set("name", page.T("subscribe.channel_" + std::string(ChannelId(c))));
      cd.set("checked", c == sp.channel);
      channels.push_back(cd);
    }
    f.set("channels", channels);
    f.set("endpoint", sp.endpoint);
    const bool manage = sp.stage == Stage::kManage;
    f.set("submit_action", manage ? (sp.confirmed ? "save" : "confirm") : "subscribe");
    f.set("submit_text",
          manage ? (sp.confirmed ? page.T("subscribe.save") : page.T("subscribe.confirm"))
                 : page.T("subscribe.submit"));
    d.set("form", f);
    if (manage) {
      Data u;
      u.set("action", page.Url("/subscription"));
      u.set("token", sp.token);
      d.set("unsubscribe_form", u);
    }
  }
  return page.Render(
      "subscribe", d, heading,
      sp.stage == Stage::kManage ? "/subscription?t=" + QueryEscape(sp.token) : "/subscribe");
}

std::string RenderError(const PageView& v, int status, std::string_view message) {
  Page page(v);
  Data d;
  const bool not_found = status == 404;
  const std::string heading =
      not_found ? page.T("error.not_found_title") : page.T("error.error_title");
  d.set("heading", heading);
  d.set("message", not_found ? page.T("error.not_found") : std::string(message));
  d.set("home_url", page.Url("/"));
  return page.Render("error", d, heading, "/");
}

}  // namespace vigie

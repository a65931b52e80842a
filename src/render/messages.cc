#include "render/messages.h"

#include <cmark.h>
#include <date/tz.h>
#include <toml++/toml.h>

#include <set>

namespace vigie {

namespace {

void Flatten(const toml::table& t, const std::string& prefix,
             std::map<std::string, std::string, std::less<>>& texts,
             std::map<std::string, std::vector<std::string>, std::less<>>& lists,
             std::vector<std::string>& errors, const std::string& file) {
  for (const auto& [k, node] : t) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const toml::table* sub = node.as_table()) {
      Flatten(*sub, key, texts, lists, errors, file);
    } else if (auto s = node.value<std::string>()) {
      texts[key] = *s;
    } else if (const toml::array* a = node.as_array()) {
      std::vector<std::string>& list = lists[key];
      for (const toml::node& x : *a) list.push_back(x.value<std::string>().value_or(""));
    } else {
      errors.push_back(file + ":" + std::to_string(node.source().begin.line) + ": " + key +
                       " must be a string");
    }
  }
}

const date::time_zone* Zone(const Region& r) {
  try {
    return date::locate_zone(r.time_zone);
  } catch (const std::exception&) {
    return date::locate_zone("UTC");
  }
}

struct LocalParts {
  int year, month, day, hour, minute;
};

LocalParts Local(Time t, const Region& r) {
  const auto local = Zone(r)->to_local(t);
  const auto day = std::chrono::floor<date::days>(local);
  const date::year_month_day ymd(day);
  const date::hh_mm_ss hms(local - day);
  return {int(ymd.year()), int(unsigned(ymd.month())), int(unsigned(ymd.day())),
          int(hms.hours().count()), int(hms.minutes().count())};
}

std::string Replace(std::string pattern, std::string_view name, std::string_view value) {
  const std::string token = "{" + std::string(name) + "}";
  for (size_t at = pattern.find(token); at != std::string::npos; at = pattern.find(token, at)) {
    pattern.replace(at, token.size(), value);
    at += value.size();
  }
  return pattern;
}

std::string MonthName(const Messages& m, Lang lang, int month) {
  const std::vector<std::string>& months = m.List(lang, "time.months");
  return months.size() == 12 ? months[month - 1] : std::to_string(month);
}

std::string DatePart(const LocalParts& p, Lang lang, const Messages& m) {
  std::string s = m.Get(lang, "time.date");
  s = Replace(s, "day", std::to_string(p.day));
  s = Replace(s, "month", MonthName(m, lang, p.month));
  return Replace(s, "year", std::to_string(p.year));
}

}  // namespace

std::string Fill(std::string pattern,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  for (const auto& [name, value] : values) pattern = Replace(std::move(pattern), name, value);
  return pattern;
}

Result<Messages> Messages::Load(const Assets& assets) {
  Messages out;
  std::vector<std::string> errors;
  for (Lang lang : kAllLangs) {
    const std::string file = "i18n/" + std::string(LangId(lang)) + ".toml";
    const std::string* text = assets.Find(file);
    if (!text) return Status::Invalid("missing message catalog " + file);
    try {
      toml::table t = toml::parse(*text, file);
      const int i = lang == Lang::kFr ? 0 : 1;
      Flatten(t, "", out.texts_[i], out.lists_[i], errors, file);
    } catch (const toml::parse_error& e) {
      return Status::Invalid(file + ":" + std::to_string(e.source().begin.line) + ": " +
                             std::string(e.description()));
    }
  }
  // Every key in one language must exist in the other.
  for (int i = 0; i < 2; ++i) {
    for (const auto& [k, v] : out.texts_[i]) {
      if (!out.texts_[1 - i].count(k)) {
        errors.push_back(std::string("i18n/") + (i ? "fr" : "en") + ".toml lacks " + k);
      }
    }
    for (const auto& [k, v] : out.lists_[i]) {
      if (!out.lists_[1 - i].count(k)) {
        errors.push_back(std::string("i18n/") + (i ? "fr" : "en") + ".toml lacks " + k);
      }
    }
  }
  if (!errors.empty()) {
    std::string msg;
    for (const std::string& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    return Status::Invalid(msg);
  }
  return out;
}

namespace {
// "level." + "minor", in a buffer of the thread.
std::string_view WordsKey(std::string_view prefix, std::string_view id) {
  thread_local std::string key;
  key.assign(prefix);
  key += id;
  return key;
}
}  // namespace

const std::string& Messages::Words(Lang lang, Level level) const {
  return Get(lang, WordsKey("level.", LevelId(level)));
}
const std::string& Messages::Words(Lang lang, EventKind kind) const {
  return Get(lang, WordsKey("kind.", EventKindId(kind)));
}
const std::string& Messages::Words(Lang lang, Phase phase) const {
  return Get(lang, WordsKey("phase.", PhaseId(phase)));
}
const std::string& Messages::Words(Lang lang, EventState state) const {
  return Get(lang, WordsKey("state.", EventStateId(state)));
}

const std::string& Messages::Get(Lang lang, std::string_view key) const {
  const auto& texts = All(lang);
  auto it = texts.find(key);
  if (it != texts.end()) return it->second;
  thread_local std::string missing;
  missing = std::string(key);
  return missing;
}

const std::vector<std::string>& Messages::List(Lang lang, std::string_view key) const {
  static const std::vector<std::string> kNone;
  const auto& lists = lists_[lang == Lang::kFr ? 0 : 1];
  auto it = lists.find(key);
  return it == lists.end() ? kNone : it->second;
}

std::string FormatDateTime(Time t, const Region& region, Lang lang, const Messages& m) {
  const LocalParts p = Local(t, region);
  char clock[16];
  if (m.Get(lang, "time.clock") == "12h") {
    const int h12 = p.hour % 12 == 0 ? 12 : p.hour % 12;
    std::snprintf(clock, sizeof clock, "%d:%02d %s", h12, p.minute, p.hour < 12 ? "AM" : "PM");
  } else {
    std::snprintf(clock, sizeof clock, "%02d:%02d", p.hour, p.minute);
  }
  std::string zone = m.Get(lang, "zones." + region.time_zone);
  if (zone == "zones." + region.time_zone) zone = region.time_zone;
  std::string s = m.Get(lang, "time.datetime");
  s = Replace(s, "date", DatePart(p, lang, m));
  s = Replace(s, "time", clock);
  return Replace(s, "zone", zone);
}

std::string FormatDate(Time t, const Region& region, Lang lang, const Messages& m) {
  return DatePart(Local(t, region), lang, m);
}

std::string FormatMonth(Time t, const Region& region, Lang lang, const Messages& m) {
  const LocalParts p = Local(t, region);
  std::string s = m.Get(lang, "time.month");
  s = Replace(s, "month", MonthName(m, lang, p.month));
  return Replace(s, "year", std::to_string(p.year));
}

int64_t LocalDay(Time t, const Region& region) {
  const auto local = Zone(region)->to_local(t);
  return std::chrono::floor<date::days>(local).time_since_epoch().count();
}

Time LocalDayStart(int64_t day, const Region& region) {
  const date::local_days d{date::days(day)};
  return std::chrono::floor<std::chrono::seconds>(
      Zone(region)->to_sys(date::local_seconds(d), date::choose::earliest));
}

Result<Time> LocalToUtc(std::string_view local, const Region& region) {
  int y, mo, d, h, mi;
  char tail = 0;
  const std::string text(local);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &h, &mi, &tail) < 5 &&
      std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d%c", &y, &mo, &d, &h, &mi, &tail) < 5) {
    return Status::Invalid("\"" + text + "\" is not a date and time like 2026-11-29T22:00");
  }
  const date::year_month_day ymd{date::year(y), date::month(unsigned(mo)), date::day(unsigned(d))};
  if (!ymd.ok() || h < 0 || h > 23 || mi < 0 || mi > 59) {
    return Status::Invalid("\"" + text + "\" is not a valid date and time");
  }
  const date::local_seconds ls =
      date::local_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi);
  try {
    return std::chrono::floor<std::chrono::seconds>(Zone(region)->to_sys(ls));
  } catch (const date::nonexistent_local_time&) {
    return Status::Invalid(text + " does not exist in " + region.time_zone +
                           " (the clocks skip that hour): choose another time");
  } catch (const date::ambiguous_local_time&) {
    return Status::Invalid(text + " happens twice in " + region.time_zone +
                           " (the clocks go back): choose a time outside that hour");
  }
}

std::string UtcToLocalInput(Time t, const Region& region) {
  const LocalParts p = Local(t, region);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", p.year, p.month, p.day, p.hour,
                p.minute);
  return buf;
}

std::string MarkdownToHtml(std::string_view markdown) {
  // Safe by default in cmark 0.30: raw HTML is dropped and javascript: links emptied.
  char* html = cmark_markdown_to_html(markdown.data(), markdown.size(),
                                      CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SMART);
  std::string out = html ? html : "";
  free(html);
  return out;
}

}  // namespace vigie

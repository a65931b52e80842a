// The interface strings in French and English, read from assets/i18n/{fr,en}.toml. Both
// catalogs must hold the same keys (checked at load). Immutable; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "domain/model.h"
#include "render/assets.h"

namespace vigie {

class Messages {
 public:
  static Result<Messages> Load(const Assets& assets);

  // The text under a dotted key ("level.minor"); the key itself when missing, so that a
  // forgotten key shows rather than hides.
  const std::string& Get(Lang lang, std::string_view key) const;
  // The words of a level, an event kind, a phase or an event state ("Perturbation mineure"),
  // from the catalog's level.*, kind.*, phase.* and state.* keys: the one source of these words
  // for pages, feeds, badges and the back-office.
  const std::string& Words(Lang lang, Level level) const;
  const std::string& Words(Lang lang, EventKind kind) const;
  const std::string& Words(Lang lang, Phase phase) const;
  const std::string& Words(Lang lang, EventState state) const;
  // A list of strings (month names); empty when missing.
  const std::vector<std::string>& List(Lang lang, std::string_view key) const;
  // Every text of a language by dotted key.
  const std::map<std::string, std::string, std::less<>>& All(Lang lang) const {
    return texts_[lang == Lang::kFr ? 0 : 1];
  }

 private:
  std::map<std::string, std::string, std::less<>> texts_[2];
  std::map<std::string, std::vector<std::string>, std::less<>> lists_[2];
};

// Replaces each {name} of `pattern` by its value.
std::string Fill(std::string pattern,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values);

// "28 novembre 2026 à 15:30 (heure de Paris)" / "November 28, 2026, 3:30 PM ET": an instant
// in the region's time zone, in the language's words.
std::string FormatDateTime(Time t, const Region& region, Lang lang, const Messages& m);
// "28 novembre 2026" / "November 28, 2026"
std::string FormatDate(Time t, const Region& region, Lang lang, const Messages& m);
// "novembre 2026" / "November 2026"
std::string FormatMonth(Time t, const Region& region, Lang lang, const Messages& m);
// The local calendar day of `t` in the region, as days since the epoch.
int64_t LocalDay(Time t, const Region& region);
// The UTC instant at which a local day starts in the region.
Time LocalDayStart(int64_t day, const Region& region);

// A local time typed by an operator ("2026-11-29T22:00", as an <input type="datetime-local">
// sends it) in the region's zone, as a UTC instant. A time that does not exist or happens
// twice (daylight saving changes) is refused with a sentence that says so.
Result<Time> LocalToUtc(std::string_view local, const Region& region);
// The reverse, for form fields: "2026-11-29T22:00".
std::string UtcToLocalInput(Time t, const Region& region);

// Markdown (CommonMark) to safe HTML: raw HTML dropped, unsafe links emptied.
std::string MarkdownToHtml(std::string_view markdown);

}  // namespace vigie

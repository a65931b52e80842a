// The model: plain values, no I/O. See docs/architecture.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "domain/append_vector.h"
#include "domain/interned.h"
#include "domain/level.h"
#include "domain/shared_vector.h"

namespace vigie {

enum class Lang { kFr, kEn };
inline constexpr Lang kAllLangs[] = {Lang::kFr, Lang::kEn};
std::string_view LangId(Lang l);  // "fr", "en"
std::optional<Lang> ParseLang(std::string_view id);
inline Lang OtherLang(Lang l) { return l == Lang::kFr ? Lang::kEn : Lang::kFr; }

// A text in both languages; either may be empty. The model holds half a million of them
// (events' titles and bodies, their updates), so a Text is 16 bytes: a pointer to both
// languages side by side and their sizes. It either owns that block (one allocation for both)
// or points into the process's text archive (core/text_archive.h): Stored() is how the
// serving model's loaders make one, so that the history's texts live in the page cache, not
// in the heap. Either way a Text is a value: copies compare equal, a stored text is never
// changed nor freed.
class Text {
 public:
  Text() = default;
  Text(std::string_view fr, std::string_view en);
  Text(const char* fr, const char* en) : Text(std::string_view(fr), std::string_view(en)) {}
  Text(const Text& o);
  Text(Text&& o) noexcept;
  Text& operator=(const Text& o);
  Text& operator=(Text&& o) noexcept;
  ~Text() { Free(); }

  // The same text in the archive when the process opened one and it has room; owned otherwise.
  static Text Stored(std::string_view fr, std::string_view en);

  std::string_view fr() const { return {data_, fr_size_}; }
  std::string_view en() const { return {data_ + fr_size_, en_size_}; }
  std::string_view in(Lang l) const { return l == Lang::kFr ? fr() : en(); }
  // A copy with one language replaced (owned).
  void set(Lang l, std::string_view s);
  bool empty() const { return fr_size_ == 0 && en_size_ == 0; }
  bool stored() const { return !owned_ && !empty(); }
  friend bool operator==(const Text& a, const Text& b) {
    return a.fr() == b.fr() && a.en() == b.en();
  }

 private:
  void Free();
  void CopyFrom(std::string_view fr, std::string_view en);

  // Never null: an empty text's views are "" (a database binds a null pointer as NULL).
  const char* data_ = "";
  uint32_t fr_size_ = 0;
  uint32_t en_size_ : 31 = 0;
  uint32_t owned_ : 1 = 0;
};

// A text read in one language: falls back to the other, and says so.
struct Localized {
  std::string_view text;
  Lang lang;      // the language `text` is in
  bool fallback;  // true when `lang` is not the one asked for
};
Localized Localize(const Text& t, Lang want);

// A regional site. Defined in the configuration; events and levels refer to its id.
struct Region {
  std::string id;  // "fr", "na"
  Text name;
  std::vector<std::string> hosts;
  std::string time_zone;  // IANA, e.g. "Europe/Paris"
  Lang default_lang = Lang::kFr;
  std::string base_url;  // public URL of the regional site, for feeds and links
};

struct Platform {
  std::string slug;  // "weavy"
  int position = 0;
  Text name, category, description;
  std::vector<std::string> products;
};

struct Service {
  int64_t id = 0;
  std::string platform;  // Platform::slug
  std::string slug;      // unique within its platform
  int position = 0;
  Text name, information, impact;
  bool retired = false;  // hidden from the site, history kept
  Time created_at{};     // when it was added to the catalog
};

// What an operator says a service's level is in a region, outside any event.
struct ManualLevel {
  std::string region;
  int64_t service_id = 0;
  Level level = Level::kOperational;
  Time set_at{};
  std::string note;
};

// An operator's override of a platform's global status in a region.
struct GlobalOverride {
  std::string region;
  std::string platform;
  Level level = Level::kOperational;
  Time set_at{};
  std::string note;
};

enum class EventKind { kIncident, kMaintenance, kAction, kAnnouncement };
inline constexpr EventKind kAllEventKinds[] = {EventKind::kIncident, EventKind::kMaintenance,
                                               EventKind::kAction, EventKind::kAnnouncement};
std::string_view EventKindId(EventKind k);  // "incident", "maintenance", "action", "announcement"
std::optional<EventKind> ParseEventKind(std::string_view id);

// Phases of an incident; other kinds have none.
enum class Phase { kNone, kInvestigating, kIdentified, kMonitoring, kResolved };
std::string_view PhaseId(Phase p);  // "" for kNone
std::optional<Phase> ParsePhase(std::string_view id);

// Where an event stands at a given instant, derived from its window and the clock.
enum class EventState { kPlanned, kInProgress, kEnded, kCancelled };
std::string_view EventStateId(EventState s);  // "planned", "in_progress", "past", "cancelled"

struct Impact {
  int64_t service_id = 0;
  Level level = Level::kOperational;  // the level the event puts the service in
  bool operator==(const Impact&) const = default;
};

struct EventUpdate {
  int64_t id = 0;
  Time at{};
  Phase phase = Phase::kNone;
  Text text;
};

struct Event {
  int64_t id = 0;
  EventKind kind = EventKind::kIncident;
  std::string platform;
  std::vector<std::string> regions;  // at least one
  Text title, body;                  // body is Markdown
  std::vector<Impact> impacts;
  Time starts_at{};
  std::optional<Time> ends_at;  // planned, estimated or actual end
  Phase phase = Phase::kNone;   // incidents only
  bool cancelled = false;
  Time created_at{}, updated_at{};
  // Grows by one with each change of the event's fields (not with a new timeline entry); a
  // form made from one revision cannot overwrite a later one.
  int64_t revision = 1;
  std::string updated_by;            // who made this revision
  std::vector<EventUpdate> updates;  // oldest first

  EventState StateAt(Time now) const;
  bool InRegion(std::string_view region) const;
};

// A general message about a whole platform, or the whole site when platform is empty.
struct Message {
  int64_t id = 0;
  std::string platform;
  std::vector<std::string> regions;
  Text title, body;
  Time published_at{};
  std::optional<Time> expires_at;

  bool ActiveAt(Time now) const;
  bool InRegion(std::string_view region) const;
};

enum class CauseKind : uint8_t { kManual, kEvent, kOverride };
std::string_view CauseKindId(CauseKind c);  // "manual", "event", "override"
std::optional<CauseKind> ParseCauseKind(std::string_view id);

// An optional id in 8 bytes (std::optional<int64_t> takes 16), for what the model holds by
// the hundred thousand; it reads as a std::optional<int64_t>.
class OptId {
 public:
  constexpr OptId() = default;
  constexpr OptId(std::nullopt_t) {}                 // NOLINT: reads as an optional
  constexpr OptId(int64_t id) : id_(id) {}           // NOLINT
  constexpr OptId(const std::optional<int64_t>& id)  // NOLINT
      : id_(id ? *id : kNone) {}
  constexpr explicit operator bool() const { return id_ != kNone; }
  constexpr bool has_value() const { return id_ != kNone; }
  constexpr int64_t operator*() const { return id_; }
  constexpr int64_t value_or(int64_t other) const { return id_ != kNone ? id_ : other; }
  constexpr operator std::optional<int64_t>() const {  // NOLINT
    return id_ != kNone ? std::optional<int64_t>(id_) : std::nullopt;
  }
  friend constexpr bool operator==(OptId a, OptId b) = default;
  // Exact, so that it is chosen over std::optional's own, which finds none unequal to nullopt.
  friend constexpr bool operator==(OptId a, const std::optional<int64_t>& b) {
    return a == OptId(b);
  }
  friend constexpr bool operator==(OptId a, int64_t b) { return a.id_ == b; }
  friend constexpr bool operator==(OptId a, std::nullopt_t) { return !a; }

 private:
  static constexpr int64_t kNone = INT64_MIN;  // no id is negative
  int64_t id_ = kNone;
};

// One change of a derived level: of a service when service_id is set, else of the platform's
// global status. History: written once, never rewritten.
// Held by the hundred thousand (AppendVector), so 64 bytes: region, platform and note are
// interned (a write's note is shared by each change it makes; most are empty).
struct StatusChange {
  int64_t id = 0;
  Time at{};
  OptId service_id;
  OptId event_id;
  Interned region;
  Interned platform;
  Interned note;
  Level from = Level::kOperational, to = Level::kOperational;
  CauseKind cause = CauseKind::kManual;
};
static_assert(sizeof(StatusChange) == 64);

// The whole public state, as the store holds it. Vectors are in display order:
// platforms and services by position, events by start, status changes by time.
// The orders a model keeps its history in (the Store's): events by (starts_at, id),
// status changes and an event's updates by (at, id).
inline bool EventBefore(const Event& a, const Event& b) {
  return a.starts_at != b.starts_at ? a.starts_at < b.starts_at : a.id < b.id;
}
inline bool ChangeBefore(const StatusChange& a, const StatusChange& b) {
  return a.at != b.at ? a.at < b.at : a.id < b.id;
}
inline bool UpdateBefore(const EventUpdate& a, const EventUpdate& b) {
  return a.at != b.at ? a.at < b.at : a.id < b.id;
}

struct Model {
  std::vector<Region> regions;
  std::vector<Platform> platforms;
  std::vector<Service> services;
  std::vector<ManualLevel> manual_levels;
  std::vector<GlobalOverride> overrides;
  // Shared between successive models: a write copies pointers, not 100,000 events.
  SharedVector<Event> events;
  std::vector<Message> messages;
  AppendVector<StatusChange> status_changes;
  // The highest id in status_changes (0: none), so that a writer reads the rows above it
  // without a scan of the history. AddChanges keeps it; whoever fills status_changes
  // otherwise (a test) leaves it 0, and LastChangeId() then scans.
  int64_t last_change_id = 0;
  // The last entry of the store's changes log this model reflects (0: none yet). A writer
  // reads what lies above it to catch up with the others (StoreTx::LoadAbove).
  int64_t seq = 0;
  // Which life of the store the model comes from: a restore over a site starts a new one, and
  // a model of another generation is read again whole, whatever its seq.
  std::string generation;

  // Merges `added` (in the model's order) into status_changes.
  void AddChanges(const AppendVector<StatusChange>& added);
  int64_t LastChangeId() const;

  const Region* FindRegion(std::string_view id) const;
  const Platform* FindPlatform(std::string_view slug) const;
  const Service* FindService(int64_t id) const;
  const Service* FindService(std::string_view platform, std::string_view slug) const;
  const Event* FindEvent(int64_t id) const;

  // Positions by id of services and events, for the finders above; built by Index() (the
  // Snapshot indexes its model). Until then, or once stale, the finders scan. The events'
  // are shared with `previous`'s when it holds the very same events (a write that changed
  // none of them).
  std::unordered_map<int64_t, size_t> service_positions;
  std::shared_ptr<const std::unordered_map<int64_t, size_t>> event_positions;
  void Index(const Model* previous = nullptr);
};

}  // namespace vigie

#include "domain/model.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/text_archive.h"
#include "domain/accounts.h"

namespace vigie {

namespace {
template <typename E, size_t N>
std::optional<E> FindId(std::string_view id, const std::pair<E, std::string_view> (&table)[N]) {
  for (const auto& [e, name] : table) {
    if (name == id) return e;
  }
  return std::nullopt;
}
template <typename E, size_t N>
std::string_view IdOf(E e, const std::pair<E, std::string_view> (&table)[N]) {
  for (const auto& [v, name] : table) {
    if (v == e) return name;
  }
  return "";
}

constexpr std::pair<Level, std::string_view> kLevels[] = {{Level::kOperational, "operational"},
                                                          {Level::kMaintenance, "maintenance"},
                                                          {Level::kMinor, "minor"},
                                                          {Level::kMajor, "major"},
                                                          {Level::kOutage, "outage"}};
constexpr std::pair<Lang, std::string_view> kLangs[] = {{Lang::kFr, "fr"}, {Lang::kEn, "en"}};
constexpr std::pair<EventKind, std::string_view> kKinds[] = {
    {EventKind::kIncident, "incident"},
    {EventKind::kMaintenance, "maintenance"},
    {EventKind::kAction, "action"},
    {EventKind::kAnnouncement, "announcement"}};
constexpr std::pair<Phase, std::string_view> kPhases[] = {{Phase::kNone, ""},
                                                          {Phase::kInvestigating, "investigating"},
                                                          {Phase::kIdentified, "identified"},
                                                          {Phase::kMonitoring, "monitoring"},
                                                          {Phase::kResolved, "resolved"}};
constexpr std::pair<EventState, std::string_view> kStates[] = {
    {EventState::kPlanned, "planned"},
    {EventState::kInProgress, "in_progress"},
    {EventState::kEnded, "past"},
    {EventState::kCancelled, "cancelled"}};
constexpr std::pair<CauseKind, std::string_view> kCauses[] = {{CauseKind::kManual, "manual"},
                                                              {CauseKind::kEvent, "event"},
                                                              {CauseKind::kOverride, "override"}};

constexpr std::pair<Role, std::string_view> kRoles[] = {{Role::kEditor, "editor"},
                                                        {Role::kAdmin, "admin"}};

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

std::string_view LevelId(Level l) { return IdOf(l, kLevels); }
std::optional<Level> ParseLevel(std::string_view id) { return FindId(id, kLevels); }
std::string_view LevelWords(Level l, bool english) {
  switch (l) {
    case Level::kOperational:
      return english ? "Operational" : "Opérationnel";
    case Level::kMinor:
      return english ? "Minor disruption" : "Perturbation mineure";
    case Level::kMajor:
      return english ? "Major disruption" : "Perturbation majeure";
    case Level::kOutage:
      return english ? "Non-operational" : "Non opérationnel";
    case Level::kMaintenance:
      return "Maintenance";
  }
  return "";
}
std::string_view LangId(Lang l) { return IdOf(l, kLangs); }
std::string_view RoleId(Role r) { return IdOf(r, kRoles); }
std::optional<Role> ParseRole(std::string_view id) { return FindId(id, kRoles); }
std::optional<Lang> ParseLang(std::string_view id) { return FindId(id, kLangs); }
std::string_view EventKindId(EventKind k) { return IdOf(k, kKinds); }
std::optional<EventKind> ParseEventKind(std::string_view id) { return FindId(id, kKinds); }
std::string_view PhaseId(Phase p) { return IdOf(p, kPhases); }
std::optional<Phase> ParsePhase(std::string_view id) { return FindId(id, kPhases); }
std::string_view EventStateId(EventState s) { return IdOf(s, kStates); }
std::string_view CauseKindId(CauseKind c) { return IdOf(c, kCauses); }
std::optional<CauseKind> ParseCauseKind(std::string_view id) { return FindId(id, kCauses); }

namespace {
uint32_t TextSize(size_t n) {
  // 31 bits for the English side: no text of a status site comes near.
  if (n >= (size_t{1} << 31)) throw std::length_error("a text of 2 GB or more");
  return static_cast<uint32_t>(n);
}
}  // namespace

Text::Text(std::string_view fr, std::string_view en) { CopyFrom(fr, en); }

Text::Text(const Text& o) {
  if (o.owned_) {
    CopyFrom(o.fr(), o.en());
  } else {  // stored or empty: the bytes are shared, never freed
    data_ = o.data_;
    fr_size_ = o.fr_size_;
    en_size_ = o.en_size_;
  }
}

Text::Text(Text&& o) noexcept
    : data_(o.data_), fr_size_(o.fr_size_), en_size_(o.en_size_), owned_(o.owned_) {
  o.data_ = "";
  o.fr_size_ = o.en_size_ = o.owned_ = 0;
}

Text& Text::operator=(const Text& o) {
  if (this != &o) *this = Text(o);
  return *this;
}

Text& Text::operator=(Text&& o) noexcept {
  if (this != &o) {
    Free();
    data_ = o.data_;
    fr_size_ = o.fr_size_;
    en_size_ = o.en_size_;
    owned_ = o.owned_;
    o.data_ = "";
    o.fr_size_ = o.en_size_ = o.owned_ = 0;
  }
  return *this;
}

void Text::Free() {
  if (owned_) delete[] data_;
  data_ = "";
  fr_size_ = en_size_ = owned_ = 0;
}

void Text::CopyFrom(std::string_view fr, std::string_view en) {
  uint32_t f = TextSize(fr.size()), e = TextSize(en.size());
  char* p = nullptr;
  if (f + uint64_t{e} > 0) {  // before Free: fr or en may lie in this text
    p = new char[f + size_t{e}];
    std::memcpy(p, fr.data(), f);
    std::memcpy(p + f, en.data(), e);
  }
  Free();
  if (p != nullptr) data_ = p;
  fr_size_ = f;
  en_size_ = e;
  owned_ = p != nullptr;
}

Text Text::Stored(std::string_view fr, std::string_view en) {
  Text t;
  uint32_t f = TextSize(fr.size()), e = TextSize(en.size());
  if (f + uint64_t{e} == 0) return t;
  if (const char* p = text_archive::Put(fr, en)) {
    t.data_ = p;
    t.fr_size_ = f;
    t.en_size_ = e;
    return t;
  }
  t.CopyFrom(fr, en);
  return t;
}

void Text::set(Lang l, std::string_view s) {
  if (l == Lang::kFr) {
    CopyFrom(s, en());
  } else {
    CopyFrom(fr(), s);
  }
}

Localized Localize(const Text& t, Lang want) {
  std::string_view mine = t.in(want);
  if (!mine.empty()) return {mine, want, false};
  std::string_view other = t.in(OtherLang(want));
  if (!other.empty()) return {other, OtherLang(want), true};
  return {mine, want, false};
}

EventState Event::StateAt(Time now) const {
  if (cancelled) return EventState::kCancelled;
  if (now < starts_at) return EventState::kPlanned;
  if (kind == EventKind::kIncident) {
    // An incident's end is an estimate until it is resolved: it stays in progress past it.
    // Once resolved, ends_at is the actual end, so its past is still told right.
    if (phase != Phase::kResolved) return EventState::kInProgress;
    return ends_at && now < *ends_at ? EventState::kInProgress : EventState::kEnded;
  }
  if (ends_at && now >= *ends_at) return EventState::kEnded;
  return EventState::kInProgress;
}

bool Event::InRegion(std::string_view region) const { return Contains(regions, region); }

bool Message::ActiveAt(Time now) const {
  return published_at <= now && (!expires_at || now < *expires_at);
}

bool Message::InRegion(std::string_view region) const { return Contains(regions, region); }

const Region* Model::FindRegion(std::string_view id) const {
  for (const Region& r : regions) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const Platform* Model::FindPlatform(std::string_view slug) const {
  for (const Platform& p : platforms) {
    if (p.slug == slug) return &p;
  }
  return nullptr;
}

namespace {
// The element of `items` with that id: through `positions`, or by a scan when they do not
// know it (not indexed, stale, or no such id).
template <typename T, typename Items>
const T* FindById(const Items& items, const std::unordered_map<int64_t, size_t>& positions,
                  int64_t id) {
  if (auto it = positions.find(id);
      it != positions.end() && it->second < items.size() && items[it->second].id == id) {
    return &items[it->second];
  }
  for (const T& x : items) {
    if (x.id == id) return &x;
  }
  return nullptr;
}
}  // namespace

const Service* Model::FindService(int64_t id) const {
  return FindById<Service>(services, service_positions, id);
}

const Service* Model::FindService(std::string_view platform, std::string_view slug) const {
  for (const Service& s : services) {
    if (s.platform == platform && s.slug == slug) return &s;
  }
  return nullptr;
}

const Event* Model::FindEvent(int64_t id) const {
  static const std::unordered_map<int64_t, size_t> kNone;
  return FindById<Event>(events, event_positions ? *event_positions : kNone, id);
}

void Model::AddChanges(const AppendVector<StatusChange>& added) {
  const int64_t before = LastChangeId();
  status_changes.MergeIn(added, ChangeBefore);
  last_change_id = before;
  for (const StatusChange& c : added) last_change_id = std::max(last_change_id, c.id);
}

int64_t Model::LastChangeId() const {
  if (last_change_id != 0 || status_changes.empty()) return last_change_id;
  int64_t last = 0;
  for (const StatusChange& c : status_changes) last = std::max(last, c.id);
  return last;
}

void Model::Index(const Model* previous) {
  service_positions.clear();
  for (size_t i = 0; i < services.size(); ++i) service_positions.emplace(services[i].id, i);
  if (previous && previous->event_positions && previous->events.SameElements(events)) {
    event_positions = previous->event_positions;
    return;
  }
  auto positions = std::make_shared<std::unordered_map<int64_t, size_t>>();
  positions->reserve(events.size());
  // Read through const: a non-const access would copy each shared event.
  const SharedVector<Event>& shared_events = events;
  for (size_t i = 0; i < shared_events.size(); ++i) positions->emplace(shared_events[i].id, i);
  event_positions = std::move(positions);
}

}  // namespace vigie

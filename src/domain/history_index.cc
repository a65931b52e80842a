#include "domain/history_index.h"

#include <algorithm>

#include "core/text_archive.h"

namespace vigie {

namespace {
const ChangeIndex::List kNoChanges;
const EventIndex::List kNoEvents;

void Later(std::optional<Time>& newest, Time t) {
  if (!newest || t > *newest) newest = t;
}

// The value under `name` in a short list of (name, value) pairs, added when missing.
template <typename T>
T& Named(std::vector<std::pair<std::string, T>>& pairs, const std::string& name) {
  for (auto& [n, value] : pairs) {
    if (n == name) return value;
  }
  return pairs.emplace_back(name, T{}).second;
}
}  // namespace

std::string ChangeIndex::Key(std::string_view region, std::string_view platform,
                             std::optional<int64_t> service) {
  std::string key;  // short enough to stay in the string itself: no allocation per lookup
  key.append(region).append(1, '\n');
  // A service is known by its id alone: its history follows it if it moves to another platform.
  if (service) return key.append(1, '#').append(std::to_string(*service));
  return key.append(platform);
}

ChangeIndex::ChangeIndex(const AppendVector<StatusChange>& changes) {
  // Reads all of the history, which lives in the text archive: its pages go back to the page
  // cache as the reading goes (core/text_archive.h), not all at once when the load is done.
  constexpr size_t kGiveBackEvery = size_t{1} << 16;  // 4 MB of changes
  // Targets found by their interned names' addresses, not by a key built for each row: a
  // few thousand targets, 710,000 rows at scale.
  struct Id {
    const std::string *region, *platform;
    OptId service;
    bool operator==(const Id&) const = default;
  };
  struct IdHash {
    size_t operator()(const Id& id) const {
      return std::hash<const void*>()(id.region) ^ (std::hash<const void*>()(id.platform) << 1) ^
             std::hash<int64_t>()(id.service.value_or(-1));
    }
  };
  std::unordered_map<Id, Target*, IdHash> targets;
  for (size_t i = 0; i < changes.size(); ++i) {
    const StatusChange* c = &changes[i];
    Target*& target = targets[Id{&c->region.str(), &c->platform.str(), c->service_id}];
    if (target == nullptr) target = &lists_[Key(c->region, c->platform, c->service_id)];
    AddTo(*target, c);
    if ((i + 1) % kGiveBackEvery == 0) text_archive::GiveBack();
  }
  count_ = changes.size();
  if (count_ > 0) {
    first_ = &changes.front();
    last_ = &changes.back();
  }
}

ChangeIndex ChangeIndex::Extend(ChangeIndex base, const AppendVector<StatusChange>& changes) {
  const size_t n = base.count_;
  // The rows `base` indexed are the first n of `changes` when its first and n-th rows are the
  // same objects: history is only ever added to, and a row merged in before the n-th would
  // have moved it. (`base`'s model is alive, so an address cannot have been reused.)
  if (n == 0 || changes.size() < n || &changes.front() != base.first_ ||
      &changes[n - 1] != base.last_) {
    return ChangeIndex(changes);
  }
  if (changes.size() == n) return base;
  for (size_t i = n; i < changes.size(); ++i) base.Add(&changes[i]);
  base.count_ = changes.size();
  base.last_ = &changes.back();
  return base;
}

void ChangeIndex::Add(const StatusChange* c) {
  AddTo(lists_[Key(c->region, c->platform, c->service_id)], c);
}

void ChangeIndex::AddTo(Target& target, const StatusChange* c) {
  std::shared_ptr<List>& list = target.list;
  if (!list) {
    list = std::make_shared<List>();
  } else if (list.use_count() > 1) {
    list = std::make_shared<List>(*list);  // copy on write: the index before keeps its list
  }
  // In the model's order: rows come in that order, so this appends (a search otherwise).
  if (list->empty() || !ChangeBefore(*c, *list->back())) {
    list->push_back(c);
  } else {
    const auto at =
        std::upper_bound(list->begin(), list->end(), c,
                         [](const auto& a, const auto& b) { return ChangeBefore(*a, *b); });
    list->insert(at, c);
  }
  target.newest = {list->back()->at, list->back()->to};
}

const ChangeIndex::List& ChangeIndex::Of(std::string_view region, std::string_view platform,
                                         std::optional<int64_t> service) const {
  auto it = lists_.find(Key(region, platform, service));
  return it == lists_.end() ? kNoChanges : *it->second.list;
}

std::optional<ChangeIndex::Newest> ChangeIndex::NewestOf(std::string_view region,
                                                         std::string_view platform,
                                                         std::optional<int64_t> service,
                                                         std::optional<Time> as_of) const {
  auto it = lists_.find(Key(region, platform, service));
  if (it == lists_.end()) return std::nullopt;
  const Target& target = it->second;
  if (!as_of || target.newest.at <= *as_of) return target.newest;
  const List& list = *target.list;
  for (auto c = list.rbegin(); c != list.rend(); ++c) {
    if ((*c)->at <= *as_of) return Newest{(*c)->at, (*c)->to};
  }
  return std::nullopt;
}

const StatusChange* ChangeIndex::LastBy(std::string_view region, std::string_view platform,
                                        std::optional<int64_t> service, Time as_of) const {
  const List& list = Of(region, platform, service);
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if ((*it)->at <= as_of) return *it;
  }
  return nullptr;
}

std::optional<Time> ChangeIndex::NewestIn(std::string_view region, std::string_view platform,
                                          Time as_of) const {
  std::optional<Time> newest;
  for (const auto& [key, target] : lists_) {
    const List* list = target.list.get();
    const StatusChange& any = *list->front();
    if (any.region != region || (!platform.empty() && any.platform != platform)) continue;
    for (auto it = list->rbegin(); it != list->rend(); ++it) {
      if ((*it)->at <= as_of) {
        Later(newest, (*it)->at);
        break;
      }
    }
  }
  return newest;
}

EventIndex::EventIndex(const Model& m, Time as_of, const EventIndex* previous,
                       const SharedVector<Event>* previous_events)
    : as_of_(as_of) {
  if (previous && previous_events && previous->by_platform_ && previous->as_of_ <= as_of &&
      previous_events->SameElements(m.events)) {
    // The same events, later: only those the clock could change are read again.
    by_platform_ = previous->by_platform_;
    newest_ = previous->newest_;
    ByRegion active = previous->recent_;
    for (const auto& [e, position] : previous->unsettled_) {
      See(*e, position, true, newest_[e->platform], active);
    }
    KeepRecent(std::move(active));
    return;
  }
  ByRegion active;
  auto by_platform = std::make_shared<std::unordered_map<std::string, List>>();
  List* current = nullptr;  // events often come in runs of one platform
  std::vector<std::pair<std::string, std::optional<Time>>>* current_newest = nullptr;
  std::string_view current_platform;
  size_t position = 0;
  for (const Event& e : m.events) {
    if (!current || e.platform != current_platform) {
      current = &(*by_platform)[e.platform];
      current_newest = &newest_[e.platform];
      current_platform = e.platform;
    }
    current->push_back(&e);
    See(e, position++, false, *current_newest, active);
  }
  by_platform_ = std::move(by_platform);
  KeepRecent(std::move(active));
}

void EventIndex::KeepRecent(ByRegion active) {
  const auto newer = [](const Activity& a, const Activity& b) {
    return a.at != b.at ? a.at > b.at : a.position < b.position;
  };
  for (auto& [region, list] : active) {
    const size_t kept = std::min(list.size(), kRecentlyActive);
    std::nth_element(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(kept), list.end(),
                     newer);
    list.resize(kept);
    std::sort(list.begin(), list.end(), newer);
  }
  recent_ = std::move(active);
}

const std::vector<EventIndex::Activity>& EventIndex::RecentlyActive(std::string_view region) const {
  static const std::vector<Activity> kNone;
  for (const auto& [r, list] : recent_) {
    if (r == region) return list;
  }
  return kNone;
}

void EventIndex::See(const Event& e, size_t position, bool again, NewestByRegion& newest_by_region,
                     ByRegion& active) {
  const EventState st = e.StateAt(as_of_);
  const bool open = st == EventState::kPlanned || st == EventState::kInProgress;
  if (open) open_.push_back(&e);
  bool later =
      open || e.updated_at > as_of_ || e.starts_at > as_of_ || (e.ends_at && *e.ends_at > as_of_);
  std::optional<Time> newest;
  if (e.updated_at <= as_of_) newest = e.updated_at;
  for (const EventUpdate& u : e.updates) {
    if (u.at <= as_of_) {
      Later(newest, u.at);
    } else {
      later = true;
    }
  }
  if (!e.cancelled) {
    if (e.starts_at <= as_of_) Later(newest, e.starts_at);
    if (e.ends_at && st == EventState::kEnded) Later(newest, *e.ends_at);
  }
  if (later) unsettled_.emplace_back(&e, position);
  if (!e.cancelled) {
    const Time item = NewestItem(e, as_of_);
    for (const std::string& region : e.regions) {
      std::vector<Activity>& list = Named(active, region);
      if (again) {  // its activity now replaces the one the index before kept
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const Activity& a) { return a.event == &e; }),
                   list.end());
      }
      list.push_back({item, position, &e});
    }
  }
  if (!newest) return;
  for (const std::string& region : e.regions) {
    std::optional<Time>& t = Named(newest_by_region, region);
    Later(t, *newest);
  }
}

Time EventIndex::NewestItem(const Event& e, Time as_of) {
  Time item = std::min(e.created_at, as_of);
  for (const EventUpdate& u : e.updates) {
    if (u.at <= as_of) item = std::max(item, u.at);
  }
  return item;
}

const EventIndex::List& EventIndex::OfPlatform(std::string_view platform) const {
  if (!by_platform_) return kNoEvents;
  auto it = by_platform_->find(std::string(platform));
  return it == by_platform_->end() ? kNoEvents : it->second;
}

std::optional<Time> EventIndex::NewestIn(std::string_view region, std::string_view platform) const {
  std::optional<Time> newest;
  for (const auto& [slug, regions] : newest_) {
    if (!platform.empty() && slug != platform) continue;
    for (const auto& [r, t] : regions) {
      if (r == region && t) Later(newest, *t);
    }
  }
  return newest;
}

}  // namespace vigie

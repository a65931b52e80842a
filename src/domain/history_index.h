// Lookups into a model's history, so that a page, a feed or an API reads the rows it shows
// instead of scanning every event and status change (100,000 and 710,000 of them at scale,
// each scan 5-30 ms). Built with each snapshot; immutable once built. See
// docs/architecture.md ("History index").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "domain/model.h"

namespace vigie {

// The status changes of each target (a service, or a platform's global status) in each
// region, in the model's order (ChangeBefore). Independent of the instant. A write only adds
// rows to the history, so the next model's index is this one plus those rows: targets
// without a new row share their list with the index before (Extend).
class ChangeIndex {
 public:
  // Pointers into the model's history, valid beside the model (or a copy of it).
  using List = std::vector<const StatusChange*>;

  ChangeIndex() = default;
  // Indexes every change.
  explicit ChangeIndex(const AppendVector<StatusChange>& changes);
  // The index of `changes`, reusing `base` when `changes` starts with the very rows `base`
  // indexed (the same objects: a model that shares them with the one before); otherwise
  // indexes every change.
  static ChangeIndex Extend(ChangeIndex base, const AppendVector<StatusChange>& changes);

  // The changes of a service (service set; then `platform` is not looked at) or of a
  // platform's global status.
  const List& Of(std::string_view region, std::string_view platform,
                 std::optional<int64_t> service) const;
  // The level and instant of that target's newest change (Of(...).back()), or of its newest
  // at or before `as_of` when given; read from the index itself rather than the row when that
  // is the newest (almost always): a write's Diff and summary.json ask this of each of 4,000
  // targets at scale.
  struct Newest {
    Time at;
    Level to;
  };
  std::optional<Newest> NewestOf(std::string_view region, std::string_view platform,
                                 std::optional<int64_t> service,
                                 std::optional<Time> as_of = std::nullopt) const;
  // The newest change of that target at or before `as_of`; null when none.
  const StatusChange* LastBy(std::string_view region, std::string_view platform,
                             std::optional<int64_t> service, Time as_of) const;
  // The newest change of any target in `region` (of `platform` only, when not empty) at or
  // before `as_of`.
  std::optional<Time> NewestIn(std::string_view region, std::string_view platform,
                               Time as_of) const;
  // Calls f(list) for each target's list.
  template <typename F>
  void ForEach(F f) const {
    for (const auto& [key, target] : lists_) f(*target.list);
  }
  size_t size() const { return count_; }

 private:
  struct Target;
  // Adds `c` to `target`'s list (lists_'s entry for c's target).
  void Add(const StatusChange* c);
  void AddTo(Target& target, const StatusChange* c);

  // region + '\n' + '#' + service id, or region + '\n' + platform.
  static std::string Key(std::string_view region, std::string_view platform,
                         std::optional<int64_t> service);
  struct Target {
    std::shared_ptr<List> list;
    Newest newest;  // of list->back()
  };
  std::unordered_map<std::string, Target> lists_;
  size_t count_ = 0;                     // how many of the model's changes are indexed
  const StatusChange* first_ = nullptr;  // the model's first and last indexed change
  const StatusChange* last_ = nullptr;
};

// The events of a model seen at one instant: by platform, those not over yet, and when each
// region and platform last changed. Points into the model it was built from. Most writes
// change no event (a level, a message): the next snapshot's index then shares the lists of
// the one before and looks again only at the events the clock may still change.
class EventIndex {
 public:
  using List = std::vector<const Event*>;  // in the model's order (EventBefore)

  EventIndex() = default;
  // `previous`: the index of `previous_events` (the model before) at an earlier instant;
  // reused when `m` holds the very same events, else every event is read.
  EventIndex(const Model& m, Time as_of, const EventIndex* previous = nullptr,
             const SharedVector<Event>* previous_events = nullptr);

  // Every event of a platform.
  const List& OfPlatform(std::string_view platform) const;
  // Events planned or in progress at the instant, every platform.
  const List& Open() const { return open_; }
  // The instant the index was built for.
  Time as_of() const { return as_of_; }
  // The events the clock may still change at or after as_of(), in the model's order, with
  // their positions: planned or in progress, or with a time after it. Every other event is
  // cancelled or over for good (started and ended by then), so Derive and the transitions
  // at or after as_of() need only these (a few dozen of 100,000 at scale).
  const std::vector<std::pair<const Event*, size_t>>& Unsettled() const { return unsettled_; }
  // The newest instant at or before as_of at which an event of the region (of `platform`
  // only, when not empty) changed: created or updated, an update's time, and for events not
  // cancelled their start and, once over, their end.
  std::optional<Time> NewestIn(std::string_view region, std::string_view platform) const;
  // An event's newest item at `as_of`: its creation (counted at as_of if later), or an update
  // made by then.
  static Time NewestItem(const Event& e, Time as_of);
  struct Activity {  // an event's newest item
    Time at;
    size_t position;  // in the model's events
    const Event* event;
  };
  static constexpr size_t kRecentlyActive = 50;
  // The events of a region, cancelled ones left out, whose newest item is the newest: at most
  // kRecentlyActive, newest first (on a tie, in the model's order). The 50 newest items of
  // the region are all items of these events.
  const std::vector<Activity>& RecentlyActive(std::string_view region) const;
  // Calls f(region, platform, newest) for each pair that has events.
  template <typename F>
  void ForEachNewest(F f) const {
    for (const auto& [platform, regions] : newest_) {
      for (const auto& [region, t] : regions) {
        if (t) f(region, platform, *t);
      }
    }
  }

 private:
  using ByRegion = std::vector<std::pair<std::string, std::vector<Activity>>>;
  using NewestByRegion = std::vector<std::pair<std::string, std::optional<Time>>>;
  // Adds what `e` shows at as_of_: open or not, its newest change and item, and whether the
  // clock may still change them (then it is read again by the next index). `again`: e was
  // seen by the index before (its entry in `active` is replaced).
  void See(const Event& e, size_t position, bool again, NewestByRegion& newest, ByRegion& active);
  // Keeps the kRecentlyActive newest of each region's `active`, in order, as recent_.
  void KeepRecent(ByRegion active);

  Time as_of_{};
  std::shared_ptr<const std::unordered_map<std::string, List>> by_platform_;
  List open_;
  std::vector<std::pair<const Event*, size_t>> unsettled_;  // open, or with a time after as_of
  ByRegion recent_;
  // platform -> (region, newest change)
  std::unordered_map<std::string, NewestByRegion> newest_;
};

// Both, for one snapshot.
struct HistoryIndex {
  ChangeIndex changes;
  EventIndex events;
};

}  // namespace vigie

// Derivation: the level of every service and platform in a region at an instant, from the
// operators' manual levels, the events in progress and the overrides. Pure functions.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/history_index.h"
#include "domain/model.h"

namespace vigie {

struct DerivedLevel {
  Level level = Level::kOperational;
  CauseKind cause = CauseKind::kManual;
  std::optional<int64_t> event_id;  // the event that sets the level, when one does
};

// Levels at one instant for every region: services by (region, service id), platforms by
// (region, slug). Retired services are left out and do not count in their platform.
struct DerivedState {
  Time at{};
  std::map<std::pair<std::string, int64_t>, DerivedLevel> services;
  std::map<std::pair<std::string, std::string>, DerivedLevel> platforms;

  // Operational when the pair is unknown.
  DerivedLevel Service(const std::string& region, int64_t service_id) const;
  DerivedLevel Platform(const std::string& region, const std::string& platform) const;
};

// A service's level is the worst of its manual level and the impacts of the events in progress
// that affect it in that region; a platform's is the worst of its services unless overridden.
// Ties keep the earlier cause: manual first, then events by start. Manual levels and
// overrides set after `at` do not count (replaying the past).
//
// `clock`, when given, is an index of the model's very events (the same objects) built at or
// before `at`: only its unsettled events are read instead of every event. Without it, or when
// it is later than the instant, every event is.
DerivedState Derive(const Model& model, Time at, const EventIndex* clock = nullptr);

// Instants strictly after `after` at which a derived level or a page may change without any
// write: event starts and ends, message publications and expiries. Sorted, unique.
// `clock` as for Derive.
std::vector<Time> TransitionsAfter(const Model& model, Time after,
                                   const EventIndex* clock = nullptr);
std::optional<Time> NextTransition(const Model& model, Time after,
                                   const EventIndex* clock = nullptr);

// The level each target had after its last recorded change (operational when none): the
// newest row of each target in the history's index, or a row Diff added since. Reads the
// index (kept alive by the caller, or owned when made from the rows) rather than copying it.
class RecordedLevels {
 public:
  explicit RecordedLevels(const ChangeIndex& history) : history_(&history) {}
  explicit RecordedLevels(ChangeIndex&& history)
      : owned_(std::make_shared<const ChangeIndex>(std::move(history))), history_(owned_.get()) {}

  // The instant and level of the target's newest row (a service when service_id is set), or
  // nullopt when none.
  std::optional<ChangeIndex::Newest> Last(const std::string& region, const std::string& platform,
                                          std::optional<int64_t> service_id) const;
  void Record(const StatusChange& c);

 private:
  std::shared_ptr<const ChangeIndex> owned_;
  const ChangeIndex* history_;
  std::map<std::pair<std::string, int64_t>, ChangeIndex::Newest> services_;
  std::map<std::pair<std::string, std::string>, ChangeIndex::Newest> platforms_;
};
inline RecordedLevels LastRecorded(const ChangeIndex& changes) { return RecordedLevels(changes); }
inline RecordedLevels LastRecorded(const AppendVector<StatusChange>& changes) {
  return RecordedLevels(ChangeIndex(changes));
}

// The status-change rows that bring the recorded levels to `derived`, stamped at derived.at.
// A target whose last row is later than derived.at is left alone: history is never rewritten.
// Updates `recorded` with the new rows.
std::vector<StatusChange> Diff(const Model& model, const DerivedState& derived,
                               RecordedLevels& recorded, const std::string& note);

}  // namespace vigie

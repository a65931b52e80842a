// Derivation: the level of every service and platform in a region at an instant, from the
// operators' manual levels, the events in progress and the overrides. Pure functions.
#pragma once

#include <map>
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
DerivedState Derive(const Model& model, Time at);

// Instants strictly after `after` at which a derived level or a page may change without any
// write: event starts and ends, message publications and expiries. Sorted, unique.
std::vector<Time> TransitionsAfter(const Model& model, Time after);
std::optional<Time> NextTransition(const Model& model, Time after);

// The level each target had after its last recorded change (operational when none).
struct RecordedLevels {
  std::map<std::pair<std::string, int64_t>, StatusChange> services;
  std::map<std::pair<std::string, std::string>, StatusChange> platforms;
};
RecordedLevels LastRecorded(const ChangeIndex& changes);
inline RecordedLevels LastRecorded(const SharedVector<StatusChange>& changes) {
  return LastRecorded(ChangeIndex(changes));
}

// The status-change rows that bring the recorded levels to `derived`, stamped at derived.at.
// A target whose last row is later than derived.at is left alone: history is never rewritten.
// Updates `recorded` with the new rows.
std::vector<StatusChange> Diff(const Model& model, const DerivedState& derived,
                               RecordedLevels& recorded, const std::string& note);

}  // namespace vigie

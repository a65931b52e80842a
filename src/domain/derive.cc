#include "domain/derive.h"

#include <algorithm>
#include <set>

namespace vigie {

DerivedLevel DerivedState::Service(const std::string& region, int64_t service_id) const {
  auto it = services.find({region, service_id});
  return it == services.end() ? DerivedLevel{} : it->second;
}

DerivedLevel DerivedState::Platform(const std::string& region, const std::string& platform) const {
  auto it = platforms.find({region, platform});
  return it == platforms.end() ? DerivedLevel{} : it->second;
}

DerivedState Derive(const Model& model, Time at) {
  DerivedState out;
  out.at = at;
  for (const Region& region : model.regions) {
    for (const Service& s : model.services) {
      if (!s.retired) out.services[{region.id, s.id}] = DerivedLevel{};
    }
  }
  for (const ManualLevel& m : model.manual_levels) {
    if (m.set_at > at) continue;  // not said yet at that instant (replaying the past)
    auto it = out.services.find({m.region, m.service_id});
    if (it != out.services.end()) it->second = DerivedLevel{m.level, CauseKind::kManual, {}};
  }
  for (const Event& e : model.events) {  // by start: an earlier event keeps a tie
    if (e.StateAt(at) != EventState::kInProgress) continue;
    for (const std::string& region : e.regions) {
      for (const Impact& impact : e.impacts) {
        auto it = out.services.find({region, impact.service_id});
        if (it == out.services.end()) continue;
        if (IsWorse(impact.level, it->second.level)) {
          it->second = DerivedLevel{impact.level, CauseKind::kEvent, e.id};
        }
      }
    }
  }
  for (const Region& region : model.regions) {
    for (const vigie::Platform& p : model.platforms) {
      DerivedLevel worst;
      for (const vigie::Service& s : model.services) {
        if (s.platform != p.slug || s.retired) continue;
        const DerivedLevel& l = out.services[{region.id, s.id}];
        if (IsWorse(l.level, worst.level)) worst = l;
      }
      out.platforms[{region.id, p.slug}] = worst;
    }
  }
  for (const GlobalOverride& o : model.overrides) {
    if (o.set_at > at) continue;
    auto it = out.platforms.find({o.region, o.platform});
    if (it != out.platforms.end()) it->second = DerivedLevel{o.level, CauseKind::kOverride, {}};
  }
  return out;
}

namespace {
// Calls f(t) for every instant at which the state may change by the clock alone.
template <typename F>
void ForEachTransition(const Model& model, F f) {
  for (const Event& e : model.events) {
    if (e.cancelled) continue;
    f(e.starts_at);
    // An unresolved incident's end is only an estimate: nothing happens then.
    if (e.ends_at && (e.kind != EventKind::kIncident || e.phase == Phase::kResolved)) {
      f(*e.ends_at);
    }
  }
  for (const Message& m : model.messages) {
    f(m.published_at);
    if (m.expires_at) f(*m.expires_at);
  }
}
}  // namespace

std::vector<Time> TransitionsAfter(const Model& model, Time after) {
  std::set<Time> times;
  ForEachTransition(model, [&](Time t) {
    if (t > after) times.insert(t);
  });
  return {times.begin(), times.end()};
}

std::optional<Time> NextTransition(const Model& model, Time after) {
  std::optional<Time> next;
  ForEachTransition(model, [&](Time t) {
    if (t > after && (!next || t < *next)) next = t;
  });
  return next;
}

RecordedLevels LastRecorded(const ChangeIndex& changes) {
  RecordedLevels out;
  changes.ForEach([&](const ChangeIndex::List& list) {
    const StatusChange& c = *list.back();  // the target's newest row
    if (c.service_id) {
      out.services.emplace(std::pair{c.region, *c.service_id}, c);
    } else {
      out.platforms.emplace(std::pair{c.region, c.platform}, c);
    }
  });
  return out;
}

namespace {
template <typename Key>
void DiffOne(const Key& key, const DerivedLevel& now, const std::string& region,
             const std::string& platform, std::optional<int64_t> service_id, Time at,
             const std::string& note, std::map<Key, StatusChange>& recorded,
             std::vector<StatusChange>& out) {
  Level before = Level::kOperational;
  auto it = recorded.find(key);
  if (it != recorded.end()) {
    if (it->second.at > at) return;  // history is never rewritten
    before = it->second.to;
  }
  if (before == now.level) return;
  StatusChange c;
  c.region = region;
  c.platform = platform;
  c.service_id = service_id;
  c.from = before;
  c.to = now.level;
  c.at = at;
  c.cause = now.cause;
  c.event_id = now.event_id;
  c.note = note;
  recorded[key] = c;
  out.push_back(std::move(c));
}
}  // namespace

std::vector<StatusChange> Diff(const Model& model, const DerivedState& derived,
                               RecordedLevels& recorded, const std::string& note) {
  std::vector<StatusChange> out;
  for (const auto& [key, level] : derived.services) {
    const Service* s = model.FindService(key.second);
    if (s == nullptr) continue;
    DiffOne(key, level, key.first, s->platform, key.second, derived.at, note, recorded.services,
            out);
  }
  for (const auto& [key, level] : derived.platforms) {
    DiffOne(key, level, key.first, key.second, std::nullopt, derived.at, note, recorded.platforms,
            out);
  }
  return out;
}

}  // namespace vigie

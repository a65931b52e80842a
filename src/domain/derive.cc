#include "domain/derive.h"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace vigie {

DerivedLevel DerivedState::Service(const std::string& region, int64_t service_id) const {
  auto it = services.find({region, service_id});
  return it == services.end() ? DerivedLevel{} : it->second;
}

DerivedLevel DerivedState::Platform(const std::string& region, const std::string& platform) const {
  auto it = platforms.find({region, platform});
  return it == platforms.end() ? DerivedLevel{} : it->second;
}

namespace {
// Calls f(event) for every event of `model` that may matter at or after `at`, in the model's
// order: the index's unsettled ones when it is usable, else all.
template <typename F>
void ForEachEventFrom(const Model& model, Time at, const EventIndex* clock, F f) {
  if (clock && clock->as_of() <= at) {
    for (const auto& [e, position] : clock->Unsettled()) f(*e);
    return;
  }
  for (const Event& e : model.events) f(e);
}

// The positions 0..items.size()-1 of `items`, ordered by key(item).
template <typename T, typename Key>
std::vector<size_t> PositionsBy(const std::vector<T>& items, Key key) {
  std::vector<size_t> out(items.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = i;
  std::sort(out.begin(), out.end(),
            [&](size_t a, size_t b) { return key(items[a]) < key(items[b]); });
  return out;
}
}  // namespace

DerivedState Derive(const Model& model, Time at, const EventIndex* clock) {
  DerivedState out;
  out.at = at;
  // Every (region, service) entry, made in the maps' order (regions by id, services by id) so
  // that each goes in at the end: 4,000 at scale, for every write. level[r * n + i] is the
  // entry of region r (in model order) for model.services[i].
  const size_t n = model.services.size();
  const std::vector<size_t> regions =
      PositionsBy(model.regions, [](const Region& r) -> const std::string& { return r.id; });
  const std::vector<size_t> services =
      PositionsBy(model.services, [](const vigie::Service& s) { return s.id; });
  std::vector<DerivedLevel*> level(regions.size() * n, nullptr);
  for (const size_t r : regions) {
    for (const size_t i : services) {
      const vigie::Service& s = model.services[i];
      if (s.retired) continue;
      level[r * n + i] = &out.services
                              .emplace_hint(out.services.end(),
                                            std::pair(model.regions[r].id, s.id), DerivedLevel{})
                              ->second;
    }
  }
  for (const ManualLevel& m : model.manual_levels) {
    if (m.set_at > at) continue;  // not said yet at that instant (replaying the past)
    auto it = out.services.find({m.region, m.service_id});
    if (it != out.services.end()) it->second = DerivedLevel{m.level, CauseKind::kManual, {}};
  }
  ForEachEventFrom(model, at, clock, [&](const Event& e) {  // by start: earlier keeps a tie
    if (e.StateAt(at) != EventState::kInProgress) return;
    for (const std::string& region : e.regions) {
      for (const Impact& impact : e.impacts) {
        auto it = out.services.find({region, impact.service_id});
        if (it == out.services.end()) continue;
        if (IsWorse(impact.level, it->second.level)) {
          it->second = DerivedLevel{impact.level, CauseKind::kEvent, e.id};
        }
      }
    }
  });
  // A platform's level: the worst of its services, the first in display order on a tie.
  const std::vector<size_t> platforms = PositionsBy(
      model.platforms, [](const vigie::Platform& p) -> const std::string& { return p.slug; });
  std::unordered_map<std::string_view, DerivedLevel> worst;
  for (const size_t r : regions) {
    worst.clear();
    for (const vigie::Platform& p : model.platforms) worst.emplace(p.slug, DerivedLevel{});
    for (size_t i = 0; i < n; ++i) {
      const DerivedLevel* l = level[r * n + i];
      if (!l) continue;  // retired
      const auto w = worst.find(model.services[i].platform);
      if (w != worst.end() && IsWorse(l->level, w->second.level)) w->second = *l;
    }
    for (const size_t p : platforms) {
      const std::string& slug = model.platforms[p].slug;
      out.platforms.emplace_hint(out.platforms.end(), std::pair(model.regions[r].id, slug),
                                 worst[slug]);
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
void ForEachTransition(const Model& model, Time after, const EventIndex* clock, F f) {
  ForEachEventFrom(model, after, clock, [&](const Event& e) {
    if (e.cancelled) return;
    f(e.starts_at);
    // An unresolved incident's end is only an estimate: nothing happens then.
    if (e.ends_at && (e.kind != EventKind::kIncident || e.phase == Phase::kResolved)) {
      f(*e.ends_at);
    }
  });
  for (const Message& m : model.messages) {
    f(m.published_at);
    if (m.expires_at) f(*m.expires_at);
  }
}
}  // namespace

std::vector<Time> TransitionsAfter(const Model& model, Time after, const EventIndex* clock) {
  std::set<Time> times;
  ForEachTransition(model, after, clock, [&](Time t) {
    if (t > after) times.insert(t);
  });
  return {times.begin(), times.end()};
}

std::optional<Time> NextTransition(const Model& model, Time after, const EventIndex* clock) {
  std::optional<Time> next;
  ForEachTransition(model, after, clock, [&](Time t) {
    if (t > after && (!next || t < *next)) next = t;
  });
  return next;
}

std::optional<ChangeIndex::Newest> RecordedLevels::Last(const std::string& region,
                                                        const std::string& platform,
                                                        std::optional<int64_t> service_id) const {
  if (service_id) {
    if (!services_.empty()) {
      if (auto it = services_.find({region, *service_id}); it != services_.end()) return it->second;
    }
  } else if (auto it = platforms_.find({region, platform}); it != platforms_.end()) {
    return it->second;
  }
  return history_->NewestOf(region, platform, service_id);
}

void RecordedLevels::Record(const StatusChange& c) {
  if (c.service_id) {
    services_[{c.region, *c.service_id}] = {c.at, c.to};
  } else {
    platforms_[{c.region, c.platform}] = {c.at, c.to};
  }
}

namespace {
void DiffOne(const DerivedLevel& now, const std::string& region, const std::string& platform,
             std::optional<int64_t> service_id, Time at, const std::string& note,
             RecordedLevels& recorded, std::vector<StatusChange>& out) {
  Level before = Level::kOperational;
  if (const std::optional<ChangeIndex::Newest> last = recorded.Last(region, platform, service_id)) {
    if (last->at > at) return;  // history is never rewritten
    before = last->to;
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
  recorded.Record(c);
  out.push_back(std::move(c));
}
}  // namespace

std::vector<StatusChange> Diff(const Model& model, const DerivedState& derived,
                               RecordedLevels& recorded, const std::string& note) {
  std::vector<StatusChange> out;
  // The services by id, once: the model may not be indexed, and a scan per service is
  // quadratic (2,000 services at scale).
  std::unordered_map<int64_t, const Service*> services;
  services.reserve(model.services.size());
  for (const Service& s : model.services) services.emplace(s.id, &s);
  for (const auto& [key, level] : derived.services) {
    const auto s = services.find(key.second);
    if (s == services.end()) continue;
    DiffOne(level, key.first, s->second->platform, key.second, derived.at, note, recorded, out);
  }
  for (const auto& [key, level] : derived.platforms) {
    DiffOne(level, key.first, key.second, std::nullopt, derived.at, note, recorded, out);
  }
  return out;
}

}  // namespace vigie

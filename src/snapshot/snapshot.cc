#include "snapshot/snapshot.h"

#include <algorithm>
#include <atomic>

namespace vigie {

namespace {
uint64_t NextId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

// A thread's own view of one snapshot's cache: the bodies it has already looked up. It holds
// them (not the snapshot) until the thread serves from a newer snapshot.
struct LocalCache {
  uint64_t snapshot = 0;
  std::unordered_map<std::string, std::shared_ptr<const Body>, StringKeyHash, std::equal_to<>>
      bodies;
};
// Keys from requests are bounded by the routes, but a thread keeps at most this many.
constexpr size_t kMaxLocal = 4096;
}  // namespace

namespace {
Model Indexed(Model m, const Model* previous) {
  m.Index(previous);
  return m;
}
}  // namespace

Snapshot::Snapshot(Model model, Time as_of, uint64_t version, ChangeIndex changes,
                   const Snapshot* previous, size_t cache_budget)
    : model_(Indexed(std::move(model), previous ? &previous->model_ : nullptr)),
      as_of_(as_of),
      version_(version),
      id_(NextId()),
      index_{ChangeIndex::Extend(std::move(changes), model_.status_changes),
             EventIndex(model_, as_of, previous ? &previous->index_.events : nullptr,
                        previous ? &previous->model_.events : nullptr)},
      derived_(Derive(model_, as_of, &index_.events)),
      next_transition_(NextTransition(model_, as_of, &index_.events)),
      cache_budget_(cache_budget) {
  // Only what has happened by as_of counts: a planned event is a change from its creation.
  // Regions are few: a flat list, compared by id, rather than a hash per row.
  std::vector<std::pair<std::string_view, Time>> by_region;
  for (const Region& r : model_.regions) by_region.emplace_back(r.id, Time{});
  const auto touch = [&](std::string_view region, Time t) {
    if (t > as_of_) t = as_of_;
    last_change_ = std::max(last_change_, t);
    for (auto& [id, last] : by_region) {
      if (id == region) {
        last = std::max(last, t);
        return;
      }
    }
    by_region.emplace_back(region, t);
  };
  // Status changes are in time order: per region, the last one by as_of is its newest.
  std::vector<std::string_view> seen;
  size_t configured_seen = 0;
  for (auto it = model_.status_changes.rbegin(); it != model_.status_changes.rend(); ++it) {
    if (it->at > as_of_) continue;
    if (std::find(seen.begin(), seen.end(), it->region) != seen.end()) continue;
    seen.push_back(it->region);
    touch(it->region, it->at);
    if (model_.FindRegion(it->region) && ++configured_seen == model_.regions.size()) break;
  }
  // Events: what the index found (an estimated end, or a cancelled event's window, is not a
  // change).
  index_.events.ForEachNewest(
      [&](const std::string& region, const std::string&, Time t) { touch(region, t); });
  for (const Message& m : model_.messages) {
    for (const std::string& r : m.regions) {
      if (m.published_at <= as_of_) touch(r, m.published_at);
      if (m.expires_at && *m.expires_at <= as_of_) touch(r, *m.expires_at);
    }
  }
  for (const auto& [id, last] : by_region) last_change_by_region_[std::string(id)] = last;
}

Time Snapshot::LastChangeIn(const std::string& region) const {
  auto it = last_change_by_region_.find(region);
  return it == last_change_by_region_.end() ? last_change_ : it->second;
}

std::shared_ptr<const Body> Snapshot::Cached(std::string_view key,
                                             const std::function<Rendered()>& render) const {
  thread_local LocalCache local;
  if (local.snapshot != id_) {
    local.bodies.clear();
    local.snapshot = id_;
  }
  if (auto it = local.bodies.find(key); it != local.bodies.end()) return it->second;

  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      it = cache_.emplace(std::string(key), std::make_shared<Slot>()).first;
      it->second->order = next_order_++;
    }
    slot = it->second;
  }
  std::call_once(slot->once, [&] {
    Rendered r = render();
    std::lock_guard lock(cache_mu_);  // Recipes() reads these under the lock
    slot->body = std::move(r.body);
    if (!slot->body) return;
    const size_t cost = CacheCost(key, *slot->body);
    if (cached_bytes_ + cost > cache_budget_) return;
    cached_bytes_ += cost;
    slot->kept = true;
    slot->again = std::move(r.again);
  });
  if (!slot->kept) {
    // Failures (an unknown slug) and bodies over the budget are not kept: keys from requests
    // must not fill memory. The callers that waited for this rendering still get its body.
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second == slot) cache_.erase(it);
    return slot->body;
  }
  if (local.bodies.size() < kMaxLocal) local.bodies.emplace(std::string(key), slot->body);
  return slot->body;
}

std::vector<Snapshot::Recipe> Snapshot::Recipes() const {
  std::vector<std::pair<uint64_t, Recipe>> found;
  {
    std::lock_guard lock(cache_mu_);
    for (const auto& [key, slot] : cache_) {
      // Slots still rendering have no body yet (both are set under this lock).
      if (slot->kept && slot->again) {
        found.emplace_back(slot->order, Recipe{key, slot->body, slot->again});
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Recipe> out;
  out.reserve(found.size());
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::shared_ptr<const Body> Snapshot::Find(std::string_view key) const {
  std::lock_guard lock(cache_mu_);
  auto it = cache_.find(key);
  return it == cache_.end() ? nullptr : it->second->body;
}

}  // namespace vigie

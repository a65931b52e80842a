// A Snapshot is the whole public state at one instant: the model, the levels derived from it,
// and the response bodies rendered from it. It is immutable once published and can therefore
// be read from many threads without locking; only its body cache fills in, each body at most
// once (under a lock taken once per thread and key; later reads use a thread's own table).
// The cache holds at most a byte budget: visitors choose keys (every page of every filter),
// so what does not fit is rendered for each request that asks for it, and not kept.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/body.h"
#include "domain/derive.h"
#include "domain/history_index.h"
#include "domain/model.h"

namespace vigie {

// Hashes std::string keys so that a std::string_view finds them without a copy.
struct StringKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Snapshot {
 public:
  // `changes`: the index of the model's status changes as far as it is known (the Publisher
  // extends the current snapshot's); completed here (see ChangeIndex::Extend). `previous`:
  // the snapshot before, whose indexes are reused where the model did not change; used
  // only while constructing.
  // `cache_budget`: the bytes the body cache may hold (see CacheCost).
  Snapshot(Model model, Time as_of, uint64_t version, ChangeIndex changes = {},
           const Snapshot* previous = nullptr, size_t cache_budget = kDefaultCacheBudget);

  static constexpr size_t kDefaultCacheBudget = 64u << 20;
  // What keeping `body` under `key` is charged: the key, the identity bytes twice (a large
  // body also has an in-memory file for sendfile), once more for its gzip and brotli forms
  // together (each is kept only when smaller than the identity), and the bookkeeping.
  static size_t CacheCost(std::string_view key, const Body& body) {
    return key.size() + 3 * body.identity.size() + 1024;
  }

  const Model& model() const { return model_; }
  const DerivedState& derived() const { return derived_; }
  // Lookups into the model's events and status changes at as_of.
  const HistoryIndex& index() const { return index_; }
  // The instant the state was derived for; pages and APIs speak of this instant.
  Time as_of() const { return as_of_; }
  // Grows by one with each published snapshot.
  uint64_t version() const { return version_; }
  // When the state next changes by the clock alone (maintenance start, message expiry, ...).
  std::optional<Time> next_transition() const { return next_transition_; }
  // The last real change of anything public: newest status change, event or update, message.
  Time last_change() const { return last_change_; }
  // The last real change seen from one region (its events, messages and status changes).
  Time LastChangeIn(const std::string& region) const;

  // Renders a body again, from the snapshot it is given (the next one, being warmed).
  using Again = std::function<void(const std::shared_ptr<const Snapshot>&)>;
  // What a rendering gives: the body (null when the request was wrong), and how to render
  // the same body again from the next snapshot (see Recipes).
  struct Rendered {
    std::shared_ptr<const Body> body;
    Again again;
  };
  // The body for `key`, rendered by `render` the first time it is asked for in this snapshot.
  // Concurrent callers for the same key wait for that one rendering. A null body (the
  // request was wrong) is returned but not kept. A thread that has already seen a key in
  // this snapshot finds it in its own table: the hot path takes no lock. A body that does not
  // fit in the budget is returned but not kept.
  std::shared_ptr<const Body> Cached(std::string_view key,
                                     const std::function<Rendered()>& render) const;

  // Every body this snapshot rendered, with its key and `again`, in the order they were first
  // asked for: the Publisher runs them against the next snapshot before publishing it, so the
  // bodies readers want are ready (and compressed in the codings they were asked in) when it
  // becomes current.
  struct Recipe {
    std::string key;
    std::shared_ptr<const Body> body;
    Again again;
  };
  std::vector<Recipe> Recipes() const;
  // The body under `key` if this snapshot has rendered it already; never renders.
  std::shared_ptr<const Body> Find(std::string_view key) const;

  // Process-unique (unlike version(), which restarts with each Publisher).
  uint64_t id() const { return id_; }

 private:
  struct Slot {
    std::once_flag once;
    std::shared_ptr<const Body> body;
    Again again;
    uint64_t order = 0;  // when it was first asked for
    bool kept = false;   // within the budget: stays in the cache
  };

  const Model model_;
  const Time as_of_;
  const uint64_t version_;
  const uint64_t id_;
  const HistoryIndex index_;
  const DerivedState derived_;  // read through index_ (built first): its unsettled events
  const std::optional<Time> next_transition_;
  Time last_change_{};
  std::unordered_map<std::string, Time> last_change_by_region_;

  const size_t cache_budget_;
  mutable std::mutex cache_mu_;
  mutable uint64_t next_order_ = 0;
  mutable size_t cached_bytes_ = 0;
  mutable std::unordered_map<std::string, std::shared_ptr<Slot>, StringKeyHash, std::equal_to<>>
      cache_;
};

}  // namespace vigie

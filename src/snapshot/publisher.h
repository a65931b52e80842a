// The Publisher owns the current Snapshot and is the one writer: every change goes
// validate → store (with the status changes it causes and an audit row, in one transaction)
// → rebuild → atomic swap. A timer republishes at the next planned transition, so a
// maintenance turns its services blue at its start without any request or write; where
// several nodes share the store, only the one holding the clock lease records the transition,
// and the others publish it when they read its rows. A follower publishes what other writers
// log, as soon as the store tells it (PostgreSQL's NOTIFY) and every few seconds regardless.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "snapshot/local_copy.h"
#include "snapshot/snapshot.h"
#include "store/health.h"
#include "store/store.h"

namespace vigie {

struct WriteInfo {
  std::string actor;   // who: "cli", a user name, "clock"
  std::string action;  // what: "import.catalog", "event.create", ...
  std::string detail;  // a sentence or JSON for the audit log
  std::string note;    // written on the status changes this write causes
  // Replay the clock's transitions from this instant (e.g. past events being imported),
  // when earlier than the last reconciliation.
  std::optional<Time> replay_from;
};

class Publisher {
 public:
  // What one publish took: reading the model, building the snapshot, warming it.
  struct Times {
    std::chrono::steady_clock::duration load{}, build{}, warm{};
  };
  struct Options {
    size_t cache_budget = Snapshot::kDefaultCacheBudget;  // each snapshot's body cache, bytes
    StoreHealth* health = nullptr;  // told how each write went, when set; must outlive it
    // The timer's longest sleep: it looks at the clock at least this often. Only a clock that
    // can jump (FileOffsetClock, in tests) wants it short.
    std::chrono::milliseconds longest_sleep{std::chrono::minutes(1)};
    // How often the follower looks for changes that other writers logged (another process on
    // the database; another node) when the store told it of none: the longest a node takes
    // to show what another wrote when word of it is lost. Zero: never.
    std::chrono::milliseconds refresh_every{std::chrono::seconds(2)};
    // How often the timer asks the store whether this node holds the clock lease (takes it
    // when free): how long a lease left by a node that died stays untaken, at most.
    std::chrono::milliseconds lease_every{std::chrono::seconds(2)};
    // Where this node keeps a copy of its last published state ("" for none): what it starts
    // from (the store gives what changed since), and what it serves when it starts while the
    // store cannot be read.
    std::string local_copy;
    // Whether the copy is written after each publish (a store on a server, which may go
    // away), or only when the Publisher stops (a store on this machine: the copy only makes
    // the next start faster, and writing 130 MB at scale after each write would compete with
    // the pages being rendered on a small machine).
    bool copy_each_publish = true;
    // Told of each snapshot right after it is published (the static mirror), on the thread
    // that published it, with the write lock held: it must only take note and return.
    std::function<void(const std::shared_ptr<const Snapshot>&)> published;
    // Told of each publish's times, and of each write's outcome and time (from the call, the
    // wait for the writes before it included), for metrics: quick, never blocking.
    std::function<void(const Times&)> timed;
    std::function<void(const Status&, std::chrono::steady_clock::duration)> wrote;
  };
  // `store` and `clock` must outlive the Publisher. `regions` come from the configuration.
  Publisher(Store& store, const Clock& clock, std::vector<Region> regions);
  Publisher(Store& store, const Clock& clock, std::vector<Region> regions, Options options);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Records the transitions missed while stopped, publishes the first snapshot and, when
  // `run_timer`, starts the transition timer and the follower. With the timer, a store that
  // cannot be written (Unavailable: another process holds its lock, a database server away)
  // still starts: the stored state is published as it is (or, when it cannot be read either,
  // the local copy), and the missed transitions are recorded once it can write. With a local
  // copy configured, it starts even with nothing to publish: Current() stays null until the
  // store answers.
  Status Start(bool run_timer);
  // Stops the timer and the follower. Idempotent.
  void Stop();

  // The current snapshot; null only while a node that started without its store and without a
  // local copy waits for the store. Thread-safe.
  std::shared_ptr<const Snapshot> Current() const { return current_.load(); }

  // The one write path. `change` sees the model as stored (with regions) and writes through
  // the transaction; when it returns ok, the status changes and the audit row are added, the
  // transaction commits and a new snapshot is published before Write returns. Serialized.
  Status Write(const WriteInfo& info, const std::function<Status(const Model&, StoreTx&)>& change);

  // A copy of the model as stored, with regions (for validation outside a write).
  Result<Model> LoadModel();

  // Publishes what other writers have logged since the current snapshot, if anything: one
  // read of the log's end when nothing did. Serialized with Write. The follower calls it.
  Status Refresh();

  // Whether this node held the clock lease when the timer last asked. Thread-safe.
  bool leader() const { return leader_.load(); }
  // What each snapshot's body cache may hold from the next publish on (a reload). Thread-safe.
  void SetCacheBudget(size_t bytes) { cache_budget_ = bytes; }
  // Publishes the current model again as of now, writing nothing: its bodies are rendered
  // afresh (after a reload of the assets), and at a transition a node without the clock lease
  // shows it this way (the leader's rows follow).
  Status Republish();

  // When the local copy the current snapshot shows was saved, while it shows one (the node
  // started without its store and has not read it since). Thread-safe.
  std::optional<Time> ServingLocalCopy() const;

 private:
  // Builds, warms and publishes the snapshot of `model` (loaded in `load_time`) as of `as_of`:
  // a write's own instant, so that a transition due between the write's reading of the clock
  // and its publication is the timer's next one rather than skipped (the clock's time
  // otherwise).
  Status PublishLocked(Model model, ChangeIndex changes,
                       std::chrono::steady_clock::duration load_time,
                       std::optional<Time> as_of = std::nullopt);
  void TimerLoop();
  void FollowLoop();
  // What follows a publish, once the write has answered: the snapshots before are
  // freed (and malloc trimmed when that freed much), then the bodies the warming before the
  // swap left are warmed, and the bodies of the one just published are compressed in the
  // codings readers took them in before; both stop early when a newer snapshot is published
  // (a reader who asks first renders or compresses a body itself: each form is made once).
  void AfterPublishLoop();
  // Hands `old` (a snapshot no longer current) to AfterPublishLoop, which drops it there.
  void Release(std::shared_ptr<const Snapshot> old);
  // Starts AfterPublishLoop if it is not running, and wakes it. Under after_mu_.
  void WakeAfterPublish(std::unique_lock<std::mutex>& lock);
  // The write that records the clock's transitions up to now.
  Status Reconcile();

  Store& store_;
  const Clock& clock_;
  const std::vector<Region> regions_;
  const Options options_;
  std::atomic<size_t> cache_budget_;

  // Warming before the swap starts no body after this long (the write waits for it); the
  // bodies left are warmed right after the swap, by AfterPublishLoop.
  static constexpr std::chrono::milliseconds kWarmBeforeSwap{5};

  std::mutex write_mu_;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  uint64_t version_ = 0;

  std::mutex timer_mu_;
  bool reconcile_pending_ = false;  // guarded by timer_mu_ once the timer runs
  std::condition_variable timer_cv_;
  bool stopping_ = false;  // guarded by timer_mu_
  std::atomic<bool> leader_{false};
  std::unique_ptr<LocalCopy> local_;  // when options_.local_copy is set
  // The local copy read at the start, until the first write (or the start without the
  // database) has used it; guarded by write_mu_ once the threads run.
  std::optional<LocalCopy::Saved> start_copy_;
  std::atomic<int64_t> serving_local_copy_{0};  // its saved_at (Unix), 0 when not serving one
  std::thread timer_;
  std::thread follower_;

  // What AfterPublishLoop does next for the newest snapshot (an older one's job is dropped
  // unmade): the bodies left to warm, then the warmed bodies' codings to make; and the
  // snapshots to drop.
  struct AfterSwap {
    std::weak_ptr<const Snapshot> snap;
    std::vector<Snapshot::Recipe> to_warm;
    std::vector<std::pair<std::shared_ptr<const Body>, std::vector<Coding>>> bodies;
  };
  std::mutex after_mu_;
  std::condition_variable after_cv_;
  std::optional<AfterSwap> after_swap_;                      // guarded by after_mu_
  std::vector<std::shared_ptr<const Snapshot>> to_release_;  // guarded by after_mu_
  bool after_stopping_ = false;                              // guarded by after_mu_
  std::thread after_;                                        // started by the first publish
};

}  // namespace vigie

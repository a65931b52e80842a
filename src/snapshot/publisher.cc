#include "snapshot/publisher.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <thread>

#include "core/log.h"
#include "core/text_archive.h"
#include "domain/derive.h"

namespace vigie {

namespace {
// Asks again for `recipe`'s body, from `snap` (the snapshot after the one that rendered it).
// When `snap` has it: the body, and the codings readers took the old one in that it does not
// share with it (to make after the swap). Nullopt when the route did not keep it, or failed.
std::optional<std::pair<std::shared_ptr<const Body>, std::vector<Coding>>> Rewarm(
    const Snapshot::Recipe& recipe, const std::shared_ptr<const Snapshot>& snap) {
  try {
    recipe.again(snap);
    const std::shared_ptr<const Body> fresh = snap->Find(recipe.key);
    if (!fresh) return std::nullopt;
    fresh->ShareCompressed(*recipe.body);  // unchanged by the write: not compressed again
    std::vector<Coding> codings;           // as readers took the body before (no other coding)
    for (const Coding c : {Coding::kBrotli, Coding::kGzip}) {
      if (recipe.body->Wanted(c) && !fresh->WasCompressed(c)) {
        fresh->Want(c);  // still wanted if the next publish cuts the job short
        codings.push_back(c);
      }
    }
    return std::make_pair(fresh, std::move(codings));
  } catch (const std::exception& e) {
    LogError(std::string("warming a body failed: ") + e.what());
    return std::nullopt;
  }
}

// The previous snapshot goes once its last reader is done. When that freed a lot (a model
// read whole, hundreds of MB with a large history), its memory goes back to the system
// rather than stay in malloc's free lists; after a write that shared almost everything with
// the snapshot before, trimming would only make the next write fault its pages in again.
// malloc_trim gives pages back but leaves their chunks free (mallinfo2 counts them still), so
// "much is free" is measured against what was free at the last trim: once it has trimmed
// after the start's load, a write trims again only when it has freed 64 MB more.
void TrimIfMuchIsFree() {
  constexpr size_t kFreeToTrim = 64u << 20;
  static std::atomic<size_t> free_at_last_trim{0};
  const size_t free_now = mallinfo2().fordblks;
  if (free_now > free_at_last_trim.load(std::memory_order_relaxed) + kFreeToTrim) {
    malloc_trim(0);
    free_at_last_trim.store(free_now, std::memory_order_relaxed);
  } else if (free_now < free_at_last_trim.load(std::memory_order_relaxed)) {
    free_at_last_trim.store(free_now, std::memory_order_relaxed);  // reused since: count anew
  }
}

// After a load that read much of the history (the start's, a reload after an outage), its
// pages in the text archive go back to the page cache: a load reads them all once (the
// history index), a page reads only what it shows.
void GiveBackIfMuchWasWritten() {
  constexpr uint64_t kWritten = uint64_t{16} << 20;
  static std::atomic<uint64_t> written_at_last{0};
  const uint64_t written = text_archive::Read().written;
  if (written >= written_at_last.load(std::memory_order_relaxed) + kWritten) {
    text_archive::GiveBack();
    written_at_last.store(written, std::memory_order_relaxed);
  }
}

constexpr std::string_view kReconciledAt = "reconciled_at";

// Until when the stored history has the clock's transitions: the last write's instant
// (nullopt before the first).
Result<std::optional<Time>> ReconciledAt(StoreTx& tx) {
  Result<std::string> last = tx.GetMeta(kReconciledAt);
  if (!last.ok()) return last.status();
  if (last->empty()) return std::optional<Time>();
  int64_t unix_s = 0;
  const auto [end, ec] = std::from_chars(last->data(), last->data() + last->size(), unix_s);
  if (ec != std::errc() || end != last->data() + last->size()) {
    return Status::Internal("meta " + std::string(kReconciledAt) + " is not a time: " + *last);
  }
  return std::optional<Time>(FromUnix(unix_s));
}

}  // namespace

Publisher::Publisher(Store& store, const Clock& clock, std::vector<Region> regions)
    : Publisher(store, clock, std::move(regions), Options{}) {}

Publisher::Publisher(Store& store, const Clock& clock, std::vector<Region> regions, Options options)
    : store_(store),
      clock_(clock),
      regions_(std::move(regions)),
      options_(options),
      cache_budget_(options.cache_budget) {
  if (!options_.local_copy.empty()) local_ = std::make_unique<LocalCopy>(options_.local_copy);
}

Publisher::~Publisher() { Stop(); }

Result<Model> Publisher::LoadModel() {
  Result<Model> m = store_.Load();
  if (m.ok()) m->regions = regions_;
  return m;
}

Status Publisher::Reconcile() {
  // A write that changes nothing still replays the transitions missed while stopped.
  return Write(WriteInfo{.actor = "clock", .action = "start"},
               [](const Model&, StoreTx&) { return Status::Ok(); });
}

std::optional<Time> Publisher::ServingLocalCopy() const {
  const int64_t saved = serving_local_copy_.load();
  return saved ? std::optional<Time>(FromUnix(saved)) : std::nullopt;
}

Status Publisher::Start(bool run_timer) {
  // A node that keeps a local copy of its last state starts from it: the first write reads
  // from the database only what changed since the copy (LoadAbove, from its seq), not the
  // whole history (at scale, a copy is read in about half the time of a load from
  // PostgreSQL). A copy of another generation, behind the changes log's oldest entry or ahead
  // of its end is read whole from the database instead, as for a node that was away.
  if (local_) {
    Result<LocalCopy::Saved> saved = LocalCopy::Read(options_.local_copy);
    if (saved.ok()) {
      start_copy_ = std::move(saved).value();
      start_copy_->model.regions = regions_;
      LogInfo("starting from the local copy of the state saved at " +
              FormatRfc3339(start_copy_->saved_at) + " (seq " +
              std::to_string(start_copy_->model.seq) +
              "): the database gives what changed since, or all of it to a copy too old");
    } else if (saved.status().code() != Status::Code::kNotFound) {
      LogWarn(saved.status().message());
    }
  }
  Status st = Reconcile();
  if (st.code() == Status::Code::kUnavailable && run_timer) {
    // Another process holds the database's write lock (a backup, a shell), or the database
    // server is away: serve what it holds now (or, when it cannot be read, the local copy of
    // the last state), and record the missed transitions once it lets us write (TimerLoop).
    Result<Model> m = LoadModel();
    std::optional<Time> copy_of;
    if (!m.ok() && start_copy_) {
      copy_of = start_copy_->saved_at;
      m = std::move(start_copy_->model);
    }
    start_copy_.reset();
    if (m.ok()) {
      LogWarn("starting without writing (" + st.message() + "): serving " +
              (copy_of ? "the local copy of the state saved at " + FormatRfc3339(*copy_of)
                       : std::string("the stored state")) +
              "; missed transitions are recorded once the database can be written");
      std::lock_guard lock(write_mu_);
      if (copy_of) serving_local_copy_ = ToUnix(*copy_of);
      VIGIE_RETURN_IF_ERROR(PublishLocked(std::move(m).value(), ChangeIndex(), {}));
    } else if (local_) {
      LogError("starting without the database (" + st.message() +
               ") and without a local copy of the state: every page answers 503 until the "
               "database answers");
    } else {
      return st;
    }
    reconcile_pending_ = true;
  } else {
    start_copy_.reset();
    VIGIE_RETURN_IF_ERROR(st);
  }
  if (run_timer) {
    timer_ = std::thread([this] { TimerLoop(); });
    follower_ = std::thread([this] { FollowLoop(); });
  }
  return Status::Ok();
}

void Publisher::Stop() {
  {
    std::lock_guard lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (follower_.joinable()) follower_.join();
  {
    std::lock_guard lock(after_mu_);
    after_stopping_ = true;
  }
  after_cv_.notify_all();
  if (after_.joinable()) after_.join();
  // The local copy's last write, before the process goes: of the current state when it is
  // kept for the next start only. Under the write lock: no publish offers one meanwhile.
  std::lock_guard lock(write_mu_);
  if (local_ && !options_.copy_each_publish && serving_local_copy_.load() == 0) {
    if (std::shared_ptr<const Snapshot> snap = current_.load()) local_->Offer(std::move(snap));
  }
  local_.reset();  // writes what it was offered, then stops
}

void Publisher::WakeAfterPublish(std::unique_lock<std::mutex>& lock) {
  if (!after_.joinable() && !after_stopping_) after_ = std::thread([this] { AfterPublishLoop(); });
  lock.unlock();
  after_cv_.notify_one();
}

void Publisher::Release(std::shared_ptr<const Snapshot> old) {
  if (!old) return;
  std::unique_lock lock(after_mu_);
  if (after_stopping_) return;  // dropped here, as the publisher stops
  to_release_.push_back(std::move(old));
  WakeAfterPublish(lock);
}

void Publisher::AfterPublishLoop() {
  // At the requests' priority: a reader who asks for a body this thread is compressing waits
  // for it (once per body), and must not wait on a thread the scheduler puts last.
  for (;;) {
    std::optional<AfterSwap> job;
    std::vector<std::shared_ptr<const Snapshot>> released;
    {
      std::unique_lock lock(after_mu_);
      after_cv_.wait(lock, [&] { return after_stopping_ || after_swap_ || !to_release_.empty(); });
      if (after_stopping_) return;
      job.swap(after_swap_);
      released.swap(to_release_);
    }
    if (!released.empty()) {
      // A snapshot goes once its last reader is done: usually here, off the write's path.
      released.clear();
      TrimIfMuchIsFree();
    }
    GiveBackIfMuchWasWritten();
    if (!job) continue;
    for (const Snapshot::Recipe& recipe : job->to_warm) {
      const std::shared_ptr<const Snapshot> snap = job->snap.lock();
      if (!snap || current_.load() != snap) break;  // a newer snapshot has its own job
      {
        std::lock_guard lock(after_mu_);
        if (after_stopping_) return;
      }
      if (auto ready = Rewarm(recipe, snap); ready && !ready->second.empty()) {
        job->bodies.push_back(std::move(*ready));
      }
    }
    for (const auto& [body, codings] : job->bodies) {
      if (current_.load() != job->snap.lock()) break;  // a newer snapshot has its own job
      {
        std::lock_guard lock(after_mu_);
        if (after_stopping_) return;
      }
      for (const Coding c : codings) {
        try {
          body->Compressed(c);
        } catch (const std::exception& e) {
          LogError(std::string("compressing a body failed: ") + e.what());
        }
      }
    }
  }
}

Status Publisher::Write(const WriteInfo& info,
                        const std::function<Status(const Model&, StoreTx&)>& change) {
  // From the caller's point of view: the wait for the writes before this one counts.
  const auto asked = std::chrono::steady_clock::now();
  std::lock_guard lock(write_mu_);
  const Time now = clock_.Now();
  // The change validates against the stored state, inside the write's transaction: the
  // current snapshot's model when no other writer (another process on the file) has logged a
  // change since, else that model brought up to the log's end. Only the state after the
  // change is read again, once; the status changes it causes are added to it in memory.
  std::shared_ptr<const Snapshot> current = Current();
  std::optional<Model> published;
  std::chrono::steady_clock::duration load_time{};
  ChangeIndex changes;
  const auto store_started = std::chrono::steady_clock::now();
  Status st = store_.Write([&](StoreTx& tx) -> Status {
    const auto load_started = std::chrono::steady_clock::now();
    std::optional<Model> loaded;  // the stored state, when the current model is not it
    Result<int64_t> seq = tx.Seq();
    if (!seq.ok()) return seq.status();
    if (!current || *seq != current->model().seq) {
      Result<Model> m = current       ? tx.LoadAbove(current->model())
                        : start_copy_ ? tx.LoadAbove(start_copy_->model)
                                      : tx.Load();
      if (!m.ok()) return m.status();
      loaded = std::move(m).value();
      loaded->regions = regions_;
    }
    const Model& before = loaded ? *loaded : current->model();
    const int64_t rows_before = tx.RowsChanged();
    VIGIE_RETURN_IF_ERROR(change(before, tx));

    // A change that wrote nothing (a start, a clock transition) leaves the model as it was.
    Result<Model> after = Status::Internal("not loaded");
    if (tx.RowsChanged() == rows_before) {
      after = before;
    } else {
      // Only what changed is read again; the rest is shared with the model before.
      after = tx.LoadAbove(before);
      if (!after.ok()) return after.status();
    }
    load_time = std::chrono::steady_clock::now() - load_started;
    after->regions = regions_;

    // Replay every clock transition since the last reconciliation, so history tells when a
    // maintenance really started even if nobody was looking, then the state now.
    Result<std::optional<Time>> last = ReconciledAt(tx);
    if (!last.ok()) return last.status();
    Time from = last->value_or(now);
    if (info.replay_from && *info.replay_from < from)
      from = *info.replay_from - std::chrono::seconds(1);
    // The index of the history so far: the current snapshot's, plus the rows read since.
    changes = ChangeIndex::Extend(current ? current->index().changes : ChangeIndex(),
                                  after->status_changes);
    RecordedLevels recorded = LastRecorded(changes);
    // When no event changed, the current snapshot's index names the events the clock can
    // still change (the same objects): the derivations read those instead of every event.
    const EventIndex* clock = current && after->events.SameElements(current->model().events)
                                  ? &current->index().events
                                  : nullptr;
    std::vector<StatusChange> rows;
    for (Time t : TransitionsAfter(*after, from, clock)) {
      if (t >= now) break;
      for (StatusChange& c : Diff(*after, Derive(*after, t, clock), recorded, ""))
        rows.push_back(std::move(c));
    }
    for (StatusChange& c : Diff(*after, Derive(*after, now, clock), recorded, info.note)) {
      rows.push_back(std::move(c));
    }
    VIGIE_RETURN_IF_ERROR(tx.InsertStatusChanges(rows));
    VIGIE_RETURN_IF_ERROR(tx.SetMeta(kReconciledAt, std::to_string(ToUnix(now))));
    if (info.actor != "clock") {
      VIGIE_RETURN_IF_ERROR(tx.InsertAudit(now, info.actor, info.action, info.detail));
    }
    // Last: this write's entry in the changes log, which the model published now reflects.
    Result<int64_t> logged = tx.LogChange(now);
    if (!logged.ok()) return logged.status();
    after->seq = *logged;
    // The model as stored once this commits: status changes in the Store's order.
    AppendVector<StatusChange> added;
    for (StatusChange& r : rows) added.push_back(std::move(r));
    added.StableSort(ChangeBefore);
    after->AddChanges(added);
    changes = ChangeIndex::Extend(std::move(changes), after->status_changes);
    published = std::move(after).value();
    return Status::Ok();
  });
  if (options_.health) options_.health->Record(st);
  if (options_.wrote) options_.wrote(st, std::chrono::steady_clock::now() - asked);
  // A slow transaction is named in the log: with synchronous=FULL its commit waits for the
  // disk (and, every 1,000 pages of WAL, for a checkpoint), which no figure above shows.
  const auto done = std::chrono::steady_clock::now();
  if (const auto stored = done - store_started; done - asked > std::chrono::milliseconds(250)) {
    const auto ms = [](auto d) {
      return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    LogWarn("write \"" + info.action + "\" took " + ms(done - asked) + " ms (" +
            ms(store_started - asked) + " ms waiting for the writes before it, " + ms(stored) +
            " ms in the store; load " + ms(load_time) +
            " ms of it; the rest is the change and the commit)");
  }
  VIGIE_RETURN_IF_ERROR(st);
  serving_local_copy_ = 0;  // what is published now is the store's
  st = PublishLocked(std::move(*published), std::move(changes), load_time, now);
  Release(std::move(current));
  return st;
}

Status Publisher::PublishLocked(Model model, ChangeIndex changes,
                                std::chrono::steady_clock::duration load_time,
                                std::optional<Time> as_of) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  std::shared_ptr<const Snapshot> snap = std::make_shared<const Snapshot>(
      std::move(model), as_of.value_or(clock_.Now()), ++version_, std::move(changes),
      current_.load().get(), cache_budget_.load());
  const auto built = Clock::now();
  // Warm it: render again what readers asked for in the current snapshot, oldest first, so
  // that right after the swap they find their bodies ready instead of rendering them on an
  // I/O thread (and making the other readers of that thread wait). Two threads take them in
  // turn (the snapshot renders from any thread, once per body). The write answers after the
  // swap, so only the bodies begun within kWarmBeforeSwap are warmed before it (at scale a
  // dozen bodies take 20 ms on one core); the others are warmed right after it, on the
  // background thread, where a reader who asks first renders the body itself, once, or
  // waits for the render under way. The compressed forms are made after the swap too.
  size_t wanted = 0;
  std::atomic<size_t> warmed{0};
  AfterSwap after_swap{snap, {}, {}};
  if (const std::shared_ptr<const Snapshot> previous = current_.load()) {
    std::vector<Snapshot::Recipe> recipes = previous->Recipes();
    wanted = recipes.size();
    std::atomic<size_t> next{0};
    std::mutex after_swap_mu;
    const auto warm = [&] {
      // The budget is looked at before a body is taken: every body taken is warmed.
      while (Clock::now() - built <= kWarmBeforeSwap) {
        const size_t i = next++;
        if (i >= recipes.size()) return;
        if (auto ready = Rewarm(recipes[i], snap)) {
          ++warmed;
          if (!ready->second.empty()) {
            std::lock_guard lock(after_swap_mu);
            after_swap.bodies.push_back(std::move(*ready));
          }
        }
      }
    };
    std::thread helper;
    if (recipes.size() > 1) helper = std::thread(warm);
    warm();
    if (helper.joinable()) helper.join();
    const size_t taken = std::min(next.load(), recipes.size());
    after_swap.to_warm.assign(std::make_move_iterator(recipes.begin() + taken),
                              std::make_move_iterator(recipes.end()));
  }
  const auto ms = [](Clock::duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f",
                  std::chrono::duration_cast<std::chrono::microseconds>(d).count() / 1000.0);
    return std::string(text);
  };
  LogInfo("snapshot " + std::to_string(snap->version()) + ": model loaded in " + ms(load_time) +
          " ms, snapshot built in " + ms(built - started) + " ms; " +
          std::to_string(warmed.load()) + " of " + std::to_string(wanted) + " bodies warmed in " +
          ms(Clock::now() - built) + " ms" +
          (after_swap.to_warm.empty()
               ? std::string()
               : " (" + std::to_string(after_swap.to_warm.size()) + " after the swap)"));
  {
    // Under the timer's lock, so the timer cannot miss this wake-up between its look at the
    // current snapshot and its wait.
    std::lock_guard timer_lock(timer_mu_);
    current_.store(snap);
  }
  timer_cv_.notify_all();  // the next transition may be sooner now
  if (!after_swap.bodies.empty() || !after_swap.to_warm.empty()) {
    std::unique_lock lock(after_mu_);
    after_swap_ = std::move(after_swap);  // an older job's bodies are no longer current
    WakeAfterPublish(lock);
  }
  // Kept on local disk for a start without the store (not a copy of the copy: it keeps its date).
  if (options_.published) options_.published(snap);
  if (options_.timed) options_.timed(Times{load_time, built - started, Clock::now() - built});
  if (local_ && options_.copy_each_publish && serving_local_copy_.load() == 0) {
    local_->Offer(std::move(snap));
  }
  return Status::Ok();
}

Status Publisher::Refresh() {
  std::lock_guard lock(write_mu_);
  std::shared_ptr<const Snapshot> current = Current();
  std::optional<Model> fresh;
  std::optional<Time> reconciled;
  const auto started = std::chrono::steady_clock::now();
  VIGIE_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    Result<int64_t> seq = tx.Seq();
    if (!seq.ok()) return seq.status();
    if (current && *seq == current->model().seq && !serving_local_copy_.load()) {
      return Status::Ok();
    }
    // Nothing published yet (a start without the store): the whole model.
    Result<Model> m = current ? tx.LoadAbove(current->model()) : tx.Load();
    if (!m.ok()) return m.status();
    Result<std::optional<Time>> last = ReconciledAt(tx);
    if (!last.ok()) return last.status();
    reconciled = *last;
    fresh = std::move(m).value();
    fresh->regions = regions_;
    return Status::Ok();
  }));
  if (!fresh) return Status::Ok();
  // A transition that came due after the store's last reconciliation, which no writer has
  // recorded yet (the other writer's clock had not reached it): this node's timer waits for
  // the next transition after the new snapshot's instant and would never record it. The
  // leader records it now, dated at its instant.
  const std::optional<Time> due =
      reconciled ? NextTransition(*fresh, *reconciled) : std::optional<Time>();
  const bool unrecorded = due && *due <= clock_.Now();
  const int64_t from = current ? current->model().seq + 1 : 1;
  LogInfo(serving_local_copy_.load()
              ? "the database answers: publishing its state (seq " + std::to_string(fresh->seq) +
                    ") in place of the local copy"
              : "changes " + std::to_string(from) + " to " + std::to_string(fresh->seq) +
                    " were written elsewhere: publishing them");
  serving_local_copy_ = 0;
  // History is only added to, unless the store went back in time (restored from a backup).
  const bool extends = current && fresh->seq >= current->model().seq;
  ChangeIndex changes = ChangeIndex::Extend(extends ? current->index().changes : ChangeIndex(),
                                            fresh->status_changes);
  Status st = PublishLocked(std::move(*fresh), std::move(changes),
                            std::chrono::steady_clock::now() - started);
  if (unrecorded && leader_) {
    {
      std::lock_guard timer_lock(timer_mu_);
      reconcile_pending_ = true;
    }
    timer_cv_.notify_all();
  }
  Release(std::move(current));
  return st;
}

Status Publisher::Republish() {
  std::lock_guard lock(write_mu_);
  std::shared_ptr<const Snapshot> current = Current();
  if (!current) return Status::Ok();
  return PublishLocked(current->model(), current->index().changes, {});
}

void Publisher::FollowLoop() {
  using Steady = std::chrono::steady_clock;
  // How long one wait for word of a change lasts: how long Stop() may wait for this loop.
  constexpr std::chrono::milliseconds kSlice{250};
  Steady::time_point next_look = Steady::now() + options_.refresh_every;
  bool failing = false;  // the last look failed: say so once, and once when it works again
  for (;;) {
    {
      std::lock_guard lock(timer_mu_);
      if (stopping_) return;
    }
    const auto until_look =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_look - Steady::now());
    const auto slice = options_.refresh_every.count() > 0
                           ? std::clamp(until_look, std::chrono::milliseconds(1), kSlice)
                           : kSlice;
    Result<bool> told = store_.WaitForChange(slice);
    const bool look =
        (told.ok() && *told) || (options_.refresh_every.count() > 0 && Steady::now() >= next_look);
    if (!look) continue;
    Status st = told.ok() ? Refresh() : told.status();
    if (!st.ok() && !failing)
      LogWarn("looking for changes written elsewhere failed: " + st.ToString());
    if (st.ok() && failing) LogInfo("changes written elsewhere are read again");
    failing = !st.ok();
    next_look = Steady::now() + options_.refresh_every;
  }
}

void Publisher::TimerLoop() {
  using Steady = std::chrono::steady_clock;
  Steady::time_point next_lease{};  // at once
  std::unique_lock lock(timer_mu_);
  // Sleeps up to `d` (with the lock released), waking at once when stopping, when a snapshot
  // other than `seen` is published (the next transition may be sooner) or, unless `retrying`,
  // when a reconciliation is asked for. The wake-ups come under the lock, so none is lost.
  const auto sleep = [&](std::chrono::milliseconds d, const std::shared_ptr<const Snapshot>& seen,
                         bool retrying) {
    timer_cv_.wait_for(lock, d, [&] {
      return stopping_ || current_.load() != seen || (!retrying && reconcile_pending_ && leader_);
    });
  };
  while (!stopping_) {
    if (Steady::now() >= next_lease) {
      lock.unlock();
      Result<bool> held = store_.HoldsLease();
      const bool now_leader = held.ok() && *held;
      lock.lock();
      if (now_leader != leader_.load()) {
        LogInfo(now_leader ? "this node holds the clock lease: it records the clock's transitions"
                           : "this node no longer holds the clock lease (" +
                                 (held.ok() ? std::string("another node took it")
                                            : held.status().message()) +
                                 ")");
        // A new leader records at once what the clock changed while nobody held the lease.
        if (now_leader) reconcile_pending_ = true;
        leader_ = now_leader;
      }
      next_lease = Steady::now() + options_.lease_every;
    }
    // The longest this loop may sleep: until the next look at the lease.
    const auto longest = std::clamp(
        std::chrono::duration_cast<std::chrono::milliseconds>(next_lease - Steady::now()),
        std::chrono::milliseconds(1), options_.longest_sleep);
    if (reconcile_pending_ && leader_) {
      lock.unlock();
      const Status st = Reconcile();
      lock.lock();
      if (!st.ok()) {
        sleep(std::min<std::chrono::milliseconds>(longest, std::chrono::seconds(2)), Current(),
              /*retrying=*/true);
        continue;
      }
      reconcile_pending_ = false;
      LogInfo("missed transitions recorded");
    }
    std::shared_ptr<const Snapshot> snap = Current();
    const std::optional<Time> next = snap ? snap->next_transition() : std::nullopt;
    if (!next) {
      sleep(longest, snap, false);
      continue;
    }
    const auto wait = *next - clock_.Now();
    if (wait > std::chrono::seconds(0)) {
      // Wake at the transition, or earlier when a write publishes a new snapshot.
      sleep(std::min<std::chrono::milliseconds>(wait, longest), snap, false);
      continue;
    }
    lock.unlock();
    // The leader records the transition; another node shows it now and reads the leader's
    // rows when they come.
    Status st = leader_ ? Write(WriteInfo{.actor = "clock", .action = "transition"},
                                [](const Model&, StoreTx&) { return Status::Ok(); })
                        : Republish();
    if (!st.ok()) {
      // Shown now all the same; recorded (dated at its instant) once the store answers.
      LogError("recording the transition at " + FormatRfc3339(*next) + " failed (" + st.ToString() +
               "): it is shown now, and recorded when the database answers");
      if (Status shown = Republish(); !shown.ok())
        LogError("publishing it failed: " + shown.ToString());
      lock.lock();
      reconcile_pending_ = true;
      continue;
    }
    lock.lock();
  }
}

}  // namespace vigie

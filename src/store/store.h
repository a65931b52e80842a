// The Store: where the model is kept. One interface, SQLite and PostgreSQL behind it.
// Every write runs inside Write(): all of it commits, or none of it does.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "domain/accounts.h"
#include "domain/model.h"
#include "domain/subscriptions.h"

namespace vigie {

// The writes of one transaction. Only valid inside Store::Write; not thread-safe.
class StoreTx {
 public:
  virtual ~StoreTx() = default;

  // The model as this transaction sees it (regions are not stored: the caller adds them),
  // with its seq.
  virtual Result<Model> Load() = 0;
  // The last seq of the changes log, as this transaction sees it.
  virtual Result<int64_t> Seq() = 0;
  // The model as this transaction sees it, given `previous` (a model this store gave, at
  // previous.seq): the events touched by the changes above previous.seq and by this
  // transaction so far are read again, the others and the older status changes are shared.
  // Whoever else wrote in between, the result is what a Load() would give.
  virtual Result<Model> LoadAbove(const Model& previous) = 0;
  // Ends the record of this transaction's changes: writes its changes-log entry (the events
  // it touched) and returns its seq. The one writer of the model (the Publisher) calls it last
  // in every write.
  virtual Result<int64_t> LogChange(Time at) = 0;
  // How many rows this transaction has inserted, updated or deleted so far: equal before and
  // after a piece of work when it wrote nothing.
  virtual int64_t RowsChanged() = 0;

  // Inserts or updates by slug; texts and position change, history stays.
  virtual Status UpsertPlatform(const Platform& p) = 0;
  // Inserts or updates by (platform, slug); returns the service id.
  virtual Result<int64_t> UpsertService(const Service& s) = 0;
  virtual Status SetManualLevel(const ManualLevel& m) = 0;
  virtual Status SetOverride(const GlobalOverride& o) = 0;
  virtual Status ClearOverride(const std::string& region, const std::string& platform) = 0;
  // Inserts the event with its impacts and updates; returns its id.
  virtual Result<int64_t> InsertEvent(const Event& e) = 0;
  // Replaces the event's fields and impacts (updates are kept); NotFound when absent.
  virtual Status UpdateEvent(const Event& e) = 0;
  virtual Result<int64_t> InsertUpdate(int64_t event_id, const EventUpdate& u) = 0;
  virtual Result<int64_t> InsertMessage(const Message& m) = 0;
  // Inserts the rows and sets each one's id.
  virtual Status InsertStatusChanges(std::vector<StatusChange>& changes) = 0;
  // Who did what, when: one row per write.
  virtual Status InsertAudit(Time at, std::string_view actor, std::string_view action,
                             std::string_view detail) = 0;
  virtual Result<std::string> GetMeta(std::string_view key) = 0;  // "" when unset
  virtual Status SetMeta(std::string_view key, std::string_view value) = 0;

  // ---- Operators ----
  // Conflict when the name is taken (names compare case-insensitively).
  virtual Result<int64_t> AddUser(const User& u) = 0;
  // Role, password hash, disabled flag and password_changed_at, by id.
  virtual Status UpdateUser(const User& u) = 0;
  virtual Status CreateSession(const Session& s) = 0;
  virtual Status TouchSession(std::string_view id_hash, Time at) = 0;
  virtual Status DeleteSession(std::string_view id_hash) = 0;
  virtual Status DeleteSessionsOf(int64_t user_id) = 0;
  virtual Result<int64_t> AddToken(const ApiToken& t) = 0;
  virtual Status RevokeToken(int64_t id, Time at) = 0;
  virtual Status TouchToken(int64_t id, Time at) = 0;
  // Event edits that are not plain inserts.
  virtual Status UpdateService(const Service& s) = 0;  // by id: texts, position, retired
  virtual Status UpdateMessage(const Message& m) = 0;  // by id
  virtual Status DeleteMessage(int64_t id) = 0;
  virtual Status UpdateEventUpdate(int64_t update_id, const EventUpdate& u) = 0;

  // ---- Subscribers and the outbox (not part of the model: no snapshot shows them) ----
  // With its subscriptions; nullopt when absent.
  virtual Result<std::optional<Subscriber>> FindSubscriber(int64_t id) = 0;
  // By SubscriberKey (address, channel and endpoint) and region.
  virtual Result<std::optional<Subscriber>> FindSubscriberByKey(std::string_view key,
                                                                std::string_view region) = 0;
  // Inserts it with its subscriptions; Conflict when its key is known in that region.
  virtual Result<int64_t> AddSubscriber(const Subscriber& s) = 0;
  // Language, confirmation and subscriptions (replaced), by id; NotFound when absent.
  virtual Status UpdateSubscriber(const Subscriber& s) = 0;
  // Removes it, its subscriptions and its deliveries not yet made.
  virtual Status DeleteSubscriber(int64_t id) = 0;
  // An endpoint's attempt: ok resets its failures in a row, a failure adds one. Returns them.
  virtual Result<int> CountEndpointAttempt(int64_t id, bool ok) = 0;
  // Quarantines it at `at` (its pending deliveries fail: nothing more is sent), or without
  // `at` resumes it (failures back to 0). NotFound when absent.
  virtual Status SetQuarantine(int64_t id, std::optional<Time> at) = 0;
  // Subscribers with an id above `after_id`, by id, at most `limit`, with their subscriptions;
  // confirmed_only: those told of notices (confirmed, not quarantined).
  virtual Result<std::vector<Subscriber>> ListSubscribers(int64_t after_id, int limit,
                                                          bool confirmed_only) = 0;
  // The outbox: a write that should be told leaves a notice in its own transaction. Returns
  // its id, or 0 when a notice with the same dedupe key was written before (nothing is).
  virtual Result<int64_t> InsertNotice(const Notice& n) = 0;
  virtual Result<std::optional<Notice>> FindNotice(int64_t id) = 0;
  // Notices whose deliveries are not made yet, oldest first.
  virtual Result<std::vector<Notice>> NoticesToFanOut(int limit) = 0;
  // One pending delivery per subscriber (none again for a pair that has one), due at `at`.
  virtual Status AddDeliveries(int64_t notice_id, const std::vector<int64_t>& subscriber_ids,
                               Time at) = 0;
  virtual Status MarkFannedOut(int64_t notice_id) = 0;
  // Pending deliveries due at `now`, oldest notice first.
  virtual Result<std::vector<Delivery>> DueDeliveries(Time now, int limit) = 0;
  // State, attempts, next_at, sent_at and error, by (notice, subscriber).
  virtual Status UpdateDelivery(const Delivery& d) = 0;
  // Takes a pending delivery for sending until `until` (its next_at; one more attempt), if it
  // is still as `d` was read (pending, due at d.next_at): false when another sender took it.
  virtual Result<bool> ClaimDelivery(const Delivery& d, Time until) = 0;
  // Records how an attempt went, if the claim made at `until` still holds (false otherwise:
  // the claim ran out and another sender took the delivery); without `until`, whatever holds.
  virtual Result<bool> FinishDelivery(const Delivery& d, std::optional<Time> until) = 0;
  // How many deliveries are in each state (pending, sent, failed).
  virtual Result<std::array<int64_t, 3>> CountDeliveries() = 0;
  // For the back-office: counts, a search by address (a part of it, any case), the newest
  // notices with their deliveries' states, one notice's deliveries.
  virtual Result<SubscriberCounts> CountSubscribers() = 0;
  virtual Result<std::vector<Subscriber>> SearchSubscribers(std::string_view part, int limit) = 0;
  // The quarantined endpoints, the latest first.
  virtual Result<std::vector<Subscriber>> ListQuarantined(int limit) = 0;
  virtual Result<std::vector<NoticeSummary>> ListNotices(int64_t before_id, int limit) = 0;
  virtual Result<std::vector<Delivery>> ListDeliveries(int64_t notice_id, int limit) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Brings the schema to the latest version; safe to call at every start.
  virtual Status Migrate() = 0;
  // The schema version in the database (0 when empty).
  virtual Result<int> SchemaVersion() = 0;
  // Runs fn in one transaction; commits when it returns ok, rolls back otherwise.
  // A write that returned ok survives a crash of the process. Serialized: thread-safe.
  virtual Status Write(const std::function<Status(StoreTx&)>& fn) = 0;
  // Runs fn in one transaction whose loss only repeats work (which deliveries are made):
  // durable across a crash of the process, not across a power cut (SQLite's synchronous=
  // NORMAL, PostgreSQL's synchronous_commit=off), so it costs no wait for the disk. fn must
  // not change the model.
  virtual Status WriteBookkeeping(const std::function<Status(StoreTx&)>& fn) = 0;
  // Runs fn in one read transaction (one consistent view, no write lock): fn only reads.
  virtual Status Read(const std::function<Status(StoreTx&)>& fn) = 0;
  // A read-only view of the whole model.
  virtual Result<Model> Load() = 0;
  // True when the database is on a server (PostgreSQL) rather than in a file of this node:
  // then a node keeps a local copy of its last state, and may start while it is away.
  virtual bool Remote() const = 0;
  // Cheap round trip: ok when a write would work now (Unavailable when the database is
  // locked, gone or replaced). May wait on the store: call it off any request's path.
  virtual Status Ping() = 0;
  // True when no platform is stored yet (a first start), without loading the model.
  virtual Result<bool> Empty() = 0;
  // The whole database as JSON: every table, every row, in a stable order.
  virtual Result<std::string> Export() = 0;
  // Loads an Export() into an empty database; refuses a non-empty one (Conflict).
  virtual Status Import(std::string_view dump) = 0;
  // Replaces everything the store holds (accounts, history, sessions) with an Export(), in one
  // transaction, and starts a new generation: nodes running on it read the whole new state.
  virtual Status Replace(std::string_view dump) = 0;
  // Writes a consistent copy of the whole store to `path` while writes go on: SQLite copies
  // its file with its backup API (a SQLite file), a server store writes its dump (JSON).
  // Atomic: `path` holds the whole copy, or what it held before.
  virtual Status Backup(const std::string& path) = 0;

  // ---- Several writers (processes on one SQLite file, nodes on one PostgreSQL) ----
  // Waits up to `timeout` for word that a writer has logged a change: true when some came
  // (or when the way it comes was just reopened, so anything logged meanwhile must be read),
  // false when none did. A store that cannot tell at once (SQLite) waits and answers false:
  // look for changes from time to time anyway. Unavailable when the store cannot be reached
  // (it waits out `timeout` first, and tries again at the next call). One thread only.
  virtual Result<bool> WaitForChange(std::chrono::milliseconds timeout) = 0;
  // Whether this process holds the clock lease now, taking it when nobody does: the one
  // writer that records the clock's transitions on time (and later sends notices). Where
  // writers take turns on one file (SQLite), every process holds it: each records what it
  // finds missing, and the second finds the first's rows. Thread-safe; never waits long.
  virtual Result<bool> HoldsLease() = 0;

  // ---- Operators (reads; writes go through Write) ----
  virtual Result<std::optional<User>> FindUser(std::string_view name) = 0;
  virtual Result<std::optional<User>> FindUserById(int64_t id) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Result<std::optional<Session>> FindSession(std::string_view id_hash) = 0;
  virtual Result<std::optional<ApiToken>> FindToken(std::string_view token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListTokens() = 0;
  // Newest first.
  virtual Result<std::vector<AuditEntry>> ListAudit(const AuditFilter& filter) = 0;
};

struct StoreOptions {
  // The node's own directory (`--data`, storage.data_dir). With no storage URL the store is
  // the SQLite file vigie.db in it; with one, the directory is the node's alone (its local
  // state), never the database.
  std::string data_dir = "data";
  // How many entries of the changes log are kept: a writer more entries behind than this
  // (a node that was away long) reads the whole model instead of what lies above its seq.
  int64_t changes_kept = 10'000;
  // How many connections a store on a server (PostgreSQL) keeps for requests, besides the
  // one that listens for other nodes' changes and the one that holds the clock lease.
  int pool_size = 4;
};

// Opens the store `url` names: "sqlite:PATH", "" for the data directory's vigie.db, or a
// PostgreSQL URI ("postgresql://user@host:5432/db", several hosts with
// target_session_attrs=read-write: libpq's syntax). A SQLite file and its folder are created
// when missing; a PostgreSQL server is not reached yet (a node may start without it). Does not
// migrate. Invalid: an unknown kind of store, a URI libpq cannot read, or an empty file where
// a database should be.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options);
// What OpenStore(url, options) opens, for logs and messages ("sqlite:data/vigie.db"), with
// any password written as "***".
std::string StoreName(const std::string& url, const StoreOptions& options);

}  // namespace vigie

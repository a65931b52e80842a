// The PostgreSQL Store: several nodes on one database. The statements are every SQL backend's
// (sql_store.h); this file keeps what only a database server has: a small pool of
// connections that reopen themselves (with back-off) when the server comes back, the write
// lock every write holds (an advisory lock, so writes of all nodes take turns and each
// validates against the stored state), NOTIFY/LISTEN to tell the other nodes at once, the
// clock lease (an advisory lock held by one node's session), and the migrations.
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "store/backends.h"
#include "store/pg_db.h"
#include "store/pg_schema.h"
#include "store/sql_store.h"

namespace vigie {

namespace {

using pg::Conn;
using Steady = std::chrono::steady_clock;

// Advisory lock keys: (kLockSpace, what). 'vigi' keeps them apart from other programs' locks.
constexpr int kLockSpace = 0x76696769;
constexpr int kWriteLock = 1;    // held by every write, for its transaction
constexpr int kLeaseLock = 2;    // held by the clock leader's session
constexpr int kMigrateLock = 3;  // held while the schema is brought up to date
constexpr std::string_view kChannel = "vigie_changes";

// When to try to reach the server again after a failure: 250 ms, then twice as long each
// time, up to 5 s; at once after a success. Not thread-safe: its owner's lock guards it.
class Backoff {
 public:
  bool Ready() const { return Steady::now() >= next_; }
  const Status& last() const { return last_; }
  void Failed(const Status& st) {
    last_ = st;
    delay_ = std::min(
        delay_ == std::chrono::milliseconds(0) ? std::chrono::milliseconds(250) : delay_ * 2,
        std::chrono::milliseconds(5000));
    next_ = Steady::now() + delay_;
  }
  void Succeeded() {
    delay_ = std::chrono::milliseconds(0);
    next_ = {};
  }

 private:
  std::chrono::milliseconds delay_{0};
  Steady::time_point next_{};
  Status last_;
};

// Connections for requests: at most `size` open, each used by one caller at a time, opened
// when needed, dropped when broken.
class Pool {
 public:
  Pool(std::string url, size_t size) : url_(std::move(url)), size_(size) {}

  // A connection handed out; it goes back to the pool when this goes (or is dropped, when it
  // broke).
  class Handle {
   public:
    Handle(Pool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Handle(Handle&& o) noexcept
        : pool_(std::exchange(o.pool_, nullptr)), conn_(std::move(o.conn_)) {}
    Handle& operator=(Handle&&) = delete;
    ~Handle() {
      if (pool_) pool_->Release(std::move(conn_));
    }
    Conn& conn() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  // A connection within `wait`: Unavailable when the server cannot be reached (at once while
  // the back-off lasts) or when every connection stayed busy.
  Result<Handle> Acquire(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, wait, [&] { return !idle_.empty() || out_ + idle_.size() < size_; })) {
      return Status::Unavailable("every connection to the database has been busy for " +
                                 std::to_string(wait.count()) + " ms; try again");
    }
    if (!idle_.empty()) {
      std::unique_ptr<Conn> conn = std::move(idle_.back());
      idle_.pop_back();
      ++out_;
      return Handle(this, std::move(conn));
    }
    if (!backoff_.Ready()) return backoff_.last();
    ++out_;
    lock.unlock();
    Result<std::unique_ptr<Conn>> conn = Conn::Open(url_);  // not under the lock: it may wait
    lock.lock();
    if (!conn.ok()) {
      --out_;
      backoff_.Failed(conn.status());
      cv_.notify_one();
      return conn.status();
    }
    backoff_.Succeeded();
    return Handle(this, std::move(conn).value());
  }

 private:
  void Release(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    --out_;
    if (conn && !conn->Broken()) idle_.push_back(std::move(conn));
    cv_.notify_one();
  }

  const std::string url_;
  const size_t size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
  size_t out_ = 0;                           // handed out or being opened; guarded by mu_
  Backoff backoff_;                          // guarded by mu_
};

class PgStore : public SqlStore {
 public:
  PgStore(std::string url, const StoreOptions& options)
      : SqlStore(options.changes_kept),
        url_(std::move(url)),
        pool_(url_, static_cast<size_t>(std::max(1, options.pool_size))) {}

  bool Remote() const override { return true; }

  Result<int> SchemaVersion() override {
    std::optional<int> version;
    VIGIE_RETURN_IF_ERROR(Run(Access::kRead, [&](sql::Connection& conn) -> Status {
      Result<int> v = VersionIn(conn);
      if (v.ok()) version = *v;
      return v.status();
    }));
    return *version;
  }

  Status Migrate() override {
    Status st = Run(Access::kWrite, [&](sql::Connection& conn) -> Status {
      // Nodes starting together migrate one after the other.
      VIGIE_RETURN_IF_ERROR(
          sql::Stmt(conn, "SELECT pg_advisory_xact_lock(?, ?)", kLockSpace, kMigrateLock).Run());
      Result<int> version = VersionIn(conn);
      if (!version.ok()) return version.status();
      if (*version == 0) {
        // A database with tables but no vigie_schema is another program's, not ours to add to.
        sql::Stmt found(conn,
                        "SELECT coalesce(string_agg(tablename, ', ' ORDER BY tablename), '') "
                        "FROM pg_tables WHERE schemaname = current_schema()");
        const std::string tables = found.Step() ? found.Str(0) : "";
        VIGIE_RETURN_IF_ERROR(found.Run());
        if (!tables.empty()) {
          return Status::Invalid(pg::Redacted(url_) +
                                 " is a database of another program (tables: " + tables +
                                 "), not Vigie's: storage.url must name Vigie's database");
        }
        VIGIE_RETURN_IF_ERROR(
            sql::Stmt(conn, "CREATE TABLE vigie_schema (version INTEGER NOT NULL)").Run());
        VIGIE_RETURN_IF_ERROR(sql::Stmt(conn, "INSERT INTO vigie_schema VALUES (0)").Run());
      }
      if (*version > static_cast<int>(pg::kMigrations.size())) {
        return Status::Invalid("the database has schema version " + std::to_string(*version) +
                               ", newer than this binary knows (" +
                               std::to_string(pg::kMigrations.size()) + ")");
      }
      auto& pgconn = static_cast<Conn&>(conn);
      for (int v = *version; v < static_cast<int>(pg::kMigrations.size()); ++v) {
        VIGIE_RETURN_IF_ERROR(
            pgconn.Exec(pg::kMigrations[v]).WithContext("migration " + std::to_string(v + 1)));
        VIGIE_RETURN_IF_ERROR(sql::Stmt(conn, "UPDATE vigie_schema SET version = ?", v + 1).Run());
      }
      return Status::Ok();
    });
    if (st.ok()) migrated_ = true;
    return st;
  }

  // A write would work now: the server answers, and it is a primary (a standby refuses writes).
  Status Ping() override {
    return Run(Access::kOne, [&](sql::Connection& conn) -> Status {
      sql::Stmt st(conn, "SELECT pg_is_in_recovery()");
      const bool standby = st.Step() && st.Str(0) == "t";
      VIGIE_RETURN_IF_ERROR(st.Run());
      if (standby) {
        return Status::Unavailable("the database " + pg::Redacted(url_) +
                                   " is a read-only standby, not the primary");
      }
      return Status::Ok();
    });
  }

  Result<bool> WaitForChange(std::chrono::milliseconds timeout) override {
    std::lock_guard lock(listen_mu_);
    if (listener_ && listener_->Broken()) listener_.reset();
    if (!listener_) {
      const auto until = Steady::now() + timeout;
      Status st = listen_backoff_.Ready() ? Listen() : listen_backoff_.last();
      if (st.ok()) return true;  // (re)opened: what was logged meanwhile must be read
      std::this_thread::sleep_until(until);
      return st;
    }
    Result<bool> got = listener_->AwaitNotification(timeout);
    if (!got.ok()) listener_.reset();
    return got;
  }

  Result<bool> HoldsLease() override {
    std::lock_guard lock(lease_mu_);
    if (lease_conn_ && lease_conn_->Broken()) Drop();
    if (!lease_conn_) {
      if (!lease_backoff_.Ready()) return lease_backoff_.last();
      Result<std::unique_ptr<Conn>> conn = Conn::Open(url_);
      if (!conn.ok()) {
        lease_backoff_.Failed(conn.status());
        return conn.status();
      }
      lease_backoff_.Succeeded();
      lease_conn_ = std::move(conn).value();
    }
    // Held: the session that holds it must still be there. Not held: try to take it.
    sql::Stmt st = held_ ? sql::Stmt(*lease_conn_, "SELECT 't'")
                         : sql::Stmt(*lease_conn_, "SELECT pg_try_advisory_lock(?, ?)", kLockSpace,
                                     kLeaseLock);
    const bool yes = st.Step() && st.Str(0) == "t";
    if (Status s = st.Run(); !s.ok()) {
      Drop();
      return s;
    }
    held_ = yes;
    return held_;
  }

 protected:
  // A store opened while its server was away (a node starting during an outage) brings the
  // schema up to date when the server first answers, before anything else.
  Status Transact(Access access, const std::function<Status(sql::Connection&)>& fn) override {
    if (!migrated_) VIGIE_RETURN_IF_ERROR(Migrate());
    return Run(access, fn);
  }

  std::string_view AnnounceSql() const override { return kAnnounce; }

  // The ids imported were given, not drawn: each id sequence moves past the largest.
  // Then the tables are analyzed.
  Status AfterImport(sql::Connection& conn) override {
    for (std::string_view table :
         {"services", "events", "event_updates", "messages", "status_changes", "audit", "users",
          "api_tokens", "subscribers", "notices"}) {
      const std::string t(table);
      VIGIE_RETURN_IF_ERROR(sql::Stmt(conn, "SELECT setval(pg_get_serial_sequence('" + t +
                                                "', 'id'), coalesce(max(id), 0) + 1, false) FROM " +
                                                t)
                                .Run());
    }
    // Statistics for the planner now, not when autovacuum comes by: without them it guesses
    // that "id > $1" keeps a third of the rows, and a write read its new status changes by
    // scanning all 710,000 of them (80 ms) for the first minute after an import at scale.
    return sql::Stmt(conn, "ANALYZE").Run();
  }

 private:
  // Runs fn on a pooled connection in a transaction of `access` (Transact without migrating).
  Status Run(Access access, const std::function<Status(sql::Connection&)>& fn) {
    // A connection the server closed (it restarted) fails at its first statement: then, and
    // only then (nothing was done yet), once more on a new one.
    for (int attempt = 0;; ++attempt) {
      Result<Pool::Handle> handle = pool_.Acquire(kWait);
      if (!handle.ok()) return handle.status();
      Conn& conn = handle->conn();
      const bool retry = attempt == 0;
      if (access == Access::kOne) {
        Status st = fn(conn);
        if (!st.ok() && conn.Broken() && retry) continue;  // a read: safe to run again
        return st;
      }
      Status begun = conn.Exec(
          access == Access::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN");
      // Bookkeeping commits without waiting for the WAL's flush (a server crash may lose it:
      // then the work is done again), and outside the writes' turn: it touches no model row.
      if (begun.ok() && access == Access::kBookkeeping) {
        begun = conn.Exec("SET LOCAL synchronous_commit = off");
      }
      if (!begun.ok()) {
        if (conn.Broken() && retry) continue;
        return begun;
      }
      Status st = Status::Ok();
      if (access == Access::kWrite) {
        // Writes of every node take turns: each sees the last one's rows when it validates.
        st = sql::Stmt(conn, "SELECT pg_advisory_xact_lock(?, ?)", kLockSpace, kWriteLock).Run();
      }
      if (st.ok()) st = fn(conn);
      if (!st.ok()) {
        if (!conn.Broken()) (void)conn.Exec("ROLLBACK");
        return st;
      }
      st = conn.Exec("COMMIT");
      if (!st.ok() && conn.Broken()) {
        return Status::Unavailable(
            "the database went away while this change was being committed: it may or may not "
            "have been saved; reload to see (" +
            st.message() + ")");
      }
      return st;
    }
  }

  static constexpr std::chrono::milliseconds kWait{2000};
  static constexpr std::string_view kAnnounce = "SELECT pg_notify('vigie_changes', ?)";

  static Result<int> VersionIn(sql::Connection& conn) {
    sql::Stmt exists(conn, "SELECT to_regclass('vigie_schema') IS NOT NULL");
    const bool has = exists.Step() && exists.Str(0) == "t";
    VIGIE_RETURN_IF_ERROR(exists.Run());
    if (!has) return 0;
    Result<int64_t> v = sql::Stmt(conn, "SELECT max(version) FROM vigie_schema").OneInt();
    if (!v.ok()) return v.status();
    return static_cast<int>(*v);
  }

  // Opens the listening connection. Called with listen_mu_ held.
  Status Listen() {
    Result<std::unique_ptr<Conn>> conn = Conn::Open(url_);
    Status st = conn.status();
    if (st.ok()) st = (*conn)->Exec("LISTEN " + std::string(kChannel));
    if (!st.ok()) {
      listen_backoff_.Failed(st);
      return st;
    }
    listen_backoff_.Succeeded();
    listener_ = std::move(conn).value();
    return Status::Ok();
  }

  // Forgets the lease's connection (the server releases the lease when its session ends).
  // Called with lease_mu_ held.
  void Drop() {
    lease_conn_.reset();
    held_ = false;
  }

  const std::string url_;
  Pool pool_;
  std::atomic<bool> migrated_{false};  // the schema is known to be up to date

  std::mutex listen_mu_;
  std::unique_ptr<Conn> listener_;  // LISTENs on kChannel; guarded by listen_mu_
  Backoff listen_backoff_;          // guarded by listen_mu_

  std::mutex lease_mu_;
  std::unique_ptr<Conn> lease_conn_;  // whose session holds the lease; guarded by lease_mu_
  bool held_ = false;                 // guarded by lease_mu_
  Backoff lease_backoff_;             // guarded by lease_mu_
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgres(const std::string& url, const StoreOptions& options) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (!parsed) {
    std::string why = error ? error : "out of memory";
    PQfreemem(error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Status::Invalid("storage.url \"" + pg::Redacted(url) +
                           "\" is not a PostgreSQL URI libpq can read: " + why);
  }
  PQconninfoFree(parsed);
  return std::unique_ptr<Store>(std::make_unique<PgStore>(url, options));
}

}  // namespace vigie

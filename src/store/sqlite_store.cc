// The SQLite Store: WAL, foreign keys, synchronous=FULL (an acknowledged write survives a
// crash), one connection serialized by a mutex. Writes are rare; reads come from the snapshot.
// The statements are every SQL backend's (sql_store.h); this file keeps what only SQLite has:
// the file, its pragmas, its migrations and its locks.
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/files.h"
#include "store/backends.h"
#include "store/sql_store.h"
#include "store/sqlite_db.h"
#include "store/sqlite_schema.h"
#include "store/store.h"

namespace vigie {

namespace {

using sqlite::Db;

class SqliteStore : public SqlStore {
 public:
  SqliteStore(Db db, std::string path, int64_t changes_kept)
      : SqlStore(changes_kept), db_(std::move(db)), path_(std::move(path)) {
    struct stat st {};
    if (path_ != ":memory:" && ::stat(path_.c_str(), &st) == 0) file_ = {st.st_dev, st.st_ino};
  }

  Status Init() {
    // WAL: readers never block the writer. FULL: a commit is on disk before it is acknowledged.
    VIGIE_RETURN_IF_ERROR(db_.Exec("PRAGMA journal_mode=WAL"));
    VIGIE_RETURN_IF_ERROR(db_.Exec("PRAGMA synchronous=FULL"));
    VIGIE_RETURN_IF_ERROR(db_.Exec("PRAGMA foreign_keys=ON"));
    return Status::Ok();
  }

  Result<int> SchemaVersion() override {
    std::unique_lock lock(mu_, std::defer_lock);
    if (!lock.try_lock_for(kLockWait)) return Busy();
    return VersionLocked();
  }

  Status Migrate() override {
    std::unique_lock lock(mu_, std::defer_lock);
    if (!lock.try_lock_for(kLockWait)) return Busy();
    Result<int> version = VersionLocked();
    if (!version.ok()) return version.status();
    if (*version == 0) {
      // Version 0 is a new file; tables in it are another program's, not ours to add to.
      sql::Stmt st(db_, "SELECT group_concat(name, ', ') FROM sqlite_master WHERE type = 'table'");
      if (st.Step() && !st.Str(0).empty()) {
        return Status::Invalid(path_ +
                               " is a SQLite database of another program (tables: " + st.Str(0) +
                               "), not Vigie's: storage.url must name Vigie's database");
      }
      VIGIE_RETURN_IF_ERROR(st.Run());
    }
    if (*version > static_cast<int>(sqlite::kMigrations.size())) {
      return Status::Invalid("the database has schema version " + std::to_string(*version) +
                             ", newer than this binary knows (" +
                             std::to_string(sqlite::kMigrations.size()) + ")");
    }
    for (int v = *version; v < static_cast<int>(sqlite::kMigrations.size()); ++v) {
      sqlite::Transaction tx(db_);
      VIGIE_RETURN_IF_ERROR(tx.begun());
      VIGIE_RETURN_IF_ERROR(db_.Exec(sqlite::kMigrations[v]));
      VIGIE_RETURN_IF_ERROR(db_.Exec("PRAGMA user_version=" + std::to_string(v + 1)));
      VIGIE_RETURN_IF_ERROR(tx.Commit());
    }
    return Status::Ok();
  }

  // A write would work: the file is the one opened, and its write lock can be taken (then
  // released without writing anything). Another process holding that lock fails it.
  // Does not wait for that lock: the store is not held while another process holds it.
  Status Ping() override {
    std::unique_lock lock(mu_, std::defer_lock);
    if (!lock.try_lock_for(kLockWait)) return Busy();
    VIGIE_RETURN_IF_ERROR(SameFile());
    VIGIE_RETURN_IF_ERROR(DiskRoom());
    sqlite3_busy_timeout(db_.get(), 0);
    Status st;
    {
      sqlite::Transaction tx(db_);  // rolled back when it goes
      st = tx.begun();
      if (st.ok()) st = sql::Stmt(db_, "SELECT count(*) FROM platforms").OneInt().status();
    }
    sqlite3_busy_timeout(db_.get(), static_cast<int>(sqlite::kBusyTimeoutMs));
    return st;
  }

  bool Remote() const override { return false; }

  // SQLite's backup API copies the pages of one read transaction: a consistent copy while
  // writes go on (other processes' too). The copy is one self-contained file (no WAL beside
  // it), made beside `path` and renamed over it once synced.
  Status Backup(const std::string& path) override {
    std::unique_lock lock(mu_, std::defer_lock);
    if (!lock.try_lock_for(kLockWait)) return Busy();
    const std::string tmp = path + ".tmp";
    ::unlink(tmp.c_str());
    Result<Db> dest = Db::Open(tmp);
    if (!dest.ok()) return dest.status();
    sqlite3_backup* copy = sqlite3_backup_init(dest->get(), "main", db_.get(), "main");
    Status st = copy ? Status::Ok() : dest->Error("backup");
    if (copy) {
      const int rc = sqlite3_backup_step(copy, -1);
      sqlite3_backup_finish(copy);
      if (rc != SQLITE_DONE) st = sqlite::ErrorOf(rc, "backup: " + std::string(sqlite3_errstr(rc)));
    }
    if (st.ok()) st = dest->Exec("PRAGMA journal_mode=DELETE");
    { Db gone = std::move(dest).value(); }  // closed before the rename
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st.WithContext("backup to " + path);
    }
    return SyncAndRename(tmp, path);
  }

  // Other processes on the file say nothing: the caller looks for their changes itself.
  Result<bool> WaitForChange(std::chrono::milliseconds timeout) override {
    std::this_thread::sleep_for(timeout);
    return false;
  }
  // Writes to one file take turns, and each records the transitions it finds missing.
  Result<bool> HoldsLease() override { return true; }

 protected:
  // Takes the store's lock, or answers Unavailable when another caller has held it for
  // kLockWait (a write waiting on a lock of another process): callers on a request's path
  // answer 503 instead of waiting without bound.
  Status Transact(Access access, const std::function<Status(sql::Connection&)>& fn) override {
    std::unique_lock lock(mu_, std::defer_lock);
    if (!lock.try_lock_for(kLockWait)) return Busy();
    if (access == Access::kOne) return fn(db_);
    if (access != Access::kRead) {
      // A write to a file that is no longer under the path would be lost at the next start.
      VIGIE_RETURN_IF_ERROR(SameFile());
    }
    if (access == Access::kBookkeeping) {
      // WAL with synchronous=NORMAL: the commit is in the file the OS holds (a killed process
      // loses nothing), without waiting for the disk.
      VIGIE_RETURN_IF_ERROR(db_.Exec("PRAGMA synchronous=NORMAL"));
      Status st = [&] {
        sqlite::Transaction tx(db_, sqlite::Transaction::Kind::kWrite);
        VIGIE_RETURN_IF_ERROR(tx.begun());
        VIGIE_RETURN_IF_ERROR(fn(db_));
        return tx.Commit();
      }();
      const Status back = db_.Exec("PRAGMA synchronous=FULL");
      return st.ok() ? back : st;
    }
    sqlite::Transaction tx(db_, access == Access::kWrite ? sqlite::Transaction::Kind::kWrite
                                                         : sqlite::Transaction::Kind::kRead);
    VIGIE_RETURN_IF_ERROR(tx.begun());
    VIGIE_RETURN_IF_ERROR(fn(db_));
    return tx.Commit();
  }

 private:
  Result<int> VersionLocked() {
    sql::Stmt st(db_, "PRAGMA user_version");
    Result<int64_t> v = st.OneInt();
    if (!v.ok()) return v.status();
    return static_cast<int>(*v);
  }

  static Status Busy() {
    return Status::Unavailable("the database has been busy for " +
                               std::to_string(kLockWait.count()) +
                               " s (a slow write, or a lock held by another process); try again");
  }

  // Ok while the file under the path is the one this connection opened.
  Status SameFile() const {
    if (file_ == std::pair<dev_t, ino_t>{}) return Status::Ok();  // in memory: no file
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      return Status::Unavailable("the database file " + path_ +
                                 " was removed while in use; writes are refused until it is "
                                 "restored and the server restarted");
    }
    if (std::pair(st.st_dev, st.st_ino) != file_) {
      return Status::Unavailable("the database file " + path_ +
                                 " was replaced while in use; writes are refused until the "
                                 "server is restarted");
    }
    return Status::Ok();
  }

  // Unavailable when the file system of the database has less than kMinFree left: a write
  // would fail with "disk full", which a read-only probe cannot see otherwise.
  Status DiskRoom() const {
    const size_t slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
    struct statvfs fs {};
    if (::statvfs(dir.c_str(), &fs) != 0) return Status::Ok();  // nothing to tell
    const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free >= kMinFree) return Status::Ok();
    return Status::Unavailable("the disk of the database is full (" + std::to_string(free / 1024) +
                               " KiB left in " + dir + ")");
  }

  static constexpr uint64_t kMinFree = 1 << 20;
  static constexpr std::chrono::seconds kLockWait{2};
  std::timed_mutex mu_;
  Db db_;
  const std::string path_;
  std::pair<dev_t, ino_t> file_{};  // the file opened, as stat() named it then; 0 in memory
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const StoreOptions& options) {
  if (path.empty()) return Status::Invalid("storage sqlite: needs a file path");
  if (const std::filesystem::path folder = std::filesystem::path(path).parent_path();
      !folder.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) return Status::Unavailable("cannot create " + folder.string() + ": " + ec.message());
  }
  // A first start creates the file; an empty one is a database that was lost (truncated,
  // or replaced by mistake), and taking it for a new site would bury the history.
  if (struct stat st{}; ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
    return Status::Invalid(path +
                           " is an empty file, not a Vigie database: restore the database "
                           "it should hold, or delete it to start a new site");
  }
  Result<Db> db = Db::Open(path);
  if (!db.ok()) return db.status();
  auto store = std::make_unique<SqliteStore>(std::move(db).value(), path, options.changes_kept);
  VIGIE_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace vigie

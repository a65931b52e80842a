#include "store/sqlite_db.h"

namespace vigie::sqlite {

namespace {

// One prepared statement; its first error is kept as a Status.
class SqliteRows : public sql::Rows {
 public:
  SqliteRows(Db& db, std::string_view sql, std::span<const sql::Value> args) : db_(db), sql_(sql) {
    stmt_ = db.TakePrepared(sql_);
    if (!stmt_ && sqlite3_prepare_v2(db.get(), sql.data(), static_cast<int>(sql.size()), &stmt_,
                                     nullptr) != SQLITE_OK) {
      status_ = db.Error("prepare \"" + std::string(sql.substr(0, 60)) + "\"");
      return;
    }
    for (size_t i = 0; i < args.size() && status_.ok(); ++i) Bind(static_cast<int>(i) + 1, args[i]);
  }
  ~SqliteRows() override {
    if (stmt_) db_.KeepPrepared(std::move(sql_), stmt_);
  }

  bool Next() override {
    if (!status_.ok() || done_) return false;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    done_ = true;
    if (rc != SQLITE_DONE) {
      status_ = (rc & 0xff) == SQLITE_CONSTRAINT ? Status::Conflict(sqlite3_errmsg(db_.get()))
                                                 : db_.Error("step");
    }
    return false;
  }
  const Status& status() const override { return status_; }
  int64_t Int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  std::string Str(int col) const override { return std::string(View(col)); }
  std::string_view View(int col) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string_view(p, sqlite3_column_bytes(stmt_, col)) : std::string_view();
  }
  bool IsNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int Columns() const override { return sqlite3_column_count(stmt_); }

 private:
  void Bind(int i, const sql::Value& v) {
    int rc = SQLITE_OK;
    if (const auto* n = std::get_if<int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt_, i, *n);
    } else if (const auto* s = std::get_if<std::string_view>(&v)) {
      rc = sqlite3_bind_text(stmt_, i, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else {
      rc = sqlite3_bind_null(stmt_, i);
    }
    if (rc != SQLITE_OK) status_ = db_.Error("bind");
  }

  Db& db_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
  bool done_ = false;
};

}  // namespace

Result<Db> Db::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::Unavailable("cannot open SQLite database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, static_cast<int>(kBusyTimeoutMs));
  sqlite3_extended_result_codes(db, 1);
  return Db(db);
}

Db::~Db() {
  for (auto& [sql, stmt] : prepared_) sqlite3_finalize(stmt);
  if (db_) sqlite3_close_v2(db_);
}

sqlite3_stmt* Db::TakePrepared(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) return nullptr;
  sqlite3_stmt* stmt = it->second;
  prepared_.erase(it);
  return stmt;
}

void Db::KeepPrepared(std::string sql, sqlite3_stmt* stmt) {
  // Reset: no lock held, no row pending, no value bound.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  // Bounded: texts built from data (none today) must not grow it without end.
  constexpr size_t kMost = 200;
  if (prepared_.size() >= kMost || !prepared_.emplace(std::move(sql), stmt).second) {
    sqlite3_finalize(stmt);
  }
}

Status ErrorOf(int rc, std::string message) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return Status::Conflict(std::move(message));
    // What waiting, or an operator, can mend: the store is unavailable, not broken.
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(
          "the database is locked (by another process, a backup or a "
          "slow write); try again in a moment (" +
          message + ")");
    case SQLITE_FULL:
      return Status::Unavailable("the disk of the database is full (" + message + ")");
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
      return Status::Unavailable("the database cannot be written (" + message + ")");
    default:
      return Status::Internal(std::move(message));
  }
}

Status Db::Error(std::string_view what) const {
  return ErrorOf(sqlite3_extended_errcode(db_), std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  const std::string s(sql);
  if (const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
    Status st = ErrorOf(rc, std::string("SQLite: ") + (err ? err : sqlite3_errstr(rc)));
    sqlite3_free(err);
    return st;
  }
  return Status::Ok();
}

std::unique_ptr<sql::Rows> Db::Start(std::string_view sql, std::span<const sql::Value> args) {
  return std::make_unique<SqliteRows>(*this, sql, args);
}

Transaction::Transaction(Db& db, Kind kind) : db_(db) {
  begun_ = db_.Exec(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (begun_.ok() && !done_) db_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  VIGIE_RETURN_IF_ERROR(begun_);
  Status st = db_.Exec("COMMIT");
  if (st.ok()) done_ = true;
  return st;
}

}  // namespace vigie::sqlite

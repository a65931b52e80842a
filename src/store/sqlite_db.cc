#include "store/sqlite_db.h"

namespace vigie::sqlite {

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
  if (db_) sqlite3_close_v2(db_);
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

Stmt::Stmt(const Db& db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db.get(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    status_ = db.Error("prepare \"" + std::string(sql.substr(0, 60)) + "\"");
  }
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int i, int64_t v) {
  if (status_.ok() && sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) status_ = db_.Error("bind");
  return *this;
}

Stmt& Stmt::Bind(int i, std::string_view v) {
  if (status_.ok() && sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()),
                                        SQLITE_TRANSIENT) != SQLITE_OK) {
    status_ = db_.Error("bind");
  }
  return *this;
}

Stmt& Stmt::Bind(int i, std::nullopt_t) {
  if (status_.ok() && sqlite3_bind_null(stmt_, i) != SQLITE_OK) status_ = db_.Error("bind");
  return *this;
}

bool Stmt::Step() {
  if (!status_.ok()) return false;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) {
    status_ = (rc & 0xff) == SQLITE_CONSTRAINT ? Status::Conflict(sqlite3_errmsg(db_.get()))
                                               : db_.Error("step");
  }
  return false;
}

Status Stmt::Run() {
  while (Step()) {
  }
  return status_;
}

std::string Stmt::Str(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, sqlite3_column_bytes(stmt_, col)) : std::string();
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

// A thin RAII layer over the SQLite C API: connection, prepared statement with bound
// parameters (parameterised SQL only), transaction. Not thread-safe: the owner serializes.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie::sqlite {

// How long a statement waits for a lock another process holds before it fails (as
// Unavailable): long enough for a checkpoint, short enough for a visitor of the back-office.
inline constexpr int64_t kBusyTimeoutMs = 2000;

// SQLite's result code `rc` as a Status: a constraint is a Conflict; a lock, a full disk or an
// I/O error is Unavailable (waiting or an operator mends it); anything else is Internal.
Status ErrorOf(int rc, std::string message);

class Db {
 public:
  static Result<Db> Open(const std::string& path);
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&&) = delete;
  ~Db();
  sqlite3* get() const { return db_; }
  // Runs one or more statements without parameters (schema, pragmas).
  Status Exec(std::string_view sql);
  Status Error(std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

class Stmt {
 public:
  Stmt(const Db& db, std::string_view sql);
  Stmt(const Stmt&) = delete;
  ~Stmt();
  const Status& prepared() const { return status_; }

  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, std::string_view v);
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, std::nullopt_t);
  template <typename T>
  Stmt& Bind(int i, const std::optional<T>& v) {
    return v ? Bind(i, *v) : Bind(i, std::nullopt);
  }
  // Binds every argument in order from parameter 1.
  template <typename... Args>
  Stmt& BindAll(const Args&... args) {
    int i = 1;
    (Bind(i++, args), ...);
    return *this;
  }

  // Returns true with a row, false when done; errors land in status().
  bool Step();
  // Runs to completion; the status of the whole statement.
  Status Run();
  const Status& status() const { return status_; }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Str(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<int64_t> OptInt(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  const Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

// BEGIN IMMEDIATE (a write: takes the write lock now) or BEGIN (a read: one consistent view
// across its SELECTs) on construction; ROLLBACK on destruction unless Commit() succeeded.
// Every transaction of the store goes through one, so every COMMIT is checked.
class Transaction {
 public:
  enum class Kind { kWrite, kRead };
  explicit Transaction(Db& db, Kind kind = Kind::kWrite);
  ~Transaction();
  const Status& begun() const { return begun_; }
  Status Commit();

 private:
  Db& db_;
  Status begun_;
  bool done_ = false;
};

}  // namespace vigie::sqlite

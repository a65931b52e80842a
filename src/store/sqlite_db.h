// A thin RAII layer over the SQLite C API: a connection that runs the Store's statements
// (sql::Connection: parameterised SQL only), and transactions. Not thread-safe: the owner
// serializes.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "store/sql.h"

namespace vigie::sqlite {

// How long a statement waits for a lock another process holds before it fails (as
// Unavailable): long enough for a checkpoint, short enough for a visitor of the back-office.
inline constexpr int64_t kBusyTimeoutMs = 2000;

// SQLite's result code `rc` as a Status: a constraint is a Conflict; a lock, a full disk or an
// I/O error is Unavailable (waiting or an operator mends it); anything else is Internal.
Status ErrorOf(int rc, std::string message);

class Db : public sql::Connection {
 public:
  static Result<Db> Open(const std::string& path);
  Db(Db&& o) noexcept : db_(o.db_), prepared_(std::move(o.prepared_)) { o.db_ = nullptr; }
  Db& operator=(Db&&) = delete;
  ~Db() override;
  sqlite3* get() const { return db_; }
  // Runs one or more statements without parameters (schema, pragmas).
  Status Exec(std::string_view sql);
  Status Error(std::string_view what) const;

  std::unique_ptr<sql::Rows> Start(std::string_view sql, std::span<const sql::Value> args) override;
  int64_t Changed() const override { return sqlite3_changes64(db_); }
  int64_t TotalChanged() const override { return sqlite3_total_changes64(db_); }

  // Prepared statements are kept once done, by their text, and taken again by the next Start
  // of the same text: the Store runs a few dozen texts over and over, and compiling one cost
  // more than running it (a third of an import's time was SQLite's parser).
  sqlite3_stmt* TakePrepared(const std::string& sql);
  void KeepPrepared(std::string sql, sqlite3_stmt* stmt);

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> prepared_;
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

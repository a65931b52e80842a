// What the Store's statements need of a database, whatever its kind: run one statement with
// bound parameters and read its rows. SQLite (sqlite_db) and PostgreSQL (pg_db) implement it;
// the statements themselves are written once (sql_tx.cc, sql_store.cc), with `?` parameters
// (or `?N` to name one twice), parameterised SQL only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/status.h"

namespace vigie::sql {

// A parameter's value: NULL, an integer or a text. A text is only borrowed: the connection
// copies it before Run returns.
using Value = std::variant<std::monostate, int64_t, std::string_view>;

inline Value ToValue(const Value& v) { return v; }
inline Value ToValue(int64_t v) { return v; }
inline Value ToValue(int v) { return static_cast<int64_t>(v); }
inline Value ToValue(bool v) { return static_cast<int64_t>(v ? 1 : 0); }
inline Value ToValue(std::string_view v) { return v; }
inline Value ToValue(const std::string& v) { return std::string_view(v); }
inline Value ToValue(const char* v) { return std::string_view(v); }
inline Value ToValue(std::nullopt_t) { return std::monostate{}; }
template <typename T>
Value ToValue(const std::optional<T>& v) {
  return v ? ToValue(*v) : Value(std::monostate{});
}

// A statement running on a connection: its rows, one at a time.
class Rows {
 public:
  virtual ~Rows() = default;
  // Moves to the next row: false when there is none left, or on an error (then in status()).
  virtual bool Next() = 0;
  virtual const Status& status() const = 0;
  virtual int64_t Int(int col) const = 0;
  virtual std::string Str(int col) const = 0;
  // The same text where the row holds it: valid until Next.
  virtual std::string_view View(int col) const = 0;
  virtual bool IsNull(int col) const = 0;
  // The number of columns of the rows.
  virtual int Columns() const = 0;
};

// One connection to a database. Not thread-safe: its owner serializes its use. One statement
// runs at a time: read a statement's rows to their end before starting the next.
class Connection {
 public:
  virtual ~Connection() = default;
  // Starts `sql` with `args` bound to its parameters in order. Errors land in the rows'
  // status: a constraint is a Conflict, a database that cannot answer now is Unavailable.
  virtual std::unique_ptr<Rows> Start(std::string_view sql, std::span<const Value> args) = 0;
  // Rows inserted, updated or deleted by the last statement read to its end.
  virtual int64_t Changed() const = 0;
  // The same, summed over every statement of the connection so far.
  virtual int64_t TotalChanged() const = 0;
};

// A statement, started when it is made:
//   Stmt st(conn, "SELECT name FROM users WHERE id=?", id);
//   while (st.Step()) name = st.Str(0);
//   VIGIE_RETURN_IF_ERROR(st.status());
class Stmt {
 public:
  template <typename... Args>
  Stmt(Connection& conn, std::string_view sql, const Args&... args) {
    const Value values[sizeof...(Args) + 1] = {ToValue(args)..., Value()};
    rows_ = conn.Start(sql, std::span<const Value>(values, sizeof...(Args)));
  }
  Stmt(Stmt&&) = default;
  Stmt& operator=(Stmt&&) = default;

  // Returns true with a row, false when done; errors land in status().
  bool Step() { return rows_->Next(); }
  // Runs to completion; the status of the whole statement.
  Status Run() {
    while (Step()) {
    }
    return status();
  }
  // The first column of the first row as an integer (a count, a RETURNING id), the statement
  // run to its end: Internal when there is no row.
  Result<int64_t> OneInt();
  const Status& status() const { return rows_->status(); }

  int64_t Int(int col) const { return rows_->Int(col); }
  std::string Str(int col) const { return rows_->Str(col); }
  std::string_view View(int col) const { return rows_->View(col); }
  bool IsNull(int col) const { return rows_->IsNull(col); }
  std::optional<int64_t> OptInt(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }
  int Columns() const { return rows_->Columns(); }

 private:
  std::unique_ptr<Rows> rows_;
};

// `sql` with each `?` replaced by `$1`, `$2`, ... in order, and each `?N` by `$N` (PostgreSQL's
// spelling); text between single or double quotes is left alone.
std::string NumberedParameters(std::string_view sql);

}  // namespace vigie::sql

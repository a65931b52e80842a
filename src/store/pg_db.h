// A thin RAII layer over libpq: a connection that runs the Store's statements
// (sql::Connection: parameterised SQL only, rows read one at a time), its errors as Status
// values, and its notifications. Not thread-safe: the owner serializes.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "store/sql.h"

namespace vigie::pg {

// PostgreSQL's answer as a Status: a constraint is a Conflict; what waiting or an operator
// mends (the server unreachable, shutting down, a standby, a lock or a conflict between
// writers, no room left) is Unavailable; anything else is Internal.
Status ErrorOf(const PGresult* res, PGconn* conn, std::string_view what);

// `url` with its password, if any, written as "***": for logs and messages.
std::string Redacted(std::string_view url);

class Conn : public sql::Connection {
 public:
  // Connects to `url` (a libpq URI or key=value string; its own settings win over Vigie's
  // defaults: a 3 s connect timeout, TCP keep-alives, application_name=vigie), then sets the
  // session: UTF-8, a 2 s lock timeout, and no transaction left idle for more than 30 s (a
  // frozen node cannot hold the write lock for ever).
  static Result<std::unique_ptr<Conn>> Open(const std::string& url);
  ~Conn() override;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  PGconn* get() const { return conn_; }
  // True when the connection is gone (the server closed it, or it never answered): open a
  // new one.
  bool Broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // Runs statements without parameters (BEGIN, COMMIT, LISTEN, schema).
  Status Exec(std::string_view sql);

  std::unique_ptr<sql::Rows> Start(std::string_view sql, std::span<const sql::Value> args) override;
  int64_t Changed() const override { return changed_; }
  int64_t TotalChanged() const override { return total_changed_; }

  // Waits up to `timeout` for a notification on a channel this connection LISTENs to: true
  // when one or more came (all are consumed), false when none did. Unavailable when the
  // connection broke.
  Result<bool> AwaitNotification(std::chrono::milliseconds timeout);

 private:
  friend class PgRows;
  explicit Conn(PGconn* conn) : conn_(conn) {}
  // The name of `sql`'s prepared statement on this connection, prepared now when it is not
  // yet (one round trip, once); empty when it cannot be or the cache is full.
  Result<std::string> Prepared(const std::string& sql, int params);
  // A write sends about twenty statements, always the same texts: prepared once per
  // connection, the server neither parses nor plans them again (a prepared statement is the
  // session's, not the transaction's, and a schema change makes PostgreSQL plan it again).
  static constexpr size_t kMaxPrepared = 256;

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text → statement name
  bool reading_ = false;                                   // a statement's rows are being read
  int64_t changed_ = 0;
  int64_t total_changed_ = 0;
};

}  // namespace vigie::pg

#include "store/pg_db.h"

#include <poll.h>

#include <cerrno>
#include <charconv>
#include <vector>

namespace vigie::pg {

namespace {

// libpq's message on one line.
std::string OneLine(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return s.empty() ? "no message" : s;
}

// The number PQcmdTuples gives for a statement that changed rows ("INSERT 0 3" → 3), else 0.
int64_t RowsChangedBy(PGresult* res) {
  const std::string_view tag = PQcmdStatus(res);
  const bool changes = tag.rfind("INSERT", 0) == 0 || tag.rfind("UPDATE", 0) == 0 ||
                       tag.rfind("DELETE", 0) == 0 || tag.rfind("MERGE", 0) == 0;
  if (!changes) return 0;
  const std::string_view n = PQcmdTuples(res);
  int64_t v = 0;
  std::from_chars(n.data(), n.data() + n.size(), v);
  return v;
}

}  // namespace

Status ErrorOf(const PGresult* res, PGconn* conn, std::string_view what) {
  const char* code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message =
      OneLine(res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  const std::string_view state = code ? code : "";
  const std::string_view cls = state.substr(0, 2);
  if (cls == "23") return Status::Conflict(message);
  // No SQLSTATE: libpq's own failure to reach the server or to keep talking with it.
  if (state.empty() || PQstatus(conn) == CONNECTION_BAD || cls == "08" ||
      state.rfind("57P", 0) == 0) {
    return Status::Unavailable("the database is unreachable (" + message + ")");
  }
  if (state == "25006") {
    return Status::Unavailable("the database is a read-only standby, not the primary (" + message +
                               ")");
  }
  if (state == "55P03" || state == "40001" || state == "40P01" || state == "57014") {
    return Status::Unavailable(
        "the database is busy (another write holds its lock); try again in a moment (" + message +
        ")");
  }
  if (cls == "53") return Status::Unavailable("the database is out of room (" + message + ")");
  return Status::Internal(std::string(what) + ": " + message);
}

std::string Redacted(std::string_view url) {
  // postgresql://user:password@host/db → postgresql://user:***@host/db
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t start = scheme + 3;
  const size_t at = url.find('@', start);
  const size_t slash = url.find('/', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  const size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

// The rows of one statement, read in libpq's single-row mode: a large result is never held
// whole in memory.
class PgRows : public sql::Rows {
 public:
  PgRows(Conn& conn, std::string_view sql, std::span<const sql::Value> args) : conn_(conn) {
    if (conn_.reading_) {
      status_ = Status::Internal("a statement started while another one's rows were being read");
      done_ = true;
      return;
    }
    const std::string numbered = sql::NumberedParameters(sql);
    std::vector<std::string> texts(args.size());
    std::vector<const char*> values(args.size(), nullptr);
    for (size_t i = 0; i < args.size(); ++i) {
      if (const auto* n = std::get_if<int64_t>(&args[i])) {
        texts[i] = std::to_string(*n);
        values[i] = texts[i].c_str();
      } else if (const auto* s = std::get_if<std::string_view>(&args[i])) {
        texts[i] = std::string(*s);
        values[i] = texts[i].c_str();
      }
    }
    Result<std::string> name = conn_.Prepared(numbered, static_cast<int>(args.size()));
    if (!name.ok()) {
      status_ = name.status();
      done_ = true;
      return;
    }
    const int sent =
        name->empty()
            ? PQsendQueryParams(conn_.conn_, numbered.c_str(), static_cast<int>(args.size()),
                                nullptr, values.data(), nullptr, nullptr, 0)
            : PQsendQueryPrepared(conn_.conn_, name->c_str(), static_cast<int>(args.size()),
                                  values.data(), nullptr, nullptr, 0);
    if (!sent) {
      status_ = ErrorOf(nullptr, conn_.conn_, "send \"" + std::string(sql.substr(0, 60)) + "\"");
      done_ = true;
      return;
    }
    PQsetSingleRowMode(conn_.conn_);
    conn_.reading_ = true;
    what_ = sql.substr(0, 60);
  }

  ~PgRows() override {
    while (!done_) Next();
    PQclear(res_);
  }

  bool Next() override {
    if (done_) return false;
    PQclear(res_);
    res_ = PQgetResult(conn_.conn_);
    if (res_ && PQresultStatus(res_) == PGRES_SINGLE_TUPLE) return true;
    // The statement's last result (or its error), then nothing: the connection is free.
    if (!res_) {
      status_ = ErrorOf(nullptr, conn_.conn_, "\"" + what_ + "\" ended without a result");
    } else if (const ExecStatusType s = PQresultStatus(res_);
               s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
      conn_.changed_ = RowsChangedBy(res_);
      conn_.total_changed_ += conn_.changed_;
    } else {
      status_ = ErrorOf(res_, conn_.conn_, "\"" + what_ + "\"");
    }
    while (PGresult* more = PQgetResult(conn_.conn_)) PQclear(more);
    conn_.reading_ = false;
    done_ = true;
    return false;
  }

  const Status& status() const override { return status_; }
  int64_t Int(int col) const override {
    const char* v = PQgetvalue(res_, 0, col);
    int64_t out = 0;
    std::from_chars(v, v + PQgetlength(res_, 0, col), out);
    return out;
  }
  std::string Str(int col) const override { return std::string(View(col)); }
  std::string_view View(int col) const override {
    return std::string_view(PQgetvalue(res_, 0, col), PQgetlength(res_, 0, col));
  }
  bool IsNull(int col) const override { return PQgetisnull(res_, 0, col); }
  int Columns() const override { return res_ ? PQnfields(res_) : 0; }

 private:
  Conn& conn_;
  PGresult* res_ = nullptr;
  Status status_;
  bool done_ = false;
  std::string what_;
};

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& url) {
  // Vigie's defaults first: the URL's own settings, expanded from dbname, come after and win.
  const char* keys[] = {"connect_timeout",  "keepalives",
                        "keepalives_idle",  "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout",
                        "application_name", "client_encoding",
                        "dbname",           nullptr};
  const char* values[] = {"3", "1", "10", "5", "3", "10000", "vigie", "UTF8", url.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!c) return Status::Unavailable("cannot connect to the database: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string why = OneLine(PQerrorMessage(c));
    PQfinish(c);
    return Status::Unavailable("the database is unreachable (" + Redacted(url) + ": " + why + ")");
  }
  std::unique_ptr<Conn> conn(new Conn(c));
  VIGIE_RETURN_IF_ERROR(
      conn->Exec("SET lock_timeout = '2s'; SET idle_in_transaction_session_timeout = '30s'"));
  return conn;
}

Conn::~Conn() { PQfinish(conn_); }

Result<std::string> Conn::Prepared(const std::string& sql, int params) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
  if (prepared_.size() >= kMaxPrepared) return std::string();
  std::string name = "vigie_" + std::to_string(prepared_.size() + 1);
  PGresult* res = PQprepare(conn_, name.c_str(), sql.c_str(), params, nullptr);
  const bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
  Status st = ok ? Status::Ok() : ErrorOf(res, conn_, "prepare \"" + sql.substr(0, 60) + "\"");
  PQclear(res);
  if (!ok) return st;
  prepared_.emplace(sql, name);
  return name;
}

Status Conn::Exec(std::string_view sql) {
  if (reading_) return Status::Internal("a statement started while another one's rows were read");
  const std::string text(sql);
  PGresult* res = PQexec(conn_, text.c_str());
  const ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  Status st = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK
                  ? Status::Ok()
                  : ErrorOf(res, conn_, "\"" + text.substr(0, 60) + "\"");
  PQclear(res);
  return st;
}

std::unique_ptr<sql::Rows> Conn::Start(std::string_view sql, std::span<const sql::Value> args) {
  return std::make_unique<PgRows>(*this, sql, args);
}

Result<bool> Conn::AwaitNotification(std::chrono::milliseconds timeout) {
  bool got = false;
  const auto take = [&] {
    if (!PQconsumeInput(conn_) || Broken()) {
      return ErrorOf(nullptr, conn_, "listening");
    }
    while (PGnotify* n = PQnotifies(conn_)) {
      got = true;
      PQfreemem(n);
    }
    return Status::Ok();
  };
  VIGIE_RETURN_IF_ERROR(take());  // what arrived while nobody waited
  if (got) return true;
  pollfd p{PQsocket(conn_), POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) {
    return Status::Unavailable("waiting for the database failed: errno " + std::to_string(errno));
  }
  if (ready > 0) VIGIE_RETURN_IF_ERROR(take());
  return got;
}

}  // namespace vigie::pg

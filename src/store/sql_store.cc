#include "store/sql_store.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "core/files.h"
#include "store/sql_dump.h"
#include "store/sql_tx.h"
#include "store/tables.h"

namespace vigie {

namespace {

using sql::Stmt;

constexpr std::string_view kUserColumns =
    "SELECT id, name, role, password_hash, disabled, created_at, password_changed_at FROM users";
constexpr std::string_view kTokenColumns =
    "SELECT id, name, token_hash, role, created_by, created_at, revoked_at, last_used_at "
    "FROM api_tokens";

User ReadUser(const Stmt& st) {
  return User{st.Int(0),          st.Str(1),      ParseRole(st.Str(2)).value_or(Role::kEditor),
              st.Str(3),          st.Int(4) != 0, FromUnix(st.Int(5)),
              FromUnix(st.Int(6))};
}

ApiToken ReadToken(const Stmt& st) {
  ApiToken t{
      st.Int(0), st.Str(1),           st.Str(2),    ParseRole(st.Str(3)).value_or(Role::kEditor),
      st.Str(4), FromUnix(st.Int(5)), std::nullopt, std::nullopt};
  if (auto r = st.OptInt(6)) t.revoked_at = FromUnix(*r);
  if (auto u = st.OptInt(7)) t.last_used_at = FromUnix(*u);
  return t;
}

// A new generation of the store: 16 random hex digits.
std::string NewGeneration() {
  std::random_device random;
  std::string out;
  for (int i = 0; i < 4; ++i) {
    char part[5];
    std::snprintf(part, sizeof part, "%04x", static_cast<unsigned>(random() & 0xffff));
    out += part;
  }
  return out;
}

}  // namespace

Status SqlStore::Write(const std::function<Status(StoreTx&)>& fn) {
  return Transact(Access::kWrite, [&](sql::Connection& conn) {
    SqlTx tx(conn, changes_kept_, AnnounceSql());
    return fn(tx);
  });
}

Status SqlStore::WriteBookkeeping(const std::function<Status(StoreTx&)>& fn) {
  return Transact(Access::kBookkeeping, [&](sql::Connection& conn) {
    SqlTx tx(conn, changes_kept_, "");
    return fn(tx);
  });
}

Status SqlStore::Read(const std::function<Status(StoreTx&)>& fn) {
  return Transact(Access::kRead, [&](sql::Connection& conn) {
    SqlTx tx(conn, changes_kept_, "");
    return fn(tx);
  });
}

template <typename T>
Result<T> SqlStore::ReadOne(Access access, const std::function<Result<T>(sql::Connection&)>& fn) {
  std::optional<Result<T>> out;
  Status st = Transact(access, [&](sql::Connection& conn) {
    out.emplace(fn(conn));
    return out->status();
  });
  if (!st.ok()) return st;
  return std::move(*out);
}

Result<Model> SqlStore::Load() {
  // A read transaction: one consistent view across all the SELECTs.
  return ReadOne<Model>(
      Access::kRead, [&](sql::Connection& conn) { return SqlTx(conn, changes_kept_, "").Load(); });
}

Result<bool> SqlStore::Empty() {
  return ReadOne<bool>(Access::kOne, [](sql::Connection& conn) -> Result<bool> {
    Result<int64_t> n =
        Stmt(conn, "SELECT count(*) FROM (SELECT 1 FROM platforms LIMIT 1) AS p").OneInt();
    if (!n.ok()) return n.status();
    return *n == 0;
  });
}

Result<std::optional<User>> SqlStore::OneUser(std::string_view where, sql::Value value) {
  return ReadOne<std::optional<User>>(
      Access::kOne, [&](sql::Connection& conn) -> Result<std::optional<User>> {
        Stmt st(conn, std::string(kUserColumns) + " WHERE " + std::string(where), value);
        std::optional<User> out;
        if (st.Step()) out = ReadUser(st);
        VIGIE_RETURN_IF_ERROR(st.Run());
        return out;
      });
}

Result<std::optional<User>> SqlStore::FindUser(std::string_view name) {
  // Names compare case-insensitively (a unique index on lower(name) in every backend).
  return OneUser("lower(name) = lower(CAST(? AS TEXT))", name);
}

Result<std::optional<User>> SqlStore::FindUserById(int64_t id) { return OneUser("id = ?", id); }

Result<std::vector<User>> SqlStore::ListUsers() {
  return ReadOne<std::vector<User>>(
      Access::kOne, [&](sql::Connection& conn) -> Result<std::vector<User>> {
        Stmt st(conn, std::string(kUserColumns) + " ORDER BY lower(name), id");
        std::vector<User> out;
        while (st.Step()) out.push_back(ReadUser(st));
        VIGIE_RETURN_IF_ERROR(st.status());
        return out;
      });
}

Result<std::optional<Session>> SqlStore::FindSession(std::string_view id_hash) {
  return ReadOne<std::optional<Session>>(
      Access::kOne, [&](sql::Connection& conn) -> Result<std::optional<Session>> {
        Stmt st(conn,
                "SELECT id_hash, user_id, csrf, created_at, last_seen_at FROM sessions "
                "WHERE id_hash=?",
                id_hash);
        std::optional<Session> out;
        if (st.Step()) {
          out = Session{st.Str(0), st.Int(1), st.Str(2), FromUnix(st.Int(3)), FromUnix(st.Int(4))};
        }
        VIGIE_RETURN_IF_ERROR(st.Run());
        return out;
      });
}

Result<std::optional<ApiToken>> SqlStore::FindToken(std::string_view token_hash) {
  return ReadOne<std::optional<ApiToken>>(
      Access::kOne, [&](sql::Connection& conn) -> Result<std::optional<ApiToken>> {
        Stmt st(conn, std::string(kTokenColumns) + " WHERE token_hash=?", token_hash);
        std::optional<ApiToken> out;
        if (st.Step()) out = ReadToken(st);
        VIGIE_RETURN_IF_ERROR(st.Run());
        return out;
      });
}

Result<std::vector<ApiToken>> SqlStore::ListTokens() {
  return ReadOne<std::vector<ApiToken>>(
      Access::kOne, [&](sql::Connection& conn) -> Result<std::vector<ApiToken>> {
        Stmt st(conn, std::string(kTokenColumns) + " ORDER BY id DESC");
        std::vector<ApiToken> out;
        while (st.Step()) out.push_back(ReadToken(st));
        VIGIE_RETURN_IF_ERROR(st.status());
        return out;
      });
}

Result<std::vector<AuditEntry>> SqlStore::ListAudit(const AuditFilter& f) {
  return ReadOne<std::vector<AuditEntry>>(
      Access::kOne, [&](sql::Connection& conn) -> Result<std::vector<AuditEntry>> {
        Stmt st(conn,
                "SELECT id, at, actor, action, detail FROM audit "
                "WHERE (CAST(?1 AS TEXT) = '' OR actor = ?1) "
                "AND (CAST(?2 AS TEXT) = '' OR substr(action, 1, length(?2)) = ?2) "
                "AND (CAST(?3 AS BIGINT) = 0 OR id < ?3) ORDER BY id DESC LIMIT ?4",
                f.actor, f.action, f.before_id, std::max(1, std::min(f.limit, 1000)));
        std::vector<AuditEntry> out;
        while (st.Step()) {
          out.push_back({st.Int(0), FromUnix(st.Int(1)), st.Str(2), st.Str(3), st.Str(4)});
        }
        VIGIE_RETURN_IF_ERROR(st.status());
        return out;
      });
}

Result<std::string> SqlStore::Export() {
  return ReadOne<std::string>(Access::kRead,
                              [](sql::Connection& conn) { return dump::Write(conn); });
}

Status SqlStore::Import(std::string_view dump) { return LoadDump(dump, /*replace=*/false); }

Status SqlStore::Replace(std::string_view dump) { return LoadDump(dump, /*replace=*/true); }

Status SqlStore::LoadDump(std::string_view text, bool replace) {
  return Transact(Access::kWrite, [&](sql::Connection& conn) -> Status {
    if (replace) {
      // Children first; sessions and the changes log go too (a new generation starts below).
      for (std::string_view t : {"sessions", "change_events", "changes", "dirty_events"}) {
        VIGIE_RETURN_IF_ERROR(Stmt(conn, "DELETE FROM " + std::string(t)).Run());
      }
      for (auto t = tables::kDumped.rbegin(); t != tables::kDumped.rend(); ++t) {
        VIGIE_RETURN_IF_ERROR(Stmt(conn, "DELETE FROM " + std::string(t->name)).Run());
      }
    } else {
      Result<int64_t> held =
          Stmt(conn, "SELECT (SELECT count(*) FROM platforms) + (SELECT count(*) FROM events)")
              .OneInt();
      if (!held.ok()) return held.status();
      if (*held != 0) {
        return Status::Conflict("the database is not empty: import a dump into a new one");
      }
    }
    VIGIE_RETURN_IF_ERROR(dump::Read(text, conn));
    VIGIE_RETURN_IF_ERROR(AfterImport(conn));
    SqlTx tx(conn, changes_kept_, AnnounceSql());
    if (replace) VIGIE_RETURN_IF_ERROR(tx.SetMeta(kGenerationKey, NewGeneration()));
    // One entry of the changes log names every imported event, so a node already running on
    // this store reads them (after a replace, the new generation makes it read everything).
    return tx
        .LogChange(
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()))
        .status();
  });
}

Status SqlStore::Backup(const std::string& path) {
  Result<std::string> dump = Export();
  if (!dump.ok()) return dump.status();
  return WriteFileAtomically(path, {*dump});
}

}  // namespace vigie

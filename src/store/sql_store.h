// What every SQL backend of the Store shares: the model's reads and writes (SqlTx), the
// operators' reads, and the dump (`vigie export` / `import dump`, one format for every
// backend: tables.h). A backend says how to get a connection in a transaction (Transact),
// and keeps its own migrations, pings and bookkeeping.
#pragma once

#include <functional>
#include <string_view>

#include "store/sql.h"
#include "store/store.h"

namespace vigie {

class SqlStore : public Store {
 public:
  Status Write(const std::function<Status(StoreTx&)>& fn) override;
  Status WriteBookkeeping(const std::function<Status(StoreTx&)>& fn) override;
  Status Read(const std::function<Status(StoreTx&)>& fn) override;
  Result<Model> Load() override;
  Result<bool> Empty() override;
  Result<std::string> Export() override;
  Status Import(std::string_view dump) override;
  Status Replace(std::string_view dump) override;
  // The dump, written to `path` atomically.
  Status Backup(const std::string& path) override;

  Result<std::optional<User>> FindUser(std::string_view name) override;
  Result<std::optional<User>> FindUserById(int64_t id) override;
  Result<std::vector<User>> ListUsers() override;
  Result<std::optional<Session>> FindSession(std::string_view id_hash) override;
  Result<std::optional<ApiToken>> FindToken(std::string_view token_hash) override;
  Result<std::vector<ApiToken>> ListTokens() override;
  Result<std::vector<AuditEntry>> ListAudit(const AuditFilter& filter) override;

 protected:
  enum class Access {
    kWrite,  // a transaction that may write: writes of the whole store are serialized
    // A write of bookkeeping (which deliveries are made): durable across a crash of the
    // process, not across a power cut, where losing it only repeats work.
    kBookkeeping,
    kRead,  // a read-only transaction: one consistent view across its statements
    kOne,   // one statement that only reads: no transaction needed
  };
  explicit SqlStore(int64_t changes_kept) : changes_kept_(changes_kept) {}

  // Runs fn on a connection inside a transaction of `access`, which commits when fn returns
  // ok and rolls back otherwise. Thread-safe; answers Unavailable rather than wait long.
  virtual Status Transact(Access access, const std::function<Status(sql::Connection&)>& fn) = 0;
  // A statement run in each write after its changes-log entry, with its seq as its one
  // parameter, telling other nodes at once ("" when they look for themselves).
  virtual std::string_view AnnounceSql() const { return ""; }
  // Run at the end of an import, in its transaction (PostgreSQL moves its id sequences past
  // the imported ids).
  virtual Status AfterImport(sql::Connection&) { return Status::Ok(); }

 private:
  template <typename T>
  Result<T> ReadOne(Access access, const std::function<Result<T>(sql::Connection&)>& fn);
  Result<std::optional<User>> OneUser(std::string_view where, sql::Value value);
  // Import (into an empty store) or Replace.
  Status LoadDump(std::string_view dump, bool replace);

  const int64_t changes_kept_;
};

}  // namespace vigie

// The backends OpenStore (open_store.cc) chooses between; nothing else opens them directly.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace vigie {

// A SQLite file at `path` (sqlite_store.cc).
Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const StoreOptions& options);
// A PostgreSQL database at `url`, a libpq URI (pg_store.cc).
Result<std::unique_ptr<Store>> OpenPostgres(const std::string& url, const StoreOptions& options);

}  // namespace vigie

// Which store a URL names: the one place that knows the kinds of store.
#include <filesystem>

#include "store/backends.h"
#include "store/pg_db.h"
#include "store/store.h"

namespace vigie {

namespace {

constexpr std::string_view kSqlite = "sqlite:";

bool IsPostgres(std::string_view url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

}  // namespace

std::string StoreName(const std::string& url, const StoreOptions& options) {
  if (url.empty()) {
    return std::string(kSqlite) + (std::filesystem::path(options.data_dir) / "vigie.db").string();
  }
  return IsPostgres(url) ? pg::Redacted(url) : url;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options) {
  const std::string name = url.empty() ? StoreName(url, options) : url;
  if (name.rfind(kSqlite, 0) == 0) return OpenSqlite(name.substr(kSqlite.size()), options);
  if (IsPostgres(name)) return OpenPostgres(name, options);
  return Status::Invalid("storage.url \"" + url +
                         "\" is not a kind of store this build knows: use sqlite:PATH, "
                         "postgresql://USER@HOST:PORT/DATABASE, or leave it unset for the data "
                         "directory's vigie.db");
}

}  // namespace vigie

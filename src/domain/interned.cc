#include "domain/interned.h"

#include <mutex>
#include <unordered_set>

namespace vigie {

namespace {
struct Hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
struct Pool {
  std::mutex mu;
  // Node-based: a value's address never changes.
  std::unordered_set<std::string, Hash, std::equal_to<>> names;
};
Pool& ThePool() {
  static Pool* pool = new Pool;  // never destroyed: names may be read until the very end
  return *pool;
}
}  // namespace

const std::string& Interned::Empty() {
  static const std::string* empty = Intern("");
  return *empty;
}

const std::string* Interned::Intern(std::string_view s) {
  // Rows come in runs of the same region and platform: the last few names found are asked of
  // this thread's memory first, without the lock.
  thread_local const std::string* recent[4] = {};
  thread_local unsigned next = 0;
  for (const std::string* r : recent) {
    if (r && *r == s) return r;
  }
  Pool& pool = ThePool();
  const std::string* found;
  {
    std::lock_guard lock(pool.mu);
    auto it = pool.names.find(s);
    if (it == pool.names.end()) it = pool.names.emplace(s).first;
    found = &*it;
  }
  recent[next++ % 4] = found;
  return found;
}

}  // namespace vigie

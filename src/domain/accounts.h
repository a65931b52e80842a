// Operators and machines that may change the site: users (with server-side sessions) and API
// tokens. Plain values; secrets are only ever stored hashed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace vigie {

// editor: levels, events, messages. admin: everything, users and catalog included.
enum class Role { kEditor, kAdmin };
std::string_view RoleId(Role r);  // "editor", "admin"
std::optional<Role> ParseRole(std::string_view id);

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::kEditor;
  std::string password_hash;  // argon2id, libsodium's crypto_pwhash_str format
  bool disabled = false;
  Time created_at{}, password_changed_at{};
};

struct Session {
  std::string id_hash;  // BLAKE2b of the random id the browser holds
  int64_t user_id = 0;
  std::string csrf;  // the token every form of this session carries
  Time created_at{}, last_seen_at{};
};

struct ApiToken {
  int64_t id = 0;
  std::string name;
  std::string token_hash;  // BLAKE2b of the token, which is shown once
  Role role = Role::kEditor;
  std::string created_by;
  Time created_at{};
  std::optional<Time> revoked_at, last_used_at;
};

struct AuditEntry {
  int64_t id = 0;
  Time at{};
  std::string actor, action, detail;
};

struct AuditFilter {
  std::string actor;   // exact, or empty for all
  std::string action;  // prefix ("event."), or empty for all
  int limit = 100;
  int64_t before_id = 0;  // 0: the newest
};

}  // namespace vigie

// The secrets of the back-office: argon2id passwords, random session ids, CSRF and API
// tokens (stored only as BLAKE2b hashes), constant-time comparison, and login throttling.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace vigie {

// argon2id (libsodium's interactive limits: about 64 MiB and 0.1 s each). Invalid when the
// password is shorter than 12 characters.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);
// Spends the time a verification takes, for unknown users (same answer, same delay).
void VerifyNothing(std::string_view password);

// `bytes` random bytes as base64url without padding (32 bytes: 256 bits).
std::string RandomToken(size_t bytes = 32);
// BLAKE2b-256 hex of a high-entropy secret (session id, API token): what the database keeps.
std::string HashSecret(std::string_view secret);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Refuses logins after repeated failures, per account and per address. Thread-safe; bounded.
class LoginThrottle {
 public:
  struct Options {
    int max_failures = 5;                         // failures of one account in the window
    int max_failures_per_address = 20;            // from one address (offices share one)
    std::chrono::seconds window{15 * 60};         // the window they are counted in
    std::chrono::seconds lockout{15 * 60};        // how long a key stays locked
  };
  LoginThrottle() : LoginThrottle(Options{}) {}
  explicit LoginThrottle(Options o) : options_(o) {}

  // False while the account or the address is locked out.
  bool Allowed(std::string_view account, std::string_view address, Time now);
  void Failed(std::string_view account, std::string_view address, Time now);
  void Succeeded(std::string_view account);

 private:
  struct Entry {
    int failures = 0;
    Time first{}, locked_until{};
  };
  bool Locked(const std::string& key, Time now);
  void Fail(const std::string& key, int max_failures, Time now);

  Options options_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace vigie

// The secrets of the back-office: argon2id passwords, random session ids, CSRF and API
// tokens (stored only as BLAKE2b hashes), constant-time comparison, and login throttling.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
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

// Slows and refuses password guessing without letting strangers lock operators out.
// Thread-safe; bounded in memory.
//  - One account from one address: after `free_failures`, each failure makes that pair wait
//    twice as long as the one before (first_delay, doubling, at most max_delay).
//  - One address, all accounts: `max_failures_per_address` in the window lock it out.
//  - One account, all addresses: `max_failures_per_account` in the window lock it out, but
//    not from an address it has signed in from before (kept until the process restarts), so
//    that failures from elsewhere never keep a known operator out during an incident.
class LoginThrottle {
 public:
  struct Options {
    int free_failures = 3;                 // per (account, address), before delays
    std::chrono::seconds first_delay{30};  // then 30 s, 60 s, 2 min, ...
    std::chrono::seconds max_delay{15 * 60};
    int max_failures_per_address = 20;      // offices share an address
    int max_failures_per_account = 10;      // from addresses the account never used
    std::chrono::seconds window{15 * 60};   // failures are counted in this window
    std::chrono::seconds lockout{15 * 60};  // how long an address or account is locked
  };
  LoginThrottle() : LoginThrottle(Options{}) {}
  explicit LoginThrottle(Options o) : options_(o) {}

  // False while this account may not be tried from this address.
  bool Allowed(std::string_view account, std::string_view address, Time now);
  void Failed(std::string_view account, std::string_view address, Time now);
  // Clears the pair's failures and remembers the address as one the account uses.
  void Succeeded(std::string_view account, std::string_view address);

 private:
  struct Entry {
    int failures = 0;
    Time first{}, locked_until{};
  };
  bool Locked(const std::string& key, Time now) const;
  // Counts a failure of `key`; returns it.
  Entry& Count(const std::string& key, Time now);

  Options options_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::set<std::string> known_;  // "account|address" that signed in
};

}  // namespace vigie

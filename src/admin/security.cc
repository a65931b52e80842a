#include "admin/security.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace vigie {

Result<std::string> HashPassword(std::string_view password) {
  if (password.size() < 12) return Status::Invalid("a password needs at least 12 characters");
  if (password.size() > 1024) return Status::Invalid("a password is at most 1024 characters");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Unavailable("not enough memory to hash the password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  char stored[crypto_pwhash_STRBYTES] = {};
  std::copy(hash.begin(), hash.end(), stored);
  return crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

void VerifyNothing(std::string_view password) {
  static const std::string dummy = [] {
    char out[crypto_pwhash_STRBYTES];
    const char kText[] = "not a real password, only for timing";
    if (crypto_pwhash_str(out, kText, sizeof kText - 1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      return std::string();
    }
    return std::string(out);
  }();
  (void)VerifyPassword(dummy, password);
}

std::string RandomToken(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string HashSecret(std::string_view secret) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}
}  // namespace

bool LoginThrottle::Locked(const std::string& key, Time now) const {
  auto it = entries_.find(key);
  return it != entries_.end() && it->second.locked_until > now;
}

LoginThrottle::Entry& LoginThrottle::Count(const std::string& key, Time now) {
  Entry& e = entries_[key];
  if (now - e.first > options_.window && e.locked_until <= now) e = Entry{0, now, {}};
  ++e.failures;
  return e;
}

bool LoginThrottle::Allowed(std::string_view account, std::string_view address, Time now) {
  const std::string a = Lower(account), pair = a + "|" + std::string(address);
  std::lock_guard lock(mu_);
  if (Locked("p:" + pair, now) || Locked("a:" + std::string(address), now)) return false;
  return known_.count(pair) || !Locked("u:" + a, now);
}

void LoginThrottle::Failed(std::string_view account, std::string_view address, Time now) {
  const std::string a = Lower(account), pair = a + "|" + std::string(address);
  std::lock_guard lock(mu_);
  if (entries_.size() > 100'000) {  // bounded: forget what is neither locked nor recent
    for (auto it = entries_.begin(); it != entries_.end();) {
      const bool stale = it->second.locked_until <= now && now - it->second.first > options_.window;
      it = stale ? entries_.erase(it) : std::next(it);
    }
  }
  if (Entry& e = Count("p:" + pair, now); e.failures > options_.free_failures) {
    auto delay = options_.first_delay;
    for (int i = e.failures - options_.free_failures; i > 1 && delay < options_.max_delay; --i)
      delay *= 2;
    e.locked_until = now + std::min(delay, options_.max_delay);
  }
  if (Entry& e = Count("a:" + std::string(address), now);
      e.failures >= options_.max_failures_per_address) {
    e.locked_until = now + options_.lockout;
  }
  if (Entry& e = Count("u:" + a, now); e.failures >= options_.max_failures_per_account) {
    e.locked_until = now + options_.lockout;
  }
}

void LoginThrottle::Succeeded(std::string_view account, std::string_view address) {
  const std::string pair = Lower(account) + "|" + std::string(address);
  std::lock_guard lock(mu_);
  entries_.erase("p:" + pair);
  if (known_.size() < 100'000) known_.insert(pair);
}

}  // namespace vigie

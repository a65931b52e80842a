#include "notify/links.h"

#include <sodium.h>

#include <charconv>
#include <vector>

namespace vigie {

namespace {

constexpr std::string_view kLinkKeyMeta = "link_key";

std::string Base64Url(const unsigned char* data, size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::optional<int64_t> Number(std::string_view s) {
  int64_t v = 0;
  if (s.empty() || s.size() > 18) return std::nullopt;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// What a subscriber's links are bound to: a new subscription of the same address (after an
// unsubscribe) gets a new id and time, so old links do not open it.
std::string Binding(const Subscriber& s) {
  std::string key;
  for (unsigned char c : s.email) key.push_back(static_cast<char>(std::tolower(c)));
  return key + "|" + s.region + "|" + std::to_string(ToUnix(s.created_at));
}

}  // namespace

std::string LinkSigner::Mac(std::string_view payload) const {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key_.data()),
                              key_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(payload.data()),
                                payload.size());
  crypto_auth_hmacsha256_final(&st, out);
  return Base64Url(out, 24);  // 192 bits are plenty for a link
}

std::string LinkSigner::Confirm(const Subscriber& s, Time expires) const {
  const std::string claim = "c." + std::to_string(s.id) + "." + std::to_string(ToUnix(expires));
  return claim + "." + Mac(claim + "|" + Binding(s));
}

std::string LinkSigner::Manage(const Subscriber& s) const {
  const std::string claim = "m." + std::to_string(s.id);
  return claim + "." + Mac(claim + "|" + Binding(s));
}

Result<LinkSigner::Claim> LinkSigner::Parse(std::string_view token) {
  const std::vector<std::string_view> parts = Split(token, '.');
  const Status bad =
      Status::Invalid("this link is not valid: copy the whole address from the mail");
  if (token.size() > 200 || parts.size() < 3) return bad;
  Claim c;
  if (parts[0] == "c" && parts.size() == 4) {
    c.purpose = Purpose::kConfirm;
    const std::optional<int64_t> exp = Number(parts[2]);
    if (!exp) return bad;
    c.expires = FromUnix(*exp);
  } else if (parts[0] == "m" && parts.size() == 3) {
    c.purpose = Purpose::kManage;
  } else {
    return bad;
  }
  const std::optional<int64_t> id = Number(parts[1]);
  if (!id || *id == 0) return bad;
  c.subscriber_id = *id;
  return c;
}

Status LinkSigner::Verify(std::string_view token, const Subscriber& s, Time now) const {
  Result<Claim> c = Parse(token);
  if (!c.ok()) return Status::PermissionDenied(c.status().message());
  const size_t cut = token.rfind('.');
  const std::string_view claim = token.substr(0, cut);
  const std::string expected = Mac(std::string(claim) + "|" + Binding(s));
  const std::string_view mac = token.substr(cut + 1);
  if (c->subscriber_id != s.id || mac.size() != expected.size() ||
      sodium_memcmp(mac.data(), expected.data(), mac.size()) != 0) {
    return Status::PermissionDenied(
        "this link is not valid (or the subscription it was for has ended)");
  }
  if (c->purpose == Purpose::kConfirm && now > c->expires) {
    return Status::PermissionDenied("this confirmation link has expired: subscribe again");
  }
  return Status::Ok();
}

std::string LinkSigner::FormToken(Time now) const {
  const std::string claim = "f." + std::to_string(ToUnix(now));
  return claim + "." + Mac(claim);
}

bool LinkSigner::CheckFormToken(std::string_view token, Time now,
                                std::chrono::seconds min_age) const {
  const std::vector<std::string_view> parts = Split(token, '.');
  if (token.size() > 100 || parts.size() != 3 || parts[0] != "f") return false;
  const std::optional<int64_t> at = Number(parts[1]);
  if (!at) return false;
  const std::string expected = Mac("f." + std::string(parts[1]));
  if (parts[2].size() != expected.size() ||
      sodium_memcmp(parts[2].data(), expected.data(), expected.size()) != 0) {
    return false;
  }
  const auto age = now - FromUnix(*at);
  return age >= min_age && age <= std::chrono::hours(2);
}

Result<std::string> LoadLinkKey(Store& store) {
  std::string key;
  VIGIE_RETURN_IF_ERROR(store.Write([&](StoreTx& tx) -> Status {
    Result<std::string> stored = tx.GetMeta(kLinkKeyMeta);
    if (!stored.ok()) return stored.status();
    if (!stored->empty()) {
      key = *stored;
      return Status::Ok();
    }
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    key = Base64Url(raw, sizeof raw);
    return tx.SetMeta(kLinkKeyMeta, key);
  }));
  return key;
}

}  // namespace vigie

#include "notify/webhook.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <sodium.h>
#include <sys/socket.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "notify/smtp.h"

namespace vigie {

namespace {

void InitLibraries() {
  CurlGlobalInit();
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no source of randomness: nothing safe to do
  });
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

bool V4NonPublic(const unsigned char a[4]) {
  const auto in = [&](uint32_t net, int bits) {
    const uint32_t x =
        (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8) | a[3];
    const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (x & mask) == (net & mask);
  };
  return in(0x00000000, 8) ||   // "this" network
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10, shared (carrier NAT)
         in(0x7F000000, 8) ||   // loopback
         in(0xA9FE0000, 16) ||  // 169.254/16, link-local (cloud metadata)
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24, protocol assignments
         in(0xC0000200, 24) ||  // 192.0.2/24, documentation
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15, benchmarking
         in(0xC6336400, 24) ||  // 198.51.100/24, documentation
         in(0xCB007100, 24) ||  // 203.0.113/24, documentation
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved, broadcast
}

bool V6NonPublic(const unsigned char a[16]) {
  // IPv4-mapped (::ffff:0:0/96) and NAT64's well-known prefix (64:ff9b::/96): the IPv4
  // address inside decides.
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(a, kMapped, 12) == 0 || std::memcmp(a, kNat64, 12) == 0) {
    return V4NonPublic(a + 12);
  }
  // Only global unicast (2000::/3) is public; everything else (loopback, unspecified, unique
  // local, link-local, multicast, local-use NAT64 64:ff9b:1::/48, discard 100::/64) is not.
  if ((a[0] & 0xe0) != 0x20) return true;
  // Within it, the special ranges: Teredo and ORCHID (2001::/23 holds both, and the IETF's
  // assignments), documentation (2001:db8::/32, 3fff::/20), 6to4 (2002::/16: any IPv4 inside).
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] < 0x02) return true;
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return true;
  if (a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xf0) == 0) return true;
  if (a[0] == 0x20 && a[1] == 0x02) return true;
  return false;
}

// What the open-socket callback refused (the first address, for the log).
struct Refused {
  bool allow_private;
  std::string address;
};

curl_socket_t OpenSocket(void* user, curlsocktype, curl_sockaddr* a) {
  auto* refused = static_cast<Refused*>(user);
  char text[INET6_ADDRSTRLEN] = "";
  const void* where = nullptr;
  if (a->family == AF_INET) where = &reinterpret_cast<const sockaddr_in*>(&a->addr)->sin_addr;
  if (a->family == AF_INET6) where = &reinterpret_cast<const sockaddr_in6*>(&a->addr)->sin6_addr;
  if (!where || !inet_ntop(a->family, where, text, sizeof text)) return CURL_SOCKET_BAD;
  if (!refused->allow_private && NonPublicAddress(text)) {
    if (refused->address.empty()) refused->address = text;
    return CURL_SOCKET_BAD;
  }
  return socket(a->family, a->socktype, a->protocol);
}

struct Parsed {
  std::string scheme, host, port;
};

Result<Parsed> ParseUrl(std::string_view url) {
  if (url.size() > 2000)
    return Status::Invalid("this address is too long (2,000 characters at most)");
  CURLU* u = curl_url();
  const std::string text(url);
  Parsed out;
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, text.c_str(), 0);
  bool credentials = false;
  if (rc == CURLUE_OK) {
    const auto get = [&](CURLUPart part, std::string& into, unsigned flags = 0) {
      char* v = nullptr;
      if (curl_url_get(u, part, &v, flags) == CURLUE_OK && v) into = v;
      curl_free(v);
    };
    get(CURLUPART_SCHEME, out.scheme);
    get(CURLUPART_HOST, out.host);
    get(CURLUPART_PORT, out.port, CURLU_DEFAULT_PORT);
    std::string user, password;
    get(CURLUPART_USER, user);
    get(CURLUPART_PASSWORD, password);
    credentials = !user.empty() || !password.empty();
  }
  curl_url_cleanup(u);
  if (rc != CURLUE_OK || (out.scheme != "http" && out.scheme != "https") || out.host.empty()) {
    return Status::Invalid("not a web address: expected https://host/path");
  }
  if (credentials) return Status::Invalid("a web address with a user or password is not taken");
  // [::1] → ::1
  if (out.host.size() > 2 && out.host.front() == '[')
    out.host = out.host.substr(1, out.host.size() - 2);
  return out;
}

}  // namespace

bool NonPublicAddress(std::string_view address) {
  const std::string text(address);
  unsigned char buf[16];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return V4NonPublic(buf);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return V6NonPublic(buf);
  return true;  // not an address: never taken for a public one
}

Status CheckEndpointUrl(std::string_view url, bool allow_private) {
  InitLibraries();
  Result<Parsed> p = ParseUrl(url);
  if (!p.ok()) return p.status();
  if (allow_private) return Status::Ok();
  // In clear, a Slack or Teams URL (a credential) and the signed bodies could be read on the way.
  if (p->scheme != "https") return Status::Invalid("only https:// endpoints are taken");
  unsigned char buf[16];
  const bool literal = inet_pton(AF_INET, p->host.c_str(), buf) == 1 ||
                       inet_pton(AF_INET6, p->host.c_str(), buf) == 1;
  std::string host = p->host;
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if ((literal && NonPublicAddress(p->host)) || host == "localhost" ||
      (host.size() > 10 && host.ends_with(".localhost"))) {
    return Status::Invalid("this address is on a private network: it cannot be reached from here");
  }
  return Status::Ok();
}

std::string WebhookSignature(std::string_view secret, Time at, std::string_view body) {
  const std::string t = std::to_string(ToUnix(at));
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(t.data()), t.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>("."), 1);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return "t=" + t + ",v1=" + Hex(mac, sizeof mac);
}

std::string NewWebhookSecret() {
  InitLibraries();
  std::array<unsigned char, 32> key;
  randombytes_buf(key.data(), key.size());
  return Hex(key.data(), key.size());
}

struct WebhookClient::Curl {
  CURL* easy = nullptr;
  ~Curl() {
    if (easy) curl_easy_cleanup(easy);
  }
};

WebhookClient::WebhookClient(WebhookOptions options)
    : options_(std::move(options)), curl_(std::make_unique<Curl>()) {
  InitLibraries();
}

WebhookClient::~WebhookClient() = default;

Status WebhookClient::Post(const std::string& url, const std::string& body,
                           const std::vector<std::string>& headers) {
  if (Status st = CheckEndpointUrl(url, options_.allow_private); !st.ok()) {
    return Status::Unavailable(st.message());
  }
  if (!curl_->easy) curl_->easy = curl_easy_init();
  CURL* c = curl_->easy;
  if (!c) return Status::Unavailable("libcurl could not start");
  curl_easy_reset(c);
  Refused refused{options_.allow_private, {}};
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  // Every address curl connects to is checked as it opens the socket: whatever the name
  // resolves to then (an IDN, a DNS answer that changed since the form), it is that address.
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &refused);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never through a proxy of the environment
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout.count()));
  const CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);  // the buffer goes with this frame
  curl_slist_free_all(list);
  if (!refused.address.empty()) {
    curl_easy_cleanup(c);
    curl_->easy = nullptr;
    return Status::Unavailable("the endpoint's address " + refused.address +
                               " is on a private network: refused");
  }
  if (rc != CURLE_OK) {
    curl_easy_cleanup(c);
    curl_->easy = nullptr;
    return Status::Unavailable("the endpoint did not answer: " +
                               std::string(error[0] ? error : curl_easy_strerror(rc)));
  }
  if (code < 200 || code > 299) {
    return Status::Unavailable("the endpoint answered HTTP " + std::to_string(code));
  }
  return Status::Ok();
}

}  // namespace vigie

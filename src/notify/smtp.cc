#include "notify/smtp.h"

#include <curl/curl.h>

#include <cstring>
#include <mutex>

namespace vigie {

namespace {

struct Upload {
  const std::string* data;
  size_t at = 0;
};

size_t ReadData(char* out, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t len = std::min(size * n, up->data->size() - up->at);
  std::memcpy(out, up->data->data() + up->at, len);
  up->at += len;
  return len;
}

}  // namespace

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SmtpClient::Curl {
  CURL* easy = nullptr;
  ~Curl() {
    if (easy) curl_easy_cleanup(easy);
  }
};

SmtpClient::SmtpClient(SmtpOptions options)
    : options_(std::move(options)), curl_(std::make_unique<Curl>()) {
  CurlGlobalInit();
}

SmtpClient::~SmtpClient() = default;

Status SmtpClient::Send(const std::string& from, const std::string& to, const std::string& mime) {
  if (!curl_->easy) curl_->easy = curl_easy_init();
  CURL* c = curl_->easy;
  if (!c) return Status::Unavailable("libcurl could not start");
  Upload up{&mime};
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, options_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + from + ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadData);
  curl_easy_setopt(c, CURLOPT_READDATA, &up);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout.count()));
  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(rcpt);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_OK) return Status::Ok();
  const std::string why = "SMTP " + (code ? std::to_string(code) + " " : std::string()) +
                          (error[0] ? error : curl_easy_strerror(rc));
  // A broken connection is not reused.
  curl_easy_cleanup(c);
  curl_->easy = nullptr;
  // Only the recipient refused for good (550 no such mailbox, 551, 553 bad address, at RCPT)
  // ends a delivery; a refusal of the sender, the login or the TLS, or any 4xx, is the
  // server's or the configuration's and passes once they are fixed: it only delays.
  const bool at_rcpt = std::strstr(error, "RCPT") != nullptr;
  if (at_rcpt && code >= 550 && code < 560 && code != 552) {
    return Status::Invalid("recipient refused: " + why);
  }
  return Status::Unavailable(at_rcpt ? "recipient not taken now: " + why : why);
}

std::string SmtpName(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Status CheckSmtpUrl(const std::string& url) {
  CURLU* u = curl_url();
  const CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  char* scheme = nullptr;
  char* host = nullptr;
  if (rc == CURLUE_OK) {
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
  }
  const bool ok = rc == CURLUE_OK && scheme && host &&
                  (std::strcmp(scheme, "smtp") == 0 || std::strcmp(scheme, "smtps") == 0);
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(u);
  if (!ok) {
    return Status::Invalid(
        "not an SMTP URL: expected smtp://host:port or smtps://user:password@host:port");
  }
  return Status::Ok();
}

}  // namespace vigie

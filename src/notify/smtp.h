// Hands mails to an SMTP server with libcurl: smtp:// (STARTTLS whenever the server offers
// it), smtps://, authentication from the URL (smtp://user:password@host:587). One connection
// is kept between mails. Not thread-safe: one per sending thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"

namespace vigie {

struct SmtpOptions {
  std::string url;           // "smtp://127.0.0.1:25", "smtps://user:pw@mail.example.com"
  bool require_tls = false;  // refuse to send in clear (else STARTTLS when offered)
  std::chrono::seconds timeout{30};
};

class SmtpClient {
 public:
  explicit SmtpClient(SmtpOptions options);
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  // Sends `mime` (ComposeMime's) from `from` to `to` (bare addresses). Ok once the server
  // accepted it (250 after the data). Unavailable for what may pass later (no connection, a
  // 4xx, a timeout); Invalid when the server refuses it for good (5xx: an unknown recipient).
  Status Send(const std::string& from, const std::string& to, const std::string& mime);

 private:
  struct Curl;
  SmtpOptions options_;
  std::unique_ptr<Curl> curl_;
};

// libcurl's process-wide set-up, done once whichever client comes first. Thread-safe.
void CurlGlobalInit();

// The URL for logs, with any password written as "***".
std::string SmtpName(const std::string& url);
// Checks an SMTP URL's form (scheme smtp or smtps, a host): Invalid with a sentence otherwise.
Status CheckSmtpUrl(const std::string& url);

}  // namespace vigie

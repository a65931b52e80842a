// Delivers the outbox: for each notice, one delivery per subscriber who follows what it is
// about (written before any mail goes, idempotent), then each delivery handed to the SMTP
// server and marked sent in its own transaction, in the subscriber's language. One sender
// per site: the node holding the clock lease. A crash loses nothing (the notice and its
// deliveries are in the store) and repeats nothing but, at worst, the one mail whose
// acceptance by the server and marking raced the crash; each delivery's Message-ID is the
// same at every attempt, so a mail client shows even that one once. An SMTP or database
// outage delays mail (retries with back-off); it never drops it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "notify/links.h"
#include "notify/smtp.h"
#include "notify/webhook.h"
#include "render/mail_render.h"
#include "snapshot/publisher.h"
#include "store/store.h"

namespace vigie {

// What mails are written with, as the site has it now (a reload may change it).
struct MailAssets {
  const Messages* messages = nullptr;
  const Templates* templates = nullptr;
};

class Sender {
 public:
  struct Options {
    SmtpOptions smtp;
    WebhookOptions webhook;
    int quarantine_after = 10;  // an endpoint's failed attempts in a row before it is stopped
    std::string from;           // "Statut Divalto <status@example.com>"
    std::string reply_to;       // optional
    Text site_name;
    std::chrono::milliseconds every{1000};  // how often it looks at the outbox
    int batch = 200;                        // deliveries read at a time
    int connections = 4;  // SMTP connections (and endpoint posts) at once, each its own thread
    std::chrono::hours confirm_valid{48};
    std::chrono::seconds first_retry{30};  // after a failure that may pass; doubling, at most 1 h
    // A notice about an event or message this node's snapshot does not show yet waits this
    // long for it (another node wrote it); after that, it is dropped with a warning (the
    // event or message was deleted).
    std::chrono::seconds wait_for_model{300};
    // How long before a maintenance starts its subscribers get a reminder (0: none). Only for
    // a maintenance announced before that: otherwise its announcement was the reminder.
    std::chrono::minutes reminder{24 * 60};
    // The clock's notices (a maintenance starting or ending) are written when their instant
    // passed less than this long ago: a site that was down for hours does not tell of a start
    // long past.
    std::chrono::minutes clock_grace{60};
    // A recipient the server keeps putting off (4xx at RCPT: a full mailbox) is given up after
    // this long, as mail servers do; a server that is away is waited for however long.
    std::chrono::hours recipient_patience{5 * 24};
  };
  struct Counts {
    std::atomic<int64_t> sent{0}, retried{0}, failed{0};
    std::atomic<int64_t> pending{0};  // deliveries waiting, counted at most once a second
  };

  Sender(Store& store, const Clock& clock, Publisher& publisher, std::function<MailAssets()> assets,
         std::function<Result<std::shared_ptr<const LinkSigner>>()> signer, Options options);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Starts the sending thread; it sends only while this node holds the clock lease.
  void Start();
  // Finishes the mail in hand and stops. Idempotent.
  void Stop();
  // Looks at the outbox now rather than at the next tick.
  void Wake();

  // One pass: writes the clock's notices, fans out the waiting notices and makes the due
  // deliveries. What the thread runs; tests call it directly.
  Status RunOnce();
  // The clock's notices due at `now` for the maintenances of `m`: a reminder, the start, the
  // end (each written once, whichever node or pass writes it: its dedupe key).
  Status ClockNotices(const Model& m, Time now);
  const Counts& counts() const { return counts_; }

 private:
  void Loop();
  Status FanOut(const Model& m);
  // What one thread sends with: its own SMTP connection and HTTP client.
  struct Lane {
    Lane(const SmtpOptions& smtp, const WebhookOptions& webhook) : smtp(smtp), webhook(webhook) {}
    SmtpClient smtp;
    WebhookClient webhook;
  };
  Status Deliver(const Snapshot& snap);
  // The deliveries lane, lane + lanes, ... of `due`, one after the other.
  Status DeliverLane(const Snapshot& snap, std::vector<Delivery>& due, size_t lane, size_t lanes,
                     const std::unordered_map<int64_t, std::optional<Notice>>& notices,
                     Lane& clients);
  // The delivery of `n` to `s`, sent by mail or to its endpoint: Ok, Unavailable (try later)
  // or Invalid (never).
  Status SendOne(const Snapshot& snap, const Notice& n, const Subscriber& s, Lane& clients);
  // After an attempt to reach an endpoint: its failures in a row counted, and once there are
  // too many, the endpoint quarantined and its owner told by mail.
  Status CountAttempt(const Subscriber& s, bool ok);

  Store& store_;
  const Clock& clock_;
  Publisher& publisher_;
  const std::function<MailAssets()> assets_;
  const std::function<Result<std::shared_ptr<const LinkSigner>>()> signer_;
  const Options options_;
  const std::vector<std::unique_ptr<Lane>> lanes_;
  Counts counts_;

  std::atomic<bool> smtp_trouble_{false};  // said in the log until the server takes mail again
  std::set<std::string> told_;  // the clock's dedupe keys this process wrote or found written
  std::chrono::steady_clock::time_point last_count_{};  // when `pending` was last counted
  // Fanning out: the last subscriber id reached for each notice (the sending thread's).
  static constexpr int kFanPage = 1000, kFanPagesPerPass = 5;
  std::unordered_map<int64_t, int64_t> fan_cursor_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false, woken_ = false;  // guarded by mu_
  std::thread thread_;
};

// The delay before attempt `attempts` + 1: `first`, doubling, at most an hour.
std::chrono::seconds RetryDelay(int attempts, std::chrono::seconds first);

}  // namespace vigie

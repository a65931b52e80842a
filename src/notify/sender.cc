#include "notify/sender.h"

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "api/statuspage.h"
#include "core/log.h"
#include "core/priority.h"
#include "notify/chat.h"
#include "notify/mail.h"
#include "render/pages.h"

namespace vigie {

namespace {

// The host of an address or URL: "status.example.com" of "a@status.example.com" or
// "https://status.example.com:8443/x".
std::string HostOf(std::string_view s) {
  size_t start = s.find("://");
  start = start == std::string_view::npos ? s.rfind('@') + 1 : start + 3;
  std::string_view rest = s.substr(start);
  rest = rest.substr(0, rest.find_first_of(":/>"));
  return std::string(rest.empty() ? "vigie.invalid" : rest);
}

}  // namespace

std::chrono::seconds RetryDelay(int attempts, std::chrono::seconds first) {
  const int shift = std::min(attempts, 12);
  return std::min(first * (1 << shift), std::chrono::seconds(3600));
}

Sender::Sender(Store& store, const Clock& clock, Publisher& publisher,
               std::function<MailAssets()> assets,
               std::function<Result<std::shared_ptr<const LinkSigner>>()> signer, Options options)
    : store_(store),
      clock_(clock),
      publisher_(publisher),
      assets_(std::move(assets)),
      signer_(std::move(signer)),
      options_(std::move(options)),
      lanes_([&] {
        std::vector<std::unique_ptr<Lane>> lanes;
        for (int i = 0; i < std::max(1, options_.connections); ++i) {
          lanes.push_back(std::make_unique<Lane>(options_.smtp, options_.webhook));
        }
        return lanes;
      }()) {}

Sender::~Sender() { Stop(); }

void Sender::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void Sender::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sender::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Sender::Loop() {
  LowerThreadPriority();  // the lanes it starts inherit it: a fan-out never slows the site
  std::chrono::milliseconds wait = options_.every;
  std::string last_error;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, wait, [&] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    Result<bool> leader = store_.HoldsLease();
    Status st = leader.ok() ? (*leader ? RunOnce() : Status::Ok()) : leader.status();
    if (st.ok()) {
      if (!last_error.empty()) LogInfo("notifications: sending again");
      last_error.clear();
      wait = options_.every;
    } else {
      if (st.message() != last_error) LogWarn("notifications: " + st.message() + "; will retry");
      last_error = st.message();
      wait = std::min(std::chrono::milliseconds(30'000), wait * 2);
    }
  }
}

Status Sender::RunOnce() {
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  if (!snap) return Status::Ok();
  // What is already fanned out goes even when writing new notices fails.
  Status first = ClockNotices(snap->model(), clock_.Now());
  if (first.ok()) first = FanOut(snap->model());
  const int64_t before = counts_.sent + counts_.retried + counts_.failed;
  Status st = Deliver(*snap);
  if (st.ok()) st = first;
  // A full batch: more are due, the next pass starts at once.
  if (st.ok() && counts_.sent + counts_.retried + counts_.failed - before >= options_.batch) {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  // Counting the waiting deliveries reads them all: once a second at most, not once a batch
  // (a fan-out of 100,000 is 500 batches).
  const auto steady = std::chrono::steady_clock::now();
  if ((counts_.sent + counts_.retried + counts_.failed != before || counts_.pending != 0) &&
      steady - last_count_ >= std::chrono::seconds(1)) {
    last_count_ = steady;
    (void)store_.Read([&](StoreTx& tx) -> Status {
      Result<std::array<int64_t, 3>> n = tx.CountDeliveries();
      if (n.ok()) counts_.pending = (*n)[0];
      return Status::Ok();
    });
  }
  return st;
}

Status Sender::ClockNotices(const Model& m, Time now) {
  std::vector<Notice> due;
  const auto add = [&](NoticeKind kind, const Event& e, Time at, std::string key) {
    if (told_.count(key)) return;
    Notice n;
    n.kind = kind;
    n.at = at;
    n.platform = e.platform;
    n.event_id = e.id;
    n.dedupe = std::move(key);
    due.push_back(std::move(n));
  };
  const auto recent = [&](Time t) { return t <= now && now - t < options_.clock_grace; };
  for (const Event& e : m.events) {
    if (e.kind != EventKind::kMaintenance || e.cancelled) continue;
    const std::string id = std::to_string(e.id);
    const Time remind_at = e.starts_at - options_.reminder;
    if (options_.reminder.count() > 0 && remind_at <= now && now < e.starts_at &&
        e.created_at < remind_at) {
      add(NoticeKind::kMaintenanceReminder, e, remind_at,
          "remind:" + id + ":" + std::to_string(ToUnix(e.starts_at)));
    }
    // Not for a maintenance announced once started, or once over: its announcement said so.
    if (recent(e.starts_at) && (!e.ends_at || now < *e.ends_at) && e.created_at < e.starts_at) {
      add(NoticeKind::kMaintenanceStarted, e, e.starts_at,
          "start:" + id + ":" + std::to_string(ToUnix(e.starts_at)));
    }
    if (e.ends_at && recent(*e.ends_at) && e.created_at < *e.ends_at) {
      add(NoticeKind::kMaintenanceEnded, e, *e.ends_at, EndKey(e.id, *e.ends_at));
    }
  }
  if (due.empty()) return Status::Ok();
  VIGIE_RETURN_IF_ERROR(store_.Write([&](StoreTx& tx) -> Status {
    for (const Notice& n : due) VIGIE_RETURN_IF_ERROR(tx.InsertNotice(n).status());
    return Status::Ok();
  }));
  for (const Notice& n : due) told_.insert(n.dedupe);
  if (told_.size() > 100'000) told_.clear();  // bounded: a key forgotten costs one insert
  return Status::Ok();
}

Status Sender::FanOut(const Model& m) {
  std::vector<Notice> notices;
  VIGIE_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    Result<std::vector<Notice>> r = tx.NoticesToFanOut(20);
    if (!r.ok()) return r.status();
    notices = std::move(*r);
    return Status::Ok();
  }));
  const Time now = clock_.Now();
  for (const Notice& n : notices) {
    // Wait until this node's snapshot shows what the notice is about (another node wrote it).
    bool shown = true;
    if (n.kind == NoticeKind::kMessagePublished) {
      shown = std::any_of(m.messages.begin(), m.messages.end(),
                          [&](const Message& x) { return x.id == n.message_id; });
    } else if (n.kind == NoticeKind::kServiceLevel) {
      shown = m.FindService(n.service_id) != nullptr;
    } else if (!ToOwner(n.kind)) {
      const Event* e = m.FindEvent(n.event_id);
      shown = e && (n.update_id == 0 ||
                    std::any_of(e->updates.begin(), e->updates.end(),
                                [&](const EventUpdate& u) { return u.id == n.update_id; }));
    }
    if (!shown && now - n.at < options_.wait_for_model) continue;
    if (!shown)
      LogWarn("notice #" + std::to_string(n.id) + ": what it was about is gone; none sent");
    std::vector<int64_t> ids;
    bool done = true;
    if (ToOwner(n.kind)) {
      ids.push_back(n.subscriber_id);
    } else if (shown) {
      // A few thousand subscribers a pass, from where the last pass stopped: the first mails
      // leave while the rest is fanned out, not once all 100,000 are.
      int64_t& after = fan_cursor_[n.id];
      for (int pages = 0;; ++pages) {
        if (pages == kFanPagesPerPass) {
          done = false;
          break;
        }
        std::vector<Subscriber> page;
        VIGIE_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
          Result<std::vector<Subscriber>> r = tx.ListSubscribers(after, kFanPage, true);
          if (!r.ok()) return r.status();
          page = std::move(*r);
          return Status::Ok();
        }));
        for (const Subscriber& s : page) {
          if (Follows(s, n, m)) ids.push_back(s.id);
        }
        if (page.empty()) break;
        after = page.back().id;
        if (page.size() < static_cast<size_t>(kFanPage)) break;
      }
    }
    // The deliveries, and with the last of them the mark, in one transaction: a crash keeps
    // what was committed, and a later pass (from the start: the cursor is this process's)
    // adds nothing twice.
    VIGIE_RETURN_IF_ERROR(store_.WriteBookkeeping([&](StoreTx& tx) -> Status {
      VIGIE_RETURN_IF_ERROR(tx.AddDeliveries(n.id, ids, now));
      return done ? tx.MarkFannedOut(n.id) : Status::Ok();
    }));
    if (done) {
      fan_cursor_.erase(n.id);
    } else {
      std::lock_guard lock(mu_);
      woken_ = true;  // the next pass goes on at once
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status Sender::Deliver(const Snapshot& snap) {
  std::vector<Delivery> due;
  std::unordered_map<int64_t, std::optional<Notice>> notices;
  VIGIE_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    Result<std::vector<Delivery>> r = tx.DueDeliveries(clock_.Now(), options_.batch);
    if (!r.ok()) return r.status();
    due = std::move(*r);
    // The batch's notices, read once (usually one or two).
    for (const Delivery& d : due) {
      if (notices.count(d.notice_id)) continue;
      Result<std::optional<Notice>> n = tx.FindNotice(d.notice_id);
      if (!n.ok()) return n.status();
      notices[d.notice_id] = *n;
    }
    return Status::Ok();
  }));
  // Several connections at once: the sender and the server each wait on the other's answer,
  // so one connection leaves both half idle. At least 20 deliveries a lane.
  const size_t lanes = std::min(lanes_.size(), std::max<size_t>(1, due.size() / 20));
  if (lanes <= 1) return DeliverLane(snap, due, 0, 1, notices, *lanes_.front());
  std::vector<Status> results(lanes);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < lanes; ++i) {
    threads.emplace_back([&, i] {
      LowerThreadPriority();
      results[i] = DeliverLane(snap, due, i, lanes, notices, *lanes_[i]);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& st : results) VIGIE_RETURN_IF_ERROR(st);
  return Status::Ok();
}

Status Sender::DeliverLane(const Snapshot& snap, std::vector<Delivery>& due, size_t lane,
                           size_t lanes,
                           const std::unordered_map<int64_t, std::optional<Notice>>& notices,
                           Lane& clients) {
  int unavailable_in_a_row = 0;
  for (size_t i = lane; i < due.size(); i += lanes) {
    Delivery& d = due[i];
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Status::Ok();
    }
    // Taken for this attempt first (one more attempt, due again once the claim runs out): two
    // senders never send one delivery, and a sender killed mid-mail leaves it to the next.
    const Time until = clock_.Now() + std::max(options_.smtp.timeout, options_.webhook.timeout) +
                       std::chrono::seconds(5);
    std::optional<Subscriber> sub;
    bool claimed = false;
    VIGIE_RETURN_IF_ERROR(store_.WriteBookkeeping([&](StoreTx& tx) -> Status {
      Result<bool> c = tx.ClaimDelivery(d, until);
      if (!c.ok()) return c.status();
      claimed = *c;
      return Status::Ok();
    }));
    if (!claimed) continue;
    VIGIE_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
      Result<std::optional<Subscriber>> s = tx.FindSubscriber(d.subscriber_id);
      if (!s.ok()) return s.status();
      sub = std::move(*s);
      return Status::Ok();
    }));
    const auto found = notices.find(d.notice_id);
    static const std::optional<Notice> kNone;
    const std::optional<Notice>& n = found == notices.end() ? kNone : found->second;
    Status st = !n     ? Status::Invalid("the notice is gone")
                : !sub ? Status::Invalid("the subscriber left")
                : sub->quarantined_at && !ToOwner(n->kind)
                    ? Status::Invalid("the endpoint is quarantined")
                    : SendOne(snap, *n, *sub, clients);
    const bool by_mail = !n || !sub || ToOwner(n->kind) || sub->channel == Channel::kEmail;
    const Time now = clock_.Now();
    ++d.attempts;
    if (st.ok()) {
      d.state = DeliveryState::kSent;
      d.sent_at = now;
      d.error.clear();
      ++counts_.sent;
    } else if (st.code() == Status::Code::kUnavailable &&
               !(st.message().rfind("recipient", 0) == 0 && n &&
                 now - n->at > options_.recipient_patience)) {
      d.next_at = now + RetryDelay(d.attempts - 1, options_.first_retry);
      d.error = st.message();
      ++counts_.retried;
    } else {
      d.state = DeliveryState::kFailed;
      d.error = st.message();
      ++counts_.failed;
    }
    VIGIE_RETURN_IF_ERROR(
        store_.WriteBookkeeping([&](StoreTx& tx) { return tx.FinishDelivery(d, until).status(); }));
    if (!by_mail) {
      // An endpoint's trouble is its own: the others go on. Only what the endpoint did counts
      // (it answered, or not); a notice this site cannot render does not.
      if (st.ok() || st.code() == Status::Code::kUnavailable) {
        VIGIE_RETURN_IF_ERROR(CountAttempt(*sub, st.ok()));
      }
      continue;
    }
    if (st.code() == Status::Code::kUnavailable) {
      // The server is away: the rest waits for the next pass rather than each failing alike
      // (each delivery's own back-off paces the attempts; the pass itself went well).
      if (++unavailable_in_a_row >= 3) {
        if (!smtp_trouble_.exchange(true)) {  // said once, whichever lane sees it first
          LogWarn("notifications: the SMTP server does not take mail now (" + st.message() +
                  "); trying again later");
        }
        return Status::Ok();
      }
    } else {
      if (smtp_trouble_.exchange(false) && st.ok()) {
        LogInfo("notifications: the SMTP server takes mail again");
      }
      unavailable_in_a_row = 0;
    }
  }
  return Status::Ok();
}

Status Sender::CountAttempt(const Subscriber& s, bool ok) {
  if (ok && s.failures == 0) return Status::Ok();
  int failures = 0;
  VIGIE_RETURN_IF_ERROR(store_.WriteBookkeeping([&](StoreTx& tx) -> Status {
    Result<int> n = tx.CountEndpointAttempt(s.id, ok);
    if (!n.ok()) return n.status();
    failures = *n;
    return Status::Ok();
  }));
  if (failures < options_.quarantine_after) return Status::Ok();
  const Time now = clock_.Now();
  bool quarantined = false;
  VIGIE_RETURN_IF_ERROR(store_.Write([&](StoreTx& tx) -> Status {
    // Once: attempts already under way may fail after it.
    Result<std::optional<Subscriber>> fresh = tx.FindSubscriber(s.id);
    if (!fresh.ok()) return fresh.status();
    if (!*fresh || (*fresh)->quarantined_at) return Status::Ok();
    quarantined = true;
    VIGIE_RETURN_IF_ERROR(tx.SetQuarantine(s.id, now));
    Notice n;
    n.kind = NoticeKind::kQuarantined;
    n.at = now;
    n.subscriber_id = s.id;
    return tx.InsertNotice(n).status();
  }));
  if (!quarantined) return Status::Ok();
  LogWarn("notifications: the " + std::string(ChannelId(s.channel)) + " endpoint of subscriber #" +
          std::to_string(s.id) + " failed " + std::to_string(failures) +
          " times in a row: quarantined, its owner is told");
  std::lock_guard lock(mu_);
  woken_ = true;
  return Status::Ok();
}

Status Sender::SendOne(const Snapshot& snap, const Notice& n, const Subscriber& s, Lane& clients) {
  const Model& m = snap.model();
  const Region* region = m.FindRegion(s.region);
  if (!region && !m.regions.empty()) region = &m.regions.front();
  if (!region) return Status::Invalid("no region to write from");
  Result<std::shared_ptr<const LinkSigner>> signer = signer_();
  if (!signer.ok()) return Status::Unavailable(signer.status().message());
  const MailAssets assets = assets_();
  const std::string page = region->base_url + PagePath(s.lang, "/subscription") + "?t=";
  MailLinks links;
  const std::string manage = (*signer)->Manage(s);
  links.manage = page + manage;
  if (n.kind == NoticeKind::kConfirm && (!s.confirmed_at || s.channel != Channel::kEmail)) {
    // Valid from when it is sent: a mail held back by an outage still gives its 48 hours.
    links.confirm = page + (*signer)->Confirm(s, clock_.Now() + options_.confirm_valid);
  }
  const MailView view{m, *region, s.lang, *assets.messages, *assets.templates, options_.site_name};
  if (!ToOwner(n.kind) && s.channel != Channel::kEmail) {
    std::string body;
    std::vector<std::string> headers = {
        "Vigie-Delivery: " + std::to_string(n.id) + "." + std::to_string(s.id),
        "Vigie-Event: " + std::string(NoticeKindId(n.kind))};
    if (s.channel == Channel::kWebhook) {
      const View v{m, snap.derived(), snap.index(), snap.as_of(), *region, s.lang};
      statuspage::WebhookSubject subject;
      subject.event_type = NoticeKindId(n.kind);
      subject.notice_id = n.id;
      subject.platform = n.platform;
      subject.event_id = n.event_id;
      subject.service_id = n.service_id;
      subject.message_id = n.message_id;
      subject.at = n.at;
      subject.unsubscribe = links.manage;
      if (n.kind == NoticeKind::kServiceLevel) {
        const nlohmann::json detail = nlohmann::json::parse(n.detail, nullptr, false);
        if (detail.is_object()) subject.level = ParseLevel(detail.value("level", ""));
      }
      const statuspage::PageOptions page{.site_name = options_.site_name};
      Result<std::string> json = statuspage::WebhookJson(v, subject, page);
      if (!json.ok()) return Status::Invalid(json.status().message());
      body = std::move(*json);
      headers.push_back("Vigie-Signature: " + WebhookSignature(s.secret, clock_.Now(), body));
    } else {
      Result<NoticeContent> content = DescribeNotice(view, n, s, links);
      if (!content.ok()) return Status::Invalid(content.status().message());
      const ChatLinks chat{links.manage, assets.messages->Get(s.lang, "mail.manage")};
      body = s.channel == Channel::kSlack ? SlackMessage(*content, chat)
                                          : TeamsMessage(*content, chat);
    }
    return clients.webhook.Post(s.endpoint, body, headers);
  }
  Result<MailContent> content = RenderNoticeMail(view, n, s, links);
  if (!content.ok()) return Status::Invalid(content.status().message());
  MailMessage mail;
  mail.from = options_.from;
  mail.to = s.email;
  mail.reply_to = options_.reply_to;
  mail.subject = content->subject;
  mail.text = std::move(content->text);
  mail.html = std::move(content->html);
  mail.date = clock_.Now();
  mail.message_id = "<vigie." + std::to_string(n.id) + "." + std::to_string(s.id) + "@" +
                    HostOf(AddressOf(options_.from)) + ">";
  mail.list_id = "<" + s.region + "." + HostOf(region->base_url) + ">";
  // RFC 8058 wants the one-click address in https.
  if (!ToOwner(n.kind) && region->base_url.rfind("https://", 0) == 0) {
    mail.unsubscribe = region->base_url + "/unsubscribe?t=" + manage;
  }
  return clients.smtp.Send(AddressOf(options_.from), s.email, ComposeMime(mail));
}

}  // namespace vigie

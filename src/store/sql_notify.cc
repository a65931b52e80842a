// The subscribers and the outbox, for every SQL backend (see sql_tx.h).
#include <algorithm>
#include <unordered_map>

#include "store/sql_tx.h"

namespace vigie {

namespace {

using sql::Stmt;

std::string EmailKey(std::string_view email) { return SubscriberKey(email, Channel::kEmail, ""); }

constexpr std::string_view kSubscriberColumns =
    "SELECT id, email, region, lang, created_at, confirmed_at, from_notice, channel, endpoint, "
    "secret, failures, quarantined_at FROM subscribers ";

Subscriber SubscriberOf(const Stmt& st) {
  Subscriber s;
  s.id = st.Int(0);
  s.email = st.Str(1);
  s.region = st.Str(2);
  s.lang = ParseLang(st.Str(3)).value_or(Lang::kFr);
  s.created_at = FromUnix(st.Int(4));
  if (!st.IsNull(5)) s.confirmed_at = FromUnix(st.Int(5));
  s.from_notice = st.Int(6);
  s.channel = ParseChannel(st.Str(7)).value_or(Channel::kEmail);
  s.endpoint = st.Str(8);
  s.secret = st.Str(9);
  s.failures = static_cast<int>(st.Int(10));
  if (!st.IsNull(11)) s.quarantined_at = FromUnix(st.Int(11));
  return s;
}

constexpr std::string_view kNoticeColumns =
    "SELECT id, kind, at, platform, event_id, update_id, message_id, subscriber_id, service_id, "
    "detail, coalesce(dedupe, '') FROM notices ";

Notice NoticeOf(const Stmt& st) {
  Notice n;
  n.id = st.Int(0);
  n.kind = ParseNoticeKind(st.Str(1)).value_or(NoticeKind::kEventUpdated);
  n.at = FromUnix(st.Int(2));
  n.platform = st.Str(3);
  n.event_id = st.Int(4);
  n.update_id = st.Int(5);
  n.message_id = st.Int(6);
  n.subscriber_id = st.Int(7);
  n.service_id = st.Int(8);
  n.detail = st.Str(9);
  n.dedupe = st.Str(10);
  return n;
}

}  // namespace

Status SqlTx::LoadSubscriptions(std::vector<Subscriber>& subs) {
  if (subs.empty()) return Status::Ok();
  std::unordered_map<int64_t, Subscriber*> by_id;
  for (Subscriber& s : subs) by_id[s.id] = &s;
  Stmt st(conn_,
          "SELECT subscriber_id, platform, topic, target FROM subscriptions "
          "WHERE subscriber_id BETWEEN ? AND ? ORDER BY subscriber_id, platform, topic, target",
          subs.front().id, subs.back().id);
  while (st.Step()) {
    const auto it = by_id.find(st.Int(0));
    if (it == by_id.end()) continue;
    const std::optional<Topic> topic = ParseTopic(st.Str(2));
    if (topic) it->second->subscriptions.push_back({st.Str(1), *topic, st.Int(3)});
  }
  return st.status();
}

Status SqlTx::WriteSubscriptions(const Subscriber& s) {
  VIGIE_RETURN_IF_ERROR(
      Stmt(conn_, "DELETE FROM subscriptions WHERE subscriber_id = ?", s.id).Run());
  for (const Subscription& x : s.subscriptions) {
    VIGIE_RETURN_IF_ERROR(Stmt(conn_,
                               "INSERT INTO subscriptions(subscriber_id, platform, topic, target) "
                               "VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                               s.id, x.platform, TopicId(x.topic), x.target)
                              .Run());
  }
  return Status::Ok();
}

Result<std::optional<Subscriber>> SqlTx::FindSubscriber(int64_t id) {
  std::vector<Subscriber> found;
  {
    Stmt st(conn_, std::string(kSubscriberColumns) + "WHERE id = ?", id);
    while (st.Step()) found.push_back(SubscriberOf(st));
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  if (found.empty()) return std::optional<Subscriber>();
  VIGIE_RETURN_IF_ERROR(LoadSubscriptions(found));
  return std::optional<Subscriber>(std::move(found.front()));
}

Result<std::optional<Subscriber>> SqlTx::FindSubscriberByKey(std::string_view key,
                                                             std::string_view region) {
  Result<int64_t> id =
      Stmt(conn_, "SELECT coalesce(max(id), 0) FROM subscribers WHERE email_key = ? AND region = ?",
           key, region)
          .OneInt();
  if (!id.ok()) return id.status();
  if (*id == 0) return std::optional<Subscriber>();
  return FindSubscriber(*id);
}

Result<int64_t> SqlTx::AddSubscriber(const Subscriber& s) {
  Result<int64_t> id =
      Stmt(conn_,
           "INSERT INTO subscribers(email, email_key, region, lang, created_at, confirmed_at, "
           "from_notice, channel, endpoint, secret) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
           s.email, SubscriberKey(s.email, s.channel, s.endpoint), s.region, LangId(s.lang),
           ToUnix(s.created_at), OptUnix(s.confirmed_at), s.from_notice, ChannelId(s.channel),
           s.endpoint, s.secret)
          .OneInt();
  if (!id.ok()) return id;
  Subscriber stored = s;
  stored.id = *id;
  VIGIE_RETURN_IF_ERROR(WriteSubscriptions(stored));
  return id;
}

Status SqlTx::UpdateSubscriber(const Subscriber& s) {
  VIGIE_RETURN_IF_ERROR(
      Stmt(conn_,
           // Confirming sets where its notices start: the outbox's next id.
           "UPDATE subscribers SET lang = ?1, confirmed_at = CAST(?2 AS BIGINT), from_notice = "
           "CASE WHEN CAST(?2 AS BIGINT) IS NOT NULL AND confirmed_at IS NULL "
           "THEN (SELECT coalesce(max(id), 0) + 1 FROM notices) ELSE from_notice END "
           "WHERE id = ?3",
           LangId(s.lang),
           s.confirmed_at ? std::optional<int64_t>(ToUnix(*s.confirmed_at)) : std::nullopt, s.id)
          .Run());
  VIGIE_RETURN_IF_ERROR(Changed("subscriber #" + std::to_string(s.id)));
  return WriteSubscriptions(s);
}

Status SqlTx::DeleteSubscriber(int64_t id) {
  VIGIE_RETURN_IF_ERROR(
      Stmt(conn_, "DELETE FROM deliveries WHERE subscriber_id = ? AND state = 'pending'", id)
          .Run());
  VIGIE_RETURN_IF_ERROR(Stmt(conn_, "DELETE FROM subscribers WHERE id = ?", id).Run());
  return Changed("subscriber #" + std::to_string(id));
}

Result<int> SqlTx::CountEndpointAttempt(int64_t id, bool ok) {
  if (ok) {
    // Written only when there were failures: a healthy endpoint costs no write.
    VIGIE_RETURN_IF_ERROR(
        Stmt(conn_, "UPDATE subscribers SET failures = 0 WHERE id = ? AND failures <> 0", id)
            .Run());
    return 0;
  }
  // (A subscriber removed meanwhile has none.)
  Stmt st(conn_, "UPDATE subscribers SET failures = failures + 1 WHERE id = ? RETURNING failures",
          id);
  int n = 0;
  while (st.Step()) n = static_cast<int>(st.Int(0));
  VIGIE_RETURN_IF_ERROR(st.status());
  return n;
}

Status SqlTx::SetQuarantine(int64_t id, std::optional<Time> at) {
  VIGIE_RETURN_IF_ERROR(Stmt(conn_,
                             "UPDATE subscribers SET quarantined_at = CAST(?1 AS BIGINT), "
                             "failures = CASE WHEN CAST(?1 AS BIGINT) IS NULL THEN 0 "
                             "ELSE failures END WHERE id = ?2",
                             OptUnix(at), id)
                            .Run());
  VIGIE_RETURN_IF_ERROR(Changed("subscriber #" + std::to_string(id)));
  if (!at) return Status::Ok();
  return Stmt(conn_,
              "UPDATE deliveries SET state = 'failed', error = 'the endpoint is quarantined' "
              "WHERE subscriber_id = ? AND state = 'pending' AND notice_id NOT IN "
              "(SELECT id FROM notices WHERE kind IN ('confirm', 'quarantined'))",
              id)
      .Run();
}

Result<std::vector<Subscriber>> SqlTx::ListSubscribers(int64_t after_id, int limit,
                                                       bool confirmed_only) {
  std::vector<Subscriber> out;
  {
    Stmt st(conn_,
            std::string(kSubscriberColumns) +
                "WHERE id > ? AND (? = 0 OR (confirmed_at IS NOT NULL AND quarantined_at IS NULL)) "
                "ORDER BY id LIMIT ?",
            after_id, confirmed_only, std::max(1, limit));
    while (st.Step()) out.push_back(SubscriberOf(st));
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  VIGIE_RETURN_IF_ERROR(LoadSubscriptions(out));
  return out;
}

Result<int64_t> SqlTx::InsertNotice(const Notice& n) {
  Stmt st(conn_,
          "INSERT INTO notices(kind, at, platform, event_id, update_id, message_id, "
          "subscriber_id, service_id, detail, dedupe) VALUES (?,?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT DO NOTHING RETURNING id",
          NoticeKindId(n.kind), ToUnix(n.at), n.platform, n.event_id, n.update_id, n.message_id,
          n.subscriber_id, n.service_id, n.detail,
          n.dedupe.empty() ? std::optional<std::string>() : std::optional<std::string>(n.dedupe));
  int64_t id = 0;
  while (st.Step()) id = st.Int(0);
  VIGIE_RETURN_IF_ERROR(st.status());
  return id;
}

Result<std::optional<Notice>> SqlTx::FindNotice(int64_t id) {
  Stmt st(conn_, std::string(kNoticeColumns) + "WHERE id = ?", id);
  std::optional<Notice> out;
  while (st.Step()) out = NoticeOf(st);
  VIGIE_RETURN_IF_ERROR(st.status());
  return out;
}

Result<std::vector<Notice>> SqlTx::NoticesToFanOut(int limit) {
  Stmt st(conn_, std::string(kNoticeColumns) + "WHERE fanned_out = 0 ORDER BY id LIMIT ?",
          std::max(1, limit));
  std::vector<Notice> out;
  while (st.Step()) out.push_back(NoticeOf(st));
  VIGIE_RETURN_IF_ERROR(st.status());
  return out;
}

Status SqlTx::AddDeliveries(int64_t notice_id, const std::vector<int64_t>& subscriber_ids,
                            Time at) {
  for (int64_t id : subscriber_ids) {
    VIGIE_RETURN_IF_ERROR(Stmt(conn_,
                               "INSERT INTO deliveries(notice_id, subscriber_id, state, next_at) "
                               "VALUES (?,?,'pending',?) ON CONFLICT DO NOTHING",
                               notice_id, id, ToUnix(at))
                              .Run());
  }
  return Status::Ok();
}

Status SqlTx::MarkFannedOut(int64_t notice_id) {
  VIGIE_RETURN_IF_ERROR(
      Stmt(conn_, "UPDATE notices SET fanned_out = 1 WHERE id = ?", notice_id).Run());
  return Changed("notice #" + std::to_string(notice_id));
}

Result<std::vector<Delivery>> SqlTx::DueDeliveries(Time now, int limit) {
  Stmt st(conn_,
          "SELECT notice_id, subscriber_id, attempts, next_at, error FROM deliveries "
          "WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, notice_id, subscriber_id "
          "LIMIT ?",
          ToUnix(now), std::max(1, limit));
  std::vector<Delivery> out;
  while (st.Step()) {
    Delivery d;
    d.notice_id = st.Int(0);
    d.subscriber_id = st.Int(1);
    d.attempts = static_cast<int>(st.Int(2));
    d.next_at = FromUnix(st.Int(3));
    d.error = st.Str(4);
    out.push_back(std::move(d));
  }
  VIGIE_RETURN_IF_ERROR(st.status());
  return out;
}

Status SqlTx::UpdateDelivery(const Delivery& d) {
  Result<bool> changed = FinishDelivery(d, std::nullopt);
  if (!changed.ok()) return changed.status();
  return *changed ? Status::Ok()
                  : Status::NotFound("no delivery of notice #" + std::to_string(d.notice_id));
}

Result<bool> SqlTx::ClaimDelivery(const Delivery& d, Time until) {
  VIGIE_RETURN_IF_ERROR(Stmt(conn_,
                             "UPDATE deliveries SET next_at = ?, attempts = attempts + 1 "
                             "WHERE notice_id = ? AND subscriber_id = ? AND state = 'pending' "
                             "AND next_at = ?",
                             ToUnix(until), d.notice_id, d.subscriber_id, ToUnix(d.next_at))
                            .Run());
  return conn_.Changed() == 1;
}

Result<bool> SqlTx::FinishDelivery(const Delivery& d, std::optional<Time> until) {
  // With `until`, only while the claim made then holds.
  VIGIE_RETURN_IF_ERROR(
      Stmt(conn_,
           "UPDATE deliveries SET state = ?1, attempts = ?2, next_at = ?3, sent_at = ?4, "
           "error = ?5 WHERE notice_id = ?6 AND subscriber_id = ?7 AND "
           "(CAST(?8 AS BIGINT) IS NULL OR (state = 'pending' AND next_at = ?8))",
           DeliveryStateId(d.state), d.attempts, ToUnix(d.next_at),
           d.sent_at ? std::optional<int64_t>(ToUnix(*d.sent_at)) : std::nullopt, d.error,
           d.notice_id, d.subscriber_id,
           until ? std::optional<int64_t>(ToUnix(*until)) : std::nullopt)
          .Run());
  return conn_.Changed() == 1;
}

Result<std::array<int64_t, 3>> SqlTx::CountDeliveries() {
  std::array<int64_t, 3> out{};
  Stmt st(conn_, "SELECT state, count(*) FROM deliveries GROUP BY state");
  while (st.Step()) {
    const std::string state = st.Str(0);
    for (size_t i = 0; i < out.size(); ++i) {
      if (state == DeliveryStateId(static_cast<DeliveryState>(i))) out[i] = st.Int(1);
    }
  }
  VIGIE_RETURN_IF_ERROR(st.status());
  return out;
}

Result<SubscriberCounts> SqlTx::CountSubscribers() {
  SubscriberCounts out;
  {
    Stmt st(conn_,
            "SELECT (SELECT count(*) FROM subscribers WHERE confirmed_at IS NOT NULL), "
            "(SELECT count(*) FROM subscribers WHERE confirmed_at IS NULL), "
            "(SELECT count(*) FROM subscribers WHERE quarantined_at IS NOT NULL)");
    while (st.Step()) {
      out.confirmed = st.Int(0);
      out.pending = st.Int(1);
      out.quarantined = st.Int(2);
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  Stmt st(conn_,
          "SELECT x.platform, x.topic, x.target, count(*) FROM subscriptions x "
          "JOIN subscribers s ON s.id = x.subscriber_id WHERE s.confirmed_at IS NOT NULL "
          "GROUP BY x.platform, x.topic, x.target ORDER BY x.platform, x.topic, x.target");
  while (st.Step()) {
    const std::optional<Topic> topic = ParseTopic(st.Str(1));
    if (topic) out.followed.push_back({{st.Str(0), *topic, st.Int(2)}, st.Int(3)});
  }
  VIGIE_RETURN_IF_ERROR(st.status());
  return out;
}

Result<std::vector<Subscriber>> SqlTx::SearchSubscribers(std::string_view part, int limit) {
  // A LIKE pattern of the part as typed: its own % and _ match themselves.
  std::string pattern = "%";
  for (char c : EmailKey(part)) {
    if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  std::vector<Subscriber> out;
  {
    Stmt st(conn_,
            std::string(kSubscriberColumns) +
                "WHERE email_key LIKE ? ESCAPE '\\' ORDER BY email_key, region LIMIT ?",
            pattern, std::max(1, limit));
    while (st.Step()) out.push_back(SubscriberOf(st));
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  // Their subscriptions, each its own read (the list is short).
  for (Subscriber& s : out) {
    std::vector<Subscriber> one{s};
    VIGIE_RETURN_IF_ERROR(LoadSubscriptions(one));
    s = std::move(one.front());
  }
  return out;
}

Result<std::vector<Subscriber>> SqlTx::ListQuarantined(int limit) {
  std::vector<Subscriber> out;
  Stmt st(conn_,
          std::string(kSubscriberColumns) +
              "WHERE quarantined_at IS NOT NULL ORDER BY quarantined_at DESC, id LIMIT ?",
          std::max(1, limit));
  while (st.Step()) out.push_back(SubscriberOf(st));
  VIGIE_RETURN_IF_ERROR(st.status());
  return out;
}

Result<std::vector<NoticeSummary>> SqlTx::ListNotices(int64_t before_id, int limit) {
  Stmt st(conn_,
          "SELECT n.id, n.kind, n.at, n.platform, n.event_id, n.update_id, n.message_id, "
          "n.subscriber_id, n.service_id, n.detail, coalesce(n.dedupe, ''), n.fanned_out, "
          "(SELECT count(*) FROM deliveries d WHERE d.notice_id = n.id AND d.state = 'pending'), "
          "(SELECT count(*) FROM deliveries d WHERE d.notice_id = n.id AND d.state = 'sent'), "
          "(SELECT count(*) FROM deliveries d WHERE d.notice_id = n.id AND d.state = 'failed') "
          "FROM notices n WHERE (CAST(?1 AS BIGINT) = 0 OR n.id < ?1) AND n.kind <> 'confirm' "
          "ORDER BY n.id DESC LIMIT ?2",
          before_id, std::max(1, limit));
  std::vector<NoticeSummary> out;
  while (st.Step()) {
    NoticeSummary s;
    s.notice = NoticeOf(st);
    s.fanned_out = st.Int(11) != 0;
    s.pending = st.Int(12);
    s.sent = st.Int(13);
    s.failed = st.Int(14);
    out.push_back(std::move(s));
  }
  VIGIE_RETURN_IF_ERROR(st.status());
  return out;
}

Result<std::vector<Delivery>> SqlTx::ListDeliveries(int64_t notice_id, int limit) {
  Stmt st(conn_,
          "SELECT notice_id, subscriber_id, state, attempts, next_at, sent_at, error "
          "FROM deliveries WHERE notice_id = ? ORDER BY subscriber_id LIMIT ?",
          notice_id, std::max(1, limit));
  std::vector<Delivery> out;
  while (st.Step()) {
    Delivery d;
    d.notice_id = st.Int(0);
    d.subscriber_id = st.Int(1);
    const std::string state = st.Str(2);
    d.state = state == "sent"     ? DeliveryState::kSent
              : state == "failed" ? DeliveryState::kFailed
                                  : DeliveryState::kPending;
    d.attempts = static_cast<int>(st.Int(3));
    d.next_at = FromUnix(st.Int(4));
    if (!st.IsNull(5)) d.sent_at = FromUnix(st.Int(5));
    d.error = st.Str(6);
    out.push_back(std::move(d));
  }
  VIGIE_RETURN_IF_ERROR(st.status());
  return out;
}

}  // namespace vigie

// The back-office's view of the subscribers: how many follow what (every operator), who they
// are (admins only: an address is personal data), removing one, the CSV export, and what became
// of each notice's mails.
#include "admin/parts.h"
#include "admin/web.h"
#include "render/escape.h"
#include "render/mail_render.h"

namespace vigie {

namespace admin {

Result<NoticeLog> ReadNoticeLog(Store& store, int64_t id, bool with_emails) {
  std::optional<NoticeLog> out;
  VIGIE_RETURN_IF_ERROR(store.Read([&](StoreTx& tx) -> Status {
    Result<std::optional<Notice>> n = tx.FindNotice(id);
    if (!n.ok()) return n.status();
    if (!*n) return Status::NotFound("no notice #" + std::to_string(id));
    out.emplace();
    out->notice = **n;
    Result<std::vector<Delivery>> d = tx.ListDeliveries(id, 1000);
    if (!d.ok()) return d.status();
    out->deliveries = std::move(*d);
    for (const Delivery& x : with_emails ? out->deliveries : std::vector<Delivery>{}) {
      Result<std::optional<Subscriber>> s = tx.FindSubscriber(x.subscriber_id);
      if (s.ok() && *s) out->emails[x.subscriber_id] = (*s)->email;
    }
    return Status::Ok();
  }));
  return std::move(*out);
}

}  // namespace admin

namespace {

std::string Follows(const Model& m, const Messages& msgs, const Subscriber& s, Lang lang) {
  std::string out;
  for (const std::string& line : DescribeSubscriptions(m, lang, msgs, s.subscriptions)) {
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

// A CSV field (RFC 4180), and never a formula for a spreadsheet that opens the file.
std::string Csv(std::string v) {
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  std::string out = "\"";
  for (char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string When(const std::optional<Time>& t) { return t ? FormatRfc3339(*t) : std::string(); }

}  // namespace

http::Response AdminWeb::Subscribers(http::Request& req, const Caller& c) {
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  const bool admin = c.role == Role::kAdmin;
  const std::string q = admin ? req.Query("q").value_or("") : std::string();
  SubscriberCounts counts;
  std::vector<Subscriber> found, quarantined;
  std::vector<NoticeSummary> notices;
  Status st = store_.Read([&](StoreTx& tx) -> Status {
    Result<SubscriberCounts> n = tx.CountSubscribers();
    if (!n.ok()) return n.status();
    counts = std::move(*n);
    Result<std::vector<NoticeSummary>> list = tx.ListNotices(0, 50);
    if (!list.ok()) return list.status();
    notices = std::move(*list);
    if (admin) {
      Result<std::vector<Subscriber>> r = tx.ListQuarantined(200);
      if (!r.ok()) return r.status();
      quarantined = std::move(*r);
    }
    if (!q.empty()) {
      Result<std::vector<Subscriber>> r = tx.SearchSubscribers(q, 200);
      if (!r.ok()) return r.status();
      found = std::move(*r);
    }
    return Status::Ok();
  });
  if (!st.ok()) return FormError(req, c, st);
  json followed = json::array();
  for (const SubscriberCounts::Followed& f : counts.followed) {
    followed.push_back(
        {{"what", DescribeSubscriptions(m, c.lang, assets().messages, {f.what}).front()},
         {"count", f.confirmed}});
  }
  json people = json::array();
  for (const Subscriber& s : found) {
    people.push_back({{"id", s.id},
                      {"email", s.email},
                      {"channel", std::string(ChannelId(s.channel))},
                      {"endpoint", s.endpoint},
                      {"quarantined", s.quarantined_at.has_value()},
                      {"region", s.region},
                      {"lang", std::string(LangId(s.lang))},
                      {"confirmed", When(s.confirmed_at)},
                      {"follows", Follows(m, assets().messages, s, c.lang)}});
  }
  json stopped = json::array();
  for (const Subscriber& s : quarantined) {
    stopped.push_back({{"id", s.id},
                       {"email", s.email},
                       {"channel", std::string(ChannelId(s.channel))},
                       {"endpoint", s.endpoint},
                       {"since", When(s.quarantined_at)},
                       {"failures", s.failures}});
  }
  json log = json::array();
  for (const NoticeSummary& n : notices) {
    std::string about;
    if (const Event* e = n.notice.event_id ? m.FindEvent(n.notice.event_id) : nullptr) {
      about = L(e->title, c.lang);
    } else if (const Service* s =
                   n.notice.service_id ? m.FindService(n.notice.service_id) : nullptr) {
      about = L(s->name, c.lang);
    } else if (n.notice.message_id) {
      for (const Message& msg : m.messages) {
        if (msg.id == n.notice.message_id) about = L(msg.title, c.lang);
      }
    }
    log.push_back({{"id", n.notice.id},
                   {"at", FormatRfc3339(n.notice.at)},
                   {"kind", std::string(NoticeKindId(n.notice.kind))},
                   {"about", about},
                   {"waiting", !n.fanned_out},
                   {"pending", n.pending},
                   {"sent", n.sent},
                   {"failed", n.failed}});
  }
  return Html(c, 200, "admin_subscribers",
              json{{"confirmed", counts.confirmed},
                   {"pending", counts.pending},
                   {"quarantined", counts.quarantined},
                   {"stopped", stopped},
                   {"has_stopped", !stopped.empty()},
                   {"followed", followed},
                   {"has_followed", !followed.empty()},
                   {"admin", admin},
                   {"q", q},
                   {"searched", !q.empty()},
                   {"people", people},
                   {"notices", log},
                   {"has_notices", !log.empty()}},
              assets().messages.Get(c.lang, "admin.subscribers"));
}

http::Response AdminWeb::SubscribersCsv(http::Request& req, const Caller& c) {
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model& m = snap->model();
  std::string out =
      "id,email,channel,endpoint,region,lang,created_at,confirmed_at,quarantined_at,follows\r\n";
  int64_t rows = 0;
  Status st = store_.Read([&](StoreTx& tx) -> Status {
    for (int64_t after = 0;;) {
      Result<std::vector<Subscriber>> page = tx.ListSubscribers(after, 1000, false);
      if (!page.ok()) return page.status();
      for (const Subscriber& s : *page) {
        out += std::to_string(s.id) + "," + Csv(s.email) + "," + std::string(ChannelId(s.channel)) +
               "," + Csv(s.endpoint) + "," + Csv(s.region) + "," + std::string(LangId(s.lang)) +
               "," + FormatRfc3339(s.created_at) + "," + When(s.confirmed_at) + "," +
               When(s.quarantined_at) + "," + Csv(Follows(m, assets().messages, s, Lang::kEn)) +
               "\r\n";
        ++rows;
      }
      if (page->size() < 1000) return Status::Ok();
      after = page->back().id;
    }
  });
  if (st.ok()) st = ops_.NoteExport(c.name, std::to_string(rows) + " subscribers as CSV");
  if (!st.ok()) return FormError(req, c, st);
  http::Response res;
  res.status = 200;
  res.Set("Content-Type", "text/csv; charset=utf-8");
  res.Set("Content-Disposition", "attachment; filename=\"subscribers.csv\"");
  SecurityHeaders(res);
  res.SetBody(std::move(out));
  return res;
}

http::Response AdminWeb::RemoveSubscriber(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such subscriber",
                  [&](int64_t id, const Form& f) -> Result<std::string> {
                    VIGIE_RETURN_IF_ERROR(ops_.RemoveSubscriber(c.name, id));
                    return "/admin/subscribers?q=" + QueryEscape(Field(f, "q"));
                  });
}

http::Response AdminWeb::ResumeEndpoint(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such subscriber",
                  [&](int64_t id, const Form&) -> Result<std::string> {
                    VIGIE_RETURN_IF_ERROR(ops_.ResumeEndpoint(c.name, id));
                    return std::string("/admin/subscribers");
                  });
}

http::Response AdminWeb::NoticeLog(http::Request& req, const Caller& c) {
  const std::optional<int64_t> id = IdParam(req);
  if (!id) return FormError(req, c, Status::NotFound("no such notice"));
  const auto got = ReadNoticeLog(store_, *id, c.role == Role::kAdmin);
  if (!got.ok()) return FormError(req, c, got.status());
  const Notice* notice = &got->notice;
  const std::vector<Delivery>& deliveries = got->deliveries;
  const std::map<int64_t, std::string>& emails = got->emails;
  json rows = json::array();
  for (const Delivery& d : deliveries) {
    const auto email = emails.find(d.subscriber_id);
    rows.push_back(
        {{"who", email != emails.end() ? email->second : "#" + std::to_string(d.subscriber_id)},
         {"state", std::string(DeliveryStateId(d.state))},
         {"attempts", d.attempts},
         {"sent", When(d.sent_at)},
         {"next", d.state == DeliveryState::kPending ? FormatRfc3339(d.next_at) : ""},
         {"error", d.error}});
  }
  return Html(c, 200, "admin_notice",
              json{{"id", notice->id},
                   {"kind", std::string(NoticeKindId(notice->kind))},
                   {"at", FormatRfc3339(notice->at)},
                   {"rows", rows},
                   {"has_rows", !rows.empty()}},
              assets().messages.Get(c.lang, "admin.notice_log"));
}

}  // namespace vigie

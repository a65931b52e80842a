// The admin JSON API (docs/api.md): the same operations as the forms, for scripts and
// monitoring tools, authenticated by bearer tokens.
#include "admin/parts.h"
#include "admin/web.h"

namespace vigie {

namespace {

Result<json> JsonBody(const http::Request& req) {
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Invalid("the body must be a JSON object");
  return j;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Text TextField(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return Text{it->get<std::string>(), ""};
  if (it->is_object()) return Text{Str(*it, "fr"), Str(*it, "en")};
  return {};
}

Result<std::optional<Time>> TimeField(const json& j, const char* key) {
  const std::string s = Str(j, key);
  if (s.empty()) return std::optional<Time>();
  Result<Time> t = ParseRfc3339(s);
  if (!t.ok()) return t.status().WithContext(key);
  return std::optional<Time>(*t);
}

Result<std::vector<std::pair<std::string, Level>>> ServicesField(const json& j) {
  std::vector<std::pair<std::string, Level>> out;
  auto it = j.find("services");
  if (it == j.end()) return out;
  if (!it->is_object()) return Status::Invalid("services must be an object {\"slug\": \"level\"}");
  for (const auto& [slug, v] : it->items()) {
    std::optional<Level> l = v.is_string() ? ParseLevel(v.get<std::string>()) : std::nullopt;
    if (!l) return Status::Invalid("services." + slug + ": unknown level");
    out.emplace_back(slug, *l);
  }
  return out;
}

std::vector<std::string> Regions(const json& j, const Model& m) {
  std::vector<std::string> out;
  auto it = j.find("regions");
  if (it != j.end() && it->is_array()) {
    for (const json& r : *it) {
      if (r.is_string()) out.push_back(r.get<std::string>());
    }
  } else {
    for (const Region& r : m.regions) out.push_back(r.id);
  }
  return out;
}

}  // namespace

namespace {
// "notify": whether to tell the subscribers; true unless the caller says false.
Result<bool> NotifyField(const json& j) {
  if (!j.contains("notify")) return true;
  if (!j["notify"].is_boolean()) return Status::Invalid("notify must be true or false");
  return j["notify"].get<bool>();
}
}  // namespace

http::Response AdminWeb::ApiSetLevel(http::Request& req, const Caller& c) {
  Result<json> j = JsonBody(req);
  if (!j.ok()) return http::JsonError(j.status());
  std::optional<Level> level = ParseLevel(Str(*j, "level"));
  if (!level)
    return http::JsonError(
        Status::Invalid("level must be operational, minor, major, outage or maintenance"));
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  Result<bool> notify = NotifyField(*j);
  if (!notify.ok()) return http::JsonError(notify.status());
  Status st = ops_.SetLevel(c.name, Regions(*j, *m), Str(*j, "platform"), Str(*j, "service"),
                            *level, Str(*j, "note"), *notify);
  if (!st.ok()) return http::JsonError(st);
  return JsonResponse(200, json{{"ok", true}});
}

http::Response AdminWeb::ApiCreateEvent(http::Request& req, const Caller& c) {
  Result<json> j = JsonBody(req);
  if (!j.ok()) return http::JsonError(j.status());
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  EventDraft d;
  std::optional<EventKind> kind = ParseEventKind(Str(*j, "kind"));
  if (!kind)
    return http::JsonError(
        Status::Invalid("kind must be incident, maintenance, action or announcement"));
  d.kind = *kind;
  d.platform = Str(*j, "platform");
  d.regions = Regions(*j, *m);
  d.title = TextField(*j, "title");
  d.body = TextField(*j, "body");
  d.first_update = TextField(*j, "update");
  if (const std::string p = Str(*j, "phase"); !p.empty()) {
    std::optional<Phase> phase = ParsePhase(p);
    if (!phase) return http::JsonError(Status::Invalid("unknown phase \"" + p + "\""));
    d.phase = *phase;
  }
  auto services = ServicesField(*j);
  if (!services.ok()) return http::JsonError(services.status());
  d.services = *services;
  auto start = TimeField(*j, "starts_at");
  if (!start.ok()) return http::JsonError(start.status());
  auto end = TimeField(*j, "ends_at");
  if (!end.ok()) return http::JsonError(end.status());
  d.starts_at = *start;
  d.ends_at = *end;
  Result<bool> notify = NotifyField(*j);
  if (!notify.ok()) return http::JsonError(notify.status());
  d.notify = *notify;
  Result<int64_t> id = ops_.CreateEvent(c.name, d);
  if (!id.ok()) return http::JsonError(id.status());
  return JsonResponse(201, json{{"id", *id}, {"url", "/api/v1/events/" + std::to_string(*id)}});
}

http::Response AdminWeb::ApiPostUpdate(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  if (!id) return http::JsonError(Status::NotFound("no such event"));
  Result<json> j = JsonBody(req);
  if (!j.ok()) return http::JsonError(j.status());
  std::optional<Phase> phase;
  if (const std::string p = Str(*j, "phase"); !p.empty()) {
    phase = ParsePhase(p);
    if (!phase) return http::JsonError(Status::Invalid("unknown phase \"" + p + "\""));
  }
  std::optional<std::vector<std::pair<std::string, Level>>> services;
  if (j->contains("services")) {
    auto s = ServicesField(*j);
    if (!s.ok()) return http::JsonError(s.status());
    services = *s;
  }
  Result<bool> notify = NotifyField(*j);
  if (!notify.ok()) return http::JsonError(notify.status());
  Status st = ops_.PostUpdate(c.name, *id, TextField(*j, "text"), phase, services, *notify);
  if (!st.ok()) return http::JsonError(st);
  return JsonResponse(200, json{{"ok", true}});
}

http::Response AdminWeb::ApiResolve(http::Request& req, const Caller& c) {
  std::optional<int64_t> id = IdParam(req);
  if (!id) return http::JsonError(Status::NotFound("no such event"));
  Result<json> j = req.body.empty() ? Result<json>(json::object()) : JsonBody(req);
  if (!j.ok()) return http::JsonError(j.status());
  Result<bool> notify = NotifyField(*j);
  if (!notify.ok()) return http::JsonError(notify.status());
  Status st = ops_.Resolve(c.name, *id, TextField(*j, "text"), *notify);
  if (!st.ok()) return http::JsonError(st);
  return JsonResponse(200, json{{"ok", true}});
}

http::Response AdminWeb::ApiCreateMessage(http::Request& req, const Caller& c) {
  Result<json> j = JsonBody(req);
  if (!j.ok()) return http::JsonError(j.status());
  // The stored state is the current snapshot's (writes publish before they return).
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  const Model* m = &snap->model();
  MessageDraft d;
  d.platform = Str(*j, "platform");
  d.regions = Regions(*j, *m);
  d.title = TextField(*j, "title");
  d.body = TextField(*j, "body");
  auto exp = TimeField(*j, "expires_at");
  if (!exp.ok()) return http::JsonError(exp.status());
  d.expires_at = *exp;
  Result<bool> notify = NotifyField(*j);
  if (!notify.ok()) return http::JsonError(notify.status());
  d.notify = *notify;
  Result<int64_t> id = ops_.CreateMessage(c.name, d);
  if (!id.ok()) return http::JsonError(id.status());
  return JsonResponse(201, json{{"id", *id}});
}

// ---- Subscribers and notices (docs/openapi.yaml): what the back-office's page shows ----

namespace {

json OptTime(const std::optional<Time>& t) { return t ? json(FormatRfc3339(*t)) : json(nullptr); }

json SubscriptionsJson(const std::vector<Subscription>& subs) {
  json out = json::array();
  for (const Subscription& x : subs) {
    out.push_back(
        {{"platform", x.platform}, {"topic", std::string(TopicId(x.topic))}, {"target", x.target}});
  }
  return out;
}

json SubscriberJson(const Subscriber& s) {
  return {{"id", s.id},
          {"email", s.email},
          {"channel", std::string(ChannelId(s.channel))},
          {"endpoint", s.endpoint.empty() ? json(nullptr) : json(s.endpoint)},
          {"region", s.region},
          {"lang", std::string(LangId(s.lang))},
          {"created_at", FormatRfc3339(s.created_at)},
          {"confirmed_at", OptTime(s.confirmed_at)},
          {"quarantined_at", OptTime(s.quarantined_at)},
          {"failures", s.failures},
          {"follows", SubscriptionsJson(s.subscriptions)}};
}

// A whole number query parameter (an id), 0 when absent; nullopt when it is not one.
std::optional<int64_t> IdQuery(const http::Request& req, const char* name) {
  const std::optional<std::string> v = req.Query(name);
  if (!v || v->empty()) return 0;
  if (v->size() > 18 || v->find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(*v);
}

}  // namespace

http::Response AdminWeb::ApiSubscribers(http::Request& req, const Caller&) {
  const std::string q = req.Query("q").value_or("");
  const std::optional<int64_t> after = IdQuery(req, "after");
  if (!after) return http::JsonError(Status::Invalid("after must be a subscriber id"));
  constexpr int kLimit = 200;
  SubscriberCounts counts;
  std::vector<Subscriber> found;
  Status st = store_.Read([&](StoreTx& tx) -> Status {
    Result<SubscriberCounts> n = tx.CountSubscribers();
    if (!n.ok()) return n.status();
    counts = std::move(*n);
    Result<std::vector<Subscriber>> r =
        q.empty() ? tx.ListSubscribers(*after, kLimit, false) : tx.SearchSubscribers(q, kLimit);
    if (!r.ok()) return r.status();
    found = std::move(*r);
    return Status::Ok();
  });
  if (!st.ok()) return http::JsonError(st);
  json followed = json::array();
  for (const SubscriberCounts::Followed& f : counts.followed) {
    followed.push_back({{"platform", f.what.platform},
                        {"topic", std::string(TopicId(f.what.topic))},
                        {"target", f.what.target},
                        {"count", f.confirmed}});
  }
  json list = json::array();
  for (const Subscriber& s : found) list.push_back(SubscriberJson(s));
  // Paging by id, for the list only (a search gives its first 200).
  const bool more = q.empty() && found.size() == static_cast<size_t>(kLimit);
  return JsonResponse(200, json{{"counts",
                                 {{"confirmed", counts.confirmed},
                                  {"pending", counts.pending},
                                  {"quarantined", counts.quarantined},
                                  {"followed", followed}}},
                                {"subscribers", list},
                                {"next_after", more ? json(found.back().id) : json(nullptr)}});
}

http::Response AdminWeb::ApiRemoveSubscriber(http::Request& req, const Caller& c) {
  const std::optional<int64_t> id = IdParam(req);
  if (!id) return http::JsonError(Status::NotFound("no such subscriber"));
  const Status st = ops_.RemoveSubscriber(c.name, *id);
  if (!st.ok()) return http::JsonError(st);
  return JsonResponse(200, json{{"ok", true}});
}

http::Response AdminWeb::ApiResumeSubscriber(http::Request& req, const Caller& c) {
  const std::optional<int64_t> id = IdParam(req);
  if (!id) return http::JsonError(Status::NotFound("no such subscriber"));
  const Status st = ops_.ResumeEndpoint(c.name, *id);
  if (!st.ok()) return http::JsonError(st);
  return JsonResponse(200, json{{"ok", true}});
}

http::Response AdminWeb::ApiNotices(http::Request& req, const Caller&) {
  const std::optional<int64_t> before = IdQuery(req, "before");
  if (!before) return http::JsonError(Status::Invalid("before must be a notice id"));
  std::vector<NoticeSummary> notices;
  Status st = store_.Read([&](StoreTx& tx) -> Status {
    Result<std::vector<NoticeSummary>> r = tx.ListNotices(*before, 50);
    if (!r.ok()) return r.status();
    notices = std::move(*r);
    return Status::Ok();
  });
  if (!st.ok()) return http::JsonError(st);
  json list = json::array();
  for (const NoticeSummary& n : notices) {
    list.push_back({{"id", n.notice.id},
                    {"kind", std::string(NoticeKindId(n.notice.kind))},
                    {"at", FormatRfc3339(n.notice.at)},
                    {"platform", n.notice.platform},
                    {"event_id", n.notice.event_id ? json(n.notice.event_id) : json(nullptr)},
                    {"message_id", n.notice.message_id ? json(n.notice.message_id) : json(nullptr)},
                    {"service_id", n.notice.service_id ? json(n.notice.service_id) : json(nullptr)},
                    {"fanned_out", n.fanned_out},
                    {"pending", n.pending},
                    {"sent", n.sent},
                    {"failed", n.failed}});
  }
  return JsonResponse(200, json{{"notices", list}});
}

http::Response AdminWeb::ApiNotice(http::Request& req, const Caller& c) {
  const std::optional<int64_t> id = IdParam(req);
  if (!id) return http::JsonError(Status::NotFound("no such notice"));
  // An address is personal data: for admins only.
  const auto got = ReadNoticeLog(store_, *id, c.role == Role::kAdmin);
  if (!got.ok()) return http::JsonError(got.status());
  const Notice* notice = &got->notice;
  const std::vector<Delivery>& deliveries = got->deliveries;
  const std::map<int64_t, std::string>& emails = got->emails;
  json rows = json::array();
  for (const Delivery& d : deliveries) {
    const auto email = emails.find(d.subscriber_id);
    rows.push_back({{"subscriber_id", d.subscriber_id},
                    {"email", email != emails.end() ? json(email->second) : json(nullptr)},
                    {"state", std::string(DeliveryStateId(d.state))},
                    {"attempts", d.attempts},
                    {"next_at", d.state == DeliveryState::kPending ? json(FormatRfc3339(d.next_at))
                                                                   : json(nullptr)},
                    {"sent_at", OptTime(d.sent_at)},
                    {"error", d.error}});
  }
  return JsonResponse(200, json{{"notice",
                                 {{"id", notice->id},
                                  {"kind", std::string(NoticeKindId(notice->kind))},
                                  {"at", FormatRfc3339(notice->at)}}},
                                {"deliveries", rows}});
}

}  // namespace vigie

// The back-office's forms: each reads its fields, calls one operation (operations.h) and
// goes back to a page, or shows the operation's error on the page the form came from. All go
// through Submit (or SubmitOn, for a form on one object of the path's {id}).
#include <charconv>

#include "admin/parts.h"
#include "admin/web.h"

namespace vigie {

namespace {

std::string EventUrl(int64_t id) { return "/admin/events/" + std::to_string(id); }

// A time typed in a form, in the zone of `region` (the first region of what it is about; the
// first configured one when none is chosen).
Result<std::optional<Time>> LocalTimeField(const Form& f, const char* key, const char* what,
                                           const Model& m,
                                           const std::vector<std::string>& regions) {
  const std::string text = Field(f, key);
  if (text.empty()) return std::optional<Time>();
  const Region* zone = regions.empty() ? nullptr : m.FindRegion(regions.front());
  if (!zone && !m.regions.empty()) zone = &m.regions.front();
  if (!zone) return Status::Invalid("no region is configured");
  Result<Time> t = LocalToUtc(text, *zone);
  if (!t.ok()) return t.status().WithContext(what);
  return std::optional<Time>(*t);
}

// Reads the event fields of a form: times in the first chosen region's zone.
Result<EventDraft> DraftOf(const Form& f, const Model& m, bool with_kind) {
  EventDraft d;
  if (with_kind) {
    std::optional<EventKind> kind = ParseEventKind(Field(f, "kind"));
    if (!kind) return Status::Invalid("choose the kind of event");
    d.kind = *kind;
    d.platform = Field(f, "platform");
    if (!m.FindPlatform(d.platform)) return Status::Invalid("choose a platform");
    if (auto p = ParsePhase(Field(f, "phase")); p) d.phase = *p;
  }
  d.regions = Fields(f, "regions");
  d.title = TextOf(f, "title");
  d.body = TextOf(f, "body");
  d.first_update = TextOf(f, "update");
  if (const std::string revision = Field(f, "revision"); !revision.empty()) {
    int64_t r = 0;
    const auto [end, ec] = std::from_chars(revision.data(), revision.data() + revision.size(), r);
    if (ec != std::errc() || end != revision.data() + revision.size() || r < 1) {
      return Status::Invalid("the form's revision is not a number: reload the event");
    }
    d.revision = r;
  }
  const std::string platform = with_kind ? d.platform : Field(f, "platform");
  for (const Service& s : m.services) {
    if (s.platform != platform) continue;
    const std::string v = Field(f, "service_" + s.slug);
    if (v.empty() || v == "none") continue;
    std::optional<Level> l = ParseLevel(v);
    if (!l) return Status::Invalid("unknown level \"" + v + "\"");
    d.services.emplace_back(s.slug, *l);
  }
  Result<std::optional<Time>> start = LocalTimeField(f, "start", "start", m, d.regions);
  if (!start.ok()) return start.status();
  if (*start) d.starts_at = **start;
  Result<std::optional<Time>> end = LocalTimeField(f, "end", "end", m, d.regions);
  if (!end.ok()) return end.status();
  d.ends_at = *end;
  return d;
}

Result<std::optional<Phase>> PhaseField(const Form& f) {
  const std::string p = Field(f, "phase");
  if (p.empty()) return std::optional<Phase>();
  std::optional<Phase> phase = ParsePhase(p);
  if (!phase) return Status::Invalid("unknown phase \"" + p + "\"");
  return phase;
}

Result<Role> RoleField(const Form& f) {
  std::optional<Role> role = ParseRole(Field(f, "role"));
  if (!role) return Status::Invalid("choose editor or admin");
  return *role;
}

Service ServiceOf(const Form& f) {
  Service s;
  s.platform = Field(f, "platform");
  s.slug = Field(f, "slug");
  s.name = TextOf(f, "name");
  s.information = TextOf(f, "information");
  s.impact = TextOf(f, "impact");
  const std::string position = Field(f, "position");
  std::from_chars(position.data(), position.data() + position.size(), s.position);
  s.retired = Field(f, "retired") == "1";
  return s;
}

// Where a status form goes back to: the platform's block of the dashboard.
std::string DashboardAt(const Form& f) {
  return "/admin/#" + Field(f, "region") + "-" + Field(f, "platform");
}

}  // namespace

http::Response AdminWeb::Submit(http::Request& req, const Caller& c,
                                const std::function<Result<std::string>(const Form&)>& act) {
  Result<std::string> next = act(ParseForm(req.body));
  if (!next.ok()) return FormError(req, c, next.status());
  return Back(*next);
}

http::Response AdminWeb::SubmitOn(
    http::Request& req, const Caller& c, std::string_view missing,
    const std::function<Result<std::string>(int64_t id, const Form&)>& act) {
  const std::optional<int64_t> id = IdParam(req);
  if (!id) return FormError(req, c, Status::NotFound(std::string(missing)));
  return Submit(req, c, [&](const Form& f) { return act(*id, f); });
}

// The stored state is the current snapshot's (writes publish before they return): forms read
// the model from it.

http::Response AdminWeb::SetLevel(http::Request& req, const Caller& c) {
  return Submit(req, c, [&](const Form& f) -> Result<std::string> {
    std::optional<Level> level = ParseLevel(Field(f, "level"));
    if (!level) return Status::Invalid("choose a level");
    VIGIE_RETURN_IF_ERROR(ops_.SetLevel(c.name, {Field(f, "region")}, Field(f, "platform"),
                                        Field(f, "service"), *level, Field(f, "note"),
                                        Field(f, "notify") == "1"));
    return DashboardAt(f);
  });
}

http::Response AdminWeb::SetOverride(http::Request& req, const Caller& c) {
  return Submit(req, c, [&](const Form& f) -> Result<std::string> {
    const std::string value = Field(f, "level");
    std::optional<Level> level;
    if (value != "none") {
      level = ParseLevel(value);
      if (!level) return Status::Invalid("choose a level or none");
    }
    VIGIE_RETURN_IF_ERROR(ops_.SetOverride(c.name, Field(f, "region"), Field(f, "platform"), level,
                                           Field(f, "note")));
    return DashboardAt(f);
  });
}

http::Response AdminWeb::CreateEvent(http::Request& req, const Caller& c) {
  return Submit(req, c, [&](const Form& f) -> Result<std::string> {
    Result<EventDraft> d = DraftOf(f, publisher_.Current()->model(), true);
    if (!d.ok()) return d.status();
    d->notify = Field(f, "notify") == "1";
    Result<int64_t> id = ops_.CreateEvent(c.name, *d);
    if (!id.ok()) return id.status();
    return EventUrl(*id);
  });
}

http::Response AdminWeb::EditEvent(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such event", [&](int64_t id, const Form& f) -> Result<std::string> {
    Result<EventDraft> d = DraftOf(f, publisher_.Current()->model(), false);
    if (!d.ok()) return d.status();
    VIGIE_RETURN_IF_ERROR(ops_.EditEvent(c.name, id, *d));
    return EventUrl(id);
  });
}

http::Response AdminWeb::PostUpdate(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such event", [&](int64_t id, const Form& f) -> Result<std::string> {
    Result<std::optional<Phase>> phase = PhaseField(f);
    if (!phase.ok()) return phase.status();
    VIGIE_RETURN_IF_ERROR(ops_.PostUpdate(c.name, id, TextOf(f, "text"), *phase, std::nullopt,
                                          Field(f, "notify") == "1"));
    return EventUrl(id);
  });
}

http::Response AdminWeb::Resolve(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such event", [&](int64_t id, const Form& f) -> Result<std::string> {
    VIGIE_RETURN_IF_ERROR(ops_.Resolve(c.name, id, TextOf(f, "text"), Field(f, "notify") == "1"));
    return EventUrl(id);
  });
}

http::Response AdminWeb::Cancel(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such event", [&](int64_t id, const Form& f) -> Result<std::string> {
    VIGIE_RETURN_IF_ERROR(ops_.Cancel(c.name, id, TextOf(f, "text"), Field(f, "notify") == "1"));
    return EventUrl(id);
  });
}

http::Response AdminWeb::CreateMessage(http::Request& req, const Caller& c) {
  return Submit(req, c, [&](const Form& f) -> Result<std::string> {
    MessageDraft d;
    d.platform = Field(f, "platform");
    d.regions = Fields(f, "regions");
    d.title = TextOf(f, "title");
    d.body = TextOf(f, "body");
    Result<std::optional<Time>> expires =
        LocalTimeField(f, "expires", "expiry", publisher_.Current()->model(), d.regions);
    if (!expires.ok()) return expires.status();
    d.expires_at = *expires;
    d.notify = Field(f, "notify") == "1";
    Result<int64_t> id = ops_.CreateMessage(c.name, d);
    if (!id.ok()) return id.status();
    return std::string("/admin/messages");
  });
}

http::Response AdminWeb::EditMessage(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such message", [&](int64_t id, const Form& f) -> Result<std::string> {
    const std::shared_ptr<const Snapshot> snap = publisher_.Current();
    const Model& m = snap->model();
    auto it = std::find_if(m.messages.begin(), m.messages.end(),
                           [&](const Message& x) { return x.id == id; });
    if (it == m.messages.end()) return Status::NotFound("no such message");
    MessageDraft d;
    d.platform = it->platform;  // where a message belongs does not change; its words and expiry do
    d.regions = it->regions;
    d.title = TextOf(f, "title");
    d.body = TextOf(f, "body");
    Result<std::optional<Time>> expires = LocalTimeField(f, "expires", "expiry", m, d.regions);
    if (!expires.ok()) return expires.status();
    d.expires_at = *expires;
    VIGIE_RETURN_IF_ERROR(ops_.EditMessage(c.name, id, d));
    return std::string("/admin/messages");
  });
}

http::Response AdminWeb::ExpireMessage(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such message", [&](int64_t id, const Form&) -> Result<std::string> {
    VIGIE_RETURN_IF_ERROR(ops_.ExpireMessage(c.name, id));
    return std::string("/admin/messages");
  });
}

http::Response AdminWeb::DeleteMessage(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such message", [&](int64_t id, const Form&) -> Result<std::string> {
    VIGIE_RETURN_IF_ERROR(ops_.DeleteMessage(c.name, id));
    return std::string("/admin/messages");
  });
}

http::Response AdminWeb::CreateToken(http::Request& req, const Caller& c) {
  const Form f = ParseForm(req.body);
  Result<Role> role = RoleField(f);
  if (!role.ok()) return FormError(req, c, role.status());
  Result<std::string> token = ops_.CreateToken(c.name, Field(f, "name"), *role);
  if (!token.ok()) return FormError(req, c, token.status());
  // Shown once, on this page only; never stored in clear (so not a redirect).
  return Html(c, 201, "admin_token_created", json{{"token", *token}, {"name", Field(f, "name")}},
              assets().messages.Get(c.lang, "admin.tokens"));
}

http::Response AdminWeb::RevokeToken(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such token", [&](int64_t id, const Form&) -> Result<std::string> {
    VIGIE_RETURN_IF_ERROR(ops_.RevokeToken(c.name, id));
    return std::string("/admin/tokens");
  });
}

http::Response AdminWeb::AddService(http::Request& req, const Caller& c) {
  return Submit(req, c, [&](const Form& f) -> Result<std::string> {
    Result<int64_t> id = ops_.AddService(c.name, ServiceOf(f));
    if (!id.ok()) return id.status();
    return std::string("/admin/catalog");
  });
}

http::Response AdminWeb::EditService(http::Request& req, const Caller& c) {
  return SubmitOn(req, c, "no such service", [&](int64_t id, const Form& f) -> Result<std::string> {
    VIGIE_RETURN_IF_ERROR(ops_.EditService(c.name, id, ServiceOf(f)));
    return "/admin/catalog#s" + std::to_string(id);
  });
}

http::Response AdminWeb::AddUser(http::Request& req, const Caller& c) {
  return Submit(req, c, [&](const Form& f) -> Result<std::string> {
    Result<Role> role = RoleField(f);
    if (!role.ok()) return role.status();
    Result<int64_t> id = ops_.AddUser(c.name, Field(f, "name"), *role, Field(f, "password"));
    if (!id.ok()) return id.status();
    return std::string("/admin/users");
  });
}

// POST /admin/users/{name}/{action}: disable, enable, password.
http::Response AdminWeb::UserAction(http::Request& req, const Caller& c) {
  const std::string name(req.Param("name"));
  const std::string action(req.Param("action"));
  return Submit(req, c, [&](const Form& f) -> Result<std::string> {
    if (action == "disable") {
      if (name == c.name) return Status::Invalid("you cannot disable your own account");
      VIGIE_RETURN_IF_ERROR(ops_.SetDisabled(c.name, name, true));
    } else if (action == "enable") {
      VIGIE_RETURN_IF_ERROR(ops_.SetDisabled(c.name, name, false));
    } else if (action == "password") {
      VIGIE_RETURN_IF_ERROR(ops_.SetPassword(c.name, name, Field(f, "password")));
      if (name == c.name) return std::string("/admin/login");  // a new password: sign in again
    } else {
      return Status::NotFound("no action \"" + action + "\"");
    }
    return std::string("/admin/users");
  });
}

http::Response AdminWeb::Preview(http::Request& req, const Caller& c) {
  const Form f = ParseForm(req.body);
  json blocks = json::array();
  for (const char* key : {"title_fr", "title_en", "body_fr", "body_en", "update_fr", "update_en",
                          "text_fr", "text_en"}) {
    const std::string text = Field(f, key);
    if (text.empty()) continue;
    const bool title = std::string_view(key).substr(0, 5) == "title";
    blocks.push_back({{"label", assets().messages.Get(c.lang, std::string("admin.") + key)},
                      {"lang", std::string(key).substr(std::string(key).size() - 2)},
                      {"html", title ? std::string() : MarkdownToHtml(text)},
                      {"text", title ? text : std::string()}});
  }
  return Html(c, 200, "admin_preview", json{{"blocks", blocks}},
              assets().messages.Get(c.lang, "admin.preview"));
}

}  // namespace vigie

#include "admin/operations.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "admin/security.h"
#include "domain/validate.h"

namespace vigie {

namespace {

std::string Describe(const Text& t) { return std::string(t.fr().empty() ? t.en() : t.fr()); }

// Resolves service slugs of a platform to impacts; NotFound names the first unknown one.
Result<std::vector<Impact>> Impacts(const Model& m, const std::string& platform,
                                    const std::vector<std::pair<std::string, Level>>& services) {
  std::vector<Impact> out;
  for (const auto& [slug, level] : services) {
    const Service* s = m.FindService(platform, slug);
    if (!s) {
      return Status::NotFound("unknown service \"" + slug + "\" in platform \"" + platform + "\"");
    }
    out.push_back({s->id, level});
  }
  return out;
}

const Event* Find(const Model& m, int64_t id) { return m.FindEvent(id); }

// Leaves a notice for the subscribers in the write's own transaction: it is sent if and only
// if the write commits.
Status Tell(StoreTx& tx, bool notify, NoticeKind kind, Time at, const std::string& platform,
            int64_t event_id, int64_t update_id = 0, int64_t message_id = 0,
            std::string dedupe = {}) {
  if (!notify) return Status::Ok();
  Notice n;
  n.kind = kind;
  n.at = at;
  n.platform = platform;
  n.event_id = event_id;
  n.update_id = update_id;
  n.message_id = message_id;
  n.dedupe = std::move(dedupe);
  return tx.InsertNotice(n).status();
}

}  // namespace

Status Operations::SetLevel(const std::string& actor, const std::vector<std::string>& regions,
                            const std::string& platform, const std::string& service, Level level,
                            const std::string& note, bool notify) {
  const Time now = clock_.Now();
  std::string where;
  for (const std::string& r : regions) where += (where.empty() ? "" : ",") + r;
  WriteInfo info{.actor = actor,
                 .action = "level.set",
                 .detail = where + " " + platform + "/" + service + " → " +
                           std::string(LevelId(level)) + (note.empty() ? "" : " (" + note + ")"),
                 .note = note};
  return publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    const Service* s = m.FindService(platform, service);
    if (!s) return Status::NotFound("unknown service \"" + service + "\" in \"" + platform + "\"");
    if (regions.empty()) return Status::Invalid("no region given");
    for (const std::string& region : regions) {
      ManualLevel ml{region, s->id, level, now, note};
      VIGIE_RETURN_IF_ERROR(ValidateManualLevel(m, ml));
      VIGIE_RETURN_IF_ERROR(tx.SetManualLevel(ml));
    }
    // A service put in maintenance while a maintenance of it is in progress: the window says
    // it already, nobody is told again.
    const bool explained =
        level == Level::kMaintenance &&
        std::any_of(m.events.begin(), m.events.end(), [&](const Event& e) {
          return e.kind == EventKind::kMaintenance && !e.cancelled &&
                 e.StateAt(now) == EventState::kInProgress &&
                 std::any_of(e.impacts.begin(), e.impacts.end(),
                             [&](const Impact& i) { return i.service_id == s->id; });
        });
    if (!notify || explained) return Status::Ok();
    Notice n;
    n.kind = NoticeKind::kServiceLevel;
    n.at = now;
    n.platform = platform;
    n.service_id = s->id;
    n.detail =
        nlohmann::json{{"regions", regions}, {"level", LevelId(level)}, {"note", note}}.dump();
    return tx.InsertNotice(n).status();
  });
}

Status Operations::SetOverride(const std::string& actor, const std::string& region,
                               const std::string& platform, std::optional<Level> level,
                               const std::string& note) {
  const Time now = clock_.Now();
  WriteInfo info{
      .actor = actor,
      .action = level ? "override.set" : "override.clear",
      .detail = region + " " + platform + (level ? " → " + std::string(LevelId(*level)) : ""),
      .note = note};
  return publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    GlobalOverride o{region, platform, level.value_or(Level::kOperational), now, note};
    VIGIE_RETURN_IF_ERROR(ValidateOverride(m, o));
    return level ? tx.SetOverride(o) : tx.ClearOverride(region, platform);
  });
}

Result<int64_t> Operations::CreateEvent(const std::string& actor, const EventDraft& d) {
  const Time now = clock_.Now();
  int64_t id = 0;
  WriteInfo info{
      .actor = actor,
      .action = "event.create",
      .detail = std::string(EventKindId(d.kind)) + " on " + d.platform + ": " + Describe(d.title)};
  Status st = publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    Event e;
    e.kind = d.kind;
    e.platform = d.platform;
    e.regions = d.regions;
    e.title = d.title;
    e.body = d.body;
    Result<std::vector<Impact>> impacts = Impacts(m, d.platform, d.services);
    if (!impacts.ok()) return impacts.status();
    e.impacts = *impacts;
    e.starts_at = d.starts_at.value_or(now);
    e.ends_at = d.ends_at;
    e.phase = d.kind == EventKind::kIncident
                  ? (d.phase == Phase::kNone ? Phase::kInvestigating : d.phase)
                  : Phase::kNone;
    if (e.phase == Phase::kResolved && !e.ends_at) e.ends_at = now;
    e.created_at = e.updated_at = now;
    e.updated_by = actor;
    if (!d.first_update.empty()) {
      e.updates.push_back({0, std::max(now, std::min(now, e.starts_at)), e.phase, d.first_update});
    }
    VIGIE_RETURN_IF_ERROR(ValidateEvent(m, e));
    Result<int64_t> r = tx.InsertEvent(e);
    if (!r.ok()) return r.status();
    id = *r;
    return Tell(tx, d.notify, NoticeKind::kEventCreated, now, e.platform, id);
  });
  VIGIE_RETURN_IF_ERROR(st);
  return id;
}

Status Operations::EditEvent(const std::string& actor, int64_t id, const EventDraft& d) {
  const Time now = clock_.Now();
  WriteInfo info{.actor = actor,
                 .action = "event.edit",
                 .detail = "#" + std::to_string(id) + ": " + Describe(d.title)};
  return publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    const Event* old = Find(m, id);
    if (!old) return Status::NotFound("no event #" + std::to_string(id));
    if (d.revision && *d.revision != old->revision) {
      return Status::Conflict(
          "this event was changed by " +
          (old->updated_by.empty() ? std::string("someone else") : old->updated_by) + " at " +
          FormatRfc3339(old->updated_at) +
          " after you opened it; reload it to see the change, then edit again");
    }
    Event e = *old;
    e.regions = d.regions;
    e.title = d.title;
    e.body = d.body;
    Result<std::vector<Impact>> impacts = Impacts(m, e.platform, d.services);
    if (!impacts.ok()) return impacts.status();
    e.impacts = *impacts;
    if (d.starts_at) e.starts_at = *d.starts_at;
    e.ends_at = d.ends_at;
    if (e.kind == EventKind::kIncident && e.phase == Phase::kResolved && !e.ends_at) {
      e.ends_at = old->ends_at;
    }
    e.updated_at = now;
    VIGIE_RETURN_IF_ERROR(ValidateEvent(m, e));
    e.updated_by = actor;
    return tx.UpdateEvent(e);
  });
}

Status Operations::PostUpdate(const std::string& actor, int64_t id, const Text& text,
                              std::optional<Phase> phase,
                              std::optional<std::vector<std::pair<std::string, Level>>> services,
                              bool notify) {
  const Time now = clock_.Now();
  WriteInfo info{.actor = actor,
                 .action = "event.update",
                 .detail = "#" + std::to_string(id) + ": " + Describe(text)};
  return publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    const Event* old = Find(m, id);
    if (!old) return Status::NotFound("no event #" + std::to_string(id));
    if (old->cancelled) return Status::Invalid("event #" + std::to_string(id) + " is cancelled");
    Event e = *old;
    EventUpdate u{0, now, phase.value_or(Phase::kNone), text};
    VIGIE_RETURN_IF_ERROR(ValidateUpdate(m, e, u));
    if (phase && *phase != Phase::kNone) {
      e.phase = *phase;
      if (*phase == Phase::kResolved) {
        if (e.starts_at > now) e.starts_at = now;
        // The actual end; a second after the start when resolved within the second it began.
        e.ends_at = std::max(now, e.starts_at + std::chrono::seconds(1));
      }
    }
    if (services) {
      Result<std::vector<Impact>> impacts = Impacts(m, e.platform, *services);
      if (!impacts.ok()) return impacts.status();
      e.impacts = *impacts;
    }
    e.updated_at = now;
    VIGIE_RETURN_IF_ERROR(ValidateEvent(m, e));
    e.updated_by = actor;
    VIGIE_RETURN_IF_ERROR(tx.UpdateEvent(e));
    Result<int64_t> update = tx.InsertUpdate(id, u);
    if (!update.ok()) return update.status();
    return Tell(
        tx, notify,
        e.phase == Phase::kResolved ? NoticeKind::kEventResolved : NoticeKind::kEventUpdated, now,
        e.platform, id, *update);
  });
}

Status Operations::Resolve(const std::string& actor, int64_t id, const Text& text, bool notify) {
  const Time now = clock_.Now();
  WriteInfo info{.actor = actor, .action = "event.resolve", .detail = "#" + std::to_string(id)};
  return publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    const Event* old = Find(m, id);
    if (!old) return Status::NotFound("no event #" + std::to_string(id));
    const EventState state = old->StateAt(now);
    if (state != EventState::kInProgress) {
      return Status::Invalid("only an event in progress can be resolved (this one is " +
                             std::string(EventStateId(state)) + ")");
    }
    Event e = *old;
    e.ends_at = std::max(now, e.starts_at + std::chrono::seconds(1));
    if (e.kind == EventKind::kIncident) e.phase = Phase::kResolved;
    e.updated_at = now;
    VIGIE_RETURN_IF_ERROR(ValidateEvent(m, e));
    e.updated_by = actor;
    VIGIE_RETURN_IF_ERROR(tx.UpdateEvent(e));
    int64_t update_id = 0;
    if (!text.empty()) {
      EventUpdate u{0, now, e.kind == EventKind::kIncident ? Phase::kResolved : Phase::kNone, text};
      Result<int64_t> update = tx.InsertUpdate(id, u);
      if (!update.ok()) return update.status();
      update_id = *update;
    }
    // The clock tells of a maintenance's planned end; ended now by hand, it is this one.
    return Tell(tx, notify, NoticeKind::kEventResolved, now, e.platform, id, update_id, 0,
                EndKey(id, *e.ends_at));
  });
}

Status Operations::Cancel(const std::string& actor, int64_t id, const Text& reason, bool notify) {
  const Time now = clock_.Now();
  WriteInfo info{.actor = actor, .action = "event.cancel", .detail = "#" + std::to_string(id)};
  return publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    const Event* old = Find(m, id);
    if (!old) return Status::NotFound("no event #" + std::to_string(id));
    if (old->StateAt(now) != EventState::kPlanned) {
      return Status::Invalid("only a planned event can be cancelled; resolve one in progress");
    }
    Event e = *old;
    e.cancelled = true;
    e.updated_at = now;
    e.updated_by = actor;
    VIGIE_RETURN_IF_ERROR(tx.UpdateEvent(e));
    int64_t update_id = 0;
    if (!reason.empty()) {
      Result<int64_t> update = tx.InsertUpdate(id, EventUpdate{0, now, Phase::kNone, reason});
      if (!update.ok()) return update.status();
      update_id = *update;
    }
    return Tell(tx, notify, NoticeKind::kEventUpdated, now, e.platform, id, update_id);
  });
}

Result<int64_t> Operations::CreateMessage(const std::string& actor, const MessageDraft& d) {
  const Time now = clock_.Now();
  int64_t id = 0;
  WriteInfo info{.actor = actor, .action = "message.create", .detail = Describe(d.title)};
  Status st = publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    Message msg{0,           d.platform, d.regions, d.title, d.body, d.published_at.value_or(now),
                d.expires_at};
    VIGIE_RETURN_IF_ERROR(ValidateMessage(m, msg));
    Result<int64_t> r = tx.InsertMessage(msg);
    if (!r.ok()) return r.status();
    id = *r;
    return Tell(tx, d.notify, NoticeKind::kMessagePublished, now, d.platform, 0, 0, id);
  });
  VIGIE_RETURN_IF_ERROR(st);
  return id;
}

Status Operations::EditMessage(const std::string& actor, int64_t id, const MessageDraft& d) {
  WriteInfo info{.actor = actor,
                 .action = "message.edit",
                 .detail = "#" + std::to_string(id) + ": " + Describe(d.title)};
  return publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    auto it = std::find_if(m.messages.begin(), m.messages.end(),
                           [&](const Message& x) { return x.id == id; });
    if (it == m.messages.end()) return Status::NotFound("no message #" + std::to_string(id));
    Message msg{id,          d.platform, d.regions,
                d.title,     d.body,     d.published_at.value_or(it->published_at),
                d.expires_at};
    VIGIE_RETURN_IF_ERROR(ValidateMessage(m, msg));
    return tx.UpdateMessage(msg);
  });
}

Status Operations::ExpireMessage(const std::string& actor, int64_t id) {
  const Time now = clock_.Now();
  WriteInfo info{.actor = actor, .action = "message.expire", .detail = "#" + std::to_string(id)};
  return publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    auto it = std::find_if(m.messages.begin(), m.messages.end(),
                           [&](const Message& x) { return x.id == id; });
    if (it == m.messages.end()) return Status::NotFound("no message #" + std::to_string(id));
    Message msg = *it;
    msg.expires_at = std::max(now, msg.published_at + std::chrono::seconds(1));
    return tx.UpdateMessage(msg);
  });
}

Status Operations::DeleteMessage(const std::string& actor, int64_t id) {
  WriteInfo info{.actor = actor, .action = "message.delete", .detail = "#" + std::to_string(id)};
  return publisher_.Write(info, [&](const Model&, StoreTx& tx) { return tx.DeleteMessage(id); });
}

namespace {
Status ValidService(const Service& s) {
  if (!IsSlug(s.slug)) {
    return Status::Invalid(
        "a service slug is lower-case letters, digits and '-' (e.g. web-client)");
  }
  if (s.name.fr().find_first_not_of(" ") == std::string_view::npos ||
      s.name.en().find_first_not_of(" ") == std::string_view::npos) {
    return Status::Invalid("give the service a name in French and in English");
  }
  return Status::Ok();
}
}  // namespace

Result<int64_t> Operations::AddService(const std::string& actor, const Service& service) {
  VIGIE_RETURN_IF_ERROR(ValidService(service));
  int64_t id = 0;
  WriteInfo info{
      .actor = actor, .action = "catalog.add", .detail = service.platform + "/" + service.slug};
  Status st = publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    if (!m.FindPlatform(service.platform)) {
      return Status::NotFound("unknown platform \"" + service.platform + "\"");
    }
    if (m.FindService(service.platform, service.slug)) {
      return Status::Conflict("service \"" + service.slug + "\" already exists in " +
                              service.platform);
    }
    Service s = service;
    s.created_at = clock_.Now();
    if (s.position <= 0) {
      for (const Service& other : m.services) {
        if (other.platform == s.platform) s.position = std::max(s.position, other.position);
      }
      ++s.position;
    }
    Result<int64_t> r = tx.UpsertService(s);
    if (!r.ok()) return r.status();
    id = *r;
    return Status::Ok();
  });
  VIGIE_RETURN_IF_ERROR(st);
  return id;
}

Status Operations::EditService(const std::string& actor, int64_t id, const Service& service) {
  WriteInfo info{.actor = actor,
                 .action = service.retired ? "catalog.retire" : "catalog.edit",
                 .detail = "#" + std::to_string(id) + " " + std::string(service.name.fr())};
  return publisher_.Write(info, [&](const Model& m, StoreTx& tx) -> Status {
    const Service* old = m.FindService(id);
    if (!old) return Status::NotFound("no service #" + std::to_string(id));
    Service s = service;
    s.id = id;
    s.platform = old->platform;
    s.slug = old->slug;  // a permanent identifier: URLs, feeds, history
    VIGIE_RETURN_IF_ERROR(ValidService(s));
    return tx.UpdateService(s);
  });
}

Status Operations::Audited(const std::string& actor, const std::string& action,
                           const std::string& detail,
                           const std::function<Status(StoreTx&)>& write) {
  const Time now = clock_.Now();
  return store_.Write([&](StoreTx& tx) -> Status {
    VIGIE_RETURN_IF_ERROR(write(tx));
    return tx.InsertAudit(now, actor, action, detail);
  });
}

Status Operations::RemoveSubscriber(const std::string& actor, int64_t id) {
  return Audited(actor, "subscriber.remove", "#" + std::to_string(id),
                 [&](StoreTx& tx) { return tx.DeleteSubscriber(id); });
}

Status Operations::ResumeEndpoint(const std::string& actor, int64_t id) {
  return Audited(actor, "subscriber.resume", "#" + std::to_string(id),
                 [&](StoreTx& tx) { return tx.SetQuarantine(id, std::nullopt); });
}

Status Operations::NoteExport(const std::string& actor, const std::string& what) {
  return Audited(actor, "subscribers.export", what, [](StoreTx&) { return Status::Ok(); });
}

namespace {
Status ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") !=
          std::string::npos) {
    return Status::Invalid("a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'");
  }
  return Status::Ok();
}
}  // namespace

Result<int64_t> Operations::AddUser(const std::string& actor, const std::string& name, Role role,
                                    const std::string& password) {
  VIGIE_RETURN_IF_ERROR(ValidName(name));
  Result<std::string> hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  const Time now = clock_.Now();
  int64_t id = 0;
  VIGIE_RETURN_IF_ERROR(Audited(
      actor, "user.add", name + " (" + std::string(RoleId(role)) + ")", [&](StoreTx& tx) -> Status {
        Result<int64_t> r = tx.AddUser(User{0, name, role, *hash, false, now, now});
        if (!r.ok()) return r.status();
        id = *r;
        return Status::Ok();
      }));
  return id;
}

Status Operations::SetPassword(const std::string& actor, const std::string& name,
                               const std::string& password) {
  Result<std::optional<User>> u = store_.FindUser(name);
  if (!u.ok()) return u.status();
  if (!*u) return Status::NotFound("no user \"" + name + "\"");
  Result<std::string> hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  User user = **u;
  user.password_hash = *hash;
  user.password_changed_at = clock_.Now();
  return Audited(actor, "user.passwd", user.name, [&](StoreTx& tx) -> Status {
    VIGIE_RETURN_IF_ERROR(tx.UpdateUser(user));
    return tx.DeleteSessionsOf(user.id);  // every session ends with the old password
  });
}

Status Operations::SetDisabled(const std::string& actor, const std::string& name, bool disabled) {
  Result<std::optional<User>> u = store_.FindUser(name);
  if (!u.ok()) return u.status();
  if (!*u) return Status::NotFound("no user \"" + name + "\"");
  User user = **u;
  user.disabled = disabled;
  return Audited(actor, disabled ? "user.disable" : "user.enable", user.name,
                 [&](StoreTx& tx) -> Status {
                   VIGIE_RETURN_IF_ERROR(tx.UpdateUser(user));
                   return disabled ? tx.DeleteSessionsOf(user.id) : Status::Ok();
                 });
}

Result<std::string> Operations::CreateToken(const std::string& actor, const std::string& name,
                                            Role role) {
  if (name.empty() || name.size() > 100)
    return Status::Invalid("name the token (1 to 100 characters)");
  const std::string token = "vigie_" + RandomToken(32);
  VIGIE_RETURN_IF_ERROR(Audited(actor, "token.create",
                                name + " (" + std::string(RoleId(role)) + ")",
                                [&](StoreTx& tx) -> Status {
                                  return tx
                                      .AddToken(ApiToken{0, name, HashSecret(token), role, actor,
                                                         clock_.Now(), std::nullopt, std::nullopt})
                                      .status();
                                }));
  return token;
}

Status Operations::RevokeToken(const std::string& actor, int64_t id) {
  return Audited(actor, "token.revoke", "#" + std::to_string(id),
                 [&](StoreTx& tx) { return tx.RevokeToken(id, clock_.Now()); });
}

}  // namespace vigie

#include "store/sql_tx.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace vigie {

namespace {

using sql::Stmt;
using json = nlohmann::json;

std::string ToJsonArray(const std::vector<std::string>& v) { return json(v).dump(); }

std::vector<std::string> FromJsonArray(const std::string& s) {
  json j = json::parse(s, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const json& x : j) {
    if (x.is_string()) out.push_back(x.get<std::string>());
  }
  return out;
}

Level LevelOr(std::string_view s) { return ParseLevel(s).value_or(Level::kOperational); }

std::optional<std::string> NullIfEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

// The events the changes log names above the seq given as ?1, and those the open transaction
// touched (dirty_events, which triggers fill).
constexpr std::string_view kTouched =
    "(SELECT event_id FROM change_events WHERE seq > ?1 UNION SELECT id FROM dirty_events)";

// Where the events with these ids are in `model`, ascending: through the model's index of
// positions when it has one, else by a scan. An id the model does not hold is left out.
std::vector<size_t> PositionsOf(const Model& model, const std::unordered_set<int64_t>& ids) {
  std::vector<size_t> out;
  if (model.event_positions) {
    bool valid = true;
    for (int64_t id : ids) {
      const auto it = model.event_positions->find(id);
      if (it == model.event_positions->end()) continue;
      if (it->second >= model.events.size() || model.events[it->second].id != id) {
        valid = false;  // an index of other events: scan instead
        break;
      }
      out.push_back(it->second);
    }
    if (valid) {
      std::sort(out.begin(), out.end());
      return out;
    }
    out.clear();
  }
  for (size_t i = 0; i < model.events.size(); ++i) {
    if (ids.count(model.events[i].id)) out.push_back(i);
  }
  return out;
}

}  // namespace

SqlTx::SqlTx(sql::Connection& conn, int64_t changes_kept, std::string_view announce)
    : conn_(conn),
      rows_at_start_(conn.TotalChanged()),
      changes_kept_(changes_kept),
      announce_(announce) {}

Result<int64_t> SqlTx::Seq() {
  return Stmt(conn_, "SELECT coalesce(max(seq), 0) FROM changes").OneInt();
}

Result<int64_t> SqlTx::LogChange(Time at) {
  Result<int64_t> seq = Stmt(conn_,
                             "INSERT INTO changes(at, catalog) "
                             "VALUES (?, EXISTS (SELECT 1 FROM dirty_catalog)) RETURNING seq",
                             ToUnix(at))
                            .OneInt();
  if (!seq.ok()) return seq;
  VIGIE_RETURN_IF_ERROR(Stmt(conn_, "DELETE FROM dirty_catalog").Run());
  VIGIE_RETURN_IF_ERROR(Stmt(conn_,
                             "INSERT INTO change_events(seq, event_id) "
                             "SELECT CAST(? AS BIGINT), id FROM dirty_events",
                             *seq)
                            .Run());
  VIGIE_RETURN_IF_ERROR(Stmt(conn_, "DELETE FROM dirty_events").Run());
  const int64_t forget = *seq - changes_kept_;
  VIGIE_RETURN_IF_ERROR(Stmt(conn_, "DELETE FROM change_events WHERE seq <= ?", forget).Run());
  VIGIE_RETURN_IF_ERROR(Stmt(conn_, "DELETE FROM changes WHERE seq <= ?", forget).Run());
  if (!announce_.empty()) {
    VIGIE_RETURN_IF_ERROR(Stmt(conn_, announce_, std::to_string(*seq)).Run());
  }
  return seq;
}

Status SqlTx::UpsertPlatform(const Platform& p) {
  return Stmt(conn_,
              "INSERT INTO platforms(slug, position, name_fr, name_en, category_fr, "
              "category_en, description_fr, description_en, products) "
              "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(slug) DO UPDATE SET "
              "position=excluded.position, name_fr=excluded.name_fr, name_en=excluded.name_en, "
              "category_fr=excluded.category_fr, category_en=excluded.category_en, "
              "description_fr=excluded.description_fr, description_en=excluded.description_en, "
              "products=excluded.products",
              p.slug, p.position, p.name.fr(), p.name.en(), p.category.fr(), p.category.en(),
              p.description.fr(), p.description.en(), ToJsonArray(p.products))
      .Run();
}

Result<int64_t> SqlTx::UpsertService(const Service& s) {
  return Stmt(conn_,
              "INSERT INTO services(platform, slug, position, name_fr, name_en, information_fr, "
              "information_en, impact_fr, impact_en, retired, created_at) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,?) "
              "ON CONFLICT(platform, slug) DO UPDATE SET position=excluded.position, "
              "name_fr=excluded.name_fr, name_en=excluded.name_en, "
              "information_fr=excluded.information_fr, information_en=excluded.information_en, "
              "impact_fr=excluded.impact_fr, impact_en=excluded.impact_en, "
              "retired=excluded.retired RETURNING id",
              s.platform, s.slug, s.position, s.name.fr(), s.name.en(), s.information.fr(),
              s.information.en(), s.impact.fr(), s.impact.en(), s.retired, ToUnix(s.created_at))
      .OneInt();
}

Status SqlTx::SetManualLevel(const ManualLevel& m) {
  return Stmt(conn_,
              "INSERT INTO manual_levels(region, service_id, level, set_at, note) "
              "VALUES (?,?,?,?,?) ON CONFLICT(region, service_id) DO UPDATE SET "
              "level=excluded.level, set_at=excluded.set_at, note=excluded.note",
              m.region, m.service_id, LevelId(m.level), ToUnix(m.set_at), m.note)
      .Run();
}

Status SqlTx::SetOverride(const GlobalOverride& o) {
  return Stmt(conn_,
              "INSERT INTO overrides(region, platform, level, set_at, note) VALUES (?,?,?,?,?) "
              "ON CONFLICT(region, platform) DO UPDATE SET level=excluded.level, "
              "set_at=excluded.set_at, note=excluded.note",
              o.region, o.platform, LevelId(o.level), ToUnix(o.set_at), o.note)
      .Run();
}

Status SqlTx::ClearOverride(const std::string& region, const std::string& platform) {
  return Stmt(conn_, "DELETE FROM overrides WHERE region=? AND platform=?", region, platform).Run();
}

Result<int64_t> SqlTx::InsertEvent(const Event& e) {
  Result<int64_t> id =
      Stmt(conn_,
           "INSERT INTO events(kind, platform, regions, title_fr, title_en, body_fr, body_en, "
           "starts_at, ends_at, phase, cancelled, created_at, updated_at, updated_by) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
           EventKindId(e.kind), e.platform, ToJsonArray(e.regions), e.title.fr(), e.title.en(),
           e.body.fr(), e.body.en(), ToUnix(e.starts_at), OptUnix(e.ends_at), PhaseId(e.phase),
           e.cancelled, ToUnix(e.created_at), ToUnix(e.updated_at), e.updated_by)
          .OneInt();
  if (!id.ok()) return id;
  VIGIE_RETURN_IF_ERROR(WriteImpacts(*id, e.impacts));
  for (const EventUpdate& u : e.updates) {
    Result<int64_t> uid = InsertUpdate(*id, u);
    if (!uid.ok()) return uid.status();
  }
  return id;
}

Status SqlTx::UpdateEvent(const Event& e) {
  VIGIE_RETURN_IF_ERROR(
      Stmt(conn_,
           "UPDATE events SET kind=?, platform=?, regions=?, title_fr=?, title_en=?, body_fr=?, "
           "body_en=?, starts_at=?, ends_at=?, phase=?, cancelled=?, updated_at=?, updated_by=?, "
           "revision=revision+1 WHERE id=?",
           EventKindId(e.kind), e.platform, ToJsonArray(e.regions), e.title.fr(), e.title.en(),
           e.body.fr(), e.body.en(), ToUnix(e.starts_at), OptUnix(e.ends_at), PhaseId(e.phase),
           e.cancelled, ToUnix(e.updated_at), e.updated_by, e.id)
          .Run());
  VIGIE_RETURN_IF_ERROR(Changed("event #" + std::to_string(e.id)));
  VIGIE_RETURN_IF_ERROR(Stmt(conn_, "DELETE FROM event_services WHERE event_id=?", e.id).Run());
  return WriteImpacts(e.id, e.impacts);
}

Result<int64_t> SqlTx::InsertUpdate(int64_t event_id, const EventUpdate& u) {
  return Stmt(conn_,
              "INSERT INTO event_updates(event_id, at, phase, text_fr, text_en) "
              "VALUES (?,?,?,?,?) RETURNING id",
              event_id, ToUnix(u.at), PhaseId(u.phase), u.text.fr(), u.text.en())
      .OneInt();
}

Result<int64_t> SqlTx::InsertMessage(const Message& m) {
  return Stmt(conn_,
              "INSERT INTO messages(platform, regions, title_fr, title_en, body_fr, body_en, "
              "published_at, expires_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
              NullIfEmpty(m.platform), ToJsonArray(m.regions), m.title.fr(), m.title.en(),
              m.body.fr(), m.body.en(), ToUnix(m.published_at), OptUnix(m.expires_at))
      .OneInt();
}

Status SqlTx::InsertStatusChanges(std::vector<StatusChange>& changes) {
  for (StatusChange& c : changes) {
    Result<int64_t> id =
        Stmt(conn_,
             "INSERT INTO status_changes(region, platform, service_id, from_level, to_level, "
             "at, cause, event_id, note) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
             c.region.str(), c.platform.str(), std::optional<int64_t>(c.service_id),
             LevelId(c.from), LevelId(c.to), ToUnix(c.at), CauseKindId(c.cause),
             std::optional<int64_t>(c.event_id), c.note.str())
            .OneInt();
    if (!id.ok()) return id.status();
    c.id = *id;
  }
  return Status::Ok();
}

Status SqlTx::InsertAudit(Time at, std::string_view actor, std::string_view action,
                          std::string_view detail) {
  return Stmt(conn_, "INSERT INTO audit(at, actor, action, detail) VALUES (?,?,?,?)", ToUnix(at),
              actor, action, detail)
      .Run();
}

Result<std::string> SqlTx::GetMeta(std::string_view key) {
  Stmt st(conn_, "SELECT value FROM meta WHERE key=?", key);
  std::string value = st.Step() ? st.Str(0) : "";
  VIGIE_RETURN_IF_ERROR(st.Run());
  return value;
}

Status SqlTx::SetMeta(std::string_view key, std::string_view value) {
  return Stmt(conn_,
              "INSERT INTO meta(key, value) VALUES (?,?) "
              "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
              key, value)
      .Run();
}

Result<int64_t> SqlTx::AddUser(const User& u) {
  Result<int64_t> id = Stmt(conn_,
                            "INSERT INTO users(name, role, password_hash, disabled, created_at, "
                            "password_changed_at) VALUES (?,?,?,?,?,?) RETURNING id",
                            u.name, RoleId(u.role), u.password_hash, u.disabled,
                            ToUnix(u.created_at), ToUnix(u.password_changed_at))
                           .OneInt();
  if (id.status().code() == Status::Code::kConflict) {
    return Status::Conflict("a user named \"" + u.name + "\" already exists");
  }
  return id;
}

Status SqlTx::UpdateUser(const User& u) {
  VIGIE_RETURN_IF_ERROR(
      Stmt(conn_,
           "UPDATE users SET role=?, password_hash=?, disabled=?, password_changed_at=? "
           "WHERE id=?",
           RoleId(u.role), u.password_hash, u.disabled, ToUnix(u.password_changed_at), u.id)
          .Run());
  return Changed("user #" + std::to_string(u.id));
}

Status SqlTx::CreateSession(const Session& x) {
  return Stmt(conn_,
              "INSERT INTO sessions(id_hash, user_id, csrf, created_at, last_seen_at) "
              "VALUES (?,?,?,?,?)",
              x.id_hash, x.user_id, x.csrf, ToUnix(x.created_at), ToUnix(x.last_seen_at))
      .Run();
}

Status SqlTx::TouchSession(std::string_view id_hash, Time at) {
  return Stmt(conn_, "UPDATE sessions SET last_seen_at=? WHERE id_hash=?", ToUnix(at), id_hash)
      .Run();
}

Status SqlTx::DeleteSession(std::string_view id_hash) {
  return Stmt(conn_, "DELETE FROM sessions WHERE id_hash=?", id_hash).Run();
}

Status SqlTx::DeleteSessionsOf(int64_t user_id) {
  return Stmt(conn_, "DELETE FROM sessions WHERE user_id=?", user_id).Run();
}

Result<int64_t> SqlTx::AddToken(const ApiToken& t) {
  return Stmt(conn_,
              "INSERT INTO api_tokens(name, token_hash, role, created_by, created_at) "
              "VALUES (?,?,?,?,?) RETURNING id",
              t.name, t.token_hash, RoleId(t.role), t.created_by, ToUnix(t.created_at))
      .OneInt();
}

Status SqlTx::RevokeToken(int64_t id, Time at) {
  VIGIE_RETURN_IF_ERROR(Stmt(conn_,
                             "UPDATE api_tokens SET revoked_at=coalesce(revoked_at, ?) WHERE id=?",
                             ToUnix(at), id)
                            .Run());
  return Changed("token #" + std::to_string(id));
}

Status SqlTx::TouchToken(int64_t id, Time at) {
  return Stmt(conn_, "UPDATE api_tokens SET last_used_at=? WHERE id=?", ToUnix(at), id).Run();
}

Status SqlTx::UpdateService(const Service& x) {
  VIGIE_RETURN_IF_ERROR(
      Stmt(conn_,
           "UPDATE services SET slug=?, position=?, name_fr=?, name_en=?, information_fr=?, "
           "information_en=?, impact_fr=?, impact_en=?, retired=? WHERE id=?",
           x.slug, x.position, x.name.fr(), x.name.en(), x.information.fr(), x.information.en(),
           x.impact.fr(), x.impact.en(), x.retired, x.id)
          .Run());
  return Changed("service #" + std::to_string(x.id));
}

Status SqlTx::UpdateMessage(const Message& m) {
  VIGIE_RETURN_IF_ERROR(
      Stmt(conn_,
           "UPDATE messages SET platform=?, regions=?, title_fr=?, title_en=?, body_fr=?, "
           "body_en=?, published_at=?, expires_at=? WHERE id=?",
           NullIfEmpty(m.platform), ToJsonArray(m.regions), m.title.fr(), m.title.en(), m.body.fr(),
           m.body.en(), ToUnix(m.published_at), OptUnix(m.expires_at), m.id)
          .Run());
  return Changed("message #" + std::to_string(m.id));
}

Status SqlTx::DeleteMessage(int64_t id) {
  VIGIE_RETURN_IF_ERROR(Stmt(conn_, "DELETE FROM messages WHERE id=?", id).Run());
  return Changed("message #" + std::to_string(id));
}

Status SqlTx::UpdateEventUpdate(int64_t update_id, const EventUpdate& u) {
  VIGIE_RETURN_IF_ERROR(Stmt(conn_,
                             "UPDATE event_updates SET phase=?, text_fr=?, text_en=? WHERE id=?",
                             PhaseId(u.phase), u.text.fr(), u.text.en(), update_id)
                            .Run());
  return Changed("update #" + std::to_string(update_id));
}

Status SqlTx::Changed(const std::string& what) {
  return conn_.Changed() == 0 ? Status::NotFound("no " + what) : Status::Ok();
}

Status SqlTx::WriteImpacts(int64_t event_id, const std::vector<Impact>& impacts) {
  for (const Impact& i : impacts) {
    VIGIE_RETURN_IF_ERROR(
        Stmt(conn_, "INSERT INTO event_services(event_id, service_id, level) VALUES (?,?,?)",
             event_id, i.service_id, LevelId(i.level))
            .Run());
  }
  return Status::Ok();
}

// The catalog, read whole: platforms and services.
Status SqlTx::LoadCatalog(Model& m) {
  {
    Stmt st(conn_,
            "SELECT slug, position, name_fr, name_en, category_fr, category_en, description_fr, "
            "description_en, products FROM platforms ORDER BY position, slug");
    while (st.Step()) {
      Platform p;
      p.slug = st.Str(0);
      p.position = static_cast<int>(st.Int(1));
      p.name = {st.Str(2), st.Str(3)};
      p.category = {st.Str(4), st.Str(5)};
      p.description = {st.Str(6), st.Str(7)};
      p.products = FromJsonArray(st.Str(8));
      m.platforms.push_back(std::move(p));
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  {
    Stmt st(conn_,
            "SELECT s.id, s.platform, s.slug, s.position, s.name_fr, s.name_en, s.information_fr, "
            "s.information_en, s.impact_fr, s.impact_en, s.retired, s.created_at FROM services s "
            "JOIN platforms p ON p.slug = s.platform ORDER BY p.position, s.position, s.id");
    while (st.Step()) {
      Service s;
      s.id = st.Int(0);
      s.platform = st.Str(1);
      s.slug = st.Str(2);
      s.position = static_cast<int>(st.Int(3));
      s.name = {st.Str(4), st.Str(5)};
      s.information = {st.Str(6), st.Str(7)};
      s.impact = {st.Str(8), st.Str(9)};
      s.retired = st.Int(10) != 0;
      s.created_at = FromUnix(st.Int(11));
      m.services.push_back(std::move(s));
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  return Status::Ok();
}

// The levels operators set, read whole: they are few (one row per service or platform set by
// hand, per region).
Status SqlTx::LoadLevels(Model& m) {
  {
    Stmt st(conn_,
            "SELECT region, service_id, level, set_at, note FROM manual_levels "
            "ORDER BY region, service_id");
    while (st.Step()) {
      m.manual_levels.push_back(
          {st.Str(0), st.Int(1), LevelOr(st.Str(2)), FromUnix(st.Int(3)), st.Str(4)});
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  {
    Stmt st(conn_,
            "SELECT region, platform, level, set_at, note FROM overrides "
            "ORDER BY region, platform");
    while (st.Step()) {
      m.overrides.push_back(
          {st.Str(0), st.Str(1), LevelOr(st.Str(2)), FromUnix(st.Int(3)), st.Str(4)});
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  return Status::Ok();
}

Status SqlTx::LoadEvents(SharedVector<Event>& events, std::optional<int64_t> above,
                         const std::vector<Service>& services) {
  // `select` of the rows of every event, or of the touched ones only.
  const auto rows = [&](std::string_view select, std::string_view event_id,
                        std::string_view order) {
    std::string sql(select);
    if (!above) return Stmt(conn_, sql.append(" ORDER BY ").append(order));
    sql.append(" WHERE ").append(event_id).append(" IN ").append(kTouched);
    return Stmt(conn_, sql.append(" ORDER BY ").append(order), *above);
  };
  {
    Stmt st = rows(
        "SELECT id, kind, platform, regions, title_fr, title_en, body_fr, body_en, starts_at, "
        "ends_at, phase, cancelled, created_at, updated_at, revision, updated_by FROM events",
        "id", "id");
    // Events name a handful of region lists ("fr", "na", both): each is parsed once.
    std::unordered_map<std::string, std::vector<std::string>> region_lists;
    while (st.Step()) {
      Event e;
      e.id = st.Int(0);
      e.kind = ParseEventKind(st.View(1)).value_or(EventKind::kAnnouncement);
      e.platform = st.Str(2);
      std::string regions = st.Str(3);
      auto known = region_lists.find(regions);
      if (known == region_lists.end()) {
        known = region_lists.emplace(regions, FromJsonArray(regions)).first;
      }
      e.regions = known->second;
      e.title = Text::Stored(st.View(4), st.View(5));
      e.body = Text::Stored(st.View(6), st.View(7));
      e.starts_at = FromUnix(st.Int(8));
      if (auto end = st.OptInt(9)) e.ends_at = FromUnix(*end);
      e.phase = ParsePhase(st.View(10)).value_or(Phase::kNone);
      e.cancelled = st.Int(11) != 0;
      e.created_at = FromUnix(st.Int(12));
      e.updated_at = FromUnix(st.Int(13));
      e.revision = st.Int(14);
      e.updated_by = st.Str(15);
      events.push_back(std::move(e));
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  std::unordered_map<int64_t, Event*> by_id;
  for (Event& e : events) by_id[e.id] = &e;
  {
    Stmt st = rows("SELECT event_id, service_id, level FROM event_services", "event_id",
                   "event_id, service_id");
    while (st.Step()) {
      if (auto it = by_id.find(st.Int(0)); it != by_id.end()) {
        it->second->impacts.push_back({st.Int(1), LevelOr(st.View(2))});
      }
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  {
    Stmt st = rows("SELECT id, event_id, at, phase, text_fr, text_en FROM event_updates",
                   "event_id", "id");
    while (st.Step()) {
      if (auto it = by_id.find(st.Int(1)); it != by_id.end()) {
        EventUpdate u;
        u.id = st.Int(0);
        u.at = FromUnix(st.Int(2));
        u.phase = ParsePhase(st.View(3)).value_or(Phase::kNone);
        u.text = Text::Stored(st.View(4), st.View(5));
        it->second->updates.push_back(std::move(u));
      }
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  // Read in key order (a database's sorter was a third of a load), ordered here: events by
  // (starts_at, id), an event's services by their catalog position, its updates by (at, id).
  std::unordered_map<int64_t, int> position;
  for (const Service& s : services) position.emplace(s.id, s.position);
  const auto position_of = [&position](int64_t service) {
    auto it = position.find(service);
    return it == position.end() ? 0 : it->second;
  };
  const auto by_position = [&](const Impact& a, const Impact& b) {
    return position_of(a.service_id) < position_of(b.service_id);
  };
  for (auto& [id, e] : by_id) {
    // Mostly in order already: a stable sort would still take a buffer from malloc each time.
    if (!std::is_sorted(e->impacts.begin(), e->impacts.end(), by_position)) {
      std::stable_sort(e->impacts.begin(), e->impacts.end(), by_position);
    }
    if (!std::is_sorted(e->updates.begin(), e->updates.end(), UpdateBefore)) {
      std::stable_sort(e->updates.begin(), e->updates.end(), UpdateBefore);
    }
  }
  events.StableSort(EventBefore);
  return Status::Ok();
}

Status SqlTx::LoadMessages(Model& m) {
  Stmt st(conn_,
          "SELECT id, platform, regions, title_fr, title_en, body_fr, body_en, published_at, "
          "expires_at FROM messages ORDER BY published_at DESC, id DESC");
  while (st.Step()) {
    Message msg;
    msg.id = st.Int(0);
    msg.platform = st.Str(1);
    msg.regions = FromJsonArray(st.Str(2));
    msg.title = Text::Stored(st.View(3), st.View(4));
    msg.body = Text::Stored(st.View(5), st.View(6));
    msg.published_at = FromUnix(st.Int(7));
    if (auto exp = st.OptInt(8)) msg.expires_at = FromUnix(*exp);
    m.messages.push_back(std::move(msg));
  }
  return st.status();
}

Result<int64_t> SqlTx::LoadStatusChanges(AppendVector<StatusChange>& out, int64_t after_id) {
  int64_t last = 0;
  Stmt st(conn_,
          "SELECT id, region, platform, service_id, from_level, to_level, at, cause, event_id, "
          "note FROM status_changes WHERE id > ? ORDER BY id",
          after_id);
  while (st.Step()) {
    StatusChange c;
    c.id = st.Int(0);
    // Views, not strings: 710,000 rows at scale.
    c.region = st.View(1);
    c.platform = st.View(2);
    c.service_id = st.OptInt(3);
    c.from = LevelOr(st.View(4));
    c.to = LevelOr(st.View(5));
    c.at = FromUnix(st.Int(6));
    c.cause = ParseCauseKind(st.View(7)).value_or(CauseKind::kManual);
    c.event_id = st.OptInt(8);
    c.note = st.View(9);
    last = std::max(last, c.id);
    out.push_back(std::move(c));
  }
  VIGIE_RETURN_IF_ERROR(st.status());
  // Read in id order, ordered here by (at, id): usually already so.
  out.StableSort(ChangeBefore);
  return last;
}

Result<Model> SqlTx::Load() {
  Model m;
  Result<int64_t> seq = Seq();
  if (!seq.ok()) return seq.status();
  m.seq = *seq;
  Result<std::string> generation = GetMeta(kGenerationKey);
  if (!generation.ok()) return generation.status();
  m.generation = std::move(generation).value();
  VIGIE_RETURN_IF_ERROR(LoadCatalog(m));
  VIGIE_RETURN_IF_ERROR(LoadLevels(m));
  VIGIE_RETURN_IF_ERROR(LoadEvents(m.events, std::nullopt, m.services));
  VIGIE_RETURN_IF_ERROR(LoadMessages(m));
  Result<int64_t> last = LoadStatusChanges(m.status_changes, 0);
  if (!last.ok()) return last.status();
  m.last_change_id = *last;
  return m;
}

Result<Model> SqlTx::LoadAbove(const Model& previous) {
  {
    // Entries just above previous.seq were pruned: what they touched is not known any more.
    Result<int64_t> oldest = Stmt(conn_, "SELECT coalesce(min(seq), 0) FROM changes").OneInt();
    if (!oldest.ok()) return oldest.status();
    if (*oldest > previous.seq + 1) return Load();
  }
  Model m;
  Result<int64_t> seq = Seq();
  if (!seq.ok()) return seq.status();
  Result<std::string> generation = GetMeta(kGenerationKey);
  if (!generation.ok()) return generation.status();
  // A log behind the model, or another generation (the site was restored since): the model is
  // not the store's past, so nothing of it can be kept.
  if (*seq < previous.seq || *generation != previous.generation) return Load();
  m.seq = *seq;
  m.generation = std::move(generation).value();
  // The catalog is read again only when a change above previous.seq, or this transaction,
  // touched it (2,000 services at scale: most of a level write's reading).
  Result<int64_t> catalog_changes =
      Stmt(conn_,
           "SELECT count(*) FROM (SELECT seq FROM changes WHERE seq > ? AND catalog "
           "UNION ALL SELECT one FROM dirty_catalog) AS t",
           previous.seq)
          .OneInt();
  if (!catalog_changes.ok()) return catalog_changes.status();
  if (*catalog_changes > 0) {
    VIGIE_RETURN_IF_ERROR(LoadCatalog(m));
  } else {
    m.platforms = previous.platforms;
    m.services = previous.services;
  }
  VIGIE_RETURN_IF_ERROR(LoadLevels(m));
  VIGIE_RETURN_IF_ERROR(LoadMessages(m));

  // Events: those the log names above previous.seq and those this transaction touched are
  // read again, the others are shared with the previous model; the result keeps the Store's
  // order (starts_at, id).
  std::unordered_set<int64_t> touched;
  {
    Stmt st(conn_, "SELECT event_id FROM " + std::string(kTouched) + " AS t", previous.seq);
    while (st.Step()) touched.insert(st.Int(0));
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  m.events = previous.events;  // shares its chunks: no copy of 100,000 pointers
  if (!touched.empty()) {
    SharedVector<Event> changed;
    VIGIE_RETURN_IF_ERROR(LoadEvents(changed, previous.seq, m.services));
    m.events.EraseAt(PositionsOf(previous, touched));
    m.events.MergeIn(changed, EventBefore);  // a changed event replaces (or drops) its old one
  }

  // Status changes are written once and never changed: the new ones are added.
  AppendVector<StatusChange> added;
  Result<int64_t> last = LoadStatusChanges(added, previous.LastChangeId());
  if (!last.ok()) return last.status();
  m.status_changes = previous.status_changes;
  m.last_change_id = previous.LastChangeId();
  m.AddChanges(added);
  return m;
}

}  // namespace vigie

// The SQLite Store: WAL, foreign keys, synchronous=FULL (an acknowledged write survives a
// crash), one connection serialized by a mutex. Writes are rare; reads come from the snapshot.
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "store/sqlite_db.h"
#include "store/sqlite_schema.h"
#include "store/store.h"

namespace vigie {

namespace {

using sqlite::Db;
using sqlite::Stmt;
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

Level LevelOr(const std::string& s) { return ParseLevel(s).value_or(Level::kOperational); }

class SqliteTx : public StoreTx {
 public:
  SqliteTx(Db& db, int64_t changes_kept)
      : db_(db), rows_at_start_(sqlite3_total_changes64(db.get())), changes_kept_(changes_kept) {}

  Result<Model> Load() override;
  Status LoadCatalog(Model& m);
  // Every event, or only those of `only` (a JSON array of ids) when it is given.
  Status LoadEvents(SharedVector<Event>& events, const std::string* only,
                    const std::vector<Service>& services);
  Status LoadMessages(Model& m);
  Status LoadStatusChanges(SharedVector<StatusChange>& out, int64_t after_id);
  Result<int64_t> Seq() override {
    Stmt st(db_, "SELECT coalesce(max(seq), 0) FROM changes");
    if (!st.Step()) return st.status().ok() ? Status::Internal("no answer") : st.status();
    return st.Int(0);
  }
  Result<Model> LoadAbove(const Model& previous) override;
  Result<int64_t> LogChange(Time at) override {
    Stmt st(db_,
            "INSERT INTO changes(at, events) SELECT ?, json_group_array(id) FROM "
            "(SELECT id FROM dirty_events ORDER BY id) RETURNING seq");
    st.BindAll(ToUnix(at));
    if (!st.Step())
      return st.status().ok() ? Status::Internal("insert returned no seq") : st.status();
    const int64_t seq = st.Int(0);
    VIGIE_RETURN_IF_ERROR(st.Run());
    VIGIE_RETURN_IF_ERROR(Stmt(db_, "DELETE FROM dirty_events").Run());
    VIGIE_RETURN_IF_ERROR(
        Stmt(db_, "DELETE FROM changes WHERE seq <= ?").BindAll(seq - changes_kept_).Run());
    return seq;
  }

  Status UpsertPlatform(const Platform& p) override {
    return Stmt(db_,
                "INSERT INTO platforms(slug, position, name_fr, name_en, category_fr, "
                "category_en, description_fr, description_en, products) "
                "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(slug) DO UPDATE SET "
                "position=excluded.position, name_fr=excluded.name_fr, name_en=excluded.name_en, "
                "category_fr=excluded.category_fr, category_en=excluded.category_en, "
                "description_fr=excluded.description_fr, description_en=excluded.description_en, "
                "products=excluded.products")
        .BindAll(p.slug, p.position, p.name.fr, p.name.en, p.category.fr, p.category.en,
                 p.description.fr, p.description.en, ToJsonArray(p.products))
        .Run();
  }

  Result<int64_t> UpsertService(const Service& s) override {
    Stmt st(db_,
            "INSERT INTO services(platform, slug, position, name_fr, name_en, information_fr, "
            "information_en, impact_fr, impact_en, retired, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(platform, slug) DO UPDATE SET position=excluded.position, "
            "name_fr=excluded.name_fr, name_en=excluded.name_en, "
            "information_fr=excluded.information_fr, information_en=excluded.information_en, "
            "impact_fr=excluded.impact_fr, impact_en=excluded.impact_en, "
            "retired=excluded.retired RETURNING id");
    st.BindAll(s.platform, s.slug, s.position, s.name.fr, s.name.en, s.information.fr,
               s.information.en, s.impact.fr, s.impact.en, s.retired ? 1 : 0, ToUnix(s.created_at));
    if (!st.Step())
      return st.status().ok() ? Status::Internal("upsert returned no id") : st.status();
    const int64_t id = st.Int(0);
    VIGIE_RETURN_IF_ERROR(st.Run());
    return id;
  }

  Status SetManualLevel(const ManualLevel& m) override {
    return Stmt(db_,
                "INSERT INTO manual_levels(region, service_id, level, set_at, note) "
                "VALUES (?,?,?,?,?) ON CONFLICT(region, service_id) DO UPDATE SET "
                "level=excluded.level, set_at=excluded.set_at, note=excluded.note")
        .BindAll(m.region, m.service_id, LevelId(m.level), ToUnix(m.set_at), m.note)
        .Run();
  }

  Status SetOverride(const GlobalOverride& o) override {
    return Stmt(db_,
                "INSERT INTO overrides(region, platform, level, set_at, note) VALUES (?,?,?,?,?) "
                "ON CONFLICT(region, platform) DO UPDATE SET level=excluded.level, "
                "set_at=excluded.set_at, note=excluded.note")
        .BindAll(o.region, o.platform, LevelId(o.level), ToUnix(o.set_at), o.note)
        .Run();
  }

  Status ClearOverride(const std::string& region, const std::string& platform) override {
    return Stmt(db_, "DELETE FROM overrides WHERE region=? AND platform=?")
        .BindAll(region, platform)
        .Run();
  }

  Result<int64_t> InsertEvent(const Event& e) override {
    Stmt st(db_,
            "INSERT INTO events(kind, platform, regions, title_fr, title_en, body_fr, body_en, "
            "starts_at, ends_at, phase, cancelled, created_at, updated_at, updated_by) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
    st.BindAll(EventKindId(e.kind), e.platform, ToJsonArray(e.regions), e.title.fr, e.title.en,
               e.body.fr, e.body.en, ToUnix(e.starts_at), OptUnix(e.ends_at), PhaseId(e.phase),
               e.cancelled ? 1 : 0, ToUnix(e.created_at), ToUnix(e.updated_at), e.updated_by);
    if (!st.Step())
      return st.status().ok() ? Status::Internal("insert returned no id") : st.status();
    const int64_t id = st.Int(0);
    VIGIE_RETURN_IF_ERROR(st.Run());
    VIGIE_RETURN_IF_ERROR(WriteImpacts(id, e.impacts));
    for (const EventUpdate& u : e.updates) {
      Result<int64_t> uid = InsertUpdate(id, u);
      if (!uid.ok()) return uid.status();
    }
    return id;
  }

  Status UpdateEvent(const Event& e) override {
    Stmt st(db_,
            "UPDATE events SET kind=?, platform=?, regions=?, title_fr=?, title_en=?, body_fr=?, "
            "body_en=?, starts_at=?, ends_at=?, phase=?, cancelled=?, updated_at=?, updated_by=?, "
            "revision=revision+1 WHERE id=?");
    st.BindAll(EventKindId(e.kind), e.platform, ToJsonArray(e.regions), e.title.fr, e.title.en,
               e.body.fr, e.body.en, ToUnix(e.starts_at), OptUnix(e.ends_at), PhaseId(e.phase),
               e.cancelled ? 1 : 0, ToUnix(e.updated_at), e.updated_by, e.id);
    VIGIE_RETURN_IF_ERROR(st.Run());
    if (sqlite3_changes(db_.get()) == 0) {
      return Status::NotFound("no event #" + std::to_string(e.id));
    }
    VIGIE_RETURN_IF_ERROR(
        Stmt(db_, "DELETE FROM event_services WHERE event_id=?").BindAll(e.id).Run());
    return WriteImpacts(e.id, e.impacts);
  }

  Result<int64_t> InsertUpdate(int64_t event_id, const EventUpdate& u) override {
    Stmt st(db_,
            "INSERT INTO event_updates(event_id, at, phase, text_fr, text_en) VALUES (?,?,?,?,?) "
            "RETURNING id");
    st.BindAll(event_id, ToUnix(u.at), PhaseId(u.phase), u.text.fr, u.text.en);
    if (!st.Step())
      return st.status().ok() ? Status::Internal("insert returned no id") : st.status();
    const int64_t id = st.Int(0);
    VIGIE_RETURN_IF_ERROR(st.Run());
    return id;
  }

  Result<int64_t> InsertMessage(const Message& m) override {
    Stmt st(db_,
            "INSERT INTO messages(platform, regions, title_fr, title_en, body_fr, body_en, "
            "published_at, expires_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id");
    st.BindAll(m.platform.empty() ? std::nullopt : std::optional<std::string>(m.platform),
               ToJsonArray(m.regions), m.title.fr, m.title.en, m.body.fr, m.body.en,
               ToUnix(m.published_at), OptUnix(m.expires_at));
    if (!st.Step())
      return st.status().ok() ? Status::Internal("insert returned no id") : st.status();
    const int64_t id = st.Int(0);
    VIGIE_RETURN_IF_ERROR(st.Run());
    return id;
  }

  int64_t RowsChanged() override { return sqlite3_total_changes64(db_.get()) - rows_at_start_; }

  Status InsertStatusChanges(std::vector<StatusChange>& changes) override {
    for (StatusChange& c : changes) {
      VIGIE_RETURN_IF_ERROR(
          Stmt(db_,
               "INSERT INTO status_changes(region, platform, service_id, from_level, to_level, "
               "at, cause, event_id, note) VALUES (?,?,?,?,?,?,?,?,?)")
              .BindAll(c.region, c.platform, c.service_id, LevelId(c.from), LevelId(c.to),
                       ToUnix(c.at), CauseKindId(c.cause), c.event_id, c.note)
              .Run());
      c.id = sqlite3_last_insert_rowid(db_.get());
    }
    return Status::Ok();
  }

  Status InsertAudit(Time at, std::string_view actor, std::string_view action,
                     std::string_view detail) override {
    return Stmt(db_, "INSERT INTO audit(at, actor, action, detail) VALUES (?,?,?,?)")
        .BindAll(ToUnix(at), actor, action, detail)
        .Run();
  }

  Result<std::string> GetMeta(std::string_view key) override {
    Stmt st(db_, "SELECT value FROM meta WHERE key=?");
    st.BindAll(key);
    std::string value = st.Step() ? st.Str(0) : "";
    VIGIE_RETURN_IF_ERROR(st.status());
    return value;
  }

  Status SetMeta(std::string_view key, std::string_view value) override {
    return Stmt(db_,
                "INSERT INTO meta(key, value) VALUES (?,?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value")
        .BindAll(key, value)
        .Run();
  }

  Result<int64_t> AddUser(const User& u) override {
    Stmt st(db_,
            "INSERT INTO users(name, role, password_hash, disabled, created_at, "
            "password_changed_at) VALUES (?,?,?,?,?,?) RETURNING id");
    st.BindAll(u.name, RoleId(u.role), u.password_hash, u.disabled ? 1 : 0, ToUnix(u.created_at),
               ToUnix(u.password_changed_at));
    if (!st.Step()) {
      if (st.status().code() == Status::Code::kConflict) {
        return Status::Conflict("a user named \"" + u.name + "\" already exists");
      }
      return st.status().ok() ? Status::Internal("insert returned no id") : st.status();
    }
    const int64_t id = st.Int(0);
    VIGIE_RETURN_IF_ERROR(st.Run());
    return id;
  }

  Status UpdateUser(const User& u) override {
    VIGIE_RETURN_IF_ERROR(
        Stmt(db_,
             "UPDATE users SET role=?, password_hash=?, disabled=?, password_changed_at=? "
             "WHERE id=?")
            .BindAll(RoleId(u.role), u.password_hash, u.disabled ? 1 : 0,
                     ToUnix(u.password_changed_at), u.id)
            .Run());
    return Changed("user #" + std::to_string(u.id));
  }

  Status CreateSession(const Session& x) override {
    return Stmt(db_,
                "INSERT INTO sessions(id_hash, user_id, csrf, created_at, last_seen_at) "
                "VALUES (?,?,?,?,?)")
        .BindAll(x.id_hash, x.user_id, x.csrf, ToUnix(x.created_at), ToUnix(x.last_seen_at))
        .Run();
  }

  Status TouchSession(std::string_view id_hash, Time at) override {
    return Stmt(db_, "UPDATE sessions SET last_seen_at=? WHERE id_hash=?")
        .BindAll(ToUnix(at), id_hash)
        .Run();
  }

  Status DeleteSession(std::string_view id_hash) override {
    return Stmt(db_, "DELETE FROM sessions WHERE id_hash=?").BindAll(id_hash).Run();
  }

  Status DeleteSessionsOf(int64_t user_id) override {
    return Stmt(db_, "DELETE FROM sessions WHERE user_id=?").BindAll(user_id).Run();
  }

  Result<int64_t> AddToken(const ApiToken& t) override {
    Stmt st(db_,
            "INSERT INTO api_tokens(name, token_hash, role, created_by, created_at) "
            "VALUES (?,?,?,?,?) RETURNING id");
    st.BindAll(t.name, t.token_hash, RoleId(t.role), t.created_by, ToUnix(t.created_at));
    if (!st.Step())
      return st.status().ok() ? Status::Internal("insert returned no id") : st.status();
    const int64_t id = st.Int(0);
    VIGIE_RETURN_IF_ERROR(st.Run());
    return id;
  }

  Status RevokeToken(int64_t id, Time at) override {
    VIGIE_RETURN_IF_ERROR(
        Stmt(db_, "UPDATE api_tokens SET revoked_at=coalesce(revoked_at, ?) WHERE id=?")
            .BindAll(ToUnix(at), id)
            .Run());
    return Changed("token #" + std::to_string(id));
  }

  Status TouchToken(int64_t id, Time at) override {
    return Stmt(db_, "UPDATE api_tokens SET last_used_at=? WHERE id=?")
        .BindAll(ToUnix(at), id)
        .Run();
  }

  Status UpdateService(const Service& x) override {
    VIGIE_RETURN_IF_ERROR(
        Stmt(db_,
             "UPDATE services SET slug=?, position=?, name_fr=?, name_en=?, information_fr=?, "
             "information_en=?, impact_fr=?, impact_en=?, retired=? WHERE id=?")
            .BindAll(x.slug, x.position, x.name.fr, x.name.en, x.information.fr, x.information.en,
                     x.impact.fr, x.impact.en, x.retired ? 1 : 0, x.id)
            .Run());
    return Changed("service #" + std::to_string(x.id));
  }

  Status UpdateMessage(const Message& m) override {
    VIGIE_RETURN_IF_ERROR(
        Stmt(db_,
             "UPDATE messages SET platform=?, regions=?, title_fr=?, title_en=?, body_fr=?, "
             "body_en=?, published_at=?, expires_at=? WHERE id=?")
            .BindAll(m.platform.empty() ? std::nullopt : std::optional<std::string>(m.platform),
                     ToJsonArray(m.regions), m.title.fr, m.title.en, m.body.fr, m.body.en,
                     ToUnix(m.published_at), OptUnix(m.expires_at), m.id)
            .Run());
    return Changed("message #" + std::to_string(m.id));
  }

  Status DeleteMessage(int64_t id) override {
    VIGIE_RETURN_IF_ERROR(Stmt(db_, "DELETE FROM messages WHERE id=?").BindAll(id).Run());
    return Changed("message #" + std::to_string(id));
  }

  Status UpdateEventUpdate(int64_t update_id, const EventUpdate& u) override {
    VIGIE_RETURN_IF_ERROR(
        Stmt(db_, "UPDATE event_updates SET phase=?, text_fr=?, text_en=? WHERE id=?")
            .BindAll(PhaseId(u.phase), u.text.fr, u.text.en, update_id)
            .Run());
    return Changed("update #" + std::to_string(update_id));
  }

 private:
  // NotFound when the last statement changed no row.
  Status Changed(const std::string& what) {
    return sqlite3_changes(db_.get()) == 0 ? Status::NotFound("no " + what) : Status::Ok();
  }

  static std::optional<int64_t> OptUnix(const std::optional<Time>& t) {
    return t ? std::optional<int64_t>(ToUnix(*t)) : std::nullopt;
  }

  Status WriteImpacts(int64_t event_id, const std::vector<Impact>& impacts) {
    for (const Impact& i : impacts) {
      VIGIE_RETURN_IF_ERROR(
          Stmt(db_, "INSERT INTO event_services(event_id, service_id, level) VALUES (?,?,?)")
              .BindAll(event_id, i.service_id, LevelId(i.level))
              .Run());
    }
    return Status::Ok();
  }

  Db& db_;
  const int64_t rows_at_start_;  // the connection's count when the transaction began
  const int64_t changes_kept_;
};

// The small tables, read whole: platforms, services, levels, overrides (messages below).
Status SqliteTx::LoadCatalog(Model& m) {
  {
    Stmt st(db_,
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
    Stmt st(db_,
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
  {
    Stmt st(db_,
            "SELECT region, service_id, level, set_at, note FROM manual_levels "
            "ORDER BY region, service_id");
    while (st.Step()) {
      m.manual_levels.push_back(
          {st.Str(0), st.Int(1), LevelOr(st.Str(2)), FromUnix(st.Int(3)), st.Str(4)});
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  {
    Stmt st(db_,
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

// Events with their impacts and updates: all, or only those of `only`.
Status SqliteTx::LoadEvents(SharedVector<Event>& events, const std::string* only,
                            const std::vector<Service>& services) {
  {
    Stmt st(db_,
            "SELECT id, kind, platform, regions, title_fr, title_en, body_fr, body_en, starts_at, "
            "ends_at, phase, cancelled, created_at, updated_at, revision, updated_by FROM events " +
                std::string(only ? "WHERE id IN (SELECT value FROM json_each(?1)) " : "") +
                "ORDER BY id");
    if (only) st.BindAll(*only);
    while (st.Step()) {
      Event e;
      e.id = st.Int(0);
      e.kind = ParseEventKind(st.Str(1)).value_or(EventKind::kAnnouncement);
      e.platform = st.Str(2);
      e.regions = FromJsonArray(st.Str(3));
      e.title = {st.Str(4), st.Str(5)};
      e.body = {st.Str(6), st.Str(7)};
      e.starts_at = FromUnix(st.Int(8));
      if (auto end = st.OptInt(9)) e.ends_at = FromUnix(*end);
      e.phase = ParsePhase(st.Str(10)).value_or(Phase::kNone);
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
    Stmt st(db_,
            "SELECT event_id, service_id, level FROM event_services " +
                std::string(only ? "WHERE event_id IN (SELECT value FROM json_each(?1)) " : "") +
                "ORDER BY rowid");
    if (only) st.BindAll(*only);
    while (st.Step()) {
      if (auto it = by_id.find(st.Int(0)); it != by_id.end()) {
        it->second->impacts.push_back({st.Int(1), LevelOr(st.Str(2))});
      }
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  {
    Stmt st(db_,
            "SELECT id, event_id, at, phase, text_fr, text_en FROM event_updates " +
                std::string(only ? "WHERE event_id IN (SELECT value FROM json_each(?1)) " : "") +
                "ORDER BY id");
    if (only) st.BindAll(*only);
    while (st.Step()) {
      if (auto it = by_id.find(st.Int(1)); it != by_id.end()) {
        EventUpdate u;
        u.id = st.Int(0);
        u.at = FromUnix(st.Int(2));
        u.phase = ParsePhase(st.Str(3)).value_or(Phase::kNone);
        u.text = {st.Str(4), st.Str(5)};
        it->second->updates.push_back(std::move(u));
      }
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  // Read in table order (SQLite's sorter was a third of a load), ordered here: events by
  // (starts_at, id), an event's services by their catalog position, its updates by (at, id).
  std::unordered_map<int64_t, int> position;
  for (const Service& s : services) position.emplace(s.id, s.position);
  const auto position_of = [&position](int64_t service) {
    auto it = position.find(service);
    return it == position.end() ? 0 : it->second;
  };
  for (auto& [id, e] : by_id) {
    std::stable_sort(e->impacts.begin(), e->impacts.end(), [&](const Impact& a, const Impact& b) {
      return position_of(a.service_id) < position_of(b.service_id);
    });
    std::stable_sort(e->updates.begin(), e->updates.end(), UpdateBefore);
  }
  events.StableSort(EventBefore);
  return Status::Ok();
}

Status SqliteTx::LoadMessages(Model& m) {
  {
    Stmt st(db_,
            "SELECT id, platform, regions, title_fr, title_en, body_fr, body_en, published_at, "
            "expires_at FROM messages ORDER BY published_at DESC, id DESC");
    while (st.Step()) {
      Message msg;
      msg.id = st.Int(0);
      msg.platform = st.Str(1);
      msg.regions = FromJsonArray(st.Str(2));
      msg.title = {st.Str(3), st.Str(4)};
      msg.body = {st.Str(5), st.Str(6)};
      msg.published_at = FromUnix(st.Int(7));
      if (auto exp = st.OptInt(8)) msg.expires_at = FromUnix(*exp);
      m.messages.push_back(std::move(msg));
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  return Status::Ok();
}

// Status changes with an id above `after_id` (0: all), in (at, id) order.
Status SqliteTx::LoadStatusChanges(SharedVector<StatusChange>& out, int64_t after_id) {
  {
    Stmt st(db_,
            "SELECT id, region, platform, service_id, from_level, to_level, at, cause, event_id, "
            "note FROM status_changes WHERE id > ? ORDER BY id");
    st.BindAll(after_id);
    while (st.Step()) {
      StatusChange c;
      c.id = st.Int(0);
      c.region = st.Str(1);
      c.platform = st.Str(2);
      c.service_id = st.OptInt(3);
      c.from = LevelOr(st.Str(4));
      c.to = LevelOr(st.Str(5));
      c.at = FromUnix(st.Int(6));
      c.cause = ParseCauseKind(st.Str(7)).value_or(CauseKind::kManual);
      c.event_id = st.OptInt(8);
      c.note = st.Str(9);
      out.push_back(std::move(c));
    }
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  // Read in table order, ordered here by (at, id): usually already so.
  out.StableSort(ChangeBefore);
  return Status::Ok();
}

Result<Model> SqliteTx::Load() {
  Model m;
  Result<int64_t> seq = Seq();
  if (!seq.ok()) return seq.status();
  m.seq = *seq;
  VIGIE_RETURN_IF_ERROR(LoadCatalog(m));
  VIGIE_RETURN_IF_ERROR(LoadEvents(m.events, nullptr, m.services));
  VIGIE_RETURN_IF_ERROR(LoadMessages(m));
  VIGIE_RETURN_IF_ERROR(LoadStatusChanges(m.status_changes, 0));
  return m;
}

Result<Model> SqliteTx::LoadAbove(const Model& previous) {
  {
    // Entries just above previous.seq were pruned: what they touched is not known any more.
    Stmt oldest(db_, "SELECT coalesce(min(seq), 0) FROM changes");
    if (!oldest.Step())
      return oldest.status().ok() ? Status::Internal("no answer") : oldest.status();
    if (oldest.Int(0) > previous.seq + 1) return Load();
  }
  Model m;
  Result<int64_t> seq = Seq();
  if (!seq.ok()) return seq.status();
  m.seq = *seq;
  VIGIE_RETURN_IF_ERROR(LoadCatalog(m));
  VIGIE_RETURN_IF_ERROR(LoadMessages(m));

  // Events: those the log names above previous.seq and those this transaction touched are
  // read again, the others are shared with the previous model; the result keeps the Store's
  // order (starts_at, id).
  std::unordered_set<int64_t> touched;
  {
    Stmt st(db_,
            "SELECT value FROM changes, json_each(changes.events) WHERE seq > ? "
            "UNION SELECT id FROM dirty_events");
    st.BindAll(previous.seq);
    while (st.Step()) touched.insert(st.Int(0));
    VIGIE_RETURN_IF_ERROR(st.status());
  }
  SharedVector<Event> changed;
  if (!touched.empty()) {
    std::vector<int64_t> ids(touched.begin(), touched.end());
    const std::string only = json(ids).dump();
    VIGIE_RETURN_IF_ERROR(LoadEvents(changed, &only, m.services));
  }
  for (size_t i = 0; i < previous.events.size(); ++i) {
    if (!touched.count(previous.events[i].id)) m.events.push_shared(previous.events.shared(i));
  }
  m.events.MergeIn(changed, EventBefore);  // a changed event replaces (or drops) its old one

  // Status changes are written once and never changed: the new ones are added.
  int64_t last_id = 0;
  for (const StatusChange& c : previous.status_changes) last_id = std::max(last_id, c.id);
  SharedVector<StatusChange> added;
  VIGIE_RETURN_IF_ERROR(LoadStatusChanges(added, last_id));
  m.status_changes = previous.status_changes;
  m.status_changes.MergeIn(added, ChangeBefore);
  return m;
}

// Takes the store's lock, or returns Unavailable when another caller has held it for
// kLockWait (a write waiting on a lock of another process): callers on a request's path
// answer 503 instead of waiting without bound.
#define VIGIE_STORE_LOCK()                     \
  std::unique_lock lock(mu_, std::defer_lock); \
  if (!lock.try_lock_for(kLockWait)) return Busy()

class SqliteStore : public Store {
 public:
  SqliteStore(Db db, std::string path, int64_t changes_kept)
      : db_(std::move(db)), path_(std::move(path)), changes_kept_(changes_kept) {
    struct stat st {};
    if (path_ != ":memory:" && ::stat(path_.c_str(), &st) == 0) file_ = {st.st_dev, st.st_ino};
  }

  Status Init() {
    // WAL: readers never block the writer. FULL: a commit is on disk before it is acknowledged.
    VIGIE_RETURN_IF_ERROR(db_.Exec("PRAGMA journal_mode=WAL"));
    VIGIE_RETURN_IF_ERROR(db_.Exec("PRAGMA synchronous=FULL"));
    VIGIE_RETURN_IF_ERROR(db_.Exec("PRAGMA foreign_keys=ON"));
    return Status::Ok();
  }

  Result<int> SchemaVersion() override {
    VIGIE_STORE_LOCK();
    return VersionLocked();
  }

  Status Migrate() override {
    VIGIE_STORE_LOCK();
    Result<int> version = VersionLocked();
    if (!version.ok()) return version.status();
    if (*version == 0) {
      // Version 0 is a new file; tables in it are another program's, not ours to add to.
      Stmt st(db_, "SELECT group_concat(name, ', ') FROM sqlite_master WHERE type = 'table'");
      if (st.Step() && !st.Str(0).empty()) {
        return Status::Invalid(path_ +
                               " is a SQLite database of another program (tables: " + st.Str(0) +
                               "), not Vigie's: storage.url must name Vigie's database");
      }
      VIGIE_RETURN_IF_ERROR(st.status());
    }
    if (*version > static_cast<int>(sqlite::kMigrations.size())) {
      return Status::Invalid("the database has schema version " + std::to_string(*version) +
                             ", newer than this binary knows (" +
                             std::to_string(sqlite::kMigrations.size()) + ")");
    }
    for (int v = *version; v < static_cast<int>(sqlite::kMigrations.size()); ++v) {
      sqlite::Transaction tx(db_);
      VIGIE_RETURN_IF_ERROR(tx.begun());
      VIGIE_RETURN_IF_ERROR(db_.Exec(sqlite::kMigrations[v]));
      VIGIE_RETURN_IF_ERROR(db_.Exec("PRAGMA user_version=" + std::to_string(v + 1)));
      VIGIE_RETURN_IF_ERROR(tx.Commit());
    }
    return Status::Ok();
  }

  Status Write(const std::function<Status(StoreTx&)>& fn) override {
    VIGIE_STORE_LOCK();
    // A write to a file that is no longer under the path would be lost at the next start.
    VIGIE_RETURN_IF_ERROR(SameFile());
    sqlite::Transaction tx(db_);
    VIGIE_RETURN_IF_ERROR(tx.begun());
    SqliteTx stx(db_, changes_kept_);
    VIGIE_RETURN_IF_ERROR(fn(stx));
    return tx.Commit();
  }

  Status Read(const std::function<Status(StoreTx&)>& fn) override {
    VIGIE_STORE_LOCK();
    sqlite::Transaction tx(db_, sqlite::Transaction::Kind::kRead);
    VIGIE_RETURN_IF_ERROR(tx.begun());
    SqliteTx stx(db_, changes_kept_);
    VIGIE_RETURN_IF_ERROR(fn(stx));
    return tx.Commit();
  }

  Result<Model> Load() override {
    VIGIE_STORE_LOCK();
    // A read transaction: one consistent view across all the SELECTs.
    sqlite::Transaction tx(db_, sqlite::Transaction::Kind::kRead);
    VIGIE_RETURN_IF_ERROR(tx.begun());
    SqliteTx stx(db_, changes_kept_);
    Result<Model> m = stx.Load();
    if (!m.ok()) return m;
    VIGIE_RETURN_IF_ERROR(tx.Commit());
    return m;
  }

  Result<bool> Empty() override {
    VIGIE_STORE_LOCK();
    Stmt st(db_, "SELECT EXISTS (SELECT 1 FROM platforms)");
    if (!st.Step()) return st.status().ok() ? Status::Internal("no answer") : st.status();
    return st.Int(0) == 0;
  }

  // A write would work: the file is the one opened, and its write lock can be taken (then
  // released without writing anything). Another process holding that lock fails it.
  // Does not wait for that lock: the store is not held while another process holds it.
  Status Ping() override {
    VIGIE_STORE_LOCK();
    VIGIE_RETURN_IF_ERROR(SameFile());
    VIGIE_RETURN_IF_ERROR(DiskRoom());
    sqlite3_busy_timeout(db_.get(), 0);
    Status st;
    {
      sqlite::Transaction tx(db_);  // rolled back when it goes
      st = tx.begun();
      if (st.ok()) {
        Stmt count(db_, "SELECT count(*) FROM platforms");
        count.Step();
        st = count.status();
      }
    }
    sqlite3_busy_timeout(db_.get(), static_cast<int>(sqlite::kBusyTimeoutMs));
    return st;
  }

  Result<std::string> Export() override;
  Status Import(std::string_view dump) override;

  Result<std::optional<User>> FindUser(std::string_view name) override {
    return OneUser("name=?", std::string(name));
  }
  Result<std::optional<User>> FindUserById(int64_t id) override { return OneUser("id=?", id); }

  Result<std::vector<User>> ListUsers() override {
    VIGIE_STORE_LOCK();
    Stmt st(db_, std::string(kUserColumns) + " ORDER BY name");
    std::vector<User> out;
    while (st.Step()) out.push_back(ReadUser(st));
    VIGIE_RETURN_IF_ERROR(st.status());
    return out;
  }

  Result<std::optional<Session>> FindSession(std::string_view id_hash) override {
    VIGIE_STORE_LOCK();
    Stmt st(db_,
            "SELECT id_hash, user_id, csrf, created_at, last_seen_at FROM sessions "
            "WHERE id_hash=?");
    st.BindAll(id_hash);
    std::optional<Session> out;
    if (st.Step()) {
      out = Session{st.Str(0), st.Int(1), st.Str(2), FromUnix(st.Int(3)), FromUnix(st.Int(4))};
    }
    VIGIE_RETURN_IF_ERROR(st.status());
    return out;
  }

  Result<std::optional<ApiToken>> FindToken(std::string_view token_hash) override {
    VIGIE_STORE_LOCK();
    Stmt st(db_, std::string(kTokenColumns) + " WHERE token_hash=?");
    st.BindAll(token_hash);
    std::optional<ApiToken> out;
    if (st.Step()) out = ReadToken(st);
    VIGIE_RETURN_IF_ERROR(st.status());
    return out;
  }

  Result<std::vector<ApiToken>> ListTokens() override {
    VIGIE_STORE_LOCK();
    Stmt st(db_, std::string(kTokenColumns) + " ORDER BY id DESC");
    std::vector<ApiToken> out;
    while (st.Step()) out.push_back(ReadToken(st));
    VIGIE_RETURN_IF_ERROR(st.status());
    return out;
  }

  Result<std::vector<AuditEntry>> ListAudit(const AuditFilter& f) override {
    VIGIE_STORE_LOCK();
    Stmt st(db_,
            "SELECT id, at, actor, action, detail FROM audit WHERE (?1 = '' OR actor = ?1) "
            "AND (?2 = '' OR substr(action, 1, length(?2)) = ?2) AND (?3 = 0 OR id < ?3) "
            "ORDER BY id DESC LIMIT ?4");
    st.BindAll(f.actor, f.action, f.before_id, std::max(1, std::min(f.limit, 1000)));
    std::vector<AuditEntry> out;
    while (st.Step()) {
      out.push_back({st.Int(0), FromUnix(st.Int(1)), st.Str(2), st.Str(3), st.Str(4)});
    }
    VIGIE_RETURN_IF_ERROR(st.status());
    return out;
  }

 private:
  static constexpr std::string_view kUserColumns =
      "SELECT id, name, role, password_hash, disabled, created_at, password_changed_at FROM users";
  static constexpr std::string_view kTokenColumns =
      "SELECT id, name, token_hash, role, created_by, created_at, revoked_at, last_used_at "
      "FROM api_tokens";

  static User ReadUser(const Stmt& st) {
    return User{st.Int(0),          st.Str(1),      ParseRole(st.Str(2)).value_or(Role::kEditor),
                st.Str(3),          st.Int(4) != 0, FromUnix(st.Int(5)),
                FromUnix(st.Int(6))};
  }
  static ApiToken ReadToken(const Stmt& st) {
    ApiToken t{
        st.Int(0), st.Str(1),           st.Str(2),    ParseRole(st.Str(3)).value_or(Role::kEditor),
        st.Str(4), FromUnix(st.Int(5)), std::nullopt, std::nullopt};
    if (auto r = st.OptInt(6)) t.revoked_at = FromUnix(*r);
    if (auto u = st.OptInt(7)) t.last_used_at = FromUnix(*u);
    return t;
  }
  template <typename V>
  Result<std::optional<User>> OneUser(const char* where, const V& value) {
    VIGIE_STORE_LOCK();
    Stmt st(db_, std::string(kUserColumns) + " WHERE " + where);
    st.BindAll(value);
    std::optional<User> out;
    if (st.Step()) out = ReadUser(st);
    VIGIE_RETURN_IF_ERROR(st.status());
    return out;
  }

  Result<int> VersionLocked() {
    Stmt st(db_, "PRAGMA user_version");
    int v = st.Step() ? static_cast<int>(st.Int(0)) : 0;
    VIGIE_RETURN_IF_ERROR(st.status());
    return v;
  }

  static Status Busy() {
    return Status::Unavailable("the database has been busy for " +
                               std::to_string(kLockWait.count()) +
                               " s (a slow write, or a lock held by another process); try again");
  }

  // Ok while the file under the path is the one this connection opened.
  Status SameFile() const {
    if (file_ == std::pair<dev_t, ino_t>{}) return Status::Ok();  // in memory: no file
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      return Status::Unavailable("the database file " + path_ +
                                 " was removed while in use; writes are refused until it is "
                                 "restored and the server restarted");
    }
    if (std::pair(st.st_dev, st.st_ino) != file_) {
      return Status::Unavailable("the database file " + path_ +
                                 " was replaced while in use; writes are refused until the "
                                 "server is restarted");
    }
    return Status::Ok();
  }

  // Unavailable when the file system of the database has less than kMinFree left: a write
  // would fail with "disk full", which a read-only probe cannot see otherwise.
  Status DiskRoom() const {
    const size_t slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
    struct statvfs fs {};
    if (::statvfs(dir.c_str(), &fs) != 0) return Status::Ok();  // nothing to tell
    const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free >= kMinFree) return Status::Ok();
    return Status::Unavailable("the disk of the database is full (" + std::to_string(free / 1024) +
                               " KiB left in " + dir + ")");
  }

  static constexpr uint64_t kMinFree = 1 << 20;
  static constexpr std::chrono::seconds kLockWait{2};
  std::timed_mutex mu_;
  Db db_;
  const std::string path_;
  const int64_t changes_kept_;
  std::pair<dev_t, ino_t> file_{};  // the file opened, as stat() named it then; 0 in memory
};

Result<std::string> SqliteStore::Export() {
  VIGIE_STORE_LOCK();
  sqlite::Transaction tx(db_, sqlite::Transaction::Kind::kRead);
  VIGIE_RETURN_IF_ERROR(tx.begun());
  json out = json::object();
  Result<int> version = VersionLocked();
  if (!version.ok()) return version.status();
  out["format"] = "vigie-dump";
  out["schema_version"] = *version;
  json tables = json::object();
  for (std::string_view table : sqlite::kTables) {
    Stmt st(db_, "SELECT * FROM " + std::string(table) + " ORDER BY rowid");
    json cols = json::array();
    const int n = sqlite3_column_count(st.raw());
    for (int i = 0; i < n; ++i) cols.push_back(sqlite3_column_name(st.raw(), i));
    json rows = json::array();
    while (st.Step()) {
      json row = json::array();
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(st.raw(), i)) {
          case SQLITE_NULL:
            row.push_back(nullptr);
            break;
          case SQLITE_INTEGER:
            row.push_back(st.Int(i));
            break;
          case SQLITE_FLOAT:
            row.push_back(sqlite3_column_double(st.raw(), i));
            break;
          default:
            row.push_back(st.Str(i));
            break;
        }
      }
      rows.push_back(std::move(row));
    }
    if (!st.status().ok()) return st.status();
    tables[std::string(table)] = json{{"columns", cols}, {"rows", rows}};
  }
  VIGIE_RETURN_IF_ERROR(tx.Commit());
  out["tables"] = std::move(tables);
  return out.dump(1, '\t', false, json::error_handler_t::replace) + "\n";
}

Status SqliteStore::Import(std::string_view dump) {
  json in = json::parse(dump, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object() || in.value("format", "") != "vigie-dump" ||
      !in.contains("tables") || !in["tables"].is_object()) {
    return Status::Invalid("not a Vigie dump (expected the JSON written by `vigie export`)");
  }
  {
    VIGIE_STORE_LOCK();
    Result<int> version = VersionLocked();
    if (!version.ok()) return version.status();
    if (!in["schema_version"].is_number_integer() || in["schema_version"].get<int>() != *version) {
      return Status::Invalid("the dump has schema version " + in["schema_version"].dump() +
                             " but the database has " + std::to_string(*version));
    }
    Stmt count(db_, "SELECT (SELECT count(*) FROM platforms) + (SELECT count(*) FROM events)");
    if (count.Step() && count.Int(0) != 0) {
      return Status::Conflict("the database is not empty: import a dump into a new one");
    }
  }
  return Write([&](StoreTx&) -> Status {
    for (std::string_view table : sqlite::kTables) {
      const json& t = in["tables"].value(std::string(table), json::object());
      if (!t.is_object() || !t.contains("columns")) continue;
      const json& cols = t["columns"];
      const json& rows = t.value("rows", json::array());
      if (!cols.is_array() || cols.empty() || !rows.is_array()) {
        return Status::Invalid("table " + std::string(table) + " is malformed in the dump");
      }
      std::string sql = "INSERT OR REPLACE INTO " + std::string(table) + "(";
      std::string marks;
      for (size_t i = 0; i < cols.size(); ++i) {
        if (!cols[i].is_string()) return Status::Invalid("a column name is not a string");
        // Column names come from the dump: only accept plain identifiers.
        const std::string c = cols[i].get<std::string>();
        if (c.empty() ||
            c.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789") != std::string::npos) {
          return Status::Invalid("bad column name \"" + c + "\" in the dump");
        }
        sql += (i ? "," : "") + c;
        marks += i ? ",?" : "?";
      }
      sql += ") VALUES (" + marks + ")";
      for (const json& row : rows) {
        if (!row.is_array() || row.size() != cols.size()) {
          return Status::Invalid("a row of " + std::string(table) + " has the wrong width");
        }
        Stmt st(db_, sql);
        for (size_t i = 0; i < row.size(); ++i) {
          const json& v = row[i];
          const int idx = static_cast<int>(i) + 1;
          if (v.is_null()) {
            st.Bind(idx, std::nullopt);
          } else if (v.is_number_integer()) {
            st.Bind(idx, v.get<int64_t>());
          } else if (v.is_number_float()) {
            sqlite3_bind_double(st.raw(), idx, v.get<double>());
          } else if (v.is_string()) {
            st.Bind(idx, v.get<std::string>());
          } else {
            return Status::Invalid("a value of " + std::string(table) + " is not a scalar");
          }
        }
        VIGIE_RETURN_IF_ERROR(st.Run().WithContext("importing " + std::string(table)));
      }
    }
    return Status::Ok();
  });
}

}  // namespace

std::string StoreName(const std::string& url, const StoreOptions& options) {
  if (!url.empty()) return url;
  return "sqlite:" + (std::filesystem::path(options.data_dir) / "vigie.db").string();
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options) {
  constexpr std::string_view kSqlite = "sqlite:";
  const std::string name = StoreName(url, options);
  if (name.rfind(kSqlite, 0) != 0) {
    return Status::Invalid("storage.url \"" + url +
                           "\" is not a kind of store this build knows: use sqlite:PATH, or "
                           "leave it unset for the data directory's vigie.db");
  }
  const std::string path = name.substr(kSqlite.size());
  if (path.empty()) return Status::Invalid("storage sqlite: needs a file path");
  if (const std::filesystem::path folder = std::filesystem::path(path).parent_path();
      !folder.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) return Status::Unavailable("cannot create " + folder.string() + ": " + ec.message());
  }
  // A first start creates the file; an empty one is a database that was lost (truncated,
  // or replaced by mistake), and taking it for a new site would bury the history.
  if (struct stat st{}; ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
    return Status::Invalid(path +
                           " is an empty file, not a Vigie database: restore the database "
                           "it should hold, or delete it to start a new site");
  }
  Result<Db> db = Db::Open(path);
  if (!db.ok()) return db.status();
  auto store = std::make_unique<SqliteStore>(std::move(db).value(), path, options.changes_kept);
  VIGIE_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace vigie

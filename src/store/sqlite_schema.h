// Versioned migrations of the SQLite schema. Append only: a released migration never changes.
#pragma once

#include <array>
#include <string_view>

namespace vigie::sqlite {

// Migration i (1-based) brings the schema from version i-1 to i.
inline constexpr std::array<std::string_view, 10> kMigrations = {
    // 1: the whole model. Times are UTC seconds since the epoch; region and product lists
    // are JSON arrays of strings.
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE platforms (
  slug           TEXT PRIMARY KEY,
  position       INTEGER NOT NULL,
  name_fr        TEXT NOT NULL, name_en        TEXT NOT NULL,
  category_fr    TEXT NOT NULL, category_en    TEXT NOT NULL,
  description_fr TEXT NOT NULL, description_en TEXT NOT NULL,
  products       TEXT NOT NULL CHECK (json_valid(products))
) STRICT;

CREATE TABLE services (
  id             INTEGER PRIMARY KEY,
  platform       TEXT NOT NULL REFERENCES platforms(slug),
  slug           TEXT NOT NULL,
  position       INTEGER NOT NULL,
  name_fr        TEXT NOT NULL, name_en        TEXT NOT NULL,
  information_fr TEXT NOT NULL, information_en TEXT NOT NULL,
  impact_fr      TEXT NOT NULL, impact_en      TEXT NOT NULL,
  retired        INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
  UNIQUE (platform, slug)
) STRICT;

CREATE TABLE manual_levels (
  region     TEXT NOT NULL,
  service_id INTEGER NOT NULL REFERENCES services(id),
  level      TEXT NOT NULL CHECK (level IN ('operational','maintenance','minor','major','outage')),
  set_at     INTEGER NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (region, service_id)
) STRICT;

CREATE TABLE overrides (
  region   TEXT NOT NULL,
  platform TEXT NOT NULL REFERENCES platforms(slug),
  level    TEXT NOT NULL CHECK (level IN ('operational','maintenance','minor','major','outage')),
  set_at   INTEGER NOT NULL,
  note     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (region, platform)
) STRICT;

CREATE TABLE events (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('incident','maintenance','action','announcement')),
  platform   TEXT NOT NULL REFERENCES platforms(slug),
  regions    TEXT NOT NULL CHECK (json_valid(regions)),
  title_fr   TEXT NOT NULL, title_en TEXT NOT NULL,
  body_fr    TEXT NOT NULL, body_en  TEXT NOT NULL,
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER,
  phase      TEXT NOT NULL DEFAULT '',
  cancelled  INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK (ends_at IS NULL OR ends_at > starts_at)
) STRICT;
CREATE INDEX events_by_start ON events(starts_at);

CREATE TABLE event_services (
  event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  service_id INTEGER NOT NULL REFERENCES services(id),
  level      TEXT NOT NULL CHECK (level IN ('operational','maintenance','minor','major','outage')),
  PRIMARY KEY (event_id, service_id)
) STRICT;

CREATE TABLE event_updates (
  id       INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  at       INTEGER NOT NULL,
  phase    TEXT NOT NULL DEFAULT '',
  text_fr  TEXT NOT NULL, text_en TEXT NOT NULL
) STRICT;
CREATE INDEX event_updates_by_event ON event_updates(event_id, at);

CREATE TABLE messages (
  id           INTEGER PRIMARY KEY,
  platform     TEXT REFERENCES platforms(slug),
  regions      TEXT NOT NULL CHECK (json_valid(regions)),
  title_fr     TEXT NOT NULL, title_en TEXT NOT NULL,
  body_fr      TEXT NOT NULL, body_en  TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  expires_at   INTEGER
) STRICT;

CREATE TABLE status_changes (
  id         INTEGER PRIMARY KEY,
  region     TEXT NOT NULL,
  platform   TEXT NOT NULL REFERENCES platforms(slug),
  service_id INTEGER REFERENCES services(id),
  from_level TEXT NOT NULL,
  to_level   TEXT NOT NULL,
  at         INTEGER NOT NULL,
  cause      TEXT NOT NULL CHECK (cause IN ('manual','event','override')),
  event_id   INTEGER REFERENCES events(id),
  note       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX status_changes_by_target ON status_changes(region, platform, service_id, at);

CREATE TABLE audit (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
)sql",
    // 2: operators. Secrets are stored hashed: argon2id for passwords, BLAKE2b for session
    // ids and API tokens (random, high-entropy values).
    R"sql(
CREATE TABLE users (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role                TEXT NOT NULL CHECK (role IN ('editor','admin')),
  password_hash       TEXT NOT NULL,
  disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at          INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  role         TEXT NOT NULL CHECK (role IN ('editor','admin')),
  created_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  last_used_at INTEGER
) STRICT;
)sql",
    // 3: when a service appeared, so that the feed of a service that never changed can date
    // its one item (0 for services from before this migration).
    R"sql(
ALTER TABLE services ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
)sql",
    // 4: the events changed since the writer last loaded the model (triggers fill it, the
    // writer empties it), so that a write reads again only what it changed.
    R"sql(
CREATE TABLE dirty_events (id INTEGER PRIMARY KEY) STRICT;
CREATE TRIGGER events_inserted AFTER INSERT ON events
  BEGIN INSERT OR IGNORE INTO dirty_events VALUES (NEW.id); END;
CREATE TRIGGER events_updated AFTER UPDATE ON events
  BEGIN INSERT OR IGNORE INTO dirty_events VALUES (OLD.id), (NEW.id); END;
CREATE TRIGGER events_deleted AFTER DELETE ON events
  BEGIN INSERT OR IGNORE INTO dirty_events VALUES (OLD.id); END;
CREATE TRIGGER event_services_inserted AFTER INSERT ON event_services
  BEGIN INSERT OR IGNORE INTO dirty_events VALUES (NEW.event_id); END;
CREATE TRIGGER event_services_updated AFTER UPDATE ON event_services
  BEGIN INSERT OR IGNORE INTO dirty_events VALUES (OLD.event_id), (NEW.event_id); END;
CREATE TRIGGER event_services_deleted AFTER DELETE ON event_services
  BEGIN INSERT OR IGNORE INTO dirty_events VALUES (OLD.event_id); END;
CREATE TRIGGER event_updates_inserted AFTER INSERT ON event_updates
  BEGIN INSERT OR IGNORE INTO dirty_events VALUES (NEW.event_id); END;
CREATE TRIGGER event_updates_updated AFTER UPDATE ON event_updates
  BEGIN INSERT OR IGNORE INTO dirty_events VALUES (OLD.event_id), (NEW.event_id); END;
CREATE TRIGGER event_updates_deleted AFTER DELETE ON event_updates
  BEGIN INSERT OR IGNORE INTO dirty_events VALUES (OLD.event_id); END;
-- An event lists its services in their catalog order.
CREATE TRIGGER services_moved AFTER UPDATE OF position, platform ON services
  BEGIN INSERT OR IGNORE INTO dirty_events SELECT event_id FROM event_services
        WHERE service_id = NEW.id; END;
)sql",
    // 5: the changes log. Every write that changes the model adds one row in its own
    // transaction: a sequence number and the events it touched, so that every writer (every
    // process on the file, every node later) reads exactly what lies above the last seq it
    // applied. dirty_events now holds only what the open transaction touched: the write that
    // fills it empties it into its changes row before it commits.
    R"sql(
CREATE TABLE changes (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  at     INTEGER NOT NULL,
  events TEXT NOT NULL  -- JSON array of the ids of the events the write touched
) STRICT;
DELETE FROM dirty_events;
)sql",
    // 6: an event's revision and who made it, so that two operators editing one event at
    // once cannot overwrite each other unknowingly.
    R"sql(
ALTER TABLE events ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
)sql",
    // 7: the events a change touched in a table of their own (one row each) rather than a
    // JSON array, so the same statements read them on every backend.
    R"sql(
CREATE TABLE change_events (
  seq      INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  PRIMARY KEY (seq, event_id)
) STRICT;
INSERT INTO change_events(seq, event_id)
  SELECT changes.seq, value FROM changes, json_each(changes.events);
ALTER TABLE changes DROP COLUMN events;
)sql",
    // 8: subscribers (visitors who gave an e-mail address), what they follow, the outbox of
    // notices that writes leave in their own transaction, and one delivery per (notice,
    // subscriber): the idempotency key of every mail.
    R"sql(
CREATE TABLE subscribers (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  email        TEXT NOT NULL,
  email_key    TEXT NOT NULL,  -- lower(email): one subscriber per address and region
  region       TEXT NOT NULL,
  lang         TEXT NOT NULL CHECK (lang IN ('fr','en')),
  created_at   INTEGER NOT NULL,
  confirmed_at INTEGER,
  from_notice  INTEGER NOT NULL DEFAULT 0,  -- the first notice it is told of (from confirming)
  UNIQUE (email_key, region)
) STRICT;
CREATE TABLE subscriptions (
  subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
  platform      TEXT NOT NULL,
  topic         TEXT NOT NULL CHECK (topic IN ('platform','service','messages','event')),
  target        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (subscriber_id, platform, topic, target)
) STRICT;
CREATE TABLE notices (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  kind          TEXT NOT NULL,
  at            INTEGER NOT NULL,
  platform      TEXT NOT NULL DEFAULT '',
  event_id      INTEGER NOT NULL DEFAULT 0,
  update_id     INTEGER NOT NULL DEFAULT 0,
  message_id    INTEGER NOT NULL DEFAULT 0,
  subscriber_id INTEGER NOT NULL DEFAULT 0,
  service_id    INTEGER NOT NULL DEFAULT 0,
  detail        TEXT NOT NULL DEFAULT '',  -- JSON: a level change's regions and level
  dedupe        TEXT UNIQUE,               -- what the clock tells once ("start:ID:TIME")
  fanned_out    INTEGER NOT NULL DEFAULT 0 CHECK (fanned_out IN (0, 1))
) STRICT;
CREATE INDEX notices_to_fan_out ON notices(fanned_out, id);
CREATE TABLE deliveries (
  notice_id     INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
  subscriber_id INTEGER NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('pending','sent','failed')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_at       INTEGER NOT NULL,
  sent_at       INTEGER,
  error         TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (notice_id, subscriber_id)
) STRICT;
CREATE INDEX deliveries_due ON deliveries(state, next_at, notice_id, subscriber_id);
)sql",
    // 9: subscribers told by webhook, Slack or Teams: the endpoint, the webhook's signing key,
    // its failures in a row and its quarantine. email_key becomes the subscriber's key
    // (SubscriberKey: the address and, for an endpoint, its channel and URL).
    R"sql(
ALTER TABLE subscribers ADD COLUMN channel TEXT NOT NULL DEFAULT 'email'
  CHECK (channel IN ('email','webhook','slack','teams'));
ALTER TABLE subscribers ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN secret TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN quarantined_at INTEGER;
)sql",
    // 10: whether a change touched the catalog (platforms, services), so that a node reads
    // the catalog again only when one did; entries from before say 1. dirty_catalog holds one
    // row while the open transaction has touched it (triggers fill it, LogChange empties it).
    // Not INSERT OR IGNORE: an upsert's own conflict clause would override the IGNORE.
    R"sql(
ALTER TABLE changes ADD COLUMN catalog INTEGER NOT NULL DEFAULT 1 CHECK (catalog IN (0, 1));
CREATE TABLE dirty_catalog (one INTEGER PRIMARY KEY CHECK (one = 1)) STRICT;
CREATE TRIGGER platforms_inserted AFTER INSERT ON platforms
  BEGIN INSERT INTO dirty_catalog SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM dirty_catalog); END;
CREATE TRIGGER platforms_updated AFTER UPDATE ON platforms
  BEGIN INSERT INTO dirty_catalog SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM dirty_catalog); END;
CREATE TRIGGER platforms_deleted AFTER DELETE ON platforms
  BEGIN INSERT INTO dirty_catalog SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM dirty_catalog); END;
CREATE TRIGGER services_inserted AFTER INSERT ON services
  BEGIN INSERT INTO dirty_catalog SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM dirty_catalog); END;
CREATE TRIGGER services_updated AFTER UPDATE ON services
  BEGIN INSERT INTO dirty_catalog SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM dirty_catalog); END;
CREATE TRIGGER services_deleted AFTER DELETE ON services
  BEGIN INSERT INTO dirty_catalog SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM dirty_catalog); END;
)sql",
};

}  // namespace vigie::sqlite

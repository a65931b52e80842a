// What operators can do, as commands shared by the back-office forms, the admin JSON API and
// the CLI. Each validates against the current model and writes through the Publisher (one
// writer: the change, its status changes and an audit row in one transaction), so it shows
// on the public site as soon as it returns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "domain/accounts.h"
#include "domain/model.h"
#include "snapshot/publisher.h"
#include "store/store.h"

namespace vigie {

struct EventDraft {
  EventKind kind = EventKind::kIncident;
  std::string platform;
  std::vector<std::string> regions;
  Text title, body;
  std::vector<std::pair<std::string, Level>> services;  // slug → level
  std::optional<Time> starts_at;                        // empty: now
  std::optional<Time> ends_at;
  Phase phase = Phase::kNone;  // incidents: empty means investigating
  Text first_update;           // optional first timeline entry
  // Edits: the revision the operator's form was made from. When the event has moved on
  // since (another operator's edit, a resolution), the edit is refused with Conflict.
  std::optional<int64_t> revision;
  // Tell the subscribers (a notice in the outbox, in the same transaction as the event).
  bool notify = false;
};

struct MessageDraft {
  std::string platform;  // empty: the whole site
  std::vector<std::string> regions;
  Text title, body;
  std::optional<Time> published_at;  // empty: now
  std::optional<Time> expires_at;
  bool notify = false;  // tell the subscribers
};

class Operations {
 public:
  Operations(Publisher& publisher, Store& store, const Clock& clock)
      : publisher_(publisher), store_(store), clock_(clock) {}

  // Sets a service's level in each of `regions`, in one write (all or none).
  Status SetLevel(const std::string& actor, const std::vector<std::string>& regions,
                  const std::string& platform, const std::string& service, Level level,
                  const std::string& note, bool notify = false);
  // Sets the global-status override, or clears it when `level` is empty.
  Status SetOverride(const std::string& actor, const std::string& region,
                     const std::string& platform, std::optional<Level> level,
                     const std::string& note);

  Result<int64_t> CreateEvent(const std::string& actor, const EventDraft& draft);
  // Corrects an event: texts, services, window (not its kind or platform).
  Status EditEvent(const std::string& actor, int64_t id, const EventDraft& draft);
  // A new timeline entry; a new phase and new impacts when given. `notify`: tell the
  // subscribers who follow the event (a notice in the outbox, in the same transaction).
  Status PostUpdate(const std::string& actor, int64_t id, const Text& text,
                    std::optional<Phase> phase,
                    std::optional<std::vector<std::pair<std::string, Level>>> services,
                    bool notify = false);
  // Incidents: resolved now. Other kinds in progress: ended now.
  Status Resolve(const std::string& actor, int64_t id, const Text& text, bool notify = false);
  // Only a planned event can be cancelled.
  Status Cancel(const std::string& actor, int64_t id, const Text& reason, bool notify = false);

  Result<int64_t> CreateMessage(const std::string& actor, const MessageDraft& draft);
  Status EditMessage(const std::string& actor, int64_t id, const MessageDraft& draft);
  Status ExpireMessage(const std::string& actor, int64_t id);
  Status DeleteMessage(const std::string& actor, int64_t id);

  // Catalog (admin only). A new service goes last in its platform unless a position is given.
  Result<int64_t> AddService(const std::string& actor, const Service& service);
  // Texts, position and retirement of an existing service; its slug and history stay.
  Status EditService(const std::string& actor, int64_t id, const Service& service);

  // Accounts (admin only; the callers check the role).
  Result<int64_t> AddUser(const std::string& actor, const std::string& name, Role role,
                          const std::string& password);
  // Ends every session of that user.
  Status SetPassword(const std::string& actor, const std::string& name,
                     const std::string& password);
  Status SetDisabled(const std::string& actor, const std::string& name, bool disabled);
  // Returns the token itself: shown once, stored hashed.
  Result<std::string> CreateToken(const std::string& actor, const std::string& name, Role role);
  Status RevokeToken(const std::string& actor, int64_t id);

  // Subscribers (admin only): removes one (nothing more is sent to it); notes an export.
  Status RemoveSubscriber(const std::string& actor, int64_t id);
  // Sends to a quarantined endpoint again (its failures forgotten). Audited.
  Status ResumeEndpoint(const std::string& actor, int64_t id);
  Status NoteExport(const std::string& actor, const std::string& what);

 private:
  Status Audited(const std::string& actor, const std::string& action, const std::string& detail,
                 const std::function<Status(StoreTx&)>& write);

  Publisher& publisher_;
  Store& store_;
  const Clock& clock_;
};

}  // namespace vigie

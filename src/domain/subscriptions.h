// Subscribers and what they are told: visitors who gave an e-mail address (no account) and,
// for a webhook, a Slack or a Teams channel, the endpoint that is told, what they follow, the
// notices that writes leave in the outbox, and one delivery per (notice, subscriber). Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "domain/model.h"

namespace vigie {

// What a subscriber follows on one platform.
enum class Topic {
  kPlatform,  // its global status and every event
  kService,   // the events and level changes of one service (target: the service id)
  kMessages,  // its general messages (platform "": the site's)
  kEvent,     // one event's updates until it ends (target: the event id)
};
std::string_view TopicId(Topic t);  // "platform", "service", "messages", "event"
std::optional<Topic> ParseTopic(std::string_view id);

struct Subscription {
  std::string platform;
  Topic topic = Topic::kPlatform;
  int64_t target = 0;  // a service or event id; 0 for the others
  bool operator==(const Subscription&) const = default;
};

// How a subscriber is told. Every subscriber has an e-mail address: for the other channels it
// is the owner's, who confirms the subscription and hears when the endpoint is quarantined.
enum class Channel {
  kEmail,
  kWebhook,  // JSON shaped like Statuspage's webhooks, signed with HMAC-SHA256
  kSlack,    // a Slack incoming webhook
  kTeams,    // a Microsoft Teams incoming webhook (Workflows), an Adaptive Card
};
std::string_view ChannelId(Channel c);  // "email", "webhook", "slack", "teams"
std::optional<Channel> ParseChannel(std::string_view id);

struct Subscriber {
  int64_t id = 0;
  std::string email;  // as given, trimmed; compared case-insensitively
  Channel channel = Channel::kEmail;
  std::string endpoint;                // the URL told, for every channel but e-mail
  std::string secret;                  // a webhook's HMAC-SHA256 key (hex), shown on its page
  int failures = 0;                    // the endpoint's failed attempts in a row
  std::optional<Time> quarantined_at;  // nothing more is sent until the owner resumes it
  std::string region;                  // the regional site it subscribed on: its times and links
  Lang lang = Lang::kFr;
  Time created_at{};
  std::optional<Time> confirmed_at;  // nothing but the confirmation is sent before
  // The first notice it is told of: the outbox's next id when it confirmed (set by the store),
  // so a subscriber never hears of what happened before it subscribed.
  int64_t from_notice = 0;
  std::vector<Subscription> subscriptions;
};

// Why a notice was written. The confirmation goes to one subscriber; the others to every
// confirmed subscriber who follows what they are about.
enum class NoticeKind {
  kConfirm,           // "confirm your subscription" (subscriber_id)
  kEventCreated,      // an event published (event_id)
  kEventUpdated,      // a new entry of its timeline (event_id, update_id)
  kEventResolved,     // resolved, or ended early (event_id, update_id)
  kMessagePublished,  // a general message (message_id)
  // The clock's, for maintenances (event_id): a reminder before the start, the start, the end.
  kMaintenanceReminder,
  kMaintenanceStarted,
  kMaintenanceEnded,
  kServiceLevel,  // a service's level set by hand (service_id; detail: regions and level)
  // To the owner of an endpoint that failed too often in a row (subscriber_id), by mail.
  kQuarantined,
};
std::string_view NoticeKindId(NoticeKind k);  // "confirm", "event.created", ...
std::optional<NoticeKind> ParseNoticeKind(std::string_view id);

struct Notice {
  int64_t id = 0;
  NoticeKind kind = NoticeKind::kEventCreated;
  Time at{};
  std::string platform;  // "" for the site's messages and the confirmation
  int64_t event_id = 0, update_id = 0, message_id = 0, subscriber_id = 0;
  int64_t service_id = 0;
  std::string detail;  // kServiceLevel: {"regions": [...], "level": "minor", "note": "..."}
  // Set for what must be told once whoever writes it (the clock's notices, an event's end):
  // a second notice with the same key is not written.
  std::string dedupe;
};

// The key of the notice of an event's end (its resolution by an operator, or the clock at a
// maintenance's planned end): only the first is written.
std::string EndKey(int64_t event_id, Time ends_at);

enum class DeliveryState { kPending, kSent, kFailed };
std::string_view DeliveryStateId(DeliveryState s);  // "pending", "sent", "failed"

// One notice to one subscriber: the idempotency key is the pair.
struct Delivery {
  int64_t notice_id = 0, subscriber_id = 0;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  Time next_at{};
  std::optional<Time> sent_at;
  std::string error;  // the last failure, for the delivery log
};

// What the back-office shows of the subscribers: how many, and how many follow each thing.
struct SubscriberCounts {
  int64_t confirmed = 0, pending = 0;
  int64_t quarantined = 0;  // endpoints stopped after too many failures
  struct Followed {
    Subscription what;
    int64_t confirmed = 0;
  };
  std::vector<Followed> followed;  // by platform, topic, target
};

// A notice with what became of its deliveries (the back-office's delivery log).
struct NoticeSummary {
  Notice notice;
  int64_t pending = 0, sent = 0, failed = 0;
  bool fanned_out = false;
};

// Whether `s` follows what `n` is about, given the model (an event's services and regions).
// The confirmation and the quarantine notice are for their own subscriber only.
bool Follows(const Subscriber& s, const Notice& n, const Model& m);

// What makes a subscriber one in its region (compared as is): its address in lower case and,
// for an endpoint, its channel and URL. One owner may have several endpoints.
std::string SubscriberKey(std::string_view email, Channel channel, std::string_view endpoint);

// Whether the notice goes to the subscriber's e-mail address whatever its channel: those
// addressed to the owner (the confirmation, the quarantine).
bool ToOwner(NoticeKind k);

// A plausible e-mail address: one @, a local part and a dotted domain, no spaces or controls,
// at most 254 characters. The mail server has the last word.
bool PlausibleEmail(std::string_view email);

}  // namespace vigie

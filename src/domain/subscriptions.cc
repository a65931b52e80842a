#include "domain/subscriptions.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace vigie {

namespace {

constexpr std::array<std::string_view, 4> kTopics = {"platform", "service", "messages", "event"};
constexpr std::array<std::string_view, 10> kNoticeKinds = {
    "confirm",           "event.created",        "event.updated",       "event.resolved",
    "message.published", "maintenance.reminder", "maintenance.started", "maintenance.ended",
    "service.level",     "quarantined"};
constexpr std::array<std::string_view, 4> kChannels = {"email", "webhook", "slack", "teams"};

template <typename E, size_t N>
std::optional<E> ParseOf(const std::array<std::string_view, N>& ids, std::string_view id) {
  const auto it = std::find(ids.begin(), ids.end(), id);
  if (it == ids.end()) return std::nullopt;
  return static_cast<E>(it - ids.begin());
}

}  // namespace

std::string_view TopicId(Topic t) { return kTopics[static_cast<size_t>(t)]; }
std::optional<Topic> ParseTopic(std::string_view id) { return ParseOf<Topic>(kTopics, id); }

std::string_view ChannelId(Channel c) { return kChannels[static_cast<size_t>(c)]; }
std::optional<Channel> ParseChannel(std::string_view id) { return ParseOf<Channel>(kChannels, id); }

std::string SubscriberKey(std::string_view email, Channel channel, std::string_view endpoint) {
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  if (channel != Channel::kEmail)
    out.append(" ").append(ChannelId(channel)).append(" ").append(endpoint);
  return out;
}

bool ToOwner(NoticeKind k) { return k == NoticeKind::kConfirm || k == NoticeKind::kQuarantined; }

std::string_view NoticeKindId(NoticeKind k) { return kNoticeKinds[static_cast<size_t>(k)]; }
std::optional<NoticeKind> ParseNoticeKind(std::string_view id) {
  return ParseOf<NoticeKind>(kNoticeKinds, id);
}

std::string_view DeliveryStateId(DeliveryState s) {
  static constexpr std::array<std::string_view, 3> kIds = {"pending", "sent", "failed"};
  return kIds[static_cast<size_t>(s)];
}

std::string EndKey(int64_t event_id, Time ends_at) {
  return "end:" + std::to_string(event_id) + ":" + std::to_string(ToUnix(ends_at));
}

bool Follows(const Subscriber& s, const Notice& n, const Model& m) {
  if (ToOwner(n.kind)) return n.subscriber_id == s.id;
  if (!s.confirmed_at || n.id < s.from_notice) return false;
  const auto follows = [&](const std::string& platform, Topic topic, int64_t target) {
    return std::any_of(s.subscriptions.begin(), s.subscriptions.end(), [&](const Subscription& x) {
      return x.platform == platform && x.topic == topic && x.target == target;
    });
  };
  if (n.kind == NoticeKind::kMessagePublished) {
    const auto it = std::find_if(m.messages.begin(), m.messages.end(),
                                 [&](const Message& msg) { return msg.id == n.message_id; });
    if (it == m.messages.end() || !it->InRegion(s.region)) return false;
    if (it->platform.empty()) {
      // The site's own messages go to whoever follows the messages of any platform.
      return std::any_of(s.subscriptions.begin(), s.subscriptions.end(),
                         [](const Subscription& x) { return x.topic == Topic::kMessages; });
    }
    return follows(it->platform, Topic::kMessages, 0);
  }
  if (n.kind == NoticeKind::kServiceLevel) {
    const Service* svc = m.FindService(n.service_id);
    if (!svc) return false;
    const nlohmann::json d = nlohmann::json::parse(n.detail, nullptr, false);
    bool here = false;
    if (d.is_object() && d.contains("regions") && d["regions"].is_array()) {
      for (const auto& r : d["regions"])
        here = here || (r.is_string() && r.get<std::string>() == s.region);
    }
    return here && (follows(svc->platform, Topic::kService, svc->id) ||
                    follows(svc->platform, Topic::kPlatform, 0));
  }
  const Event* e = m.FindEvent(n.event_id);
  if (!e || !e->InRegion(s.region)) return false;
  if (follows(e->platform, Topic::kPlatform, 0) || follows(e->platform, Topic::kEvent, e->id)) {
    return true;
  }
  return std::any_of(e->impacts.begin(), e->impacts.end(), [&](const Impact& i) {
    return follows(e->platform, Topic::kService, i.service_id);
  });
}

bool PlausibleEmail(std::string_view email) {
  if (email.size() < 3 || email.size() > 254) return false;
  const size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || email.find('@', at + 1) != email.npos) {
    return false;
  }
  for (unsigned char c : email) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' ||
        c == '\\' || c == '(' || c == ')' || c == '[' || c == ']') {
      return false;
    }
  }
  const std::string_view domain = email.substr(at + 1);
  const size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && domain.back() != '.' &&
         domain.find("..") == std::string_view::npos;
}

}  // namespace vigie

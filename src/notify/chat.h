// A notice as a chat message: Slack's incoming webhooks (Block Kit, with a plain-text
// fallback) and Microsoft Teams' (a "message" holding an Adaptive Card 1.4, as the Workflows
// app's "post to a channel when a webhook request is received" takes it). Pure functions.
#pragma once

#include <string>

#include "render/mail_render.h"

namespace vigie {

struct ChatLinks {
  std::string manage_url, manage_text;  // the subscriber's page: change or unsubscribe
};

// {"text": subject, "blocks": [header, section, fields, button, context]}
std::string SlackMessage(const NoticeContent& c, const ChatLinks& links);
// {"type": "message", "attachments": [{"contentType":
// "application/vnd.microsoft.card.adaptive", "content": {AdaptiveCard}}]}
std::string TeamsMessage(const NoticeContent& c, const ChatLinks& links);

}  // namespace vigie

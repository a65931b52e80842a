// The mails sent to subscribers, in the subscriber's language and the region's time zone: the
// subject, a text part and an HTML part, from templates/mail_text.mustache and
// mail_html.mustache and the [mail] texts of the catalogs. Pure functions of the model.
#pragma once

#include <string>

#include "core/status.h"
#include "domain/model.h"
#include "domain/subscriptions.h"
#include "render/messages.h"
#include "render/pages.h"

namespace vigie {

struct MailContent {
  std::string subject, text, html;
};

struct MailView {
  const Model& model;
  const Region& region;
  Lang lang;
  const Messages& messages;
  const Templates& templates;
  const Text& site_name;
};

struct MailLinks {
  std::string manage;  // the subscriber's management page
  // The confirmation page (kConfirm, while unconfirmed; for an endpoint, also once confirmed:
  // that page shows its signing key).
  std::string confirm;
};

// What a notice says, before it is put in a mail or a chat message: a subject, a heading,
// paragraphs, facts (label, value), the text of the update (Markdown), the list of what is
// followed (a confirmation), notes after the action, and the action (a link).
struct NoticeContent {
  std::string subject, heading, body_md, action_url, action_text;
  std::vector<std::string> paragraphs, items, notes;
  std::vector<std::pair<std::string, std::string>> facts;
};
// NotFound when what the notice is about is gone (an event or message deleted since).
Result<NoticeContent> DescribeNotice(const MailView& v, const Notice& n, const Subscriber& s,
                                     const MailLinks& links);
// The same, as a mail.
Result<MailContent> RenderNoticeMail(const MailView& v, const Notice& n, const Subscriber& s,
                                     const MailLinks& links);

// What the subscriber follows, in words ("Weavy: global status and every event").
std::vector<std::string> DescribeSubscriptions(const Model& m, Lang lang, const Messages& msgs,
                                               const std::vector<Subscription>& subs);

}  // namespace vigie

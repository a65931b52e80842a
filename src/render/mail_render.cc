#include "render/mail_render.h"

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include "render/escape.h"

namespace vigie {

namespace {

using Data = kainjow::mustache::data;

std::string Name(const Text& t, Lang lang) { return std::string(Localize(t, lang).text); }

std::string Render(const Templates& templates, std::string_view name, const Data& d, bool html) {
  const std::string* src = templates.Source(name);
  if (!src) return {};
  kainjow::mustache::mustache tmpl(*src);
  if (html) {
    tmpl.set_custom_escape([](const std::string& s) { return EscapeMarkup(s); });
  } else {
    tmpl.set_custom_escape([](const std::string& s) { return s; });
  }
  return tmpl.render(d);
}

}  // namespace

std::vector<std::string> DescribeSubscriptions(const Model& m, Lang lang, const Messages& msgs,
                                               const std::vector<Subscription>& subs) {
  std::vector<std::string> out;
  for (const Subscription& x : subs) {
    const Platform* p = m.FindPlatform(x.platform);
    const std::string platform = p ? Name(p->name, lang) : x.platform;
    std::string what;
    switch (x.topic) {
      case Topic::kPlatform:
        what = msgs.Get(lang, "subscribe.topic_platform");
        break;
      case Topic::kMessages:
        what = msgs.Get(lang, "subscribe.topic_messages");
        break;
      case Topic::kService: {
        const Service* s = m.FindService(x.target);
        what = Fill(msgs.Get(lang, "subscribe.topic_service"),
                    {{"name", s ? Name(s->name, lang) : "#" + std::to_string(x.target)}});
        break;
      }
      case Topic::kEvent: {
        const Event* e = m.FindEvent(x.target);
        what = Fill(msgs.Get(lang, "subscribe.topic_event"),
                    {{"title", e ? Name(e->title, lang) : "#" + std::to_string(x.target)}});
        break;
      }
    }
    out.push_back(Fill(msgs.Get(lang, "subscribe.item"), {{"platform", platform}, {"what", what}}));
  }
  return out;
}

Result<NoticeContent> DescribeNotice(const MailView& v, const Notice& n, const Subscriber& s,
                                     const MailLinks& links) {
  const Messages& M = v.messages;
  const Lang lang = v.lang;
  const auto T = [&](std::string_view key) -> const std::string& { return M.Get(lang, key); };
  const std::string site = Name(v.site_name, lang);
  const auto when = [&](Time t) { return FormatDateTime(t, v.region, lang, M); };
  NoticeContent c;
  const auto para = [&](const std::string& text) { c.paragraphs.push_back(text); };
  const auto fact = [&](const std::string& label, const std::string& value) {
    c.facts.emplace_back(label, value);
  };
  std::string& subject = c.subject;
  std::string& heading = c.heading;
  std::string& action_url = c.action_url;
  std::string& action_text = c.action_text;
  std::string& body_md = c.body_md;

  if (n.kind == NoticeKind::kQuarantined) {
    subject = Fill(T("mail.quarantined_subject"), {{"site", site}});
    heading = T("mail.quarantined_heading");
    para(Fill(T("mail.quarantined_text"), {{"endpoint", s.endpoint}}));
    if (s.quarantined_at) fact(T("mail.quarantined_since"), when(*s.quarantined_at));
    action_url = links.manage;
    action_text = T("mail.quarantined_action");
  } else if (n.kind == NoticeKind::kConfirm) {
    c.items = DescribeSubscriptions(v.model, lang, M, s.subscriptions);
    if (s.channel != Channel::kEmail) {
      para(Fill(T("mail.endpoint_text"),
                {{"channel", T("subscribe.channel_" + std::string(ChannelId(s.channel)))},
                 {"endpoint", s.endpoint}}));
    }
    if (s.confirmed_at) {
      subject = Fill(T("mail.already_subject"), {{"site", site}});
      heading = T("mail.already_heading");
      para(T("mail.already_text"));
      // An endpoint's owner gets a link that shows its signing key again.
      action_url = links.confirm.empty() ? links.manage : links.confirm;
      action_text = T("mail.manage");
    } else {
      subject = Fill(T("mail.confirm_subject"), {{"site", site}});
      heading = T("mail.confirm_heading");
      para(Fill(T("mail.confirm_text"), {{"site", site}}));
      action_url = links.confirm;
      action_text = T("mail.confirm_action");
      c.notes.push_back(T("mail.confirm_ignore"));
    }
  } else if (n.kind == NoticeKind::kServiceLevel) {
    const Service* svc = v.model.FindService(n.service_id);
    if (!svc) return Status::NotFound("service #" + std::to_string(n.service_id) + " is gone");
    const Platform* p = v.model.FindPlatform(svc->platform);
    const std::string where = p ? Name(p->name, lang) : svc->platform;
    const nlohmann::json detail = nlohmann::json::parse(n.detail, nullptr, false);
    const std::optional<Level> level =
        ParseLevel(detail.is_object() ? detail.value("level", "") : std::string());
    if (!level) return Status::NotFound("the level change of notice #" + std::to_string(n.id));
    const std::string name = Name(svc->name, lang);
    subject = "[" + where + "] " +
              Fill(T("mail.service_level"), {{"name", name}, {"level", M.Words(lang, *level)}});
    heading = subject.substr(where.size() + 3);
    fact(T("mail.service"), name);
    fact(T("mail.level"), M.Words(lang, *level));
    fact(T("mail.since"), when(n.at));
    if (detail.is_object() && detail.value("note", "") != "") {
      fact(T("mail.note"), detail.value("note", ""));
    }
    action_url = v.region.base_url + PagePath(lang, "/" + svc->platform + "/services/" + svc->slug);
    action_text = T("mail.see_page");
  } else if (n.kind == NoticeKind::kMessagePublished) {
    const Message* msg = nullptr;
    for (const Message& x : v.model.messages) {
      if (x.id == n.message_id) msg = &x;
    }
    if (!msg) return Status::NotFound("message #" + std::to_string(n.message_id) + " is gone");
    const Platform* p = v.model.FindPlatform(msg->platform);
    const std::string where = p ? Name(p->name, lang) : site;
    subject = "[" + where + "] " + Name(msg->title, lang);
    heading = Name(msg->title, lang);
    fact(T("mail.published"), when(msg->published_at));
    if (msg->expires_at) fact(T("mail.until"), when(*msg->expires_at));
    body_md = Name(msg->body, lang);
    action_url = v.region.base_url + PagePath(lang, p ? "/" + p->slug + "/" : "/");
    action_text = T("mail.see_page");
  } else {
    const Event* e = v.model.FindEvent(n.event_id);
    if (!e) return Status::NotFound("event #" + std::to_string(n.event_id) + " is gone");
    const Platform* p = v.model.FindPlatform(e->platform);
    const std::string where = p ? Name(p->name, lang) : e->platform;
    const std::string title = Name(e->title, lang);
    const std::string kind = M.Words(lang, e->kind);
    const char* key = "mail.event_updated";
    switch (n.kind) {
      case NoticeKind::kEventCreated:
        key = "mail.event_created";
        break;
      case NoticeKind::kEventResolved:
        key = "mail.event_resolved";
        break;
      case NoticeKind::kMaintenanceReminder:
        key = "mail.maintenance_reminder";
        break;
      case NoticeKind::kMaintenanceStarted:
        key = "mail.maintenance_started";
        break;
      case NoticeKind::kMaintenanceEnded:
        key = "mail.maintenance_ended";
        break;
      default:
        break;
    }
    subject = "[" + where + "] " + Fill(T(key), {{"kind", kind}, {"title", title}});
    heading = title;
    fact(T("mail.kind"), kind);
    if (e->phase != Phase::kNone) fact(T("mail.phase"), M.Words(lang, e->phase));
    fact(T("mail.state"), M.Words(lang, e->StateAt(n.at)));
    std::string services;
    for (const Impact& i : e->impacts) {
      const Service* svc = v.model.FindService(i.service_id);
      if (!svc) continue;
      services += (services.empty() ? "" : ", ") + Name(svc->name, lang) + " (" +
                  M.Words(lang, i.level) + ")";
    }
    if (!services.empty()) fact(T("mail.services"), services);
    fact(T("mail.starts"), when(e->starts_at));
    if (e->ends_at) fact(T("mail.ends"), when(*e->ends_at));
    const EventUpdate* update = nullptr;
    for (const EventUpdate& u : e->updates) {
      if (u.id == n.update_id) update = &u;
    }
    if (update) {
      fact(T("mail.update_at"), when(update->at));
      body_md = Name(update->text, lang);
    } else if (n.kind == NoticeKind::kEventCreated) {
      body_md = Name(e->body, lang);
      if (body_md.empty() && !e->updates.empty()) body_md = Name(e->updates.front().text, lang);
    }
    action_url = v.region.base_url + PagePath(lang, "/events/" + std::to_string(e->id));
    action_text = T("mail.see_event");
  }
  return c;
}

Result<MailContent> RenderNoticeMail(const MailView& v, const Notice& n, const Subscriber& s,
                                     const MailLinks& links) {
  Result<NoticeContent> c = DescribeNotice(v, n, s, links);
  if (!c.ok()) return c.status();
  const Messages& M = v.messages;
  const Lang lang = v.lang;
  const auto T = [&](std::string_view key) -> const std::string& { return M.Get(lang, key); };
  const std::string site = Name(v.site_name, lang);
  Data d;
  d.set("site", site);
  d.set("lang", std::string(LangId(lang)));
  d.set("colon", T("mail.colon"));
  d.set("manage_url", links.manage);
  d.set("manage_text", T("mail.manage"));
  d.set("footer", Fill(T("mail.footer"), {{"site", site}}));
  const auto texts = [](const std::vector<std::string>& from) {
    Data list{Data::type::list};
    for (const std::string& t : from) {
      Data item;
      item.set("text", t);
      list.push_back(item);
    }
    return list;
  };
  Data facts{Data::type::list};
  for (const auto& [label, value] : c->facts) {
    Data f;
    f.set("label", label);
    f.set("value", value);
    facts.push_back(f);
  }
  d.set("has_items", !c->items.empty());
  d.set("items", texts(c->items));
  d.set("subject", c->subject);
  d.set("heading", c->heading);
  d.set("paragraphs", texts(c->paragraphs));
  d.set("notes", texts(c->notes));
  d.set("facts", facts);
  d.set("has_facts", !c->facts.empty());
  if (!c->action_url.empty()) {
    Data a;
    a.set("url", c->action_url);
    a.set("text", c->action_text);
    d.set("action", a);
  }
  MailContent out;
  out.subject = c->subject;
  d.set("body_text", c->body_md);
  out.text = Render(v.templates, "mail_text", d, false);
  // At most one empty line in a row, whatever the template's sections left.
  for (size_t at; (at = out.text.find("\n\n\n")) != std::string::npos;) out.text.erase(at, 1);
  d.set("body_html", MarkdownToHtml(c->body_md));
  out.html = Render(v.templates, "mail_html", d, true);
  if (out.text.empty() || out.html.empty())
    return Status::Internal("the mail templates are missing");
  return out;
}

}  // namespace vigie

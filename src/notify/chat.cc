#include "notify/chat.h"

#include <nlohmann/json.hpp>

namespace vigie {

namespace {

using json = nlohmann::ordered_json;

// Slack's mrkdwn: &, < and > are its markup and must be escaped in text.
std::string SlackEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// Cut at `max` bytes without splitting a UTF-8 sequence (Slack refuses longer fields).
std::string Cut(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max - 1;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return s + "…";
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The paragraphs and the update's text, one block of text.
std::string Prose(const NoticeContent& c) {
  std::string out;
  for (const std::string& p : c.paragraphs) out += (out.empty() ? "" : "\n\n") + p;
  if (!c.body_md.empty()) out += (out.empty() ? "" : "\n\n") + c.body_md;
  for (const std::string& i : c.items) out += "\n• " + i;
  return out;
}

}  // namespace

std::string SlackMessage(const NoticeContent& c, const ChatLinks& links) {
  json blocks = json::array();
  blocks.push_back(
      {{"type", "header"},
       {"text", {{"type", "plain_text"}, {"text", Cut(c.heading, 150)}, {"emoji", false}}}});
  if (const std::string prose = Prose(c); !prose.empty()) {
    blocks.push_back({{"type", "section"},
                      {"text", {{"type", "mrkdwn"}, {"text", Cut(SlackEscape(prose), 3000)}}}});
  }
  if (!c.facts.empty()) {
    json fields = json::array();
    for (const auto& [label, value] : c.facts) {
      if (fields.size() == 10) break;  // Slack's limit
      fields.push_back(
          {{"type", "mrkdwn"},
           {"text", Cut("*" + SlackEscape(label) + "*\n" + SlackEscape(value), 2000)}});
    }
    blocks.push_back({{"type", "section"}, {"fields", fields}});
  }
  if (!c.action_url.empty()) {
    blocks.push_back({{"type", "actions"},
                      {"elements",
                       {{{"type", "button"},
                         {"text", {{"type", "plain_text"}, {"text", Cut(c.action_text, 75)}}},
                         {"url", c.action_url}}}}});
  }
  if (!links.manage_url.empty()) {
    blocks.push_back({{"type", "context"},
                      {"elements",
                       {{{"type", "mrkdwn"},
                         {"text", "<" + SlackEscape(links.manage_url) + "|" +
                                      SlackEscape(links.manage_text) + ">"}}}}});
  }
  // The fallback too is mrkdwn: "<!channel>" in a title must not call the whole channel.
  return Dump({{"text", SlackEscape(c.subject)}, {"blocks", blocks}});
}

std::string TeamsMessage(const NoticeContent& c, const ChatLinks& links) {
  json body = json::array();
  body.push_back({{"type", "TextBlock"},
                  {"text", c.heading},
                  {"weight", "Bolder"},
                  {"size", "Medium"},
                  {"wrap", true}});
  if (const std::string prose = Prose(c); !prose.empty()) {
    // Teams refuses a card over about 28 KB: the text is cut well below.
    body.push_back({{"type", "TextBlock"}, {"text", Cut(prose, 12'000)}, {"wrap", true}});
  }
  if (!c.facts.empty()) {
    json facts = json::array();
    for (const auto& [label, value] : c.facts)
      facts.push_back({{"title", label}, {"value", value}});
    body.push_back({{"type", "FactSet"}, {"facts", facts}});
  }
  json actions = json::array();
  if (!c.action_url.empty()) {
    actions.push_back(
        {{"type", "Action.OpenUrl"}, {"title", c.action_text}, {"url", c.action_url}});
  }
  if (!links.manage_url.empty()) {
    actions.push_back(
        {{"type", "Action.OpenUrl"}, {"title", links.manage_text}, {"url", links.manage_url}});
  }
  json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"type", "AdaptiveCard"},
               {"version", "1.4"},
               {"fallbackText", c.subject},
               {"body", body},
               {"actions", actions}};
  return Dump({{"type", "message"},
               {"summary", c.subject},
               {"attachments",
                {{{"contentType", "application/vnd.microsoft.card.adaptive"},
                  {"contentUrl", nullptr},
                  {"content", card}}}}});
}

}  // namespace vigie

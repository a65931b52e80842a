// Escaping for HTML and XML text and attribute values: & < > " ' all replaced. One function,
// used by every renderer (pages, back-office, badges, feeds).
#pragma once

#include <string>
#include <string_view>

namespace vigie {

// `apos` is the entity for the single quote: "&#39;" for HTML, "&apos;" for XML.
inline std::string EscapeMarkup(std::string_view s, std::string_view apos = "&#39;") {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += apos; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace vigie

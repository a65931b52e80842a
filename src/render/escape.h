// Escaping for HTML and XML text and attribute values: & < > " ' all replaced. One function,
// used by every renderer (pages, back-office, badges, feeds). And for query-string values.
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
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += apos;
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Percent-encodes a value for a query string (unreserved characters and '/' kept).
inline std::string QueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(ch);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace vigie

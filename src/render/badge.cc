#include "render/badge.h"

#include "render/escape.h"

namespace vigie {

namespace {

std::string Escape(std::string_view s) {
  std::string kept;
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') kept += c;
  }
  return EscapeMarkup(kept);
}

// Width of text in 11 px sans-serif, estimated per UTF-8 character (no font at hand).
int TextWidth(std::string_view s) {
  int chars = 0;
  for (unsigned char c : s) {
    if ((c & 0xc0) != 0x80) ++chars;
  }
  return chars * 7 + 10;
}

const char* Colour(Level l) {
  switch (l) {
    case Level::kOperational:
      return "#1a7f37";
    case Level::kMinor:
      return "#b35900";
    case Level::kMajor:
      return "#c62828";
    case Level::kOutage:
      return "#1f2328";
    case Level::kMaintenance:
      return "#0b5cad";
  }
  return "#57606a";
}

// A symbol per level, so the badge never relies on colour alone.
const char* Symbol(Level l) {
  switch (l) {
    case Level::kOperational:
      return "✓";
    case Level::kMinor:
      return "!";
    case Level::kMajor:
      return "‼";
    case Level::kOutage:
      return "×";
    case Level::kMaintenance:
      return "⚙";
  }
  return "";
}

}  // namespace

std::string RenderBadge(std::string_view label, Level level, std::string_view words) {
  const std::string right = std::string(Symbol(level)) + " " + std::string(words);
  const int lw = TextWidth(label), rw = TextWidth(right), w = lw + rw;
  const std::string l = Escape(label), r = Escape(right);
  std::string svg;
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w) +
         "\" height=\"20\" role=\"img\" aria-label=\"" + l + ": " + Escape(words) + "\">";
  svg += "<title>" + l + ": " + Escape(words) + "</title>";
  svg += "<rect width=\"" + std::to_string(lw) + "\" height=\"20\" rx=\"3\" fill=\"#555\"/>";
  svg += "<rect x=\"" + std::to_string(lw) + "\" width=\"" + std::to_string(rw) +
         "\" height=\"20\" rx=\"3\" fill=\"" + Colour(level) + "\"/>";
  svg += "<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">";
  svg += "<text x=\"5\" y=\"14\">" + l + "</text>";
  svg += "<text x=\"" + std::to_string(lw + 5) + "\" y=\"14\">" + r + "</text></g></svg>\n";
  return svg;
}

}  // namespace vigie

// libFuzzer: Markdown of event and message bodies, as operators (or an imported scenario)
// write it. The HTML must never carry a script or a javascript: link.
#include <cstddef>
#include <cstdint>
#include <string>

#include "render/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string html =
      vigie::MarkdownToHtml(std::string_view(reinterpret_cast<const char*>(data), size));
  std::string lower(html);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("<script") != std::string::npos) __builtin_trap();
  if (lower.find("href=\"javascript:") != std::string::npos) __builtin_trap();
  return 0;
}

// libFuzzer: query strings, form bodies, cookies and redirect targets from outside, through
// the one parser of each (http/message.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/message.h"

using namespace vigie::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& [name, value] : UrlEncoded(text).All()) {
    if (IsLocalTarget(value) && (value.empty() || value[0] != '/')) __builtin_trap();
  }
  Request req;
  req.query = std::string(text);
  req.headers.emplace_back("cookie", std::string(text));
  req.headers.emplace_back("host", std::string(text));
  (void)req.Query("page");
  (void)req.Cookie("vigie_session");
  (void)req.Host();
  (void)PercentDecode(text, false);
  // What IsLocalTarget accepts holds no byte a browser would read as another host.
  if (IsLocalTarget(text)) {
    if (text.size() > 1 && (text[1] == '/' || text[1] == '\\')) __builtin_trap();
    for (const char c : text) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == '\\') __builtin_trap();
    }
  }
  return 0;
}

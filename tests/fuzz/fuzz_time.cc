// libFuzzer: the time formats read from outside (RFC 3339 in the admin API and scenarios,
// HTTP dates in If-Modified-Since, durations in scenarios).
#include <cstddef>
#include <cstdint>

#include "core/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = vigie::ParseRfc3339(text); t.ok()) {
    // What is read back is what is written.
    if (!vigie::ParseRfc3339(vigie::FormatRfc3339(*t)).ok()) __builtin_trap();
  }
  (void)vigie::ParseHttpDate(text);
  (void)vigie::ParseDuration(text);
  return 0;
}

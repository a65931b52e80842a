// Process-wide logging to stderr (diagnostics) and stdout (one access-log line per request).
// Thread-safe. InitLogging is called once by the CLI before anything logs. Every message has
// its control characters written as \xNN: one message is one line, whatever it quotes.
#pragma once

#include <string_view>

namespace vigie {

void InitLogging(bool quiet);
void LogInfo(std::string_view msg);
void LogWarn(std::string_view msg);
void LogError(std::string_view msg);
// One line per request, on stdout.
void LogAccess(std::string_view line);
// False when the access log is off (--quiet): callers then skip building the line.
bool AccessLogOn();

}  // namespace vigie

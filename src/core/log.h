// Process-wide logging to stderr (diagnostics) and stdout (one access-log line per request).
// Thread-safe. InitLogging is called once by the CLI before anything logs. Every message has
// its control characters written as \xNN: one message is one line, whatever it quotes.
#pragma once

#include <optional>
#include <string_view>

#include "core/status.h"

namespace vigie {

enum class LogFormat {
  kText,     // "2026-11-28T15:30:00.000Z info message"
  kJournal,  // "<6>message": journald's priority prefix, its own timestamps (sd-daemon(3))
  kJson,     // {"time":"...","level":"info","log":"vigie","msg":"..."} for log shippers
};
// "text" or "json"; nullopt for anything else.
std::optional<LogFormat> ParseLogFormat(std::string_view name);
// kJournal when stderr is the journal (systemd says so in JOURNAL_STREAM), else kText.
LogFormat DefaultLogFormat();

void InitLogging(bool quiet, LogFormat format = LogFormat::kText);
// Warnings and errors only (quiet), or information too. Thread-safe.
void SetLogLevel(bool quiet);
// Where the access log goes from now on: "stdout", "off", or a file (appended to, made when
// missing). Unavailable when the file cannot be opened (the log stays where it was).
// Thread-safe: requests being logged meanwhile go to one or the other.
Status SetAccessLog(std::string_view destination);
// Opens the access log's file again (after logrotate moved it away). Thread-safe.
Status ReopenAccessLog();
void LogInfo(std::string_view msg);
void LogWarn(std::string_view msg);
void LogError(std::string_view msg);
// One line per request, on stdout.
void LogAccess(std::string_view line);
// False when the access log is off (--quiet): callers then skip building the line.
bool AccessLogOn();

}  // namespace vigie

#include "core/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vigie {

namespace {
std::shared_ptr<spdlog::logger>& Diag() {
  static std::shared_ptr<spdlog::logger> logger = spdlog::stderr_logger_mt("vigie");
  return logger;
}
// The access log can be switched while requests are logged (a file reopened after logrotate
// moved it): the current logger is an atomic pointer, and every logger made stays alive (one
// per reopen: a few hundred bytes each), so a request thread never holds a dangling one.
struct AccessLogs {
  std::mutex mu;
  std::vector<std::shared_ptr<spdlog::logger>> all;  // guarded by mu
  std::string destination = "stdout";                // guarded by mu
  std::string pattern = "%Y-%m-%dT%H:%M:%S.%eZ %v";  // guarded by mu
  bool on = true;                                    // guarded by mu
  std::atomic<spdlog::logger*> current{nullptr};
};
AccessLogs& Accesses() {
  static AccessLogs* logs = [] {
    auto* l = new AccessLogs;  // lives as long as the process: loggers may log at exit
    auto first = spdlog::stdout_logger_mt("access");
    first->set_pattern(l->pattern, spdlog::pattern_time_type::utc);
    l->all.push_back(first);
    l->current = first.get();
    return l;
  }();
  return *logs;
}
spdlog::logger* Access() { return Accesses().current.load(std::memory_order_acquire); }
// `msg` with every control character (newlines, terminal escapes) written as \xNN, so that
// a value from outside (a login name, a path) can neither forge a log line nor drive the
// terminal that reads the log. Copies only when there is something to escape.
std::string_view Escaped(std::string_view msg, std::string& buf) {
  const auto is_control = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
  };
  size_t i = 0;
  while (i < msg.size() && !is_control(msg[i])) ++i;
  if (i == msg.size()) return msg;
  buf.assign(msg.substr(0, i));
  static constexpr char kHex[] = "0123456789abcdef";
  for (; i < msg.size(); ++i) {
    const auto c = static_cast<unsigned char>(msg[i]);
    if (is_control(msg[i])) {
      buf += "\\x";
      buf += kHex[c >> 4];
      buf += kHex[c & 15];
    } else {
      buf += msg[i];
    }
  }
  return buf;
}
}  // namespace

namespace {
std::atomic<LogFormat> format{LogFormat::kText};

// `s` as the inside of a JSON string (the message is already free of control characters).
void AppendJson(std::string& out, std::string_view s) {
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
}
}  // namespace

std::optional<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return std::nullopt;
}

LogFormat DefaultLogFormat() {
  // JOURNAL_STREAM is "DEVICE:INODE" of the journal's stream: stderr is it when they match.
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (!stream || ::fstat(STDERR_FILENO, &st) != 0) return LogFormat::kText;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return LogFormat::kText;
  return dev == st.st_dev && ino == st.st_ino ? LogFormat::kJournal : LogFormat::kText;
}

void InitLogging(bool quiet, LogFormat f) {
  format = f;
  // The line is made by Log below (the priority prefix and JSON need the level as a number or
  // a word); spdlog adds the timestamp in text only.
  const char* text = f == LogFormat::kText ? "%Y-%m-%dT%H:%M:%S.%eZ %v" : "%v";
  Diag()->set_pattern(text, spdlog::pattern_time_type::utc);
  {
    AccessLogs& logs = Accesses();
    std::lock_guard lock(logs.mu);
    logs.pattern = text;
    logs.on = !quiet;
    Access()->set_pattern(text, spdlog::pattern_time_type::utc);
    Access()->set_level(quiet ? spdlog::level::off : spdlog::level::info);
    Access()->flush_on(spdlog::level::info);
  }
  SetLogLevel(quiet);
}

void SetLogLevel(bool quiet) {
  Diag()->set_level(quiet ? spdlog::level::warn : spdlog::level::info);
}

Status SetAccessLog(std::string_view destination) {
  AccessLogs& logs = Accesses();
  std::lock_guard lock(logs.mu);
  std::shared_ptr<spdlog::logger> next;
  const std::string name = "access-" + std::to_string(logs.all.size());
  try {
    if (destination == "stdout" || destination == "off") {
      next = spdlog::stdout_logger_mt(name);
    } else {
      // Appended to: a file logrotate moved away is made anew at the next reopen.
      next = spdlog::basic_logger_mt(name, std::string(destination), /*truncate=*/false);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return Status::Unavailable("cannot open the access log " + std::string(destination) + ": " +
                               e.what());
  }
  spdlog::drop(name);  // not in spdlog's registry: ours to keep
  next->set_pattern(logs.pattern, spdlog::pattern_time_type::utc);
  next->set_level(logs.on && destination != "off" ? spdlog::level::info : spdlog::level::off);
  next->flush_on(spdlog::level::info);
  logs.destination = std::string(destination);
  logs.all.push_back(next);
  if (spdlog::logger* before = logs.current.exchange(next.get())) before->flush();
  return Status::Ok();
}

Status ReopenAccessLog() {
  std::string destination;
  {
    AccessLogs& logs = Accesses();
    std::lock_guard lock(logs.mu);
    destination = logs.destination;
  }
  return SetAccessLog(destination);
}

namespace {
void Log(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg) {
  if (!logger.should_log(level)) return;
  std::string buf;
  const std::string_view clean = Escaped(msg, buf);
  const bool access = &logger == Access();
  const char* word = level == spdlog::level::err    ? "error"
                     : level == spdlog::level::warn ? "warning"
                                                    : "info";
  std::string line;
  switch (format.load()) {
    case LogFormat::kText:
      if (access) {
        line.assign(clean);
      } else {
        line.append(word).append(" ").append(clean);
      }
      break;
    case LogFormat::kJournal:
      // sd-daemon(3) priorities: 3 error, 4 warning, 6 info.
      line = level == spdlog::level::err ? "<3>" : level == spdlog::level::warn ? "<4>" : "<6>";
      line.append(clean);
      break;
    case LogFormat::kJson: {
      const auto now = std::chrono::system_clock::now();
      const std::time_t t = std::chrono::system_clock::to_time_t(now);
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
          1000;
      char stamp[96];
      std::tm tm{};
      gmtime_r(&t, &tm);
      std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                    static_cast<int>(ms));
      line.append("{\"time\":\"").append(stamp).append("\",\"level\":\"").append(word);
      line.append("\",\"log\":\"").append(access ? "access" : "vigie").append("\",\"msg\":\"");
      AppendJson(line, clean);
      line.append("\"}");
      break;
    }
  }
  logger.log(level, "{}", line);
}
}  // namespace

void LogInfo(std::string_view msg) { Log(*Diag(), spdlog::level::info, msg); }
void LogWarn(std::string_view msg) { Log(*Diag(), spdlog::level::warn, msg); }
void LogError(std::string_view msg) { Log(*Diag(), spdlog::level::err, msg); }
void LogAccess(std::string_view line) { Log(*Access(), spdlog::level::info, line); }
bool AccessLogOn() { return Access()->should_log(spdlog::level::info); }

}  // namespace vigie

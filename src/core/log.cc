#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace vigie {

namespace {
std::shared_ptr<spdlog::logger>& Diag() {
  static std::shared_ptr<spdlog::logger> logger = spdlog::stderr_logger_mt("vigie");
  return logger;
}
std::shared_ptr<spdlog::logger>& Access() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stdout_logger_mt("access");
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc);
    return l;
  }();
  return logger;
}
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

void InitLogging(bool quiet) {
  Diag()->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  Diag()->set_level(quiet ? spdlog::level::warn : spdlog::level::info);
  Access()->set_level(quiet ? spdlog::level::off : spdlog::level::info);
  Access()->flush_on(spdlog::level::info);
}

namespace {
void Log(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg) {
  std::string buf;
  logger.log(level, "{}", Escaped(msg, buf));
}
}  // namespace

void LogInfo(std::string_view msg) { Log(*Diag(), spdlog::level::info, msg); }
void LogWarn(std::string_view msg) { Log(*Diag(), spdlog::level::warn, msg); }
void LogError(std::string_view msg) { Log(*Diag(), spdlog::level::err, msg); }
void LogAccess(std::string_view line) { Log(*Access(), spdlog::level::info, line); }
bool AccessLogOn() { return Access()->should_log(spdlog::level::info); }

}  // namespace vigie

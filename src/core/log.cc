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
}  // namespace

void InitLogging(bool quiet) {
  Diag()->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  Diag()->set_level(quiet ? spdlog::level::warn : spdlog::level::info);
  Access()->set_level(quiet ? spdlog::level::off : spdlog::level::info);
  Access()->flush_on(spdlog::level::info);
}

void LogInfo(std::string_view msg) { Diag()->info("{}", msg); }
void LogWarn(std::string_view msg) { Diag()->warn("{}", msg); }
void LogError(std::string_view msg) { Diag()->error("{}", msg); }
void LogAccess(std::string_view line) { Access()->info("{}", line); }
bool AccessLogOn() { return Access()->should_log(spdlog::level::info); }

}  // namespace vigie

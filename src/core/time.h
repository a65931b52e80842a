// Instants are UTC seconds since the epoch. Machine formats are UTC (RFC 3339, RFC 822);
// local times in a region's zone are for display and for operators' input.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie {

using Time = std::chrono::sys_seconds;

inline int64_t ToUnix(Time t) { return t.time_since_epoch().count(); }
inline Time FromUnix(int64_t s) { return Time(std::chrono::seconds(s)); }
// A column that may be empty: NULL for no instant.
inline std::optional<int64_t> OptUnix(const std::optional<Time>& t) {
  return t ? std::optional<int64_t>(ToUnix(*t)) : std::nullopt;
}

// "2026-11-28T15:30:00Z"
std::string FormatRfc3339(Time t);
// Accepts "YYYY-MM-DDTHH:MM[:SS][.fff](Z|±HH:MM)" and "YYYY-MM-DD HH:MM..." with an offset.
Result<Time> ParseRfc3339(std::string_view s);
// "Sat, 28 Nov 2026 15:30:00 GMT" (RFC 822/1123, English names, always GMT).
std::string FormatHttpDate(Time t);
// Parses the three HTTP date formats' preferred one (IMF-fixdate); anything else is an error.
Result<Time> ParseHttpDate(std::string_view s);
// "1d2h30m", "45m", "90s", "2w": a non-negative duration.
Result<std::chrono::seconds> ParseDuration(std::string_view s);

// A source of the current time, so tests can move it. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() const = 0;
};

// The wall clock, shifted by a fixed offset (zero in production; tests may move it).
class SystemClock : public Clock {
 public:
  explicit SystemClock(std::chrono::seconds offset = std::chrono::seconds(0)) : offset_(offset) {}
  Time Now() const override;

 private:
  std::chrono::seconds offset_;
};

// The wall clock shifted by the whole seconds written in a file, re-read whenever the file
// changes (one stat() per call): how integration tests move a running binary's clock forward
// (`vigie serve --clock-offset-file`) instead of sleeping. A missing or unreadable file is an
// offset of zero; a file whose text is not a number keeps the last offset. Thread-safe.
class FileOffsetClock : public Clock {
 public:
  explicit FileOffsetClock(std::string path) : path_(std::move(path)) {}
  Time Now() const override;

 private:
  const std::string path_;
  mutable std::mutex mu_;
  mutable int64_t seen_mtime_ns_ = -1;      // guarded by mu_
  mutable std::chrono::seconds offset_{0};  // guarded by mu_
};

}  // namespace vigie

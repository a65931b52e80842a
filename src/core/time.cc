#include "core/time.h"

#include <sys/stat.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>

namespace vigie {

namespace {

using namespace std::chrono;

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Fields {
  int year, month, day, hour, minute, second, weekday;
};

Fields Split(Time t) {
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(t - day);
  return Fields{int(ymd.year()),
                int(unsigned(ymd.month())),
                int(unsigned(ymd.day())),
                int(hms.hours().count()),
                int(hms.minutes().count()),
                int(hms.seconds().count()),
                int(weekday(day).c_encoding())};
}

// Reads exactly n digits at s[pos]; advances pos.
bool Digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

Result<Time> Compose(int y, int mo, int d, int h, int mi, int se, std::string_view original) {
  const year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) {
    return Status::Invalid("not a valid date or time: \"" + std::string(original) + "\"");
  }
  return Time(sys_days(ymd)) + hours(h) + minutes(mi) + seconds(std::min(se, 59));
}

}  // namespace

std::string FormatRfc3339(Time t) {
  const Fields f = Split(t);
  if (f.year < 0 || f.year > 9999) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", f.year, f.month, f.day, f.hour,
                  f.minute, f.second);
    return buf;
  }
  // Written digit by digit: summary.json dates 4,000 times per render, snprintf took 5 %.
  std::string out = "0000-00-00T00:00:00Z";
  const auto put = [&](size_t at, int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10)
      out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, f.year, 4);
  put(5, f.month, 2);
  put(8, f.day, 2);
  put(11, f.hour, 2);
  put(14, f.minute, 2);
  put(17, f.second, 2);
  return out;
}

Result<Time> ParseRfc3339(std::string_view s) {
  const auto bad = [&] {
    return Status::Invalid("expected a date and time like 2026-11-28T15:30:00Z, got \"" +
                           std::string(s) + "\"");
  };
  size_t p = 0;
  int y, mo, d, h, mi, se = 0;
  if (!Digits(s, p, 4, y) || !Expect(s, p, '-') || !Digits(s, p, 2, mo) || !Expect(s, p, '-') ||
      !Digits(s, p, 2, d)) {
    return bad();
  }
  if (!(Expect(s, p, 'T') || Expect(s, p, 't') || Expect(s, p, ' '))) return bad();
  if (!Digits(s, p, 2, h) || !Expect(s, p, ':') || !Digits(s, p, 2, mi)) return bad();
  if (Expect(s, p, ':')) {
    if (!Digits(s, p, 2, se)) return bad();
    if (Expect(s, p, '.')) {
      while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) ++p;
    }
  }
  int offset_minutes = 0;
  if (Expect(s, p, 'Z') || Expect(s, p, 'z')) {
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    const int sign = s[p] == '-' ? -1 : 1;
    ++p;
    int oh, om;
    if (!Digits(s, p, 2, oh) || !Expect(s, p, ':') || !Digits(s, p, 2, om)) return bad();
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return Status::Invalid("the time \"" + std::string(s) +
                           "\" needs a zone: end it with Z (UTC) or an offset like +01:00");
  }
  if (p != s.size()) return bad();
  Result<Time> t = Compose(y, mo, d, h, mi, se, s);
  if (!t.ok()) return t;
  return *t - minutes(offset_minutes);
}

std::string FormatHttpDate(Time t) {
  const Fields f = Split(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[f.weekday], f.day,
                kMonths[f.month - 1], f.year, f.hour, f.minute, f.second);
  return buf;
}

Result<Time> ParseHttpDate(std::string_view s) {
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  const auto bad = [&] { return Status::Invalid("not an HTTP date: \"" + std::string(s) + "\""); };
  if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return bad();
  size_t p = 5;
  int d, y, h, mi, se;
  if (!Digits(s, p, 2, d) || !Expect(s, p, ' ')) return bad();
  int mo = 0;
  for (int i = 0; i < 12; ++i) {
    if (s.substr(p, 3) == kMonths[i]) mo = i + 1;
  }
  if (mo == 0) return bad();
  p += 3;
  if (!Expect(s, p, ' ') || !Digits(s, p, 4, y) || !Expect(s, p, ' ') || !Digits(s, p, 2, h) ||
      !Expect(s, p, ':') || !Digits(s, p, 2, mi) || !Expect(s, p, ':') || !Digits(s, p, 2, se)) {
    return bad();
  }
  return Compose(y, mo, d, h, mi, se, s);
}

Result<std::chrono::seconds> ParseDuration(std::string_view s) {
  const auto bad = [&] {
    return Status::Invalid("expected a duration like 2h30m, 3d or 45s, got \"" + std::string(s) +
                           "\"");
  };
  if (s.empty()) return bad();
  int64_t total = 0;
  size_t p = 0;
  while (p < s.size()) {
    int64_t n = 0;
    size_t start = p;
    while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
      n = n * 10 + (s[p] - '0');
      if (n > 100'000'000) return bad();
      ++p;
    }
    if (p == start || p == s.size()) return bad();
    switch (s[p++]) {
      case 'w':
        total += n * 7 * 86400;
        break;
      case 'd':
        total += n * 86400;
        break;
      case 'h':
        total += n * 3600;
        break;
      case 'm':
        total += n * 60;
        break;
      case 's':
        total += n;
        break;
      default:
        return bad();
    }
  }
  return std::chrono::seconds(total);
}

Time SystemClock::Now() const { return floor<seconds>(system_clock::now()) + offset_; }

Time FileOffsetClock::Now() const {
  struct stat st {};
  const int64_t mtime_ns = ::stat(path_.c_str(), &st) == 0
                               ? int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec
                               : 0;
  std::lock_guard lock(mu_);
  if (mtime_ns != seen_mtime_ns_) {
    seen_mtime_ns_ = mtime_ns;
    if (mtime_ns == 0) {
      offset_ = seconds(0);
    } else if (std::ifstream in(path_); in) {
      std::string text;
      std::getline(in, text);
      int64_t s = 0;
      const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
      if (ec == std::errc() && p == text.data() + text.size()) offset_ = seconds(s);
    }
  }
  return floor<seconds>(system_clock::now()) + offset_;
}

}  // namespace vigie

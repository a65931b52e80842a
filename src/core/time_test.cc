#include "core/time.h"

#include <gtest/gtest.h>

namespace vigie {
namespace {

TEST(Time, Rfc3339RoundTripsAndHonoursOffsets) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"2026-11-28T15:30:00Z", "2026-11-28T15:30:00Z"},
      {"2026-11-28T15:30Z", "2026-11-28T15:30:00Z"},
      {"2026-11-28 16:30:00+01:00", "2026-11-28T15:30:00Z"},
      {"2026-03-01T00:00:00.123-05:00", "2026-03-01T05:00:00Z"},
      {"2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"},
  };
  for (const Case& c : cases) {
    Result<Time> t = ParseRfc3339(c.in);
    ASSERT_TRUE(t.ok()) << c.in << ": " << t.status().ToString();
    EXPECT_EQ(FormatRfc3339(*t), c.out) << c.in;
  }
}

TEST(Time, Rfc3339PadsEveryFieldAndWritesYearsPast9999Whole) {
  EXPECT_EQ(FormatRfc3339(FromUnix(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("0999-01-02T03:04:05Z")), "0999-01-02T03:04:05Z");
  EXPECT_EQ(FormatRfc3339(FromUnix(253402300799)), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(FromUnix(253402300800)), "10000-01-01T00:00:00Z");
}

TEST(Time, Rfc3339RejectsMissingZoneAndNonsense) {
  for (const char* bad : {"2026-11-28T15:30:00", "2026-02-30T10:00:00Z", "yesterday", "",
                          "2026-11-28T25:00:00Z", "2026-11-28T15:30:00Zjunk"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(Time, HttpDateIsEnglishGmtAndParsesBack) {
  Result<Time> t = ParseRfc3339("2026-11-28T15:30:05Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatHttpDate(*t), "Sat, 28 Nov 2026 15:30:05 GMT");
  Result<Time> back = ParseHttpDate("Sat, 28 Nov 2026 15:30:05 GMT");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *t);
  EXPECT_FALSE(ParseHttpDate("Saturday, 28-Nov-26 15:30:05 GMT").ok());
}

TEST(Time, DurationsAddUpTheirUnits) {
  EXPECT_EQ(ParseDuration("1d2h30m")->count(), 86400 + 2 * 3600 + 30 * 60);
  EXPECT_EQ(ParseDuration("2w")->count(), 14 * 86400);
  EXPECT_EQ(ParseDuration("45s")->count(), 45);
  for (const char* bad : {"", "h", "10", "3x", "-1h"}) EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
}

}  // namespace
}  // namespace vigie

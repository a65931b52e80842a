#include "app/queries.h"

#include <gtest/gtest.h>

namespace vigie {
namespace {

http::Request WithQuery(std::string query) {
  http::Request req;
  req.method = "GET";
  req.query = std::move(query);
  return req;
}

TEST(HistoryQuery, OneKeyPerQuestion_WrongValuesRefused) {
  struct Case {
    const char* query;
    const char* key;  // nullptr: refused
  };
  const Case cases[] = {
      {"", "&page=1"},
      {"page=1", "&page=1"},
      {"kind=incident", "kind=incident&page=1"},
      {"page=2&kind=maintenance", "kind=maintenance&page=2"},
      {"kind=incident&page=2", "kind=incident&page=2"},
      {"kind=party", nullptr},
      {"page=0", nullptr},
      {"page=01x", nullptr},
      {"page=100001", nullptr},
      {"page=-1", nullptr},
  };
  for (const Case& c : cases) {
    Result<HistoryQuery> q = ParseHistoryQuery(WithQuery(c.query));
    if (!c.key) {
      EXPECT_EQ(q.status().code(), Status::Code::kInvalid) << c.query;
      continue;
    }
    ASSERT_TRUE(q.ok()) << c.query << ": " << q.status().ToString();
    EXPECT_EQ(q->Key(), c.key) << c.query;
  }
}

TEST(EventsQuery, FilterAndKeyComeFromOneParse) {
  Result<EventsQuery> q = ParseEventsQuery(WithQuery("limit=5&state=planned&kind=action&page=3"));
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->filter.state, EventState::kPlanned);
  EXPECT_EQ(q->filter.kind, EventKind::kAction);
  EXPECT_EQ(q->filter.limit, 5);
  EXPECT_EQ(q->filter.page, 3);
  Result<EventsQuery> same =
      ParseEventsQuery(WithQuery("page=3&kind=action&state=planned&limit=5"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->Key(), q->Key());
  Result<EventsQuery> defaults = ParseEventsQuery(WithQuery(""));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->filter.limit, 50);
  EXPECT_NE(defaults->Key(), q->Key());
  for (const char* wrong : {"state=soon", "kind=party", "limit=0", "limit=201", "page=x"}) {
    EXPECT_EQ(ParseEventsQuery(WithQuery(wrong)).status().code(), Status::Code::kInvalid) << wrong;
  }
}

TEST(CanonicalId, OneSpellingPerEvent) {
  EXPECT_EQ(CanonicalId("42"), 42);
  for (const char* other :
       {"042", "0", "-1", "+42", "42.0", "4 2", "", "x", "99999999999999999999"}) {
    EXPECT_EQ(CanonicalId(other), std::nullopt) << other;
  }
}

}  // namespace
}  // namespace vigie

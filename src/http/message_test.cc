#include "http/message.h"

#include <gtest/gtest.h>

namespace vigie::http {
namespace {

TEST(NegotiateLanguageTest, WeighsEachOfferedLanguage) {
  struct Case {
    const char* accept;
    std::string_view want;
  } cases[] = {
      {"", ""},
      {"de-DE", ""},
      {"en-US,en;q=0.9", "en"},
      {"de;q=1, fr;q=0.5, en;q=0.8", "en"},
      {"fr-CA, en;q=0.9", "fr"},
      {"EN-gb", "en"},
      {"en;q=0, fr;q=0.1", "fr"},
      {"english", ""},               // not a language tag of ours
      {"fr;q=0.5, en;q=0.5", "fr"},  // a tie: the first listed
      {"*", ""},
      {"en;q=abc", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NegotiateLanguage(c.accept, {"fr", "en"}), c.want) << "Accept-Language: " << c.accept;
  }
}

TEST(PreferredLanguageTest, TheCookieChosenOnTheSiteThenAcceptLanguage) {
  struct Case {
    const char* cookie;
    const char* accept;
    std::string_view want;
  } cases[] = {
      {"", "", ""},
      {"", "en-US", "en"},
      {"vigie_lang=fr", "en-US", "fr"},
      {"other=1; vigie_lang=en", "fr", "en"},
      {"vigie_lang=de", "en", "en"},  // not one we offer: ignored
      {"xvigie_lang=fr", "en", "en"},
  };
  for (const Case& c : cases) {
    Request req;
    if (*c.cookie) req.headers.emplace_back("cookie", c.cookie);
    if (*c.accept) req.headers.emplace_back("accept-language", c.accept);
    EXPECT_EQ(PreferredLanguage(req, "vigie_lang", {"fr", "en"}), c.want)
        << "Cookie: " << c.cookie << ", Accept-Language: " << c.accept;
  }
}

TEST(UrlEncodedTest, DecodesPairsInOrderAndSkipsEmptyOnes) {
  const auto pairs = UrlEncoded("a=1&&b=x+y%20z&c&=v&a=2").All();
  const std::vector<std::pair<std::string, std::string>> want{
      {"a", "1"}, {"b", "x y z"}, {"c", ""}, {"", "v"}, {"a", "2"}};
  EXPECT_EQ(pairs, want);
  Request req;
  req.query = "page=2&next=%2Fen%2F&page=3";
  EXPECT_EQ(req.Query("page"), "2");
  EXPECT_EQ(req.Query("next"), "/en/");
  EXPECT_EQ(req.Query("none"), std::nullopt);
}

TEST(RequestTest, CookieIsFoundByWholeName) {
  Request req;
  req.headers.emplace_back("cookie", "xvigie_lang=de; vigie_lang=en;other=1");
  EXPECT_EQ(req.Cookie("vigie_lang"), "en");
  EXPECT_EQ(req.Cookie("other"), "1");
  EXPECT_EQ(req.Cookie("vigie"), "");
}

TEST(IsLocalTargetTest, OnlyPathsOfThisSite) {
  for (const char* ok : {"/", "/en/", "/en/infinity/?x=1", "/admin/events/3"}) {
    EXPECT_TRUE(IsLocalTarget(ok)) << ok;
  }
  for (const char* bad : {"", "en/", "//evil.example", "/\\evil.example", "/\t/evil.example",
                          "/\n/x", "/ /x", "https://evil.example", "/\x7f", "/\xc3\xa9"}) {
    EXPECT_FALSE(IsLocalTarget(bad)) << bad;
  }
}

}  // namespace
}  // namespace vigie::http

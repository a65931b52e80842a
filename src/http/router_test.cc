#include "http/router.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/body.h"
#include "http/conditional.h"

namespace vigie::http {
namespace {

using TestRouter = Router<>;

// An error answer that says which style the router chose: "json" or "page".
Response StyledError(const Request&, Errors style, int status, const std::string& msg) {
  Response res;
  res.status = status;
  res.SetBody((style == Errors::kJson ? "json: " : "page: ") + msg);
  return res;
}

TestRouter MakeRouter() {
  TestRouter r(StyledError);
  r.Add(
      "GET", "/api/v1/platforms/{platform}",
      [](Request& req) {
        Response res;
        res.SetBody(std::string(req.Param("platform")));
        return res;
      },
      Runs::kOnIo, Errors::kJson);
  r.Add(
      "POST", "/api/v1/platforms/{platform}", [](Request&) { return Response(); }, Runs::kOnWorker,
      Errors::kJson);
  r.Add(
      "GET", "/{lang}/{platform}", [](Request&) { return Response(); }, Runs::kOnIo, Errors::kPage);
  return r;
}

Request Get(std::string method, std::string path) {
  Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  return req;
}

TEST(Router, MatchesParametersAndHead) {
  TestRouter r = MakeRouter();
  Request req = Get("GET", "/api/v1/platforms/weavy");
  EXPECT_EQ(r.Handle(req).body(), "weavy");
  Request head = Get("HEAD", "/api/v1/platforms/infinity");
  EXPECT_EQ(r.Handle(head).body(), "infinity");
}

TEST(Router, UnknownPathIs404_WrongMethodIs405WithAllow) {
  TestRouter r = MakeRouter();
  Request missing = Get("GET", "/nothing/here/at/all");
  EXPECT_EQ(r.Handle(missing).status, 404);
  Request del = Get("DELETE", "/api/v1/platforms/weavy");
  Response res = r.Handle(del);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.HeaderValue("Allow"), "GET, HEAD, POST");
}

TEST(Router, EachRouteSaysWhereItRuns) {
  TestRouter r = MakeRouter();
  Request post = Get("POST", "/api/v1/platforms/weavy");
  EXPECT_EQ(r.RunsOf(post), Runs::kOnWorker);
  Request get = Get("GET", "/api/v1/platforms/weavy");
  EXPECT_EQ(r.RunsOf(get), Runs::kOnIo);
  Request none = Get("POST", "/nowhere");
  EXPECT_EQ(r.RunsOf(none), Runs::kOnIo);
  // The match is remembered: handling after RunsOf finds the same route and parameters.
  EXPECT_EQ(r.Handle(get).body(), "weavy");
}

TEST(Router, ErrorsTakeTheStyleOfTheRouteOrOfTheNearestOne) {
  TestRouter r = MakeRouter();
  const auto body = [&](const char* method, const char* path) {
    Request req = Get(method, path);
    return std::string(r.Handle(req).body());
  };
  EXPECT_EQ(body("DELETE", "/api/v1/platforms/weavy").substr(0, 5), "json:");
  EXPECT_EQ(body("GET", "/api/v1/nothing").substr(0, 5), "json:");  // shares /api/v1
  EXPECT_EQ(body("GET", "/api/v1/platforms/weavy/more").substr(0, 5), "json:");
  EXPECT_EQ(body("GET", "/fr/weavy/nothing").substr(0, 5), "page:");  // shares /{lang}/{platform}
  EXPECT_EQ(body("GET", "/").substr(0, 5), "page:");
  // A word another route spells first is never a {lang}: /api/x is the API's 404, not a page
  // in the language "api".
  EXPECT_EQ(body("GET", "/api/weavy"), "json: no page or resource at /api/weavy");
  EXPECT_EQ(body("GET", "/fr/weavy").substr(0, 5), "");  // still a page (of "fr")
}

TEST(Router, TheMostSpecificPatternWinsWhateverTheOrder) {
  TestRouter r(StyledError);
  const auto named = [](std::string name) {
    return [name](Request&) {
      Response res;
      res.SetBody(name);
      return res;
    };
  };
  r.Add("GET", "/{lang}", named("lang"), Runs::kOnIo, Errors::kPage);
  r.Add("GET", "/{lang}/{platform}", named("platform"), Runs::kOnIo, Errors::kPage);
  r.Add("GET", "/history.rss", named("history"), Runs::kOnIo, Errors::kJson);
  r.Add("GET", "/admin/events", named("admin"), Runs::kOnWorker, Errors::kPage);
  const auto body = [&](const char* path) {
    Request req = Get("GET", path);
    return std::string(r.Handle(req).body());
  };
  EXPECT_EQ(body("/history.rss"), "history");
  EXPECT_EQ(body("/fr"), "lang");
  EXPECT_EQ(body("/admin/events"), "admin");
  EXPECT_EQ(body("/fr/weavy"), "platform");
}

TEST(Request, QueryDecodesAndHostDropsPort) {
  Request req;
  req.query = "lang=fr&q=a%20b+c&empty";
  req.headers = {{"host", "Status.Divalto.COM:8080"}};
  EXPECT_EQ(req.Query("lang"), "fr");
  EXPECT_EQ(req.Query("q"), "a b c");
  EXPECT_EQ(req.Query("empty"), "");
  EXPECT_EQ(req.Query("missing"), std::nullopt);
  EXPECT_EQ(req.Host(), "status.divalto.com");
}

TEST(ServeBody, GzipWhenAccepted_304OnEitherValidator) {
  std::string text(2000, 'x');
  auto body = MakeBody("text/plain", text, FromUnix(1'800'000'000), {{"Cache-Control", "public"}});
  Request plain;
  Response r1 = ServeBody(plain, body);
  EXPECT_EQ(r1.status, 200);
  EXPECT_EQ(r1.body().size(), 2000u);
  EXPECT_EQ(r1.HeaderValue("Content-Encoding"), "");
  EXPECT_EQ(r1.HeaderValue("cache-control"), "public");
  EXPECT_EQ(r1.HeaderValue("Content-Length"), "2000");

  Request gz;
  gz.headers = {{"accept-encoding", "br;q=0, gzip;q=0.8"}};
  Response r2 = ServeBody(gz, body);
  EXPECT_EQ(r2.HeaderValue("Content-Encoding"), "gzip");
  EXPECT_LT(r2.body().size(), 100u);
  EXPECT_NE(r2.HeaderValue("ETag"), r1.HeaderValue("ETag"));

  Request inm;
  inm.headers = {{"if-none-match", std::string(r1.HeaderValue("ETag"))}};
  EXPECT_EQ(ServeBody(inm, body).status, 304);
  Request ims;
  ims.headers = {{"if-modified-since", std::string(r1.HeaderValue("Last-Modified"))}};
  EXPECT_EQ(ServeBody(ims, body).status, 304);
  Request stale;
  stale.headers = {{"if-none-match", "\"other\""}};
  EXPECT_EQ(ServeBody(stale, body).status, 200);
  EXPECT_FALSE(body->WasCompressed(Coding::kBrotli));  // compressed when first asked for
  Request br;
  br.headers = {{"accept-encoding", "gzip, br"}};
  Response r3 = ServeBody(br, body);
  EXPECT_TRUE(body->WasCompressed(Coding::kBrotli));
  EXPECT_EQ(r3.HeaderValue("Content-Encoding"), "br");
  EXPECT_NE(r3.HeaderValue("ETag"), r2.HeaderValue("ETag"));

  Request refused;
  refused.headers = {{"accept-encoding", "gzip;q=0, br;q=0"}};
  EXPECT_EQ(ServeBody(refused, body).HeaderValue("Content-Encoding"), "");
}

TEST(ServeBody, ALargeIdentityBodyComesWithAFileOfTheSameBytes) {
  std::string text;
  for (int i = 0; text.size() < 40000; ++i) text += "ligne " + std::to_string(i) + "\n";
  auto body = MakeBody("text/plain", text, FromUnix(1'800'000'000));
  Request plain;
  Response r = ServeBody(plain, body);
  ASSERT_GE(r.body_file, 0);
  std::string in_file(text.size() + 1, '\0');
  ASSERT_EQ(pread(r.body_file, in_file.data(), in_file.size(), 0),
            static_cast<ssize_t>(text.size()));
  in_file.resize(text.size());
  EXPECT_EQ(in_file, text);
  Request gz;
  gz.headers = {{"accept-encoding", "gzip"}};
  EXPECT_EQ(ServeBody(gz, body).body_file, -1);  // compressed bodies are small: copied
  auto small = MakeBody("text/plain", "court", FromUnix(0));
  EXPECT_EQ(ServeBody(plain, small).body_file, -1);
  EXPECT_EQ(small->Compressed(Coding::kGzip), nullptr);  // too small to gain
  EXPECT_EQ(ServeBody(gz, small).HeaderValue("Content-Encoding"), "");
}

}  // namespace
}  // namespace vigie::http

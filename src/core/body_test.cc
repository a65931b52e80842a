#include "core/body.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace vigie {
namespace {

std::string Gunzip(std::string_view in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

std::string Page() {
  std::string page;
  for (int i = 0; i < 200; ++i)
    page += "<li>Service " + std::to_string(i) + ": opérationnel</li>\n";
  return page;
}

TEST(BodyTest, GzipIsReadBackAsItWasWritten) {
  const std::string page = Page();
  Result<std::string> gz = Gzip(page, kGzipLevel);
  ASSERT_TRUE(gz.ok()) << gz.status().ToString();
  EXPECT_LT(gz->size(), page.size());
  EXPECT_EQ(Gunzip(*gz), page);
  Result<std::string> br = Brotli(page, kBrotliQuality);
  ASSERT_TRUE(br.ok()) << br.status().ToString();
  EXPECT_LT(br->size(), gz->size());
}

TEST(BodyTest, EachCodingHasItsOwnEtagAndTinyBodiesStayAsTheyAre) {
  auto body = MakeBody("text/html; charset=utf-8", Page(), Time{}, {{"Cache-Control", "no-cache"}});
  const Representation* gz = body->Compressed(Coding::kGzip);
  const Representation* br = body->Compressed(Coding::kBrotli);
  ASSERT_TRUE(gz && br);
  EXPECT_NE(gz->etag, body->Identity().etag);
  EXPECT_NE(br->etag, gz->etag);
  EXPECT_EQ(Gunzip(gz->bytes), body->identity);
  EXPECT_NE(gz->head_200.find("Content-Encoding: gzip\r\n"), std::string::npos);
  EXPECT_NE(gz->head_304.find("ETag: " + gz->etag + "\r\n"), std::string::npos);
  EXPECT_TRUE(body->WasCompressed(Coding::kGzip));

  auto tiny = MakeBody("text/plain", "ok\n", Time{});
  EXPECT_EQ(tiny->Compressed(Coding::kGzip), nullptr);
  EXPECT_TRUE(tiny->WasCompressed(Coding::kGzip));
}

// A write that did not change a body does not compress it again: the next snapshot's body
// takes the representations the previous one made, when bytes and heads are the same.
TEST(BodyTest, AnUnchangedBodySharesTheCompressedRepresentationsAlreadyMade) {
  const HeaderList headers{{"Cache-Control", "no-cache"}};
  auto older = MakeBody("text/html; charset=utf-8", Page(), Time{}, headers);
  const Representation* br = older->Compressed(Coding::kBrotli);
  ASSERT_NE(br, nullptr);
  auto same = MakeBody("text/html; charset=utf-8", Page(), Time{}, headers);
  same->ShareCompressed(*older);
  EXPECT_TRUE(same->WasCompressed(Coding::kBrotli));
  EXPECT_EQ(same->Compressed(Coding::kBrotli), br);  // the very same representation
  EXPECT_FALSE(same->WasCompressed(Coding::kGzip));  // nobody asked for it: still not made

  auto changed = MakeBody("text/html; charset=utf-8", Page() + "<p>new</p>", Time{}, headers);
  changed->ShareCompressed(*older);
  EXPECT_FALSE(changed->WasCompressed(Coding::kBrotli));
  auto later = MakeBody("text/html; charset=utf-8", Page(), Time{} + std::chrono::hours(1),
                        headers);  // same bytes, another Last-Modified: other heads
  later->ShareCompressed(*older);
  EXPECT_FALSE(later->WasCompressed(Coding::kBrotli));
  EXPECT_NE(later->Compressed(Coding::kBrotli), br);
}

// A coding noted as wanted (queued for compression, not made yet) is remembered as wanted,
// without being made: the next snapshot's copy of the body is queued for it too.
TEST(BodyTest, AWantedCodingIsRememberedBeforeItIsMade) {
  auto body = MakeBody("text/html; charset=utf-8", Page(), Time{}, {});
  EXPECT_FALSE(body->Wanted(Coding::kGzip));
  body->Want(Coding::kGzip);
  EXPECT_TRUE(body->Wanted(Coding::kGzip));
  EXPECT_FALSE(body->WasCompressed(Coding::kGzip));
  EXPECT_FALSE(body->Wanted(Coding::kBrotli));
  ASSERT_NE(body->Compressed(Coding::kBrotli), nullptr);  // asked for: wanted too
  EXPECT_TRUE(body->Wanted(Coding::kBrotli));
  EXPECT_FALSE(body->Wanted(Coding::kIdentity));
}

}  // namespace
}  // namespace vigie

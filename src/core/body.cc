#include "core/body.h"

#include <sodium.h>
#include <zlib.h>

#include <stdexcept>

namespace vigie {

std::string Gzip(std::string_view in, int level) {
  z_stream zs{};
  // 15 + 16: a gzip wrapper rather than a zlib one.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, in.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

std::string ContentHash(std::string_view data) {
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::shared_ptr<const Body> MakeBody(std::string content_type, std::string bytes,
                                     Time last_modified) {
  auto body = std::make_shared<Body>();
  body->content_type = std::move(content_type);
  body->identity = std::move(bytes);
  body->last_modified = last_modified;
  const std::string hash = ContentHash(body->identity);
  body->etag = "\"" + hash + "\"";
  // Tiny bodies grow when gzipped: serve them as they are.
  if (body->identity.size() >= 256) {
    std::string z = Gzip(body->identity, 9);
    if (z.size() < body->identity.size()) {
      body->gzip = std::move(z);
      // gzip at a fixed level is deterministic, so the identity hash names it too.
      body->etag_gzip = "\"" + hash + "-gz\"";
    }
  }
  return body;
}

}  // namespace vigie

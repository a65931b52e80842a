// A response body rendered once and compressed once, with its strong validators.
// Immutable after MakeBody; safe to share between threads.
#pragma once

#include <memory>
#include <string>

#include "core/time.h"

namespace vigie {

struct Body {
  std::string content_type;
  std::string identity;      // the bytes as rendered
  std::string gzip;          // gzip of identity (empty when compression does not pay)
  std::string brotli;        // brotli of identity (empty when compression does not pay)
  std::string etag;          // strong ETag of identity, quoted: "\"b2-…\""
  std::string etag_gzip;     // strong ETag of the gzip bytes (a different representation)
  std::string etag_brotli;   // strong ETag of the brotli bytes
  Time last_modified{};      // the last real change of what this body shows
};

// Renders nothing: compresses `bytes` (gzip and brotli: done once per snapshot) and hashes
// each representation.
std::shared_ptr<const Body> MakeBody(std::string content_type, std::string bytes,
                                     Time last_modified);

// gzip (RFC 1952) of `in` at `level` (1-9).
std::string Gzip(std::string_view in, int level);
// brotli of `in` at `quality` (0-11).
std::string Brotli(std::string_view in, int quality);
// A short BLAKE2b hex digest of `data`, for ETags.
std::string ContentHash(std::string_view data);

}  // namespace vigie

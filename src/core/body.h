// A response body rendered once and compressed once, with its strong validators.
// Immutable after MakeBody; safe to share between threads.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"

namespace vigie {

// The representations a Body can be sent in.
enum class Coding { kIdentity = 0, kGzip = 1, kBrotli = 2 };

// A fixed response header sent with a body (Cache-Control, Content-Language, ...).
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The file descriptor of a body's in-memory file, closed with its owner (and counted
// against kMaxBodyFiles while open).
class FileHandle {
 public:
  FileHandle() = default;
  explicit FileHandle(int fd) : fd_(fd) {}
  FileHandle(FileHandle&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  FileHandle& operator=(FileHandle&& o) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

struct Body {
  std::string content_type;
  std::string identity;      // the bytes as rendered
  std::string gzip;          // gzip of identity (empty when compression does not pay)
  std::string brotli;        // brotli of identity (empty when compression does not pay)
  std::string etag;          // strong ETag of identity, quoted: "\"b2-…\""
  std::string etag_gzip;     // strong ETag of the gzip bytes (a different representation)
  std::string etag_brotli;   // strong ETag of the brotli bytes
  Time last_modified{};      // the last real change of what this body shows
  HeaderList headers;        // fixed headers sent with it (Cache-Control, CORS, ...)
  // A large identity body also lives in an in-memory file, so the server can sendfile() it
  // (the kernel then sends its pages without copying them from user space, as nginx does
  // with a static file). Invalid (-1) for small bodies, or when the files are all in use.
  FileHandle identity_file;
  // The HTTP/1.1 response heads, prepared once so that serving a body formats nothing:
  // status line and header lines (each ending in CRLF; Date, Connection and the blank line
  // are the server's), for 200 and 304, by Coding. Empty for a coding the body lacks.
  std::array<std::string, 3> head_200;
  std::array<std::string, 3> head_304;

  const std::string& bytes(Coding c) const {
    return c == Coding::kBrotli ? brotli : c == Coding::kGzip ? gzip : identity;
  }
  const std::string& etag_of(Coding c) const {
    return c == Coding::kBrotli ? etag_brotli : c == Coding::kGzip ? etag_gzip : etag;
  }
};

// Renders nothing: compresses `bytes` (gzip and brotli: done once per snapshot), hashes
// each representation and prepares the response heads with `headers` (names and values
// must not contain CR or LF: they are written as they are).
std::shared_ptr<const Body> MakeBody(std::string content_type, std::string bytes,
                                     Time last_modified, HeaderList headers = {});

// Identity bodies from this size get an in-memory file, up to kMaxBodyFiles at a time.
inline constexpr size_t kBodyFileMin = 16 * 1024;
inline constexpr int kMaxBodyFiles = 256;

// The levels MakeBody compresses at: cheap enough to render right after a write, and within
// 1 % of the best sizes on our bodies. Measured on the demo's 57 KB platform page: gzip 6
// gives 6,987 B in 1.0 ms (9: 6,970 B, 1.1 ms); brotli 5 gives 6,104 B in 0.8 ms (9:
// 6,075 B, 9.8 ms).
inline constexpr int kGzipLevel = 6;
inline constexpr int kBrotliQuality = 5;

// gzip (RFC 1952) of `in` at `level` (1-9).
std::string Gzip(std::string_view in, int level);
// brotli of `in` at `quality` (0-11).
std::string Brotli(std::string_view in, int quality);
// A short BLAKE2b hex digest of `data`, for ETags.
std::string ContentHash(std::string_view data);

}  // namespace vigie

// A response body rendered once and compressed at most once per coding, with its strong
// validators. Safe to share between threads: after MakeBody only the compressed
// representations fill in, each once.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
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

// One representation of a body: its bytes, its strong ETag and its HTTP/1.1 response heads,
// prepared once so that serving it formats nothing (status line and header lines, each
// ending in CRLF; Date, Connection and the blank line are the server's), for 200 and 304.
struct Representation {
  std::string_view bytes;  // the body's identity bytes, or `compressed`
  std::string compressed;
  std::string etag;  // quoted: "\"b2-…\"" (the identity's hash, "-gz"/"-br" after it)
  std::string head_200, head_304;
};

struct Body {
  std::string content_type;
  std::string identity;  // the bytes as rendered
  Time last_modified{};  // the last real change of what this body shows
  HeaderList headers;    // fixed headers sent with it (Cache-Control, CORS, ...)
  // A large identity body also lives in an in-memory file, so the server can sendfile() it
  // (the kernel then sends its pages without copying them from user space, as nginx does
  // with a static file). Invalid (-1) for small bodies, or when the files are all in use.
  FileHandle identity_file;

  const Representation& Identity() const { return identity_rep_; }
  // The body compressed with `c` (gzip or brotli), made the first time a client accepts that
  // coding (once, whatever the threads): a coding nobody asks for costs nothing. Null when
  // compression does not pay (tiny bodies, or no smaller).
  const Representation* Compressed(Coding c) const;
  // Whether Compressed(c) has been asked for already.
  bool WasCompressed(Coding c) const;
  // Notes that coding `c` is wanted (the Publisher queues the body to be compressed after a
  // swap, and may be cut short by the next one); Wanted(c) is true once it was noted or asked
  // for, so the next snapshot's copy is queued too.
  void Want(Coding c) const;
  bool Wanted(Coding c) const;
  // Takes the compressed representations `older` has made, when both bodies have the very
  // same identity representation (bytes, validators and heads): a body that a write did not
  // change is not compressed again (brotli was half of warming the next snapshot at scale).
  void ShareCompressed(const Body& older) const;

 private:
  friend std::shared_ptr<const Body> MakeBody(std::string, std::string, Time, HeaderList);
  struct Slot {
    std::once_flag once;
    std::atomic<bool> made{false};
    std::atomic<bool> wanted{false};            // Want(c)
    std::shared_ptr<const Representation> rep;  // shared by bodies of the same bytes
  };
  Representation identity_rep_;
  std::string hash_;                        // of the identity bytes
  mutable std::array<Slot, 2> compressed_;  // gzip, brotli
};

// Renders nothing: hashes `bytes` and prepares the identity's response heads with `headers`
// (names and values must not contain CR or LF: they are written as they are). The
// compressed representations are made on demand (Body::Compressed).
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

// gzip (RFC 1952) of `in` at `level` (1-9); Internal when zlib fails.
Result<std::string> Gzip(std::string_view in, int level);
// brotli of `in` at `quality` (0-11); Internal when the encoder fails.
Result<std::string> Brotli(std::string_view in, int quality);
// A 128-bit XXH3 hex digest of `data`, for ETags and the URLs of static files: they need to
// tell contents apart, not resist an attacker, and a body is hashed at each publish (XXH3
// reads about 20 bytes a cycle where BLAKE2b read one: 2 ms a write for two 800 KB bodies).
std::string ContentHash(std::string_view data);

}  // namespace vigie

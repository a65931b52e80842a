#include "core/body.h"

#include <brotli/encode.h>
#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <memory>

#include "core/log.h"

namespace vigie {

// Both compressors write into a buffer of their worst-case size, left uninitialized: only the
// pages they write are touched (a zero-filled string of that size faulted in 850 KB for a
// 35 KB result at scale, and kept it as capacity). The result is copied out at its size.
Result<std::string> Gzip(std::string_view in, int level) {
  z_stream zs{};
  // 15 + 16: a gzip wrapper rather than a zlib one.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: deflateInit2 failed (level " + std::to_string(level) + ")");
  }
  const size_t bound = deflateBound(&zs, in.size()) + 32;
  const std::unique_ptr<Bytef[]> buffer(new Bytef[bound]);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = buffer.get();
  zs.avail_out = static_cast<uInt>(bound);
  const int rc = deflate(&zs, Z_FINISH);
  const size_t size = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END)
    return Status::Internal("gzip: deflate failed (" + std::to_string(rc) + ")");
  return std::string(reinterpret_cast<const char*>(buffer.get()), size);
}

Result<std::string> Brotli(std::string_view in, int quality) {
  size_t size = BrotliEncoderMaxCompressedSize(in.size());
  if (size == 0) size = in.size() + 1024;
  const std::unique_ptr<uint8_t[]> buffer(new uint8_t[size]);
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, in.size(),
                             reinterpret_cast<const uint8_t*>(in.data()), &size, buffer.get())) {
    return Status::Internal("brotli: BrotliEncoderCompress failed (quality " +
                            std::to_string(quality) + ")");
  }
  return std::string(reinterpret_cast<const char*>(buffer.get()), size);
}

std::string ContentHash(std::string_view data) {
  XXH128_canonical_t digest;
  XXH128_canonicalFromHash(&digest, XXH3_128bits(data.data(), data.size()));
  char hex[sizeof digest.digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest.digest, sizeof digest.digest);
  return hex;
}

namespace {

std::atomic<int> body_files{0};  // open in-memory files of bodies

// An in-memory file holding `bytes`, or an invalid handle (the caller then copies).
FileHandle FileOf(std::string_view bytes) {
  if (body_files.fetch_add(1) >= kMaxBodyFiles) {
    body_files.fetch_sub(1);
    return FileHandle();
  }
  const int fd = memfd_create("vigie-body", MFD_CLOEXEC);
  if (fd < 0) {
    body_files.fetch_sub(1);
    return FileHandle();
  }
  FileHandle file(fd);  // counted down when closed
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(file.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return FileHandle();
    done += static_cast<size_t>(n);
  }
  return file;
}

void AddLine(std::string& head, std::string_view name, std::string_view value) {
  head.append(name).append(": ").append(value).append("\r\n");
}

// Status line, validators and the fixed headers: what a 304 carries (RFC 9110 15.4.5).
std::string CommonHead(const Body& body, const std::string& etag, bool not_modified) {
  std::string head = not_modified ? "HTTP/1.1 304 Not Modified\r\n" : "HTTP/1.1 200 OK\r\n";
  AddLine(head, "ETag", etag);
  AddLine(head, "Last-Modified", FormatHttpDate(body.last_modified));
  AddLine(head, "Vary", "Accept-Encoding");
  for (const auto& [name, value] : body.headers) AddLine(head, name, value);
  return head;
}

void PrepareHeads(const Body& body, Representation& rep, std::string_view encoding) {
  rep.head_304 = CommonHead(body, rep.etag, true);
  std::string head = CommonHead(body, rep.etag, false);
  AddLine(head, "Content-Type", body.content_type);
  if (!encoding.empty()) AddLine(head, "Content-Encoding", encoding);
  AddLine(head, "Content-Length", std::to_string(rep.bytes.size()));
  rep.head_200 = std::move(head);
}

size_t SlotOf(Coding c) { return c == Coding::kGzip ? 0 : 1; }

}  // namespace

FileHandle& FileHandle::operator=(FileHandle&& o) noexcept {
  if (this != &o) {
    FileHandle dropped(std::exchange(fd_, std::exchange(o.fd_, -1)));
  }
  return *this;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) {
    ::close(fd_);
    body_files.fetch_sub(1);
  }
}

std::shared_ptr<const Body> MakeBody(std::string content_type, std::string bytes,
                                     Time last_modified, HeaderList headers) {
  auto body = std::make_shared<Body>();
  body->headers = std::move(headers);
  body->content_type = std::move(content_type);
  body->identity = std::move(bytes);
  body->last_modified = last_modified;
  body->hash_ = ContentHash(body->identity);
  Representation& rep = body->identity_rep_;
  rep.bytes = body->identity;
  rep.etag = "\"" + body->hash_ + "\"";
  if (body->identity.size() >= kBodyFileMin) body->identity_file = FileOf(body->identity);
  PrepareHeads(*body, rep, "");
  return body;
}

const Representation* Body::Compressed(Coding c) const {
  if (c == Coding::kIdentity) return &identity_rep_;
  Slot& slot = compressed_[SlotOf(c)];
  std::call_once(slot.once, [&] {
    // Tiny bodies grow when compressed: serve them as they are.
    if (identity.size() >= 256) {
      auto rep = std::make_unique<Representation>();
      const bool gzip = c == Coding::kGzip;
      Result<std::string> out =
          gzip ? Gzip(identity, kGzipLevel) : Brotli(identity, kBrotliQuality);
      // A compressor that fails (out of memory) leaves the body to be sent as it is.
      if (!out.ok()) LogError("compressing a body: " + out.status().message());
      if (out.ok()) rep->compressed = std::move(out).value();
      if (out.ok() && rep->compressed.size() < identity.size()) {
        rep->bytes = rep->compressed;
        // Compression at a fixed level is deterministic, so the identity hash names it too.
        rep->etag = "\"" + hash_ + (gzip ? "-gz\"" : "-br\"");
        PrepareHeads(*this, *rep, gzip ? "gzip" : "br");
        slot.rep = std::move(rep);
      }
    }
    slot.made.store(true, std::memory_order_release);
  });
  return slot.rep.get();
}

bool Body::WasCompressed(Coding c) const {
  return c != Coding::kIdentity && compressed_[SlotOf(c)].made.load(std::memory_order_acquire);
}

void Body::Want(Coding c) const {
  if (c != Coding::kIdentity) compressed_[SlotOf(c)].wanted.store(true, std::memory_order_relaxed);
}

bool Body::Wanted(Coding c) const {
  return WasCompressed(c) ||
         (c != Coding::kIdentity && compressed_[SlotOf(c)].wanted.load(std::memory_order_relaxed));
}

void Body::ShareCompressed(const Body& older) const {
  if (&older == this || hash_ != older.hash_ || identity != older.identity ||
      identity_rep_.head_200 != older.identity_rep_.head_200 ||
      identity_rep_.head_304 != older.identity_rep_.head_304) {
    return;
  }
  for (size_t i = 0; i < compressed_.size(); ++i) {
    const Slot& theirs = older.compressed_[i];
    if (!theirs.made.load(std::memory_order_acquire)) continue;
    Slot& mine = compressed_[i];
    std::call_once(mine.once, [&] {
      mine.rep = theirs.rep;
      mine.made.store(true, std::memory_order_release);
    });
  }
}

}  // namespace vigie

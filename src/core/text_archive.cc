#include "core/text_archive.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/log.h"

namespace vigie::text_archive {

namespace {

constexpr uint64_t kGrow = uint64_t{32} << 20;          // fallocate'd a step at a time
constexpr uint64_t kReleaseStep = uint64_t{4} << 20;    // written pages given back this often
constexpr auto kRetryAfter = std::chrono::seconds(60);  // after a refusal

struct Archive {
  std::mutex mu;
  int fd = -1;
  char* base = nullptr;
  uint64_t reserve = 0;
  uint64_t allocated = 0;  // file size: blocks reserved on disk
  uint64_t used = 0;
  uint64_t released = 0;  // pages below this were given back
  uint64_t refused = 0;
  uint64_t texts = 0;  // bytes of texts put
  uint64_t blocks = 0;
  std::unordered_map<size_t, std::vector<char*>> free_blocks;  // by size
  std::string last_error;
  std::chrono::steady_clock::time_point retry_at{};
};

Archive& The() {
  static Archive* a = new Archive;  // never destroyed: texts are read until the very end
  return *a;
}

int MakeFile(const std::string& dir, std::string* why) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  // Filesystems without O_TMPFILE: a named file, unlinked at once.
  std::string path = dir + "/.vigie-texts.XXXXXX";
  fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) {
    *why = "cannot make a file in " + dir + ": " + std::strerror(errno);
    return -1;
  }
  ::unlink(path.c_str());
  return fd;
}

uint64_t PageSize() {
  static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

// `n` bytes after the last, under the lock; nullptr when refused (counted and said).
char* Take(Archive& a, uint64_t n) {
  if (a.fd < 0) return nullptr;
  if (a.used + n > a.allocated) {
    auto now = std::chrono::steady_clock::now();
    if (now < a.retry_at) {
      ++a.refused;
      return nullptr;
    }
    uint64_t grow = std::max(kGrow, (a.used + n - a.allocated + kGrow - 1) / kGrow * kGrow);
    int err =
        a.allocated + grow > a.reserve
            ? ENOMEM
            : ::posix_fallocate(a.fd, static_cast<off_t>(a.allocated), static_cast<off_t>(grow));
    if (err != 0) {
      ++a.refused;
      a.last_error = err == ENOMEM ? "its reserve of address space is used up"
                                   : std::string("the disk refused: ") + std::strerror(err);
      a.retry_at = now + kRetryAfter;
      LogWarn("text archive: " + a.last_error + "; new texts stay in memory, tried again in " +
              std::to_string(kRetryAfter.count()) + " s");
      return nullptr;
    }
    a.allocated += grow;
  }
  char* out = a.base + a.used;
  a.used += n;
  if (a.used - a.released >= kReleaseStep) {
    // Whole pages only: the last one is still being written.
    uint64_t end = a.used / PageSize() * PageSize();
    ::madvise(a.base + a.released, end - a.released, MADV_DONTNEED);
    a.released = end;
  }
  return out;
}

}  // namespace

Status Open(const std::string& dir, uint64_t reserve) {
  Archive& a = The();
  std::lock_guard lock(a.mu);
  if (a.fd >= 0) return {};
  std::string why;
  int fd = MakeFile(dir, &why);
  if (fd < 0) return Status::Unavailable("text archive: " + why);
  void* p = ::mmap(nullptr, reserve, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
  if (p == MAP_FAILED) {
    int e = errno;
    ::close(fd);
    return Status::Unavailable(std::string("text archive: cannot map it: ") + std::strerror(e));
  }
  a.fd = fd;
  a.base = static_cast<char*>(p);
  a.reserve = reserve;
  return {};
}

const char* Put(std::string_view x, std::string_view y) {
  Archive& a = The();
  std::lock_guard lock(a.mu);
  char* out = Take(a, x.size() + y.size());
  if (out == nullptr) return nullptr;
  std::memcpy(out, x.data(), x.size());
  std::memcpy(out + x.size(), y.data(), y.size());
  a.texts += x.size() + y.size();
  return out;
}

void* AllocateBlock(size_t size) {
  Archive& a = The();
  std::lock_guard lock(a.mu);
  if (a.fd < 0 || size % PageSize() != 0) return nullptr;
  std::vector<char*>& freed = a.free_blocks[size];
  char* out = nullptr;
  if (!freed.empty()) {
    out = freed.back();
    freed.pop_back();
  } else {
    // Blocks start on a page: a freed one's pages are given back whole.
    const uint64_t pad = (PageSize() - a.used % PageSize()) % PageSize();
    out = Take(a, pad + size);
    if (out == nullptr) return nullptr;
    out += pad;
  }
  ++a.blocks;
  return out;
}

void FreeBlock(void* block, size_t size) {
  Archive& a = The();
  ::madvise(block, size, MADV_DONTNEED);
  std::lock_guard lock(a.mu);
  a.free_blocks[size].push_back(static_cast<char*>(block));
  --a.blocks;
}

void GiveBack() {
  Archive& a = The();
  std::lock_guard lock(a.mu);
  if (a.fd < 0) return;
  const uint64_t end = a.used / PageSize() * PageSize();
  ::madvise(a.base, end, MADV_DONTNEED);
  a.released = end;
}

Usage Read() {
  Archive& a = The();
  std::lock_guard lock(a.mu);
  return {.open = a.fd >= 0,
          .bytes = a.texts,
          .blocks = a.blocks,
          .written = a.used,
          .refused = a.refused,
          .last_error = a.last_error};
}

}  // namespace vigie::text_archive

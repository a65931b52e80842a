// Files written whole or not at all.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace vigie {

// Writes `parts`, one after the other, to `path`: into a new file beside it (PATH.tmp), synced
// to disk, then renamed over `path`, and the folder synced. A crash leaves the old file or the
// new one, never half of one. Unavailable, with the reason, when the disk refuses; nothing
// is left beside `path` then.
Status WriteFileAtomically(const std::string& path, std::initializer_list<std::string_view> parts);
// The end of such a write, for a file made by other means at `tmp`: syncs it, renames it over
// `path` and syncs the folder. On failure, `tmp` is removed.
Status SyncAndRename(const std::string& tmp, const std::string& path);

// A file written whole or not at all, a piece at a time (a state of hundreds of MB is never
// held in memory whole): Append as it comes, WriteAt to fill in bytes already written (a
// header completed at the end), then Commit (synced, renamed over `path`, the folder synced).
// Destroyed without a Commit, it removes its temporary file. Not thread-safe.
class AtomicFile {
 public:
  // Unavailable, with the reason, when the temporary file cannot be made.
  static Result<AtomicFile> Create(const std::string& path);
  AtomicFile(AtomicFile&& o) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();
  Status Append(std::string_view data);
  Status WriteAt(uint64_t offset, std::string_view data);
  Status Commit();

 private:
  AtomicFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

// The whole content of the file at `path`, read into one string of its size (a dump of
// 190 MB is held once, not twice as through a stringstream). NotFound when it cannot be read.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace vigie

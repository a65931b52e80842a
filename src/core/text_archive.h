// The process's text archive: where a serving node keeps the texts of its history (events'
// titles, bodies and updates: about 100 MB for 100,000 events) outside the heap. It is one
// unnamed file in the node's folder (O_TMPFILE: nothing is left on disk when the process
// ends), mapped once; a text is copied into it and read where it lies. Written pages are given
// back to the kernel as the archive grows, so the texts sit in the page cache, which the
// kernel reclaims or shares, not in the process's resident heap.
//
// Append only, for the life of the process: a text put here is never moved, changed nor freed,
// so a pointer to it stays valid in every snapshot that holds it. Blocks are reserved on disk
// (fallocate) before they are written: a full disk refuses a text, it never faults a reader.
// A refused text is kept by its owner in the heap, as without an archive (domain Text).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie::text_archive {

// Opens the archive in folder `dir`, with room for `reserve` bytes of address space.
// Unavailable, with the reason, when the file cannot be made or mapped; the process then
// keeps its texts in the heap. Opening twice keeps the first archive.
Status Open(const std::string& dir, uint64_t reserve = uint64_t{8} << 30);

// Copies `a` then `b`, side by side, into the archive. The copy's address, valid for the life
// of the process; nullptr when no archive is open, it is full or the disk refuses (tried again
// a minute later).
const char* Put(std::string_view a, std::string_view b);

struct Usage {
  bool open = false;
  uint64_t bytes = 0;      // put so far
  uint64_t refused = 0;    // texts refused (kept in the heap)
  std::string last_error;  // why the last one was refused
};
Usage Read();

}  // namespace vigie::text_archive

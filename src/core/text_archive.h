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
//
// It also holds the blocks of the history's status changes (domain AppendVector: 710,000
// values of 64 bytes at scale), written once and then read only where a page shows them: a
// block is taken from it and given back to it, and reused.
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

// A block of `size` bytes (a multiple of the page size: they are given back whole), from a
// list of freed ones or after the last; nullptr when no archive is open or it has no room
// (the caller allocates in the heap). Its contents are undefined.
void* AllocateBlock(size_t size);
// Gives back a block of AllocateBlock, to be reused; its pages go back to the kernel.
void FreeBlock(void* block, size_t size);

// Gives back every written page of the archive (their contents stay in the page cache, read
// again on demand): after a load has read all of the history once.
void GiveBack();

struct Usage {
  bool open = false;
  uint64_t bytes = 0;      // texts put so far
  uint64_t blocks = 0;     // blocks in use
  uint64_t written = 0;    // bytes of the file written, texts and blocks
  uint64_t refused = 0;    // texts refused (kept in the heap)
  std::string last_error;  // why the last one was refused
};
Usage Read();

}  // namespace vigie::text_archive

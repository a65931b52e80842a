// A vector of values that are written once and then only read, shared between copies: the
// model's history (710,000 status changes at scale). SharedVector allocates each element on
// its own, behind a reference-counted pointer, so that one can be changed in place; history
// is never changed, so here the values sit side by side in blocks of kChunk (one allocation
// per block, no count per element, about half the memory), and a copy shares the blocks.
//
// Appending to a copy writes into the shared last block when nothing was written there past
// this copy's end (the block's `filled` says how far it is written): the copies that share it
// read only the values below their own size, which never change. When another copy already
// wrote past it (the Publisher built a model, then dropped it when its transaction failed),
// this copy continues in a copy of that block. Several copies may be appended to at once:
// each claims its slot with a compare-and-swap. An insertion before the end (a merge, a
// sort) copies the blocks from the one it touches to the end.
//
// An element's address stays valid for as long as one copy holding its block lives, so an
// index of pointers into the vector (ChangeIndex) stays valid beside a copy of it.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/text_archive.h"
#include "domain/indexed_iterator.h"

namespace vigie {

template <typename T>
class AppendVector {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "a claimed slot must be filled without failing");

 public:
  static constexpr size_t kShift = 9;
  static constexpr size_t kChunk = size_t{1} << kShift;  // elements per block

  using value_type = T;
  using size_type = size_t;

  using const_iterator = IndexedIterator<AppendVector, T>;
  using iterator = const_iterator;  // elements are never written through the vector

  AppendVector() = default;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  const T& operator[](size_t i) const { return blocks_[i >> kShift]->at(i & (kChunk - 1)); }
  const T& front() const { return (*this)[0]; }
  const T& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }
  std::reverse_iterator<const_iterator> rbegin() const { return std::reverse_iterator(end()); }
  std::reverse_iterator<const_iterator> rend() const { return std::reverse_iterator(begin()); }

  void push_back(T value) {
    const size_t slot = size_ & (kChunk - 1);
    if (slot == 0) blocks_.push_back(std::make_shared<Block>());
    Block* block = blocks_.back().get();
    size_t expected = slot;
    if (!block->filled.compare_exchange_strong(expected, slot + 1, std::memory_order_acq_rel)) {
      // Another copy wrote past this one's end: continue in a copy of the block.
      auto copy = std::make_shared<Block>();
      for (size_t i = 0; i < slot; ++i) {
        new (copy->slot(i)) T(block->at(i));
        copy->filled.store(i + 1, std::memory_order_relaxed);
      }
      copy->filled.store(slot + 1, std::memory_order_relaxed);
      blocks_.back() = std::move(copy);
      block = blocks_.back().get();
    }
    new (block->slot(slot)) T(std::move(value));
    ++size_;
  }

  // Orders the elements by `less` (stable).
  template <typename Less>
  void StableSort(Less less) {
    size_t sorted = 1;  // the elements before this one are in order
    while (sorted < size_ && !less((*this)[sorted], (*this)[sorted - 1])) ++sorted;
    if (sorted >= size_) return;
    std::vector<const T*> all = From(0);
    std::stable_sort(all.begin(), all.end(),
                     [&less](const T* a, const T* b) { return less(*a, *b); });
    Rebuild(0, all);
  }

  // Adds the elements of `more` (ordered by `less`, as this vector is) in order; on a tie this
  // vector's element comes first. Appends when `more` starts last; otherwise copies the blocks
  // from the one where the first of `more` goes.
  template <typename Less>
  void MergeIn(const AppendVector& more, Less less) {
    if (more.empty()) return;
    if (empty() || !less(more.front(), back())) {
      for (const T& x : more) push_back(x);
      return;
    }
    const size_t at =
        static_cast<size_t>(std::upper_bound(begin(), end(), more.front(), less) - begin());
    const size_t from = at & ~(kChunk - 1);
    const std::vector<const T*> mine = From(from), theirs = more.From(0);
    std::vector<const T*> merged;
    merged.reserve(mine.size() + theirs.size());
    std::merge(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(merged),
               [&less](const T* a, const T* b) { return less(*a, *b); });
    Rebuild(from, merged);
  }

 private:
  static constexpr size_t kBytes = kChunk * sizeof(T);

  // The slots are taken from the text archive when the process has one (core/text_archive.h:
  // the history then lives in the page cache, read where a page shows it), else from the heap.
  struct Block {
    Block() {  // the slots stay raw until written
      storage = static_cast<unsigned char*>(text_archive::AllocateBlock(kBytes));
      mapped = storage != nullptr;
      if (!mapped) {
        storage =
            static_cast<unsigned char*>(::operator new (kBytes, std::align_val_t{alignof(T)}));
      }
    }
    ~Block() {
      const size_t n = filled.load(std::memory_order_acquire);
      for (size_t i = 0; i < n; ++i) std::launder(reinterpret_cast<T*>(slot(i)))->~T();
      if (mapped) {
        text_archive::FreeBlock(storage, kBytes);
      } else {
        ::operator delete (storage, std::align_val_t{alignof(T)});
      }
    }
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
    void* slot(size_t i) { return storage + i * sizeof(T); }
    const T& at(size_t i) const {
      return *std::launder(reinterpret_cast<const T*>(storage + i * sizeof(T)));
    }

    std::atomic<size_t> filled{0};  // slots written, by this copy or another
    unsigned char* storage;         // kBytes, aligned for T
    bool mapped;                    // from the archive
  };

  // The elements from position `from` on.
  std::vector<const T*> From(size_t from) const {
    std::vector<const T*> out;
    out.reserve(size_ - std::min(from, size_));
    for (size_t i = from; i < size_; ++i) out.push_back(&(*this)[i]);
    return out;
  }

  // Keeps the blocks before position `from` (a block's first) and appends copies of `tail`.
  void Rebuild(size_t from, const std::vector<const T*>& tail) {
    const std::vector<std::shared_ptr<Block>> old = blocks_;  // `tail` points into these
    blocks_.resize(from >> kShift);
    size_ = from;
    for (const T* x : tail) push_back(*x);
  }

  std::vector<std::shared_ptr<Block>> blocks_;
  size_t size_ = 0;
};

}  // namespace vigie

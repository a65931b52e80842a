// A vector whose elements are shared between copies, so the Publisher can build the next
// model from the previous one while readers still use it. Reading looks like a std::vector<T>
// of const elements; writing through a non-const accessor copies the element first when
// another vector shares it (copy on write), so a shared element never changes.
//
// The elements' pointers are kept in chunks of kChunk, themselves shared: copying a vector of
// 710,000 status changes copies 1,400 chunk pointers, not 710,000 element pointers (whose
// reference counts are atomic, and whose array is 11 MB of fresh pages), and appending to the
// copy copies its last chunk only. A change in the middle (an insertion, an erasure, a sort)
// rebuilds the chunks from the one it touches to the end. Every chunk but the last is full.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "domain/indexed_iterator.h"

namespace vigie {

template <typename T>
class SharedVector {
  using Ptr = std::shared_ptr<T>;
  using Chunk = std::vector<Ptr>;

 public:
  static constexpr size_t kShift = 9;
  static constexpr size_t kChunk = size_t{1} << kShift;  // elements per chunk

  using value_type = T;
  using size_type = size_t;

  using const_iterator = IndexedIterator<SharedVector, T>;

  // Dereferencing gives a writable element (copied first when shared).
  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;
    iterator() = default;
    iterator(SharedVector* v, size_t i) : v_(v), i_(i) {}
    reference operator*() const { return v_->Mut(i_); }
    pointer operator->() const { return &v_->Mut(i_); }
    reference operator[](difference_type n) const { return v_->Mut(i_ + n); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    iterator operator++(int) {
      iterator t = *this;
      ++i_;
      return t;
    }
    iterator& operator--() {
      --i_;
      return *this;
    }
    iterator operator--(int) {
      iterator t = *this;
      --i_;
      return t;
    }
    iterator& operator+=(difference_type n) {
      i_ += n;
      return *this;
    }
    iterator& operator-=(difference_type n) {
      i_ -= n;
      return *this;
    }
    friend iterator operator+(iterator a, difference_type n) { return a += n; }
    friend iterator operator+(difference_type n, iterator a) { return a += n; }
    friend iterator operator-(iterator a, difference_type n) { return a -= n; }
    friend difference_type operator-(const iterator& a, const iterator& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const iterator& a, const iterator& b) { return a.i_ <=> b.i_; }

   private:
    SharedVector* v_ = nullptr;
    size_t i_ = 0;
  };

  SharedVector() = default;
  SharedVector(std::initializer_list<T> init) {
    for (const T& x : init) push_back(x);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void reserve(size_t n) { chunks_.reserve((n + kChunk - 1) >> kShift); }
  void clear() {
    chunks_.clear();
    size_ = 0;
  }

  const T& operator[](size_t i) const { return *At(i); }
  T& operator[](size_t i) { return Mut(i); }
  const T& front() const { return *At(0); }
  const T& back() const { return *At(size_ - 1); }
  T& front() { return Mut(0); }
  T& back() { return Mut(size_ - 1); }

  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }
  std::reverse_iterator<const_iterator> rbegin() const { return std::reverse_iterator(end()); }
  std::reverse_iterator<const_iterator> rend() const { return std::reverse_iterator(begin()); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }
  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, size_); }

  void push_back(T value) { push_shared(std::make_shared<T>(std::move(value))); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    push_shared(std::make_shared<T>(std::forward<Args>(args)...));
    return *At(size_ - 1);
  }
  void pop_back() {
    Chunk& last = Own(chunks_.size() - 1);
    last.pop_back();
    if (last.empty()) chunks_.pop_back();
    --size_;
  }
  iterator erase(iterator first, iterator last) {
    const size_t a = static_cast<size_t>(first - begin()), b = static_cast<size_t>(last - begin());
    if (a == b) return first;
    Chunk tail;
    tail.reserve(size_ - (b - a) - (a & ~(kChunk - 1)));
    for (size_t i = a & ~(kChunk - 1); i < a; ++i) tail.push_back(At(i));
    for (size_t i = b; i < size_; ++i) tail.push_back(At(i));
    Rebuild(a >> kShift, tail);
    return first;
  }
  iterator erase(iterator pos) { return erase(pos, pos + 1); }
  // Removes the elements at these positions (ascending, each once), rebuilding from the
  // first one's chunk.
  void EraseAt(const std::vector<size_t>& positions) {
    if (positions.empty()) return;
    const size_t from = positions.front() & ~(kChunk - 1);
    Chunk tail;
    tail.reserve(size_ - from);
    size_t next = 0;
    for (size_t i = from; i < size_; ++i) {
      if (next < positions.size() && positions[next] == i) {
        ++next;
      } else {
        tail.push_back(At(i));
      }
    }
    Rebuild(from >> kShift, tail);
  }

  // Orders the elements by `less` (stable), moving pointers only.
  template <typename Less>
  void StableSort(Less less) {
    const auto by_value = [&less](const Ptr& a, const Ptr& b) {
      return less(std::as_const(*a), std::as_const(*b));
    };
    size_t sorted = 1;  // the elements before this one are in order
    while (sorted < size_ && !by_value(At(sorted), At(sorted - 1))) ++sorted;
    if (sorted >= size_) return;
    Chunk all = Flat(0);
    std::stable_sort(all.begin(), all.end(), by_value);
    Rebuild(0, all);
  }

  // Adds the elements of `more` (ordered by `less`, as this vector is) in order, sharing
  // them; on a tie this vector's element comes first. Appends when `more` starts last;
  // otherwise rebuilds from the chunk where the first of `more` goes.
  template <typename Less>
  void MergeIn(const SharedVector& more, Less less) {
    if (more.empty()) return;
    const T& first = more.front();
    const SharedVector& self = *this;  // reads through const: no copy on write
    if (empty() || !less(first, self.back())) {
      for (size_t i = 0; i < more.size_; ++i) push_shared(more.At(i));
      return;
    }
    const size_t at = static_cast<size_t>(
        std::upper_bound(self.begin(), self.end(), first,
                         [&less](const T& a, const T& b) { return less(a, b); }) -
        self.begin());
    const size_t from = at & ~(kChunk - 1);
    const Chunk mine = Flat(from), theirs = more.Flat(0);
    Chunk merged;
    merged.reserve(mine.size() + theirs.size());
    std::merge(
        mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(merged),
        [&less](const Ptr& a, const Ptr& b) { return less(std::as_const(*a), std::as_const(*b)); });
    Rebuild(from >> kShift, merged);
  }

  // Whether both hold the very same elements, in the same order (pointers compared only).
  bool SameElements(const SharedVector& o) const {
    if (size_ != o.size_) return false;
    for (size_t c = 0; c < chunks_.size(); ++c) {
      if (chunks_[c] != o.chunks_[c] && *chunks_[c] != *o.chunks_[c]) return false;
    }
    return true;
  }

  // Sharing: the element's pointer, and appending an element another vector holds.
  const Ptr& shared(size_t i) const { return At(i); }
  void push_shared(Ptr p) {
    if (chunks_.empty() || chunks_.back()->size() == kChunk) {
      chunks_.push_back(std::make_shared<Chunk>());
      chunks_.back()->reserve(kChunk);
    }
    Own(chunks_.size() - 1).push_back(std::move(p));
    ++size_;
  }

  friend bool operator==(const SharedVector& a, const SharedVector& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a.At(i) != b.At(i) && !(*a.At(i) == *b.At(i))) return false;
    }
    return true;
  }

 private:
  const Ptr& At(size_t i) const { return (*chunks_[i >> kShift])[i & (kChunk - 1)]; }

  // Chunk c, copied first when another vector shares it.
  Chunk& Own(size_t c) {
    std::shared_ptr<Chunk>& chunk = chunks_[c];
    if (chunk.use_count() > 1) {
      auto copy = std::make_shared<Chunk>();
      copy->reserve(kChunk);
      copy->assign(chunk->begin(), chunk->end());
      chunk = std::move(copy);
    }
    return *chunk;
  }

  T& Mut(size_t i) {
    Ptr& p = Own(i >> kShift)[i & (kChunk - 1)];
    if (p.use_count() > 1) p = std::make_shared<T>(std::as_const(*p));
    return *p;
  }

  // The pointers from position `from` to the end.
  Chunk Flat(size_t from) const {
    Chunk out;
    out.reserve(size_ - std::min(from, size_));
    for (size_t i = from; i < size_; ++i) out.push_back(At(i));
    return out;
  }

  // Keeps the first `chunk` chunks and appends `tail` after them.
  void Rebuild(size_t chunk, const Chunk& tail) {
    chunks_.resize(chunk);
    size_ = chunk << kShift;
    for (const Ptr& p : tail) push_shared(p);
  }

  std::vector<std::shared_ptr<Chunk>> chunks_;
  size_t size_ = 0;
};

}  // namespace vigie

// A random-access iterator over a container read by position (`operator[](size_t) const`):
// the const iterator of SharedVector and of AppendVector.
#pragma once

#include <compare>
#include <cstddef>
#include <iterator>

namespace vigie {

template <typename V, typename T>
class IndexedIterator {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using pointer = const T*;
  using reference = const T&;
  IndexedIterator() = default;
  IndexedIterator(const V* v, size_t i) : v_(v), i_(i) {}
  reference operator*() const { return (*v_)[i_]; }
  pointer operator->() const { return &(*v_)[i_]; }
  reference operator[](difference_type n) const { return (*v_)[i_ + n]; }
  IndexedIterator& operator++() {
    ++i_;
    return *this;
  }
  IndexedIterator operator++(int) {
    IndexedIterator t = *this;
    ++i_;
    return t;
  }
  IndexedIterator& operator--() {
    --i_;
    return *this;
  }
  IndexedIterator operator--(int) {
    IndexedIterator t = *this;
    --i_;
    return t;
  }
  IndexedIterator& operator+=(difference_type n) {
    i_ += n;
    return *this;
  }
  IndexedIterator& operator-=(difference_type n) {
    i_ -= n;
    return *this;
  }
  friend IndexedIterator operator+(IndexedIterator a, difference_type n) { return a += n; }
  friend IndexedIterator operator+(difference_type n, IndexedIterator a) { return a += n; }
  friend IndexedIterator operator-(IndexedIterator a, difference_type n) { return a -= n; }
  friend difference_type operator-(const IndexedIterator& a, const IndexedIterator& b) {
    return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
  }
  friend bool operator==(const IndexedIterator& a, const IndexedIterator& b) {
    return a.i_ == b.i_;
  }
  friend auto operator<=>(const IndexedIterator& a, const IndexedIterator& b) {
    return a.i_ <=> b.i_;
  }

 private:
  const V* v_ = nullptr;
  size_t i_ = 0;
};

}  // namespace vigie

// A vector whose elements are shared between copies: copying one copies pointers, not
// elements, so the Publisher can build the next model from the previous one while readers
// still use it (100,000 events are not copied on each write). Reading looks like a
// std::vector<T> of const elements; writing through a non-const accessor copies the element
// first when another vector shares it (copy on write), so a shared element never changes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace vigie {

template <typename T>
class SharedVector {
  using Items = std::vector<std::shared_ptr<T>>;

 public:
  using value_type = T;
  using size_type = size_t;

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;
    const_iterator() = default;
    explicit const_iterator(typename Items::const_iterator it) : it_(it) {}
    reference operator*() const { return **it_; }
    pointer operator->() const { return it_->get(); }
    reference operator[](difference_type n) const { return *it_[n]; }
    const_iterator& operator++() {
      ++it_;
      return *this;
    }
    const_iterator operator++(int) { return const_iterator(it_++); }
    const_iterator& operator--() {
      --it_;
      return *this;
    }
    const_iterator operator--(int) { return const_iterator(it_--); }
    const_iterator& operator+=(difference_type n) {
      it_ += n;
      return *this;
    }
    const_iterator& operator-=(difference_type n) {
      it_ -= n;
      return *this;
    }
    friend const_iterator operator+(const_iterator a, difference_type n) { return a += n; }
    friend const_iterator operator+(difference_type n, const_iterator a) { return a += n; }
    friend const_iterator operator-(const_iterator a, difference_type n) { return a -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return a.it_ - b.it_;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.it_ == b.it_;
    }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) {
      return a.it_ <=> b.it_;
    }

   private:
    typename Items::const_iterator it_;
  };

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

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void reserve(size_t n) { items_.reserve(n); }
  void clear() { items_.clear(); }

  const T& operator[](size_t i) const { return *items_[i]; }
  T& operator[](size_t i) { return Mut(i); }
  const T& front() const { return *items_.front(); }
  const T& back() const { return *items_.back(); }
  T& front() { return Mut(0); }
  T& back() { return Mut(items_.size() - 1); }

  const_iterator begin() const { return const_iterator(items_.cbegin()); }
  const_iterator end() const { return const_iterator(items_.cend()); }
  std::reverse_iterator<const_iterator> rbegin() const { return std::reverse_iterator(end()); }
  std::reverse_iterator<const_iterator> rend() const { return std::reverse_iterator(begin()); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }
  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, items_.size()); }

  void push_back(T value) { items_.push_back(std::make_shared<T>(std::move(value))); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    items_.push_back(std::make_shared<T>(std::forward<Args>(args)...));
    return *items_.back();
  }
  void pop_back() { items_.pop_back(); }
  iterator erase(iterator first, iterator last) {
    items_.erase(items_.begin() + (first - begin()), items_.begin() + (last - begin()));
    return first;
  }
  iterator erase(iterator pos) { return erase(pos, pos + 1); }

  // Orders the elements by `less` (stable), moving pointers only.
  template <typename Less>
  void StableSort(Less less) {
    const auto by_value = [&less](const std::shared_ptr<T>& a, const std::shared_ptr<T>& b) {
      return less(std::as_const(*a), std::as_const(*b));
    };
    if (!std::is_sorted(items_.begin(), items_.end(), by_value)) {
      std::stable_sort(items_.begin(), items_.end(), by_value);
    }
  }

  // Adds the elements of `more` (ordered by `less`, as this vector is) in order, sharing
  // them; on a tie this vector's element comes first. Appends when `more` starts last.
  template <typename Less>
  void MergeIn(const SharedVector& more, Less less) {
    if (more.empty()) return;
    if (empty() || !less(more.front(), std::as_const(*this).back())) {
      items_.insert(items_.end(), more.items_.begin(), more.items_.end());
      return;
    }
    Items merged;
    merged.reserve(items_.size() + more.items_.size());
    std::merge(items_.begin(), items_.end(), more.items_.begin(), more.items_.end(),
               std::back_inserter(merged),
               [&less](const std::shared_ptr<T>& a, const std::shared_ptr<T>& b) {
                 return less(std::as_const(*a), std::as_const(*b));
               });
    items_ = std::move(merged);
  }

  // Whether both hold the very same elements, in the same order (pointers compared only).
  bool SameElements(const SharedVector& o) const { return items_ == o.items_; }

  // Sharing: the element's pointer, and appending an element another vector holds.
  const std::shared_ptr<T>& shared(size_t i) const { return items_[i]; }
  void push_shared(std::shared_ptr<T> p) { items_.push_back(std::move(p)); }

  friend bool operator==(const SharedVector& a, const SharedVector& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a.items_[i] != b.items_[i] && !(*a.items_[i] == *b.items_[i])) return false;
    }
    return true;
  }

 private:
  T& Mut(size_t i) {
    std::shared_ptr<T>& p = items_[i];
    if (p.use_count() > 1) p = std::make_shared<T>(std::as_const(*p));
    return *p;
  }

  Items items_;
};

}  // namespace vigie

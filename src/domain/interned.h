// A name of which the model holds very many copies and very few distinct values: the region
// and platform of each of 710,000 status changes. Each distinct text is kept once, for the
// life of the process, and a name is a pointer to it (8 bytes, not a 32-byte std::string);
// it reads as a const std::string& and compares with any string. Only for texts from small
// sets, or kept for good anyway (regions, platform slugs, the notes of status changes, which
// are history): a value is never freed.
#pragma once

#include <compare>
#include <string>
#include <string_view>

namespace vigie {

class Interned {
 public:
  Interned() : s_(&Empty()) {}
  Interned(std::string_view s) : s_(Intern(s)) {}    // NOLINT: reads as a string
  Interned(const std::string& s) : s_(Intern(s)) {}  // NOLINT
  Interned(const char* s) : s_(Intern(s)) {}         // NOLINT

  operator const std::string&() const { return *s_; }  // NOLINT
  operator std::string_view() const { return *s_; }    // NOLINT
  const std::string& str() const { return *s_; }
  bool empty() const { return s_->empty(); }
  size_t size() const { return s_->size(); }
  const char* c_str() const { return s_->c_str(); }

  friend bool operator==(const Interned& a, const Interned& b) { return a.s_ == b.s_; }
  friend bool operator==(const Interned& a, std::string_view b) { return *a.s_ == b; }
  friend bool operator==(const Interned& a, const std::string& b) { return *a.s_ == b; }
  friend bool operator==(const Interned& a, const char* b) { return *a.s_ == b; }
  friend std::strong_ordering operator<=>(const Interned& a, const Interned& b) {
    return *a.s_ <=> *b.s_;
  }

 private:
  static const std::string& Empty();
  static const std::string* Intern(std::string_view s);

  const std::string* s_;
};

}  // namespace vigie

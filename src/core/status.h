// Errors as values: every fallible call returns a Status or a Result<T>.
// The success path allocates nothing. Exceptions stop at the adapter that meets them.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace vigie {

class Status {
 public:
  // What went wrong, as the caller can act on it. http::HttpStatusOf gives each its HTTP status
  // and its name in JSON errors (one table: http/message.cc).
  enum class Code {
    kOk,
    kInvalid,           // the input is wrong: say what to change
    kNotFound,          // what was named does not exist
    kConflict,          // the state changed under the caller, or the name is taken
    kUnauthenticated,   // who is asking is not known (no session, a bad token)
    kPermissionDenied,  // known, but not allowed to (an editor on an admin page)
    kTooManyRequests,   // too many attempts: wait
    kUnavailable,       // a dependency is down, locked or full: try again later
    kInternal,          // a bug or an unexpected failure
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string msg) { return Status(Code::kInvalid, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }
  static Status Unauthenticated(std::string msg) {
    return Status(Code::kUnauthenticated, std::move(msg));
  }
  static Status PermissionDenied(std::string msg) {
    return Status(Code::kPermissionDenied, std::move(msg));
  }
  static Status TooManyRequests(std::string msg) {
    return Status(Code::kTooManyRequests, std::move(msg));
  }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid: end before start" — for logs and the CLI.
  std::string ToString() const;
  // Returns a copy whose message is prefixed by `context: `.
  Status WithContext(const std::string& context) const;
  // Returns a copy of the same code with `message` instead (said in the reader's words).
  Status WithMessage(std::string message) const { return Status(code_, std::move(message)); }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none. Never holds an ok Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  // The value, or `fallback` when there is none.
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace vigie

#define VIGIE_RETURN_IF_ERROR(expr) \
  do {                              \
    ::vigie::Status _st = (expr);   \
    if (!_st.ok()) return _st;      \
  } while (0)

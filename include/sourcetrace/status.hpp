// Status and Result<T>: how every library call reports success or failure.
//
// The library never throws on its hot paths and never exits; it returns a
// Status that names what went wrong in words a user can act on (for bad input:
// "file:line: reason"). The command line alone maps a Status to an exit code
// (see cli/exit_code.hpp), the query service alone to a Thrift exception.
// A Status is a plain value: copy it, pass it between threads, compare codes.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace sourcetrace {

class [[nodiscard]] Status {
 public:
  // The codes a caller acts on. Never renumber: cli maps them to sysexits.
  enum class Code {
    kOk = 0,
    kInvalidInput,   // the data breaks the contract (file:line: reason)
    kMissingInput,   // a required file or table is not there
    kCannotCreate,   // an output file or folder cannot be created
    kIOError,        // reading or writing failed below us
    kCorrupt,        // a file of ours is damaged or of an unsupported version
    kNotFound,       // a looked-up thing does not exist
    kInvalidArgument,// a parameter is out of range
    kCancelled,      // the caller asked us to stop
    kInternal,       // a bug: an invariant did not hold
  };

  Status() = default;  // ok

  static Status ok() { return {}; }
  static Status invalid_input(std::string m) { return {Code::kInvalidInput, std::move(m)}; }
  static Status missing_input(std::string m) { return {Code::kMissingInput, std::move(m)}; }
  static Status cannot_create(std::string m) { return {Code::kCannotCreate, std::move(m)}; }
  static Status io_error(std::string m) { return {Code::kIOError, std::move(m)}; }
  static Status corrupt(std::string m) { return {Code::kCorrupt, std::move(m)}; }
  static Status not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status invalid_argument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status cancelled(std::string m) { return {Code::kCancelled, std::move(m)}; }
  static Status internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // The same status with "context: " in front of its message.
  Status with_context(const std::string& context) const {
    if (is_ok()) return *this;
    return {code_, context + ": " + message_};
  }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.is_ok() && "a Result built from a Status must carry an error");
  }

  bool is_ok() const { return status_.is_ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: is_ok().
  T& value() & { assert(is_ok()); return *value_; }
  const T& value() const& { assert(is_ok()); return *value_; }
  T&& value() && { assert(is_ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace sourcetrace

// Returns from the enclosing function when `expr` (a Status) is not ok.
#define ST_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::sourcetrace::Status st_status_ = (expr); \
    if (!st_status_.is_ok()) return st_status_; \
  } while (0)

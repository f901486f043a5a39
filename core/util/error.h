#pragma once
// Errors raised by the core library. Bad input never asserts or crashes: it throws an InputError
// whose message names the file, the field (a JSON path or an id) and the offending value.

#include <stdexcept>
#include <string>

namespace counterscope {

/// Base of every error the core library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad input from a user-supplied file or argument.
class InputError : public Error {
 public:
  /// `source`: the file (or argument) at fault; `field`: JSON path, id or option name; `value`: what was
  /// found there (already formatted, may be empty); `problem`: what is wrong with it.
  InputError(const std::string& source, const std::string& field, const std::string& value,
             const std::string& problem);
  explicit InputError(const std::string& message) : Error(message) {}

  const std::string& source() const { return m_source; }
  const std::string& field() const { return m_field; }

 private:
  std::string m_source;
  std::string m_field;
};

/// The job was stopped through its cancellation flag.
class Cancelled : public Error {
 public:
  Cancelled() : Error("cancelled") {}
};

/// Quotes a value for an error message, shortening very long ones.
std::string quote_for_message(const std::string& value, std::size_t max_length = 80);

}  // namespace counterscope

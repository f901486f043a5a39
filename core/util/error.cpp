#include "core/util/error.h"

namespace counterscope {
namespace {

std::string format_input_error(const std::string& source, const std::string& field,
                               const std::string& value, const std::string& problem) {
  std::string message = source.empty() ? std::string("input") : source;
  if (!field.empty()) message += ": " + field;
  if (!value.empty()) message += " = " + value;
  message += ": " + problem;
  return message;
}

}  // namespace

InputError::InputError(const std::string& source, const std::string& field, const std::string& value,
                       const std::string& problem)
    : Error(format_input_error(source, field, value, problem)), m_source(source), m_field(field) {}

std::string quote_for_message(const std::string& value, std::size_t max_length) {
  std::string shown = value.size() > max_length ? value.substr(0, max_length) + "..." : value;
  return "\"" + shown + "\"";
}

}  // namespace counterscope

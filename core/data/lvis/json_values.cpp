#include "core/data/lvis/json_values.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "core/util/error.h"

namespace counterscope::data::json {
namespace {

const char* type_name(simdjson::ondemand::json_type type) {
  switch (type) {
    case simdjson::ondemand::json_type::array: return "an array";
    case simdjson::ondemand::json_type::object: return "an object";
    case simdjson::ondemand::json_type::number: return "a number";
    case simdjson::ondemand::json_type::string: return "a string";
    case simdjson::ondemand::json_type::boolean: return "a boolean";
    case simdjson::ondemand::json_type::null: return "null";
  }
  return "an unknown value";
}

// On a read error: a type mismatch names what was found, anything else is a syntax error.
[[noreturn]] void fail_read(simdjson::ondemand::value& value, const Where& where, simdjson::error_code error,
                            const char* expected) {
  if (error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_OUT_OF_RANGE ||
      error == simdjson::NUMBER_ERROR) {
    simdjson::ondemand::json_type type;
    std::string found = value.type().get(type) ? std::string("an invalid value") : type_name(type);
    if (error == simdjson::NUMBER_OUT_OF_RANGE) found = "a number out of range";
    if (error == simdjson::NUMBER_ERROR) found = "a malformed number";
    fail(where, describe(value), std::string("expected ") + expected + ", found " + found);
  }
  fail_syntax(where, error);
}

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not valid UTF-8.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char lead = bytes[i];
  std::size_t length = 0;
  unsigned char min_second = 0x80, max_second = 0xBF;
  if (lead < 0x80) {
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (bytes[i + 1] < min_second || bytes[i + 1] > max_second) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (!is_continuation(bytes[i + k])) return 0;
  }
  return length;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_json_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Exact powers of ten as doubles (10^22 is the largest exact one).
constexpr double exact_powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Parses one JSON number starting at p; returns the end of it, or nullptr when the text there is not a JSON
// number (or overflows a double).
const char* parse_number(const char* p, const char* end, double& out) {
  const char* start = p;
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  if (p == end || !is_digit(*p)) return nullptr;
  // All digits go into one integer (leading zeros included: they add nothing); 19 digits cannot overflow.
  std::uint64_t mantissa = 0;
  int digits = 0;
  int fraction = 0;  // digits after the point
  if (*p == '0') {
    ++p;
  } else {
    for (; p < end && is_digit(*p); ++p, ++digits) mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
  }
  if (p < end && *p == '.') {
    ++p;
    const char* first = p;
    for (; p < end && is_digit(*p); ++p) mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
    fraction = static_cast<int>(p - first);
    if (fraction == 0) return nullptr;
    digits += fraction;
  }
  bool exact = digits <= 19 && mantissa <= (std::uint64_t{1} << 53) && fraction <= 22;
  if (p < end && (*p == 'e' || *p == 'E')) {
    exact = false;
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !is_digit(*p)) return nullptr;
    while (p < end && is_digit(*p)) ++p;
  }
  if (exact) {
    // Both operands are exact doubles, so one IEEE division gives the correctly rounded value.
    const double value = static_cast<double>(mantissa) / exact_powers_of_ten[fraction];
    out = negative ? -value : value;
    return p;
  }
  const auto result = std::from_chars(start, p, out);
  if (result.ec != std::errc() || result.ptr != p || !std::isfinite(out)) return nullptr;
  return p;
}

}  // namespace

std::size_t append_numbers(std::string_view raw, const Where& where, std::vector<double>& out) {
  const char* p = raw.data();
  const char* end = raw.data() + raw.size();
  while (end > p && is_json_space(end[-1])) --end;
  if (p == end || *p != '[' || end[-1] != ']') fail(where, "", "expected an array of numbers");
  ++p;
  --end;  // the closing bracket
  std::size_t count = 0;
  while (p < end && is_json_space(*p)) ++p;
  if (p == end) return 0;
  for (;;) {
    double value = 0;
    const char* next = parse_number(p, end, value);
    const char* after = next == nullptr ? p : next;
    while (after < end && is_json_space(*after)) ++after;
    if (next == nullptr || (after < end && *after != ',')) {
      // Not a number, or a number followed by something else ("01", "0x10"): show the whole element.
      const char* token_end = p;
      while (token_end < end && *token_end != ',') ++token_end;
      fail(where.index(count), quote_for_message(escape_bytes(std::string_view(p, token_end - p)), 40),
           "expected a number");
    }
    out.push_back(value);
    ++count;
    if (after == end) return count;
    p = after + 1;  // past the ','
    while (p < end && is_json_space(*p)) ++p;
  }
}

void fail(const Where& where, const std::string& value, const std::string& problem) {
  throw InputError(where.file, where.path.str(), value, problem);
}

void fail_syntax(const Where& where, simdjson::error_code error) {
  throw InputError(where.file, where.path.str(), "",
                   std::string("invalid JSON (") + simdjson::error_message(error) + ")");
}

std::string describe(simdjson::ondemand::value& value) {
  std::string_view token = value.raw_json_token();
  while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                            token.back() == '\t')) {
    token.remove_suffix(1);
  }
  if (!token.empty() && token.front() == '{') return "{...}";
  if (!token.empty() && token.front() == '[') return "[...]";
  return quote_for_message(escape_bytes(token), 60);
}

std::int64_t read_int64(simdjson::ondemand::value value, const Where& where) {
  std::int64_t result = 0;
  if (auto error = value.get_int64().get(result)) fail_read(value, where, error, "an integer");
  return result;
}

double read_double(simdjson::ondemand::value value, const Where& where) {
  double result = 0;
  if (auto error = value.get_double().get(result)) fail_read(value, where, error, "a number");
  if (!std::isfinite(result)) fail(where, describe(value), "the number is not finite");
  return result;
}

double read_non_negative(simdjson::ondemand::value value, const Where& where) {
  const double result = read_double(value, where);
  if (result < 0) fail(where, std::to_string(result), "must not be negative");
  return result;
}

std::string read_string(simdjson::ondemand::value value, const Where& where) {
  std::string_view result;
  if (auto error = value.get_string().get(result)) fail_read(value, where, error, "a string");
  return std::string(result);
}

bool read_flag(simdjson::ondemand::value value, const Where& where) {
  simdjson::ondemand::json_type type;
  if (auto error = value.type().get(type)) fail_syntax(where, error);
  if (type == simdjson::ondemand::json_type::boolean) {
    bool result = false;
    if (auto error = value.get_bool().get(result)) fail_read(value, where, error, "a boolean");
    return result;
  }
  std::int64_t number = 0;
  if (auto error = value.get_int64().get(number)) fail_read(value, where, error, "0, 1, true or false");
  if (number != 0 && number != 1) fail(where, std::to_string(number), "expected 0, 1, true or false");
  return number == 1;
}

simdjson::ondemand::object read_object(simdjson::ondemand::value value, const Where& where) {
  simdjson::ondemand::object result;
  if (auto error = value.get_object().get(result)) fail_read(value, where, error, "an object");
  return result;
}

simdjson::ondemand::array read_array(simdjson::ondemand::value value, const Where& where) {
  simdjson::ondemand::array result;
  if (auto error = value.get_array().get(result)) fail_read(value, where, error, "an array");
  return result;
}

std::vector<std::int64_t> read_int64_list(simdjson::ondemand::value value, const Where& where) {
  std::vector<std::int64_t> result;
  for_each_element(read_array(value, where), where, [&](simdjson::ondemand::value element, std::size_t i) {
    result.push_back(read_int64(element, where.index(i)));
  });
  return result;
}

std::vector<std::string> read_string_list(simdjson::ondemand::value value, const Where& where) {
  std::vector<std::string> result;
  for_each_element(read_array(value, where), where, [&](simdjson::ondemand::value element, std::size_t i) {
    result.push_back(read_string(element, where.index(i)));
  });
  return result;
}

void read_box(simdjson::ondemand::value value, const Where& where, double out[4]) {
  std::size_t count = 0;
  for_each_element(read_array(value, where), where, [&](simdjson::ondemand::value element, std::size_t i) {
    if (i < 4) out[i] = read_double(element, where.index(i));
    ++count;
  });
  if (count != 4) fail(where, std::to_string(count) + " numbers", "expected [x, y, width, height]");
  if (out[2] < 0 || out[3] < 0) {
    fail(where, "[" + std::to_string(out[0]) + ", " + std::to_string(out[1]) + ", " + std::to_string(out[2]) +
                    ", " + std::to_string(out[3]) + "]",
         "width and height must not be negative");
  }
}

void read_rle_counts(simdjson::ondemand::value value, const Where& where, bool& is_compressed, std::string& compressed,
                     std::vector<std::uint32_t>& runs) {
  simdjson::ondemand::json_type type;
  if (auto error = value.type().get(type)) fail_syntax(where, error);
  if (type == simdjson::ondemand::json_type::string) {
    is_compressed = true;
    compressed = read_string(value, where);
    return;
  }
  for_each_element(read_array(value, where), where, [&](simdjson::ondemand::value run, std::size_t i) {
    const std::int64_t length = read_int64(run, where.index(i));
    if (length < 0 || length > std::numeric_limits<std::uint32_t>::max()) {
      fail(where.index(i), std::to_string(length), "run length out of range");
    }
    runs.push_back(static_cast<std::uint32_t>(length));
  });
}

void read_size(simdjson::ondemand::value value, const Where& where, std::uint32_t& height, std::uint32_t& width) {
  std::int64_t size[2] = {0, 0};
  std::size_t count = 0;
  for_each_element(read_array(value, where), where, [&](simdjson::ondemand::value element, std::size_t i) {
    if (i < 2) size[i] = read_int64(element, where.index(i));
    ++count;
  });
  if (count != 2) fail(where, std::to_string(count) + " numbers", "expected [height, width]");
  for (std::int64_t s : size) {
    if (s < 0 || s > std::numeric_limits<std::int32_t>::max()) {
      fail(where, "[" + std::to_string(size[0]) + ", " + std::to_string(size[1]) + "]",
           "height and width must be between 0 and 2^31-1");
    }
  }
  height = static_cast<std::uint32_t>(size[0]);
  width = static_cast<std::uint32_t>(size[1]);
}

std::size_t first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return i;
    i += length;
  }
  return text.size();
}

std::string json_path_at(std::string_view text, std::size_t offset, std::string_view root,
                         std::size_t first_index) {
  struct Frame {
    bool is_array = false;
    std::size_t index = 0;
    std::string key;
    bool expecting_key = false;
  };
  std::vector<Frame> stack;
  bool in_string = false, string_is_key = false, escaped = false;
  std::string current_key;
  const std::size_t end = std::min(offset, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
        if (string_is_key) current_key += c;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
        if (string_is_key && !stack.empty()) {
          stack.back().key = current_key;
          stack.back().expecting_key = false;
        }
      } else if (string_is_key) {
        current_key += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        string_is_key = !stack.empty() && !stack.back().is_array && stack.back().expecting_key;
        current_key.clear();
        break;
      case '{': stack.push_back(Frame{false, 0, {}, true}); break;
      case '[': stack.push_back(Frame{true, 0, {}, false}); break;
      case '}':
      case ']':
        if (!stack.empty()) stack.pop_back();
        break;
      case ',':
        if (!stack.empty()) {
          if (stack.back().is_array) {
            ++stack.back().index;
          } else {
            stack.back().expecting_key = true;
            stack.back().key.clear();
          }
        }
        break;
      default: break;
    }
  }
  std::string path(root);
  for (std::size_t level = 0; level < stack.size(); ++level) {
    const Frame& frame = stack[level];
    if (frame.is_array) {
      path += "[" + std::to_string(level == 0 ? first_index + frame.index : frame.index) + "]";
    } else if (!frame.key.empty()) {
      path += "." + frame.key;
    } else if (in_string && string_is_key && level + 1 == stack.size()) {
      path += ".(key \"" + escape_bytes(current_key) + "...\")";
    }
  }
  return path;
}

std::string escape_bytes(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string result;
  result.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0 || byte < 0x20 || byte == 0x7F) {
      result += "\\x";
      result += hex[byte >> 4];
      result += hex[byte & 0xF];
      ++i;
    } else {
      result.append(text, i, length);
      i += length;
    }
  }
  return result;
}

}  // namespace counterscope::data::json

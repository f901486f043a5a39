#include "core/data/lvis/json_stream.h"

#include <sys/stat.h>


#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/data/lvis/json_path.h"
#include "core/data/lvis/json_text.h"
#include "core/data/lvis/json_values.h"
#include "core/util/error.h"

namespace counterscope::data {
namespace {

// A batch is cut at the first element boundary after this many bytes: large enough that simdjson's
// per-document cost vanishes, small enough that its structural index stays in cache-sized memory.
constexpr std::size_t batch_bytes = std::size_t{1} << 20;
constexpr std::size_t initial_buffer_bytes = std::size_t{4} << 20;
// One byte before the buffer so that a batch can always be wrapped in '[' ... ']' in place.
constexpr std::size_t headroom = 1;

bool is_space(int c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Bytes that matter to the scanner outside strings.
constexpr std::array<bool, 256> make_special_table() {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>('"')] = true;
  table[static_cast<unsigned char>('{')] = true;
  table[static_cast<unsigned char>('}')] = true;
  table[static_cast<unsigned char>('[')] = true;
  table[static_cast<unsigned char>(']')] = true;
  table[static_cast<unsigned char>(',')] = true;
  return table;
}
constexpr std::array<bool, 256> special = make_special_table();

bool is_scalar_byte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' || c == 'E';
}

bool is_valid_scalar(std::string_view token) {
  if (token == "true" || token == "false" || token == "null") return true;
  if (token.empty()) return false;
  for (char c : token) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) return false;
  }
  return true;
}

// Visits a whole value so that simdjson checks all of it (On Demand only checks what is read).
void validate(simdjson::ondemand::value value, const json::Where& where) {
  simdjson::ondemand::json_type type;
  if (auto error = value.type().get(type)) json::fail_syntax(where, error);
  switch (type) {
    case simdjson::ondemand::json_type::object:
      json::for_each_field(json::read_object(value, where), where,
                           [&](std::string_view key, simdjson::ondemand::value field) { validate(field, where.key(key)); });
      break;
    case simdjson::ondemand::json_type::array:
      json::for_each_element(json::read_array(value, where), where,
                             [&](simdjson::ondemand::value element, std::size_t i) { validate(element, where.index(i)); });
      break;
    case simdjson::ondemand::json_type::number: {
      simdjson::ondemand::number number;
      if (value.get_number().get(number)) json::fail(where, json::describe(value), "malformed number");
      break;
    }
    case simdjson::ondemand::json_type::string: json::read_string(value, where); break;
    case simdjson::ondemand::json_type::boolean: {
      bool flag = false;
      if (value.get_bool().get(flag)) json::fail(where, json::describe(value), "expected true or false");
      break;
    }
    case simdjson::ondemand::json_type::null: {
      bool is_null = false;
      if (value.is_null().get(is_null) || !is_null) json::fail(where, json::describe(value), "expected null");
      break;
    }
  }
}

}  // namespace

JsonStreamReader::JsonStreamReader(const std::string& path, const JobContext& context, std::string progress_stage)
    : m_path(path), m_context(context), m_stage(std::move(progress_stage)) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw InputError(path, "", "", std::string("cannot open the file: ") + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) throw InputError(path, "", "", "not a regular file");
  m_file = std::fopen(path.c_str(), "rb");
  if (m_file == nullptr) {
    throw InputError(path, "", "", std::string("cannot open the file: ") + std::strerror(errno));
  }
  m_file_size = static_cast<std::uint64_t>(info.st_size);
  m_capacity = static_cast<std::size_t>(
      std::clamp<std::uint64_t>(m_file_size + 1, std::uint64_t{4096}, initial_buffer_bytes));
  m_buffer.reset(new char[headroom + m_capacity + simdjson::SIMDJSON_PADDING]);
}

JsonStreamReader::~JsonStreamReader() {
  if (m_file != nullptr) std::fclose(m_file);
}

bool JsonStreamReader::refill(std::size_t keep_from, std::size_t& shift) {
  char* buffer = m_buffer.get() + headroom;
  shift = keep_from;
  if (shift > 0) {
    std::memmove(buffer, buffer + shift, m_end - shift);
    m_end -= shift;
    m_pos -= std::min(m_pos, shift);
    m_buffer_file_offset += shift;
  }
  if (m_eof) return false;
  if (m_end == m_capacity) {
    // One element (or window) fills the whole buffer: grow it.
    const std::size_t new_capacity = m_capacity * 2;
    std::unique_ptr<char[]> grown(new char[headroom + new_capacity + simdjson::SIMDJSON_PADDING]);
    std::memcpy(grown.get() + headroom, buffer, m_end);
    m_buffer = std::move(grown);
    m_capacity = new_capacity;
    buffer = m_buffer.get() + headroom;
  }
  const std::size_t read = std::fread(buffer + m_end, 1, m_capacity - m_end, m_file);
  if (read == 0) {
    if (std::ferror(m_file)) throw InputError(m_path, "", "", std::string("read error: ") + std::strerror(errno));
    m_eof = true;
    return false;
  }
  m_end += read;
  return true;
}

int JsonStreamReader::peek_nonspace() {
  for (;;) {
    const char* buffer = m_buffer.get() + headroom;
    while (m_pos < m_end) {
      const char c = buffer[m_pos];
      if (!is_space(c)) return static_cast<unsigned char>(c);
      ++m_pos;
    }
    std::size_t shift = 0;
    if (!refill(m_pos, shift)) return -1;
  }
}

std::string JsonStreamReader::preview(std::size_t position) const {
  const char* buffer = m_buffer.get() + headroom;
  if (position >= m_end) return {};
  const std::size_t length = std::min<std::size_t>(40, m_end - position);
  return quote_for_message(json::escape_bytes(std::string_view(buffer + position, length)), 40);
}

void JsonStreamReader::fail_here(const std::string& field, const std::string& problem) {
  const std::uint64_t offset = m_buffer_file_offset + m_pos;
  throw InputError(m_path, field, preview(m_pos), problem + " (at byte " + std::to_string(offset) + ")");
}

void JsonStreamReader::report_progress() {
  m_context.throw_if_cancelled();
  m_context.report(m_stage, static_cast<std::int64_t>(m_buffer_file_offset + m_pos),
                   static_cast<std::int64_t>(m_file_size));
}

std::string JsonStreamReader::read_key(const std::string& where) {
  // m_pos is at the opening quote.
  std::size_t scan = m_pos + 1;
  bool escaped = false;
  for (;;) {
    const char* buffer = m_buffer.get() + headroom;
    for (; scan < m_end; ++scan) {
      const char c = buffer[scan];
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        std::string key;
        const std::string_view raw(buffer + m_pos + 1, scan - m_pos - 1);
        if (!json::unescape(raw, key) || json::first_invalid_utf8(key) != key.size()) {
          fail_here(where, "malformed object key");
        }
        m_pos = scan + 1;
        return key;
      }
    }
    std::size_t shift = 0;
    if (!refill(m_pos, shift)) fail_here(where, "file ends inside an object key (truncated file?)");
    scan -= shift;
  }
}

void JsonStreamReader::read_object(const std::function<void(const std::string& key)>& on_member) {
  int c = peek_nonspace();
  if (c == -1) throw InputError(m_path, "", "", "the file is empty");
  if (c != '{') fail_here("(top level)", "not a JSON object: expected '{'");
  ++m_pos;
  c = peek_nonspace();
  if (c == '}') {
    ++m_pos;
    expect_end("object");
    return;
  }
  std::string previous_key = "(top level)";
  for (;;) {
    if (c == -1) fail_here(previous_key, "file ends inside the top-level object (truncated file?)");
    if (c != '"') fail_here(previous_key, "expected an object key");
    const std::string key = read_key(previous_key);
    c = peek_nonspace();
    if (c != ':') fail_here(key, c == -1 ? "file ends after the key (truncated file?)" : "expected ':'");
    ++m_pos;
    on_member(key);
    previous_key = key;
    c = peek_nonspace();
    if (c == ',') {
      ++m_pos;
      c = peek_nonspace();
      continue;
    }
    if (c == '}') {
      ++m_pos;
      break;
    }
    fail_here(key, c == -1 ? "file ends inside the top-level object (truncated file?)"
                           : "expected ',' or '}' after the value");
  }
  expect_end("object");
}

void JsonStreamReader::read_top_level_array(const std::string& root, const JsonElementHandler& handler) {
  if (peek_nonspace() == -1) throw InputError(m_path, "", "", "the file is empty");
  read_array(root, handler);
  expect_end("array");
}

void JsonStreamReader::expect_end(const std::string& after) {
  if (peek_nonspace() != -1) fail_here("(after the top-level " + after + ")", "unexpected content");
  report_progress();
}

void JsonStreamReader::read_array(const std::string& root, const JsonElementHandler& handler) {
  int c = peek_nonspace();
  if (c == -1) fail_here(root, "file ends before the value (truncated file?)");
  if (c != '[') fail_here(root, "expected an array");
  ++m_pos;
  c = peek_nonspace();
  if (c == -1) fail_here(root, "file ends inside the array (truncated file?)");
  if (c == ']') {
    ++m_pos;
    return;
  }
  std::size_t next_index = 0;          // index of the first element of the pending batch
  std::size_t elements_in_batch = 0;   // element boundaries seen in the pending batch
  std::size_t batch_start = m_pos;
  std::size_t scan = m_pos;
  bool cut_before = false;
  ScanState state;
  for (;;) {
    if (scan == m_end) {
      std::size_t shift = 0;
      const bool more = refill(batch_start, shift);
      batch_start -= shift;
      scan -= shift;
      if (!more) {
        m_pos = scan;
        throw InputError(m_path, root + "[" + std::to_string(next_index + elements_in_batch) + "]", "",
                         "file ends inside this element (truncated file?)");
      }
      continue;
    }
    char* buffer = m_buffer.get() + headroom;
    const char* p = buffer + scan;
    const char* end = buffer + m_end;
    const char* cut_limit = buffer + batch_start + batch_bytes;
    bool cut = false, array_end = false;
    while (p < end) {
      if (state.in_string) {
        if (state.escaped) {
          state.escaped = false;
          ++p;
          continue;
        }
        p = json::find_quote_or_backslash(p, end);
        if (p == end) break;
        if (*p == '\\') {
          state.escaped = true;
        } else {
          state.in_string = false;
        }
        ++p;
        continue;
      }
      if (state.depth > 0) {
        p = json::find_structural(p, end);
        if (p == end) break;
      }
      const auto byte = static_cast<unsigned char>(*p);
      if (!special[byte]) {
        ++p;
        continue;
      }
      if (byte == '"') {
        state.in_string = true;
      } else if (byte == '{' || byte == '[') {
        ++state.depth;
      } else if (byte == '}' || byte == ']') {
        if (state.depth == 0) {
          if (byte == ']') {
            array_end = true;
            break;
          }
          m_pos = static_cast<std::size_t>(p - buffer);
          fail_here(root + "[" + std::to_string(next_index + elements_in_batch) + "]", "unbalanced '}'");
        }
        --state.depth;
      } else if (state.depth == 0) {  // ',' between elements
        ++elements_in_batch;
        if (p >= cut_limit) {
          cut = true;
          break;
        }
      }
      ++p;
    }
    scan = static_cast<std::size_t>(p - buffer);
    if (array_end) {
      const std::string_view rest(buffer + batch_start, scan - batch_start);
      const bool blank = rest.find_first_not_of(" \t\r\n") == std::string_view::npos;
      if (blank && cut_before) {
        m_pos = scan;
        fail_here(root + "[" + std::to_string(next_index) + "]", "trailing ',' before ']'");
      }
      if (!blank) parse_batch(batch_start, scan, root, next_index, handler);
      m_pos = scan + 1;
      report_progress();
      return;
    }
    if (cut) {
      parse_batch(batch_start, scan, root, next_index, handler);
      cut_before = true;
      elements_in_batch = 0;
      batch_start = scan + 1;
      scan = batch_start;
      m_pos = batch_start;
      report_progress();
    }
  }
}

void JsonStreamReader::parse_batch(std::size_t begin, std::size_t end, const std::string& root,
                                   std::size_t& next_index, const JsonElementHandler& handler) {
  char* buffer = m_buffer.get() + headroom;
  // Wrap the elements in brackets in place: buffer[begin - 1] is the '[' or ',' already consumed (or the
  // headroom byte) and buffer[end] is the ',' or ']' that ends the batch.
  char* json = buffer + begin - 1;
  json[0] = '[';
  buffer[end] = ']';
  const std::size_t length = end - begin + 2;
  const std::size_t allocated = static_cast<std::size_t>(buffer + m_capacity + simdjson::SIMDJSON_PADDING - json);
  const JsonPath root_path(root);
  const json::Where batch_where{m_path, root_path.index(next_index)};

  simdjson::ondemand::document document;
  if (auto error = m_parser.iterate(json, length, allocated).get(document)) {
    const std::string_view text(json, length);
    std::size_t offset = text.size();
    if (error == simdjson::UTF8_ERROR) {
      offset = json::first_invalid_utf8(text);
    } else if (error == simdjson::UNESCAPED_CHARS || error == simdjson::UNCLOSED_STRING) {
      for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 && !is_space(byte)) {
          offset = i;
          break;
        }
      }
    }
    if (offset >= text.size()) json::fail_syntax(batch_where, error);
    // Show the string that holds the bad byte.
    const std::size_t open = text.rfind('"', offset);
    const std::size_t close = text.find('"', offset);
    const std::size_t from = open == std::string_view::npos ? offset : open + 1;
    const std::size_t to = close == std::string_view::npos ? std::min(text.size(), offset + 20) : close;
    const std::string problem = error == simdjson::UTF8_ERROR ? "not valid UTF-8"
                                                              : "control character inside a string";
    throw InputError(m_path, json::json_path_at(text, offset, root, next_index),
                     quote_for_message(json::escape_bytes(text.substr(from, to - from)), 60),
                     problem + " (at byte " + std::to_string(m_buffer_file_offset + begin - 1 + offset) + ")");
  }
  simdjson::ondemand::array array;
  if (auto error = document.get_array().get(array)) json::fail_syntax(batch_where, error);
  for (auto element_result : array) {
    simdjson::ondemand::value element;
    if (auto error = std::move(element_result).get(element)) {
      json::fail_syntax(json::Where{m_path, root_path.index(next_index)}, error);
    }
    handler(element, next_index);
    ++next_index;
  }
}

void JsonStreamReader::skip_value(const std::string& root) {
  int c = peek_nonspace();
  if (c == -1) fail_here(root, "file ends before the value (truncated file?)");
  if (c == '[') {
    // Arrays (licenses, or any large unknown list) stream in batches like the known ones.
    const JsonPath root_path(root);
    read_array(root, [&](simdjson::ondemand::value element, std::size_t index) {
      validate(element, json::Where{m_path, root_path.index(index)});
    });
    return;
  }
  std::size_t scan = m_pos;
  if (c != '{' && c != '"') {
    // A scalar: read its token.
    for (;;) {
      const char* buffer = m_buffer.get() + headroom;
      while (scan < m_end && is_scalar_byte(buffer[scan])) ++scan;
      if (scan < m_end) break;
      std::size_t shift = 0;
      const bool more = refill(m_pos, shift);
      scan -= shift;
      if (!more) break;
    }
    const char* buffer = m_buffer.get() + headroom;
    if (!is_valid_scalar(std::string_view(buffer + m_pos, scan - m_pos))) fail_here(root, "not a JSON value");
    validate_value_text(m_pos, scan, root);
    m_pos = scan;
    return;
  }
  // An object or a string: find its end (kept in the buffer), then let simdjson check it.
  ScanState state;
  for (;;) {
    const char* buffer = m_buffer.get() + headroom;
    for (; scan < m_end; ++scan) {
      const char byte = buffer[scan];
      if (state.in_string) {
        if (state.escaped) {
          state.escaped = false;
        } else if (byte == '\\') {
          state.escaped = true;
        } else if (byte == '"') {
          state.in_string = false;
          if (state.depth == 0) {  // a string value ends here
            validate_value_text(m_pos, scan + 1, root);
            m_pos = scan + 1;
            return;
          }
        }
      } else if (byte == '"') {
        state.in_string = true;
      } else if (byte == '{' || byte == '[') {
        ++state.depth;
      } else if (byte == '}' || byte == ']') {
        if (state.depth == 0) {
          m_pos = scan;
          fail_here(root, "unbalanced brackets");
        }
        if (--state.depth == 0) {
          validate_value_text(m_pos, scan + 1, root);
          m_pos = scan + 1;
          return;
        }
      }
    }
    std::size_t shift = 0;
    if (!refill(m_pos, shift)) fail_here(root, "file ends inside this value (truncated file?)");
    scan -= shift;
  }
}

void JsonStreamReader::validate_value_text(std::size_t begin, std::size_t end, const std::string& root) {
  // Wrapped in brackets in place, like a batch: the byte before `begin` is already consumed (':' or
  // whitespace, or the headroom byte), and the byte at `end` is restored afterwards.
  char* buffer = m_buffer.get() + headroom;
  const char saved_before = buffer[static_cast<std::ptrdiff_t>(begin) - 1];
  const char saved_end = buffer[end];
  buffer[static_cast<std::ptrdiff_t>(begin) - 1] = '[';
  buffer[end] = ']';
  const JsonPath root_path(root);
  const json::Where where{m_path, root_path};
  std::size_t index = 0;
  char* json = buffer + begin - 1;
  const std::size_t allocated = static_cast<std::size_t>(buffer + m_capacity + simdjson::SIMDJSON_PADDING - json);
  simdjson::ondemand::document document;
  auto error = m_parser.iterate(json, end - begin + 2, allocated).get(document);
  if (error) json::fail_syntax(where, error);
  simdjson::ondemand::array array;
  if ((error = document.get_array().get(array))) json::fail_syntax(where, error);
  for (auto element_result : array) {
    simdjson::ondemand::value element;
    if ((error = std::move(element_result).get(element))) json::fail_syntax(where, error);
    validate(element, where);
    ++index;
  }
  if (index != 1) json::fail(where, "", "invalid JSON value");
  buffer[static_cast<std::ptrdiff_t>(begin) - 1] = saved_before;
  buffer[end] = saved_end;
}

}  // namespace counterscope::data

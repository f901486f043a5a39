#pragma once
// Reads a large JSON file in bounded memory. A small hand-written scanner walks the outer structure (the
// top-level object's keys, or a top-level array) and cuts the big arrays ("annotations", "images", results
// lists) into batches of whole elements; each batch is parsed with simdjson On Demand.
//
// Why not one simdjson document for the whole file: On Demand needs the whole text in memory plus a 4-byte
// structural index per token, which for polygon-heavy LVIS files is about twice the file size on top of the
// parsed dataset. Batches keep both to a few megabytes while the parsing itself is still simdjson's.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include <simdjson.h>

#include "core/util/progress.h"

namespace counterscope::data {

/// Called for each element of a streamed array with the element and its index in that array.
using JsonElementHandler = std::function<void(simdjson::ondemand::value element, std::size_t index)>;

class JsonStreamReader {
 public:
  /// Opens `path`; throws InputError when it cannot be read. Progress is reported as bytes read under
  /// `progress_stage`.
  JsonStreamReader(const std::string& path, const JobContext& context, std::string progress_stage);
  ~JsonStreamReader();
  JsonStreamReader(const JsonStreamReader&) = delete;
  JsonStreamReader& operator=(const JsonStreamReader&) = delete;

  /// Reads the top-level object: for each member calls `on_member(key)`, which must consume the member's
  /// value with read_array() or skip_value(). Then checks that only whitespace follows.
  void read_object(const std::function<void(const std::string& key)>& on_member);
  /// Reads a file whose top level is an array (results files), then checks that only whitespace follows.
  void read_top_level_array(const std::string& root, const JsonElementHandler& handler);

  /// The next value is an array: streams its elements to `handler`. `root` names it in messages.
  void read_array(const std::string& root, const JsonElementHandler& handler);
  /// Skips the next value (unknown fields such as "info"), after checking that it is valid JSON.
  void skip_value(const std::string& root);

  const std::string& path() const { return m_path; }
  std::uint64_t file_size() const { return m_file_size; }
  /// Bytes of the file not consumed yet.
  std::uint64_t bytes_left() const { return m_file_size - (m_buffer_file_offset + m_pos); }

 private:
  // Scanner state carried across buffer refills.
  struct ScanState {
    std::size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
  };

  int peek_nonspace();  // next non-whitespace byte (not consumed) or -1 at end of file
  std::string read_key(const std::string& where);
  // Moves bytes from `keep_from` on to the front of the buffer and reads more; grows the buffer when it is
  // full. `shift` is what was subtracted from buffer positions (callers adjust theirs). False at end of file.
  bool refill(std::size_t keep_from, std::size_t& shift);
  void parse_batch(std::size_t begin, std::size_t end, const std::string& root, std::size_t& next_index,
                   const JsonElementHandler& handler);
  [[noreturn]] void fail_here(const std::string& field, const std::string& problem);
  std::string preview(std::size_t position) const;
  void report_progress();
  // Parses the complete value in [begin, end) of the buffer with simdjson and visits all of it.
  void validate_value_text(std::size_t begin, std::size_t end, const std::string& root);
  void expect_end(const std::string& after);

  std::string m_path;
  JobContext m_context;
  std::string m_stage;
  std::FILE* m_file = nullptr;
  std::uint64_t m_file_size = 0;
  std::uint64_t m_buffer_file_offset = 0;  // file offset of m_buffer[0]
  std::unique_ptr<char[]> m_buffer;        // m_capacity bytes + simdjson padding
  std::size_t m_capacity = 0;
  std::size_t m_end = 0;  // valid bytes in the buffer
  std::size_t m_pos = 0;  // next byte to read
  bool m_eof = false;
  simdjson::ondemand::parser m_parser;
};

}  // namespace counterscope::data

#pragma once
// Typed reads of simdjson On Demand values for the loaders. Every failure becomes an InputError that names
// the file, the JSON path and the value found there, so a bad annotation file is never half-loaded silently.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/data/lvis/json_path.h"

namespace counterscope::data::json {

/// Where a value comes from: the file (for messages) and its JSON path.
struct Where {
  const std::string& file;
  JsonPath path;

  Where key(std::string_view name) const { return Where{file, path.key(name)}; }
  Where index(std::size_t i) const { return Where{file, path.index(i)}; }
};

/// Throws InputError(file, path, value, problem).
[[noreturn]] void fail(const Where& where, const std::string& value, const std::string& problem);
/// Throws the InputError for a simdjson error met while reading the value at `where`.
[[noreturn]] void fail_syntax(const Where& where, simdjson::error_code error);
/// A short text of the value for messages: the token for scalars, the start of the text for containers.
std::string describe(simdjson::ondemand::value& value);

std::int64_t read_int64(simdjson::ondemand::value value, const Where& where);
/// A finite double (JSON has no NaN/Infinity; this also rejects numbers that overflow).
double read_double(simdjson::ondemand::value value, const Where& where);
/// A non-negative finite double.
double read_non_negative(simdjson::ondemand::value value, const Where& where);
std::string read_string(simdjson::ondemand::value value, const Where& where);
/// true/false, or the integers 0/1 that COCO writes for flags like iscrowd.
bool read_flag(simdjson::ondemand::value value, const Where& where);
simdjson::ondemand::object read_object(simdjson::ondemand::value value, const Where& where);
simdjson::ondemand::array read_array(simdjson::ondemand::value value, const Where& where);
std::vector<std::int64_t> read_int64_list(simdjson::ondemand::value value, const Where& where);
std::vector<std::string> read_string_list(simdjson::ondemand::value value, const Where& where);
/// A box [x, y, w, h] of four finite numbers with w, h >= 0, stored in `out`.
void read_box(simdjson::ondemand::value value, const Where& where, double out[4]);
/// A [height, width] pair of non-negative integers that fit 32 bits.
/// The "counts" of an RLE segmentation: a compressed string (is_compressed = true, into `compressed`) or a
/// list of run lengths, each in [0, 2^32) (into `runs`).
void read_rle_counts(simdjson::ondemand::value value, const Where& where, bool& is_compressed, std::string& compressed,
                     std::vector<std::uint32_t>& runs);
void read_size(simdjson::ondemand::value value, const Where& where, std::uint32_t& height,
               std::uint32_t& width);

/// Appends the numbers of `raw`, the text of a JSON array of numbers as simdjson's array::raw_json() gives
/// it (trailing whitespace allowed), to `out`; returns how many. The hot path of the loader (polygon
/// coordinates): a number whose digits form an integer m <= 2^53, without exponent, is m / 10^k in one
/// division (Clinger's fast path, correctly rounded like every other number); others go through
/// std::from_chars. Anything that is not a number fails with the element's path and text.
std::size_t append_numbers(std::string_view raw, const Where& where, std::vector<double>& out);

/// Iterates the fields of an object, calling `on_field(key, value)`; `key` is the unescaped key.
template <typename OnField>
void for_each_field(simdjson::ondemand::object object, const Where& where, OnField&& on_field) {
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (auto error = std::move(field_result).get(field)) fail_syntax(where, error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) fail_syntax(where, error);
    on_field(key, field.value());
  }
}

/// Iterates the elements of an array, calling `on_element(value, index)`.
template <typename OnElement>
void for_each_element(simdjson::ondemand::array array, const Where& where, OnElement&& on_element) {
  std::size_t index = 0;
  for (auto element_result : array) {
    simdjson::ondemand::value element;
    if (auto error = std::move(element_result).get(element)) fail_syntax(where.index(index), error);
    on_element(element, index);
    ++index;
  }
}

/// Offset of the first byte that is not valid UTF-8 in `text`, or text.size() when all is valid.
std::size_t first_invalid_utf8(std::string_view text);
/// The JSON path of the value containing byte `offset` of `text`, a JSON array whose element 0 is
/// element `first_index` of the array at `root`. Used to place errors that simdjson reports for a whole
/// batch (invalid UTF-8, control characters in strings).
std::string json_path_at(std::string_view text, std::size_t offset, std::string_view root,
                         std::size_t first_index);
/// `text` with control characters and bytes that are not valid UTF-8 shown as \xNN.
std::string escape_bytes(std::string_view text);

}  // namespace counterscope::data::json

#pragma once
// Byte-level helpers for the JSON scanner of json_stream.cpp: finding the bytes that matter (SSE2 where
// available) and unescaping object keys.

#include <string>
#include <string_view>

namespace counterscope::data::json {

/// First byte in [p, end) that is a quote, bracket or brace (end when none).
const char* find_structural(const char* p, const char* end);
/// First quote or backslash in [p, end) (end when none).
const char* find_quote_or_backslash(const char* p, const char* end);
/// Unescapes the raw text of a JSON string (without its quotes) into `out`; false on a malformed escape or
/// a raw control character.
bool unescape(std::string_view raw, std::string& out);

}  // namespace counterscope::data::json

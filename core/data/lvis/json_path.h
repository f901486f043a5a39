#pragma once
// A JSON path such as `annotations[12].segmentation[0]`, built while parsing without allocating (the
// loader reads millions of values) and formatted only when an error message needs it.
//
// A path is a chain of stack objects: each one points to its parent. Build a child only from a path that
// outlives it (a named local or a function parameter), never from a temporary that you then store.

#include <cstddef>
#include <string>
#include <string_view>

namespace counterscope::data {

class JsonPath {
 public:
  /// The root, e.g. "annotations". `root` must outlive the path.
  explicit JsonPath(std::string_view root = {}) : m_text(root) {}

  /// This path extended by an object key (`key` must outlive the child).
  JsonPath key(std::string_view key) const { return JsonPath(this, key, 0, false); }
  /// This path extended by an array index.
  JsonPath index(std::size_t index) const { return JsonPath(this, {}, index, true); }

  std::string str() const {
    if (m_parent == nullptr) return std::string(m_text);
    std::string text = m_parent->str();
    if (m_is_index) {
      text += "[" + std::to_string(m_index) + "]";
    } else {
      if (!text.empty()) text += ".";
      text += m_text;
    }
    return text;
  }

 private:
  JsonPath(const JsonPath* parent, std::string_view key, std::size_t index, bool is_index)
      : m_parent(parent), m_text(key), m_index(index), m_is_index(is_index) {}

  const JsonPath* m_parent = nullptr;
  std::string_view m_text;  // the root, or this level's key
  std::size_t m_index = 0;
  bool m_is_index = false;
};

}  // namespace counterscope::data

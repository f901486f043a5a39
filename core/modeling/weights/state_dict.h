#pragma once
// A model's weights as an ordered list of named tensors: what torch's `model.state_dict()` holds, in the order
// the file stores it, independent of the file format it came from.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include <ATen/core/Tensor.h>

namespace counterscope::modeling {

/// One named tensor of a state dict.
struct StateDictEntry {
  std::string name;  ///< the parameter or buffer name, e.g. "backbone.body.layer1.0.conv1.weight"
  at::Tensor tensor;
};

/// Named tensors in insertion order; names are unique.
class StateDict {
 public:
  /// Appends a tensor; throws counterscope::Error when `name` is already present.
  void insert(std::string name, at::Tensor tensor);
  /// The tensor called `name`, or nullptr.
  const at::Tensor* find(const std::string& name) const;
  bool contains(const std::string& name) const { return m_index.count(name) != 0; }

  std::size_t size() const { return m_entries.size(); }
  bool empty() const { return m_entries.empty(); }
  const std::vector<StateDictEntry>& entries() const { return m_entries; }
  std::vector<StateDictEntry>::const_iterator begin() const { return m_entries.begin(); }
  std::vector<StateDictEntry>::const_iterator end() const { return m_entries.end(); }

  /// Total number of elements over all tensors.
  std::int64_t total_numel() const;

 private:
  std::vector<StateDictEntry> m_entries;
  std::unordered_map<std::string, std::size_t> m_index;
};

}  // namespace counterscope::modeling

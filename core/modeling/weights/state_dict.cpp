#include "core/modeling/weights/state_dict.h"

#include <utility>

#include "core/util/error.h"

namespace counterscope::modeling {

void StateDict::insert(std::string name, at::Tensor tensor) {
  if (m_index.count(name) != 0) throw Error("state dict: tensor " + quote_for_message(name) + " appears twice");
  m_index.emplace(name, m_entries.size());
  m_entries.push_back(StateDictEntry{std::move(name), std::move(tensor)});
}

const at::Tensor* StateDict::find(const std::string& name) const {
  auto it = m_index.find(name);
  return it == m_index.end() ? nullptr : &m_entries[it->second].tensor;
}

std::int64_t StateDict::total_numel() const {
  std::int64_t total = 0;
  for (const auto& entry : m_entries) total += entry.tensor.numel();
  return total;
}

}  // namespace counterscope::modeling

#pragma once
// The one mapping between dataset category ids and a model's contiguous labels (torchvision's convention):
// label 0 is background, label k (1-based) is the k-th category in increasing id order. Training, predict
// and the explainer all go through this, so ids never drift between them.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/data/lvis/dataset.h"

namespace counterscope::data {

class CategoryLabels {
 public:
  explicit CategoryLabels(const Dataset& dataset) {
    for (const Category& category : dataset.categories) m_ids.push_back(category.id);
    std::sort(m_ids.begin(), m_ids.end());
    for (std::size_t i = 0; i < m_ids.size(); ++i) m_label_of.emplace(m_ids[i], static_cast<std::int64_t>(i + 1));
  }

  /// Number of classes including background.
  std::int64_t num_classes() const { return static_cast<std::int64_t>(m_ids.size()) + 1; }
  std::optional<std::int64_t> label_of(std::int64_t category_id) const {
    const auto it = m_label_of.find(category_id);
    if (it == m_label_of.end()) return std::nullopt;
    return it->second;
  }
  /// Category id of a foreground label (1-based); nullopt for background or out of range.
  std::optional<std::int64_t> category_of(std::int64_t label) const {
    if (label < 1 || label > static_cast<std::int64_t>(m_ids.size())) return std::nullopt;
    return m_ids[static_cast<std::size_t>(label - 1)];
  }

 private:
  std::vector<std::int64_t> m_ids;
  std::unordered_map<std::int64_t, std::int64_t> m_label_of;
};

}  // namespace counterscope::data

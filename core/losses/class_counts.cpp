#include "core/losses/class_counts.h"

#include "core/util/error.h"

namespace counterscope::losses {

torch::Tensor clamped_class_counts(const std::vector<double>& counts, std::int64_t num_classes,
                                   const std::string& loss_name) {
  if (static_cast<std::int64_t>(counts.size()) != num_classes)
    throw InputError("loss " + loss_name, "class_instance_counts", std::to_string(counts.size()) + " entries",
                     "expected one count per class including background (" + std::to_string(num_classes) + ")");
  for (std::size_t i = 0; i < counts.size(); ++i)
    if (!(counts[i] >= 0))
      throw InputError("loss " + loss_name, "class_instance_counts[" + std::to_string(i) + "]",
                       std::to_string(counts[i]), "expected a count >= 0");
  return torch::tensor(counts, torch::kFloat64).clamp_min(1.0);
}

}  // namespace counterscope::losses

#include "core/modeling/weights/apply_state_dict.h"

#include <sstream>
#include <unordered_set>
#include <utility>

#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace counterscope::modeling {
namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

void append_names(std::ostringstream& out, const char* title, const std::vector<std::string>& names,
                  std::size_t max_lines) {
  if (names.empty()) return;
  out << "\n" << names.size() << " " << title << ":";
  for (std::size_t i = 0; i < names.size() && i < max_lines; ++i) out << "\n  " << names[i];
  if (names.size() > max_lines) out << "\n  ... and " << names.size() - max_lines << " more";
}

std::string mismatch_message(const ApplyStateDictReport& report) {
  return "the checkpoint does not fit the model:" + report.describe();
}

}  // namespace

std::string ApplyStateDictReport::describe(std::size_t max_lines) const {
  std::ostringstream out;
  out << " " << loaded.size() << " tensors loaded";
  append_names(out, "missing from the checkpoint", missing, max_lines);
  append_names(out, "unexpected in the checkpoint", unexpected, max_lines);
  if (!shape_mismatches.empty()) {
    out << "\n" << shape_mismatches.size() << " with a different shape:";
    for (std::size_t i = 0; i < shape_mismatches.size() && i < max_lines; ++i) {
      const auto& m = shape_mismatches[i];
      out << "\n  " << m.name << ": model " << shape_text(m.module_shape) << ", checkpoint "
          << shape_text(m.checkpoint_shape);
    }
    if (shape_mismatches.size() > max_lines) out << "\n  ... and " << shape_mismatches.size() - max_lines << " more";
  }
  return out.str();
}

StateDictMismatch::StateDictMismatch(const std::string& source, ApplyStateDictReport report)
    : InputError(source, "state dict", "", mismatch_message(report)), m_report(std::move(report)) {}

ApplyStateDictReport apply_state_dict(torch::nn::Module& module, const StateDict& state,
                                      const ApplyStateDictOptions& options) {
  std::vector<std::pair<std::string, torch::Tensor>> targets;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) targets.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true)) targets.emplace_back(item.key(), item.value());

  ApplyStateDictReport report;
  std::vector<std::pair<torch::Tensor, const at::Tensor*>> copies;
  std::unordered_set<std::string> known;
  for (auto& [name, target] : targets) {
    known.insert(name);
    const at::Tensor* source = state.find(name);
    if (source == nullptr) {
      report.missing.push_back(name);
    } else if (source->sizes() != target.sizes()) {
      report.shape_mismatches.push_back(ShapeMismatch{name, target.sizes().vec(), source->sizes().vec()});
    } else {
      copies.emplace_back(target, source);
      report.loaded.push_back(name);
    }
  }
  for (const auto& entry : state) {
    if (known.count(entry.name) == 0) report.unexpected.push_back(entry.name);
  }
  if (options.strict && !report.clean()) throw StateDictMismatch(options.source, std::move(report));

  torch::NoGradGuard no_grad;
  for (auto& [target, source] : copies) target.copy_(*source);
  return report;
}

}  // namespace counterscope::modeling

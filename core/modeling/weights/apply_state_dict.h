#pragma once
// Copying a StateDict into a LibTorch module: parameters AND buffers (BatchNorm running statistics ...), by
// the names Python's state_dict() uses. Missing keys, unexpected keys and shape mismatches are always
// reported by name, never silently ignored.

#include <cstdint>
#include <string>
#include <vector>

#include "core/modeling/weights/state_dict.h"
#include "core/util/error.h"

namespace torch::nn {
class Module;
}

namespace counterscope::modeling {

/// Options of apply_state_dict.
struct ApplyStateDictOptions {
  /// true: any missing, unexpected or mis-shaped key throws StateDictMismatch and the module is left unchanged;
  /// false: the tensors that fit are copied and the report lists the rest, for the caller to print.
  bool strict = true;
  /// The checkpoint's file name, for messages.
  std::string source;
};

/// A tensor whose shape in the checkpoint differs from the module's.
struct ShapeMismatch {
  std::string name;
  std::vector<std::int64_t> module_shape;
  std::vector<std::int64_t> checkpoint_shape;
};

/// What apply_state_dict did.
struct ApplyStateDictReport {
  std::vector<std::string> loaded;       ///< copied into the module
  std::vector<std::string> missing;      ///< in the module, not in the checkpoint
  std::vector<std::string> unexpected;   ///< in the checkpoint, not in the module
  std::vector<ShapeMismatch> shape_mismatches;

  /// Nothing missing, unexpected or mis-shaped.
  bool clean() const { return missing.empty() && unexpected.empty() && shape_mismatches.empty(); }
  /// A readable summary, one line per problem (at most `max_lines` names per kind).
  std::string describe(std::size_t max_lines = 20) const;
};

/// Thrown by a strict apply_state_dict; carries the full report.
class StateDictMismatch : public InputError {
 public:
  StateDictMismatch(const std::string& source, ApplyStateDictReport report);
  const ApplyStateDictReport& report() const { return m_report; }

 private:
  ApplyStateDictReport m_report;
};

/// Copies `state` into `module`'s parameters and buffers (converting dtype and device). See the options for
/// what strict and non-strict do with keys that do not match.
ApplyStateDictReport apply_state_dict(torch::nn::Module& module, const StateDict& state,
                                      const ApplyStateDictOptions& options = {});

}  // namespace counterscope::modeling

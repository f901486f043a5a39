#include "core/modeling/ops/ops_checks.h"

#include <sstream>

namespace counterscope::modeling::ops_detail {

std::string describe(const torch::Tensor& tensor) {
  if (!tensor.defined()) return "undefined tensor";
  std::ostringstream text;
  text << tensor.sizes() << ' ' << tensor.dtype().name();
  if (!tensor.device().is_cpu()) text << " on " << tensor.device().str();
  return text.str();
}

InputError shape_error(const std::string& op, const std::string& argument, const torch::Tensor& tensor,
                       const std::string& problem) {
  return InputError(op, argument, describe(tensor), problem);
}

void check_boxes(const torch::Tensor& boxes, const std::string& op, const std::string& argument) {
  if (!boxes.defined() || boxes.dim() != 2 || boxes.size(1) != 4) {
    throw shape_error(op, argument, boxes, "expected boxes [N, 4] as (x1, y1, x2, y2)");
  }
}

void check_positive(int64_t value, const std::string& op, const std::string& argument, bool allow_zero) {
  if (value > 0 || (allow_zero && value == 0)) return;
  throw InputError(op, argument, std::to_string(value), allow_zero ? "must be >= 0" : "must be > 0");
}

}  // namespace counterscope::modeling::ops_detail

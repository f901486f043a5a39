#pragma once
// Input checks shared by the detection ops (internal). A wrong shape or dtype is a programming or
// data error upstream; it is reported as an InputError that names the op, the argument and the
// offending shape/dtype, never as an assert.

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "core/util/error.h"

namespace counterscope::modeling::ops_detail {

/// "[3, 5] float" for error messages.
std::string describe(const torch::Tensor& tensor);

/// InputError "<op>: <argument> = <shape dtype>: <problem>".
InputError shape_error(const std::string& op, const std::string& argument, const torch::Tensor& tensor,
                       const std::string& problem);

/// Throws unless `boxes` is a defined [N,4] tensor.
void check_boxes(const torch::Tensor& boxes, const std::string& op, const std::string& argument);

/// Throws unless `value` > 0 (or >= 0 when allow_zero), naming the argument and the value.
void check_positive(int64_t value, const std::string& op, const std::string& argument, bool allow_zero = false);

}  // namespace counterscope::modeling::ops_detail

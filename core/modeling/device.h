#pragma once
// Run-time device choice ("cpu", "cuda", "cuda:1") with a clear error when CUDA is absent.

#include <string>

#include <torch/types.h>

namespace counterscope::modeling {

/// Parses a device name. Throws InputError naming `source` (e.g. "--device") when the name is malformed,
/// when CUDA is asked for but this LibTorch has no CUDA or sees no GPU, or the index is out of range.
torch::Device parse_device(const std::string& name, const std::string& source = "--device");

}  // namespace counterscope::modeling

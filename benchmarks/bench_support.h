#pragma once
// Helpers of the benchmarks that run a Python baseline (torchvision) beside the C++ side in one run, on the CPU
// or a GPU.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <torch/cuda.h>
#include <torch/types.h>

namespace counterscope::bench {

/// Blocks until the device's queued kernels are done, so that a clock reading after it covers them (CUDA runs
/// kernels asynchronously); a no-op on the CPU.
inline void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

/// The median (the mean of the two middle values for an even count).
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

/// The Python that runs the torchvision side: $COUNTERSCOPE_PYTHON when set (a GPU machine's own Python with a
/// CUDA torch), else Debian's /usr/bin/python3, whose torch is the LibTorch we link against.
inline std::string python() {
  const char* chosen = std::getenv("COUNTERSCOPE_PYTHON");
  return chosen != nullptr && *chosen != '\0' ? chosen : "/usr/bin/python3";
}

/// Runs `command` through the shell and returns what it wrote to standard output ("" if it could not start).
inline std::string command_output(const std::string& command) {
  std::string output;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return output;
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe.get()) != nullptr) output += buffer;
  return output;
}

}  // namespace counterscope::bench

#pragma once
// Helpers of the benchmarks that run a Python baseline (torchvision) beside the C++ side in one run.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace counterscope::bench {

/// The median (the mean of the two middle values for an even count).
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
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

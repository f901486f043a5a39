#pragma once
// Test support for the detection ops: runs make_ops_reference.py (torchvision 0.14 under Debian's
// /usr/bin/python3) when its saved output is missing or older than the script, and loads the tensors.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tests/test_paths.h"

namespace counterscope::modeling::testing {

/// Named reference tensors of one section of make_ops_reference.py.
class OpsReference {
 public:
  const torch::Tensor& at(const std::string& name) const {
    const auto found = m_tensors.find(name);
    if (found == m_tensors.end()) throw std::runtime_error("reference tensor missing: " + name);
    return found->second;
  }
  double scalar(const std::string& name) const { return at(name).item<double>(); }

  /// Runs the script for `section` if needed and loads OUT/<section>.pt; throws with the command on failure.
  static const OpsReference& load(const std::string& section) {
    static std::map<std::string, OpsReference> cache;
    const auto cached = cache.find(section);
    if (cached != cache.end()) return cached->second;
    const std::filesystem::path folder = std::filesystem::path(COUNTERSCOPE_TEST_TMP_DIR) / "modeling_ops";
    std::filesystem::create_directories(folder);
    const std::filesystem::path script =
        std::filesystem::path(COUNTERSCOPE_SOURCE_DIR) / "tests" / "modeling" / "ops" / "make_ops_reference.py";
    const std::filesystem::path saved = folder / (section + ".pt");
    // The inputs come from fixed seeds, so a file written after the last edit of the script is reused
    // (starting Python with torchvision costs seconds per test executable).
    std::error_code error;
    const bool fresh = std::filesystem::exists(saved, error) &&
                       std::filesystem::last_write_time(saved, error) >= std::filesystem::last_write_time(script, error);
    if (!fresh) {
      const std::string command =
          "/usr/bin/python3 \"" + script.string() + "\" \"" + folder.string() + "\" " + section;
      if (std::system(command.c_str()) != 0) {
        throw std::runtime_error("reference generation failed (needs python3-torchvision): " + command);
      }
    }
    std::ifstream file(saved, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    OpsReference reference;
    for (const auto& entry : torch::pickle_load(bytes).toGenericDict()) {
      reference.m_tensors[entry.key().toStringRef()] = entry.value().toTensor();
    }
    return cache.emplace(section, std::move(reference)).first->second;
  }

 private:
  std::map<std::string, torch::Tensor> m_tensors;
};

/// Largest absolute difference (after checking shapes).
inline double max_abs_difference(const torch::Tensor& actual, const torch::Tensor& expected) {
  EXPECT_EQ(actual.sizes(), expected.sizes());
  if (actual.sizes() != expected.sizes()) return INFINITY;
  if (actual.numel() == 0) return 0.0;
  return (actual.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs().max().item<double>();
}

/// Exact equality of integer tensors, printing both on failure.
inline void expect_identical(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& what) {
  const bool same = actual.sizes() == expected.sizes() && actual.to(torch::kInt64).equal(expected.to(torch::kInt64));
  EXPECT_TRUE(same) << what << "\nactual:\n" << actual << "\nexpected:\n" << expected;
}

}  // namespace counterscope::modeling::testing

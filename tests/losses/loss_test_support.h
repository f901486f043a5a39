#pragma once
// Shared by the loss tests: independent double-precision evaluations of the formulas (plain loops, no
// tensors) and a finite-difference gradient check.

#include <cmath>
#include <functional>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace counterscope::losses::testing {

using Matrix = std::vector<std::vector<double>>;

inline std::vector<double> softmax_row(const std::vector<double>& z) {
  double largest = z[0];
  for (double v : z) largest = std::max(largest, v);
  double sum = 0;
  for (double v : z) sum += std::exp(v - largest);
  std::vector<double> p(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) p[i] = std::exp(z[i] - largest) / sum;
  return p;
}

inline torch::Tensor to_tensor(const Matrix& m) {
  std::vector<double> flat;
  for (const auto& row : m) flat.insert(flat.end(), row.begin(), row.end());
  return torch::tensor(flat, torch::kFloat64).reshape({static_cast<long>(m.size()), static_cast<long>(m[0].size())});
}

inline torch::Tensor to_labels(const std::vector<long>& labels) { return torch::tensor(labels, torch::kLong); }

/// Central finite differences of `loss_of(logits)` compared with autograd's gradient.
inline void expect_gradient_matches_finite_differences(const std::function<torch::Tensor(const torch::Tensor&)>& loss_of,
                                                       const torch::Tensor& logits, double tolerance = 1e-6) {
  torch::Tensor x = logits.clone().set_requires_grad(true);
  loss_of(x).backward();
  const torch::Tensor analytic = x.grad();
  const double h = 1e-6;
  auto flat = logits.reshape({-1});
  for (long i = 0; i < flat.numel(); ++i) {
    torch::Tensor plus = flat.clone(), minus = flat.clone();
    plus[i] += h;
    minus[i] -= h;
    const double numeric = (loss_of(plus.view_as(logits)).item<double>() - loss_of(minus.view_as(logits)).item<double>()) / (2 * h);
    EXPECT_NEAR(analytic.reshape({-1})[i].item<double>(), numeric, tolerance) << "logit " << i;
  }
}

/// A fixed batch: 5 RoIs over 4 classes (0 = background), mixed labels.
inline Matrix sample_logits() {
  return {{0.3, -1.2, 2.0, 0.1}, {1.5, 0.2, -0.7, 0.4}, {-0.4, 0.9, 0.8, -2.1}, {0.0, 0.0, 0.0, 3.0}, {2.2, -0.3, 1.1, 0.6}};
}
inline std::vector<long> sample_labels() { return {2, 0, 1, 3, 0}; }

}  // namespace counterscope::losses::testing

// RoIAlign against torchvision 0.14 (forward and backward), its tensor-op path against the CPU kernel,
// a finite-difference gradient check, and edge cases.

#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/modeling/ops/roi_align.h"
#include "core/util/error.h"
#include "tests/modeling/ops/ops_reference.h"

namespace counterscope::modeling {
namespace {

using testing::max_abs_difference;
using testing::OpsReference;

struct Variant {
  bool aligned;
  int64_t sampling_ratio;
  std::string key() const { return "aligned" + std::to_string(aligned) + "_sr" + std::to_string(sampling_ratio); }
};

const Variant k_variants[] = {{false, 0}, {false, 2}, {true, 0}, {true, 2}};
constexpr double k_scale = 0.5;

/// Output and input gradient of `op` for the reference features, rois and grad_output.
template <typename Op>
std::pair<torch::Tensor, torch::Tensor> run(const OpsReference& ref, const Variant& v, Op op) {
  const torch::Tensor input = ref.at("features").clone().set_requires_grad(true);
  const torch::Tensor output = op(input, ref.at("rois"), k_scale, 5, 4, v.sampling_ratio, v.aligned);
  output.backward(ref.at("grad_output"));
  return {output.detach(), input.grad()};
}

TEST(RoiAlign, KernelMatchesTorchvisionForwardAndBackward) {
  const OpsReference& ref = OpsReference::load("roi_align");
  for (const Variant& v : k_variants) {
    const auto [output, grad] = run(ref, v, roi_align);
    EXPECT_LE(max_abs_difference(output, ref.at(v.key() + "_output")), 1e-5) << v.key();
    EXPECT_LE(max_abs_difference(grad, ref.at(v.key() + "_grad")), 1e-4) << v.key();
  }
}

TEST(RoiAlign, TensorOpPathMatchesTorchvision) {
  const OpsReference& ref = OpsReference::load("roi_align");
  for (const Variant& v : k_variants) {
    const auto [output, grad] = run(ref, v, detail::roi_align_tensor_ops);
    EXPECT_LE(max_abs_difference(output, ref.at(v.key() + "_output")), 1e-5) << v.key();
    EXPECT_LE(max_abs_difference(grad, ref.at(v.key() + "_grad")), 1e-4) << v.key();
  }
}

TEST(RoiAlign, GradientMatchesFiniteDifferences) {
  torch::manual_seed(5);
  const torch::Tensor input = torch::randn({2, 2, 6, 7}, torch::kFloat64);
  const torch::Tensor rois = torch::tensor({0.0, 1.2, 0.7, 9.5, 8.1, 1.0, -2.0, 3.0, 6.0, 14.0, 0.0, 4.0, 4.0, 4.5, 4.2},
                                           torch::kFloat64)
                                 .view({3, 5});
  const torch::Tensor weights = torch::randn({3, 2, 3, 2}, torch::kFloat64);
  for (const Variant& v : k_variants) {
    auto objective = [&](const torch::Tensor& x) {
      return (roi_align(x, rois, 0.8, 3, 2, v.sampling_ratio, v.aligned) * weights).sum();
    };
    torch::Tensor x = input.clone().set_requires_grad(true);
    objective(x).backward();
    const torch::Tensor analytic = x.grad();
    // The op is linear in the input, so central differences are exact up to rounding.
    torch::NoGradGuard no_grad;
    const torch::Tensor flat = input.flatten();
    for (int64_t i = 0; i < flat.numel(); i += 3) {
      torch::Tensor plus = flat.clone(), minus = flat.clone();
      plus[i] += 1e-6;
      minus[i] -= 1e-6;
      const double numeric = (objective(plus.view(input.sizes())).item<double>() -
                              objective(minus.view(input.sizes())).item<double>()) / 2e-6;
      EXPECT_NEAR(analytic.flatten()[i].item<double>(), numeric, 1e-6) << v.key() << " element " << i;
    }
  }
}

TEST(RoiAlign, ZeroRoisGiveAnEmptyResultAndZeroGradient) {
  const torch::Tensor input = torch::randn({1, 3, 8, 8}).set_requires_grad(true);
  const torch::Tensor output = roi_align(input, torch::zeros({0, 5}), 1.0, 7, 7, 2, true);
  EXPECT_EQ(output.sizes(), (torch::IntArrayRef{0, 3, 7, 7}));
  output.sum().backward();
  EXPECT_EQ(input.grad().abs().sum().item<double>(), 0.0);
  EXPECT_EQ(detail::roi_align_tensor_ops(input, torch::zeros({0, 5}), 1.0, 7, 7, 2, true).size(0), 0);
}

TEST(RoiAlign, RoiOutsideTheMapPoolsZeros) {
  const torch::Tensor input = torch::ones({1, 1, 4, 4});
  const torch::Tensor rois = torch::tensor({0.f, 20.f, 20.f, 30.f, 30.f}).view({1, 5});
  EXPECT_EQ(roi_align(input, rois, 1.0, 2, 2, 2, false).abs().max().item<double>(), 0.0);
  // Inside a constant map every bin averages to the constant.
  const torch::Tensor inside = torch::tensor({0.f, 0.5f, 0.5f, 3.f, 3.f}).view({1, 5});
  EXPECT_NEAR(roi_align(input, inside, 1.0, 2, 2, 0, true).min().item<double>(), 1.0, 1e-6);
}

TEST(RoiAlign, RejectsBadInputs) {
  const torch::Tensor input = torch::zeros({2, 1, 4, 4});
  EXPECT_THROW(roi_align(input, torch::zeros({1, 4}), 1.0, 2, 2, 2, false), InputError);
  EXPECT_THROW(roi_align(input, torch::tensor({2.f, 0.f, 0.f, 1.f, 1.f}).view({1, 5}), 1.0, 2, 2, 2, false),
               InputError);
  EXPECT_THROW(roi_align(input, torch::zeros({1, 5}, torch::kFloat64), 1.0, 2, 2, 2, false), InputError);
  EXPECT_THROW(roi_align(input, torch::zeros({1, 5}), 1.0, 0, 2, 2, false), InputError);
  EXPECT_THROW(roi_align(torch::zeros({4, 4}), torch::zeros({1, 5}), 1.0, 2, 2, 2, false), InputError);
}

}  // namespace
}  // namespace counterscope::modeling

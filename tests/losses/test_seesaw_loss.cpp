// Seesaw loss against an independent double-precision evaluation of
//   σ̂_i = e^{z_i} / (e^{z_i} + Σ_{j≠i} S_ij e^{z_j}),  S_ij = M_ij·C_ij
// (mission.md §3), online count accumulation, objectness, gradients and checkpoint state.

#include <cmath>

#include "core/losses/classification_loss.h"
#include "core/losses/seesaw_loss.h"
#include "tests/losses/loss_test_support.h"

namespace counterscope::losses {
namespace {

using namespace testing;

constexpr double kP = 0.8, kQ = 2.0, kEps = 1e-2;

/// −log σ̂_y for one row of logits `z` over K classes with counts N (already including this batch).
double seesaw_term(const std::vector<double>& z, long y, const std::vector<double>& counts) {
  const std::vector<double> sigma = softmax_row(z);
  double denominator = std::exp(z[y]);
  for (std::size_t j = 0; j < z.size(); ++j) {
    if (static_cast<long>(j) == y) continue;
    const double n_i = std::max(counts[y], 1.0), n_j = std::max(counts[j], 1.0);
    const double mitigation = n_i > n_j ? std::pow(n_j / n_i, kP) : 1.0;
    const double self_score = std::max(sigma[y], kEps);
    const double compensation = sigma[j] > self_score ? std::pow(sigma[j] / self_score, kQ) : 1.0;
    denominator += mitigation * compensation * std::exp(z[j]);
  }
  return -(z[y] - std::log(denominator));
}

/// The whole loss with objectness: logits rows are [class 1..C, object, not-object], labels in [0, C].
double reference_seesaw_with_objectness(const Matrix& z, const std::vector<long>& labels, std::vector<double> counts) {
  for (long y : labels) counts[y] += 1;  // accumulated before the loss, background included
  const std::size_t classes = z[0].size() - 2;
  const std::vector<double> foreground_counts(counts.begin() + 1, counts.end());
  double total = 0;
  for (std::size_t n = 0; n < z.size(); ++n) {
    if (labels[n] > 0) {
      std::vector<double> class_logits(z[n].begin(), z[n].begin() + classes);
      total += seesaw_term(class_logits, labels[n] - 1, foreground_counts);
    }
    const std::vector<double> objectness = softmax_row({z[n][classes], z[n][classes + 1]});
    total -= std::log(objectness[labels[n] == 0 ? 1 : 0]);
  }
  return total / z.size();
}

double reference_seesaw_plain(const Matrix& z, const std::vector<long>& labels, std::vector<double> counts) {
  for (long y : labels) counts[y] += 1;
  double total = 0;
  for (std::size_t n = 0; n < z.size(); ++n) total += seesaw_term(z[n], labels[n], counts);
  return total / z.size();
}

std::unique_ptr<ClassificationLoss> make_seesaw(bool objectness, const std::vector<double>& initial_counts) {
  LossOptions options;
  options.name = "seesaw";
  options.seesaw_objectness = objectness;
  auto loss = make_classification_loss(options);
  loss->load_state({{"seesaw.accumulated_counts", torch::tensor(initial_counts, torch::kFloat64)}});
  return loss;
}

// With objectness: 3 foreground classes → 5 logit columns.
const Matrix kObjectnessLogits = {{0.3, -1.2, 2.0, 0.1, -0.5},
                                  {1.5, 0.2, -0.7, -1.0, 0.9},
                                  {-0.4, 0.9, 0.8, 0.7, 0.2},
                                  {0.0, 3.0, 0.0, 1.2, 0.0},
                                  {2.2, -0.3, 1.1, -0.2, 0.4}};
const std::vector<long> kLabels = {2, 0, 1, 3, 1};
const std::vector<double> kInitialCounts = {500, 900, 40, 3};

TEST(Seesaw, LogitLayout) {
  EXPECT_EQ(make_seesaw(true, {0, 0, 0, 0})->logit_count(4), 5);
  EXPECT_EQ(make_seesaw(false, {0, 0, 0, 0})->logit_count(4), 4);
}

TEST(Seesaw, MatchesFormulaWithObjectness) {
  auto loss = make_seesaw(true, kInitialCounts);
  const double value = loss->forward(to_tensor(kObjectnessLogits), to_labels(kLabels)).item<double>();
  EXPECT_NEAR(value, reference_seesaw_with_objectness(kObjectnessLogits, kLabels, kInitialCounts), 1e-12);
}

TEST(Seesaw, MatchesFormulaWithoutObjectness) {
  auto loss = make_seesaw(false, kInitialCounts);
  const double value = loss->forward(to_tensor(sample_logits()), to_labels(sample_labels())).item<double>();
  EXPECT_NEAR(value, reference_seesaw_plain(sample_logits(), sample_labels(), kInitialCounts), 1e-12);
}

TEST(Seesaw, AccumulatesCountsOnlineAcrossBatches) {
  LossOptions options;
  options.name = "seesaw";
  auto loss = make_classification_loss(options);
  loss->forward(to_tensor(kObjectnessLogits), to_labels(kLabels));
  loss->forward(to_tensor(kObjectnessLogits), to_labels(kLabels));
  const auto state = loss->state();
  ASSERT_EQ(state.size(), 1u);
  const torch::Tensor counts = state[0].second;
  EXPECT_TRUE(torch::equal(counts, torch::tensor({2.0, 4.0, 2.0, 2.0}, torch::kFloat64))) << counts;
}

TEST(Seesaw, MitigationLowersThePenaltyOnRareClassesFromFrequentTrueClasses) {
  // A frequent true class (900) with a rare competitor (3): mitigation shrinks the competitor's weight, so the
  // loss is below plain CE on the class logits; swapping the counts removes the effect.
  const Matrix z = {{2.0, 1.0, 1.5, 0.0, 0.0}};
  auto frequent_true = make_seesaw(true, {0, 900, 40, 3});
  auto rare_true = make_seesaw(true, {0, 3, 40, 900});
  const double with_mitigation = frequent_true->forward(to_tensor(z), to_labels({1})).item<double>();
  const double without = rare_true->forward(to_tensor(z), to_labels({1})).item<double>();
  EXPECT_LT(with_mitigation, without);
}

TEST(Seesaw, OnlyBackgroundGivesObjectnessLossAlone) {
  auto loss = make_seesaw(true, kInitialCounts);
  const std::vector<long> background = {0, 0, 0, 0, 0};
  const double value = loss->forward(to_tensor(kObjectnessLogits), to_labels(background)).item<double>();
  double expected = 0;
  for (const auto& row : kObjectnessLogits) expected -= std::log(softmax_row({row[3], row[4]})[1]);
  EXPECT_NEAR(value, expected / 5, 1e-12);
}

TEST(Seesaw, GradientsMatchFiniteDifferencesWithoutCompensation) {
  // The compensation factor is detached (as in mmdetection), so the loss is only differentiable in the
  // finite-difference sense when q = 0.
  LossOptions options;
  options.name = "seesaw";
  options.seesaw_q = 0;
  auto loss_of = [&](const torch::Tensor& z) {
    auto loss = make_classification_loss(options);
    loss->load_state({{"seesaw.accumulated_counts", torch::tensor(kInitialCounts, torch::kFloat64)}});
    return loss->forward(z, to_labels(kLabels));
  };
  expect_gradient_matches_finite_differences(loss_of, to_tensor(kObjectnessLogits));
}

TEST(Seesaw, GradientTreatsSeesawWeightsAsConstants) {
  // d/dz of −log softmax(z + log S)_y with S fixed: softmax(z + log S) − onehot(y), over N rows.
  auto loss = make_seesaw(false, kInitialCounts);
  const Matrix z = sample_logits();
  const std::vector<long> labels = sample_labels();
  torch::Tensor x = to_tensor(z).set_requires_grad(true);
  loss->forward(x, to_labels(labels)).backward();
  std::vector<double> counts = kInitialCounts;
  for (long y : labels) counts[y] += 1;
  for (std::size_t n = 0; n < z.size(); ++n) {
    const std::vector<double> sigma = softmax_row(z[n]);
    const long y = labels[n];
    std::vector<double> adjusted = z[n];
    for (std::size_t j = 0; j < z[n].size(); ++j) {
      if (static_cast<long>(j) == y) continue;
      const double n_i = std::max(counts[y], 1.0), n_j = std::max(counts[j], 1.0);
      const double m = n_i > n_j ? std::pow(n_j / n_i, kP) : 1.0;
      const double self_score = std::max(sigma[y], kEps);
      const double c = sigma[j] > self_score ? std::pow(sigma[j] / self_score, kQ) : 1.0;
      adjusted[j] += std::log(m * c);
    }
    const std::vector<double> p = softmax_row(adjusted);
    for (std::size_t j = 0; j < z[n].size(); ++j) {
      const double expected = (p[j] - (static_cast<long>(j) == y ? 1.0 : 0.0)) / z.size();
      EXPECT_NEAR(x.grad()[n][j].item<double>(), expected, 1e-12) << n << "," << j;
    }
  }
}

TEST(Seesaw, ProbabilitiesPutBackgroundFirstAndSumToOne) {
  auto loss = make_seesaw(true, kInitialCounts);
  const torch::Tensor p = loss->probabilities(to_tensor(kObjectnessLogits));
  ASSERT_EQ(p.size(1), 4);
  EXPECT_TRUE(torch::allclose(p.sum(1), torch::ones({5}, torch::kFloat64)));
  const std::vector<double> objectness = softmax_row({kObjectnessLogits[0][3], kObjectnessLogits[0][4]});
  EXPECT_NEAR(p[0][0].item<double>(), objectness[1], 1e-15);
  EXPECT_NEAR(p[0][3].item<double>(), softmax_row({0.3, -1.2, 2.0})[2] * objectness[0], 1e-15);
}

TEST(Seesaw, StateRoundTripsAndEmptyBatchIsZero) {
  auto loss = make_seesaw(true, kInitialCounts);
  auto copy = make_seesaw(true, {0, 0, 0, 0});
  copy->load_state(loss->state());
  const double a = loss->forward(to_tensor(kObjectnessLogits), to_labels(kLabels)).item<double>();
  const double b = copy->forward(to_tensor(kObjectnessLogits), to_labels(kLabels)).item<double>();
  EXPECT_DOUBLE_EQ(a, b);
  torch::Tensor empty = torch::zeros({0, 5}, torch::kFloat64).set_requires_grad(true);
  torch::Tensor value = loss->forward(empty, torch::zeros({0}, torch::kLong));
  EXPECT_EQ(value.item<double>(), 0.0);
  value.backward();
}

TEST(Seesaw, LogitsOfAnotherClassCountAreRejected) {
  auto loss = make_seesaw(true, kInitialCounts);
  EXPECT_THROW(loss->forward(torch::zeros({2, 7}, torch::kFloat64), to_labels({0, 1})), std::exception);
}

}  // namespace
}  // namespace counterscope::losses

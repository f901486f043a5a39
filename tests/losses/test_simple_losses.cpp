// CE, CM, LR and FL against independent double-precision evaluations of their formulas (mission.md §3),
// autograd against finite differences, and edge cases.

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/losses/class_margin_loss.h"
#include "core/losses/classification_loss.h"
#include "core/losses/reweighted_loss.h"
#include "core/util/error.h"
#include "tests/losses/loss_test_support.h"

namespace counterscope::losses {
namespace {

using namespace testing;

const std::vector<double> kCounts = {0, 1000, 50, 2};  // index 0 = background (ignored)

double reference_ce(const Matrix& z, const std::vector<long>& y) {
  double total = 0;
  for (std::size_t n = 0; n < z.size(); ++n) total -= std::log(softmax_row(z[n])[y[n]]);
  return total / z.size();
}

double reference_cm(const Matrix& z, const std::vector<long>& y, const std::vector<double>& counts, double max_margin,
                    double scale) {
  std::vector<double> delta(counts.size(), 0.0);
  double largest = 0;
  for (std::size_t j = 1; j < counts.size(); ++j) {
    delta[j] = 1.0 / std::pow(std::max(counts[j], 1.0), 0.25);
    largest = std::max(largest, delta[j]);
  }
  for (std::size_t j = 1; j < counts.size(); ++j) delta[j] *= max_margin / largest;
  double total = 0;
  for (std::size_t n = 0; n < z.size(); ++n) {
    std::vector<double> shifted = z[n];
    shifted[y[n]] -= scale * delta[y[n]];
    total -= std::log(softmax_row(shifted)[y[n]]);
  }
  return total / z.size();
}

double reference_lr(const Matrix& z, const std::vector<long>& y, const std::vector<double>& counts, bool effective,
                    double beta) {
  std::vector<double> w(counts.size(), 1.0);
  double mean = 0;
  for (std::size_t j = 1; j < counts.size(); ++j) {
    const double n = std::max(counts[j], 1.0);
    w[j] = effective ? (1 - beta) / (1 - std::pow(beta, n)) : 1.0 / n;
    mean += w[j] / (counts.size() - 1);
  }
  for (std::size_t j = 1; j < counts.size(); ++j) w[j] /= mean;
  double total = 0;
  for (std::size_t n = 0; n < z.size(); ++n) total -= w[y[n]] * std::log(softmax_row(z[n])[y[n]]);
  return total / z.size();
}

double reference_fl(const Matrix& z, const std::vector<long>& y, double gamma) {
  double total = 0;
  for (std::size_t n = 0; n < z.size(); ++n) {
    const double p = softmax_row(z[n])[y[n]];
    total -= std::pow(1 - p, gamma) * std::log(p);
  }
  return total / z.size();
}

LossOptions options_for(const std::string& name) {
  LossOptions options;
  options.name = name;
  options.class_instance_counts = kCounts;
  return options;
}

double evaluate(const std::string& name, const Matrix& z, const std::vector<long>& y, LossOptions options) {
  options.name = name;
  return make_classification_loss(options)->forward(to_tensor(z), to_labels(y)).item<double>();
}

TEST(CrossEntropy, MatchesFormula) {
  EXPECT_NEAR(evaluate("ce", sample_logits(), sample_labels(), {}), reference_ce(sample_logits(), sample_labels()), 1e-12);
}

TEST(ClassMargin, MatchesFormulaAndLargestMarginIsHalf) {
  const auto options = options_for("cm");
  EXPECT_NEAR(evaluate("cm", sample_logits(), sample_labels(), options),
              reference_cm(sample_logits(), sample_labels(), kCounts, 0.5, 30.0), 1e-10);
  ClassMarginLoss loss(options);
  const torch::Tensor margins = loss.margins(4);
  EXPECT_DOUBLE_EQ(margins[0].item<double>(), 0.0);
  EXPECT_DOUBLE_EQ(margins.max().item<double>(), 0.5);
  EXPECT_DOUBLE_EQ(margins[3].item<double>(), 0.5);  // the rarest class gets the largest margin
  EXPECT_NEAR(margins[1].item<double>(), 0.5 * std::pow(2.0 / 1000.0, 0.25), 1e-15);
}

TEST(ClassMargin, ZeroCountClassGetsTheLargestFiniteMargin) {
  auto options = options_for("cm");
  options.class_instance_counts = {0, 100, 0, 16};
  ClassMarginLoss loss(options);
  const torch::Tensor margins = loss.margins(4);
  EXPECT_TRUE(torch::isfinite(margins).all().item<bool>());
  EXPECT_DOUBLE_EQ(margins[2].item<double>(), 0.5);
}

TEST(Reweighting, MatchesFormulaForBothWeightings) {
  auto options = options_for("lr");
  EXPECT_NEAR(evaluate("lr", sample_logits(), sample_labels(), options),
              reference_lr(sample_logits(), sample_labels(), kCounts, true, 0.999), 1e-12);
  options.lr_weighting = "inverse_frequency";
  EXPECT_NEAR(evaluate("lr", sample_logits(), sample_labels(), options),
              reference_lr(sample_logits(), sample_labels(), kCounts, false, 0.999), 1e-12);
  ReweightedLoss loss(options);
  EXPECT_NEAR(loss.class_weights(4).slice(0, 1).mean().item<double>(), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(loss.class_weights(4)[0].item<double>(), 1.0);
}

TEST(Focal, MatchesFormulaAndReducesToCeAtGammaZero) {
  LossOptions options;
  EXPECT_NEAR(evaluate("fl", sample_logits(), sample_labels(), options), reference_fl(sample_logits(), sample_labels(), 2.0), 1e-12);
  options.focal_gamma = 0;
  EXPECT_NEAR(evaluate("fl", sample_logits(), sample_labels(), options), reference_ce(sample_logits(), sample_labels()), 1e-12);
}

TEST(SimpleLosses, GradientsMatchFiniteDifferences) {
  for (const std::string name : {"ce", "cm", "lr", "fl"}) {
    SCOPED_TRACE(name);
    auto loss = make_classification_loss(options_for(name));
    expect_gradient_matches_finite_differences(
        [&](const torch::Tensor& z) { return loss->forward(z, to_labels(sample_labels())); }, to_tensor(sample_logits()));
  }
}

TEST(SimpleLosses, OnlyBackgroundAndOneClassAndEmptyBatch) {
  for (const std::string name : {"ce", "cm", "lr", "fl"}) {
    SCOPED_TRACE(name);
    auto options = options_for(name);
    // Only background RoIs: the loss is finite and positive.
    const double background_only = evaluate(name, sample_logits(), {0, 0, 0, 0, 0}, options);
    EXPECT_TRUE(std::isfinite(background_only));
    EXPECT_GT(background_only, 0);
    // One foreground class (two columns).
    options.class_instance_counts = {0, 7};
    const double one_class = evaluate(name, {{0.5, -0.5}, {1.0, 2.0}}, {0, 1}, options);
    EXPECT_TRUE(std::isfinite(one_class));
    // An empty batch gives zero and still backpropagates.
    auto loss = make_classification_loss(options_for(name));
    torch::Tensor empty = torch::zeros({0, 4}, torch::kFloat64).set_requires_grad(true);
    torch::Tensor value = loss->forward(empty, torch::zeros({0}, torch::kLong));
    EXPECT_EQ(value.item<double>(), 0.0);
    value.backward();
  }
}

TEST(LossRegistry, UnknownNameListsTheKnownOnes) {
  LossOptions options;
  options.name = "seasaw";
  try {
    make_classification_loss(options);
    FAIL() << "expected an error";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("\"seasaw\""), std::string::npos) << message;
    EXPECT_NE(message.find("ce, cm, fl, lr, seesaw"), std::string::npos) << message;
  }
}

TEST(LossRegistry, CountsOfTheWrongLengthAreRejected) {
  auto options = options_for("cm");
  options.class_instance_counts = {0, 10};
  EXPECT_THROW(evaluate("cm", sample_logits(), sample_labels(), options), InputError);
}

TEST(LossOptions, ParsesJsonAndRejectsWrongTypes) {
  const auto options = LossOptions::from_json(nlohmann::json{{"name", "fl"}, {"focal_gamma", 1.5}});
  EXPECT_EQ(options.name, "fl");
  EXPECT_EQ(options.focal_gamma, 1.5);
  EXPECT_THROW(LossOptions::from_json(nlohmann::json{{"focal_gamma", "two"}}), InputError);
  EXPECT_THROW(LossOptions::from_json(nlohmann::json{{"lr_weighting", "sqrt"}}), InputError);
}

}  // namespace
}  // namespace counterscope::losses

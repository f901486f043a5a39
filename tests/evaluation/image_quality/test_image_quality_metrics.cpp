// The Fréchet distance against pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm) and the Inception
// Score against inception-score-pytorch's split loop (scipy.stats.entropy), on seeded inputs that
// make_image_quality_reference.py (run here with /usr/bin/python3) writes; plus closed forms and bad input.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/evaluation/image_quality/frechet_distance.h"
#include "core/evaluation/image_quality/inception_score.h"
#include "core/modeling/weights/checkpoint.h"
#include "core/util/error.h"
#include "tests/test_paths.h"

namespace counterscope::evaluation {
namespace {

const std::string kDir = std::string(COUNTERSCOPE_TEST_TMP_DIR) + "/test_image_quality_metrics";

std::map<std::string, torch::Tensor> load_tensors(const std::string& path) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& entry : modeling::load_state_dict(path)) out[entry.name] = entry.tensor;
  return out;
}

nlohmann::json load_json(const std::string& path) {
  std::ifstream file(path);
  return nlohmann::json::parse(file);
}

class ImageQualityMetrics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::filesystem::remove_all(kDir);
    std::filesystem::create_directories(kDir);
    const std::string command = "/usr/bin/python3 " COUNTERSCOPE_SOURCE_DIR
                                "/tests/evaluation/image_quality/make_image_quality_reference.py " +
                                kDir + " metrics";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
};

TEST_F(ImageQualityMetrics, FrechetDistanceMatchesPytorchFidWithScipySqrtm) {
  const auto features = load_tensors(kDir + "/frechet.pth");
  const auto expected = load_json(kDir + "/frechet.json");
  ASSERT_EQ(features.at("a").scalar_type(), torch::kDouble);
  const auto a = gaussian_statistics(features.at("a"));
  const auto b = gaussian_statistics(features.at("b"));
  EXPECT_FALSE(a.centred_features.defined());  // N > D: the covariance route
  const auto ab = frechet_distance(a, b);
  EXPECT_NEAR(ab.distance, expected["ab"].get<double>(), 1e-9 * (ab.trace_1 + ab.trace_2));
  EXPECT_FALSE(ab.offset_added);
  // Symmetric in its arguments.
  EXPECT_NEAR(frechet_distance(b, a).distance, ab.distance, 1e-9 * (ab.trace_1 + ab.trace_2));
  // A set against itself: zero up to rounding (scipy gives ~1e-12 too).
  EXPECT_NEAR(frechet_distance(a, a).distance, expected["aa"].get<double>(), 1e-8);
}

TEST_F(ImageQualityMetrics, FrechetDistanceOnSingularCovariancesMatchesScipy) {
  // 20 and 30 vectors of dimension 64: both covariances are rank-deficient, so is their product.
  const auto features = load_tensors(kDir + "/frechet.pth");
  const auto expected = load_json(kDir + "/frechet.json");
  GaussianStatistics c = gaussian_statistics(features.at("c"));
  GaussianStatistics d = gaussian_statistics(features.at("d"));
  ASSERT_TRUE(c.centred_features.defined());  // N < D: the N×N route from the features
  const auto cd = frechet_distance(c, d);
  // scipy's sqrtm (a Schur method on the non-symmetric product) is itself only good to ~1e-8 relative on a
  // singular product: here it is 2.4e-6 off the exact value (numpy on the N×N form: 129.2267613692), while
  // this computation is 1.2e-7 off it.
  EXPECT_NEAR(cd.distance, expected["cd"].get<double>(), 1e-7 * (cd.trace_1 + cd.trace_2));
  EXPECT_NEAR(cd.distance, 129.2267613692, 1e-8 * (cd.trace_1 + cd.trace_2));
  EXPECT_FALSE(cd.offset_added);
  // The D×D route from the covariances alone (statistics without features) gives the same.
  c.centred_features = torch::Tensor();
  d.centred_features = torch::Tensor();
  const auto full = frechet_distance(c, d);
  EXPECT_NEAR(full.distance, expected["cd"].get<double>(), 1e-7 * (cd.trace_1 + cd.trace_2));
  EXPECT_NEAR(full.distance, cd.distance, 1e-8 * (cd.trace_1 + cd.trace_2));
  EXPECT_FALSE(full.offset_added);
}

TEST(FrechetDistance, CovarianceIsUnbiasedAsNumpyCov) {
  const auto x = torch::tensor({{1.0, 2.0}, {3.0, 6.0}, {5.0, 1.0}}, torch::kDouble);
  const auto statistics = gaussian_statistics(x);
  EXPECT_EQ(statistics.count, 3);
  EXPECT_DOUBLE_EQ(statistics.mean[0].item<double>(), 3.0);
  EXPECT_DOUBLE_EQ(statistics.mean[1].item<double>(), 3.0);
  // np.cov([[1,3,5],[2,6,1]]) = [[4, -1], [-1, 7]]
  EXPECT_DOUBLE_EQ(statistics.covariance[0][0].item<double>(), 4.0);
  EXPECT_DOUBLE_EQ(statistics.covariance[0][1].item<double>(), -1.0);
  EXPECT_DOUBLE_EQ(statistics.covariance[1][1].item<double>(), 7.0);
}

TEST(FrechetDistance, TraceOfSquareRootMatchesClosedForms) {
  // Commuting covariances Q diag(s) Qᵀ and Q diag(t) Qᵀ: Tr sqrt(Σ1Σ2) = Σ sqrt(s_i t_i), zeros included.
  torch::manual_seed(3);
  const auto q = std::get<0>(torch::linalg::qr(torch::randn({6, 6}, torch::kDouble)));
  const auto s = torch::tensor({4.0, 1.0, 0.25, 9.0, 0.0, 2.0}, torch::kDouble);
  const auto t = torch::tensor({1.0, 16.0, 4.0, 0.0, 3.0, 2.0}, torch::kDouble);
  const auto sigma_1 = q.matmul(torch::diag(s)).matmul(q.t());
  const auto sigma_2 = q.matmul(torch::diag(t)).matmul(q.t());
  EXPECT_NEAR(trace_sqrt_product(sigma_1, sigma_2), 2 + 4 + 1 + 0 + 0 + 2, 1e-10);
  // Rank one each: Tr sqrt(u uᵀ v vᵀ) = |u·v|.
  const auto u = torch::tensor({1.0, -2.0, 0.5}, torch::kDouble);
  const auto v = torch::tensor({3.0, 1.0, -4.0}, torch::kDouble);
  EXPECT_NEAR(trace_sqrt_product(torch::outer(u, u), torch::outer(v, v)), 1.0, 1e-7);
  // Identical isotropic Gaussians shifted by (3, 4): FID = 25.
  GaussianStatistics a{torch::zeros({2}, torch::kDouble), torch::eye(2, torch::kDouble), 10, {}};
  GaussianStatistics b{torch::tensor({3.0, 4.0}, torch::kDouble), torch::eye(2, torch::kDouble), 10, {}};
  EXPECT_NEAR(frechet_distance(a, b).distance, 25.0, 1e-12);
}

TEST(FrechetDistance, RejectsBadInput) {
  EXPECT_THROW(gaussian_statistics(torch::ones({1, 4})), InputError);  // one vector: no covariance
  EXPECT_THROW(gaussian_statistics(torch::ones({4})), InputError);
  auto with_nan = torch::rand({5, 3});
  with_nan[2][1] = std::nan("");
  EXPECT_THROW(gaussian_statistics(with_nan), InputError);
  const auto a = gaussian_statistics(torch::rand({5, 3}));
  const auto b = gaussian_statistics(torch::rand({5, 4}));
  EXPECT_THROW(frechet_distance(a, b), InputError);
  // Not positive semi-definite: sqrt of a product with eigenvalue -1 is imaginary, as pytorch-fid refuses.
  EXPECT_THROW(trace_sqrt_product(torch::eye(2, torch::kDouble), -torch::eye(2, torch::kDouble)), Error);
}

TEST_F(ImageQualityMetrics, InceptionScoreMatchesReference) {
  const auto probabilities = load_tensors(kDir + "/inception_score.pth").at("probabilities");
  const auto expected = load_json(kDir + "/inception_score.json");
  ASSERT_EQ(probabilities.size(0), 103);
  const auto score = inception_score(probabilities, 10);
  EXPECT_EQ(score.images_used, 100);  // 10 splits of 103 // 10 images; the reference leaves 3 out
  EXPECT_EQ(score.splits, 10);
  // The reference accumulates in float32 (numpy keeps the softmax's dtype); here float64.
  EXPECT_NEAR(score.mean, expected["mean"].get<double>(), 1e-5 * expected["mean"].get<double>());
  EXPECT_NEAR(score.std, expected["std"].get<double>(), 1e-4 * expected["std"].get<double>());
  EXPECT_GT(score.std, 0.0);
}

TEST(InceptionScore, ClosedForms) {
  // Identical predictions: KL 0, IS 1. Confident predictions of N distinct classes: IS = N.
  const auto uniform = torch::full({8, 5}, 0.2);
  EXPECT_NEAR(inception_score(uniform, 2).mean, 1.0, 1e-12);
  const auto distinct = torch::eye(6);
  const auto score = inception_score(distinct, 1);
  EXPECT_NEAR(score.mean, 6.0, 1e-9);
  EXPECT_NEAR(score.std, 0.0, 1e-12);
  // Two splits of 3: each IS = 3.
  EXPECT_NEAR(inception_score(distinct, 2).mean, 3.0, 1e-9);
}

TEST(InceptionScore, RejectsBadInput) {
  EXPECT_THROW(inception_score(torch::full({3, 4}, 0.25), 10), InputError);  // fewer images than splits
  EXPECT_THROW(inception_score(torch::full({3, 4}, 0.25), 0), InputError);
  EXPECT_THROW(inception_score(torch::full({4}, 0.25), 1), InputError);
  EXPECT_THROW(inception_score(torch::full({3, 4}, -0.25), 1), InputError);
}

}  // namespace
}  // namespace counterscope::evaluation

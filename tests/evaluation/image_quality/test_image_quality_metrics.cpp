// The Fréchet distance against pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm) and the Inception
// Score against inception-score-pytorch's split loop (scipy.stats.entropy), on seeded inputs that
// make_image_quality_reference.py (run here with /usr/bin/python3) writes; plus closed forms and bad input.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
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

/// How far Tr sqrt(Σ1 Σ2) can be off when the product has `zero_eigenvalues` zero eigenvalues, for n×n
/// covariances of spectral norms `norm_1` and `norm_2`. The decompositions have a backward error of about
/// n·eps·‖Σ1‖‖Σ2‖, so each zero eigenvalue comes out as some λ with |λ| up to that (Weyl), and a positive one
/// adds sqrt(λ) = sqrt(n·eps·‖Σ1‖‖Σ2‖) to the trace: the error of a square root at a singular point is
/// sqrt(eps), not eps. Its sign and size depend on the BLAS kernel the CPU selects (OpenBLAS's Haswell, Zen and
/// SkylakeX kernels round differently), so no tighter figure holds on every x86-64 machine. Eigenvalues away
/// from zero contribute only ~n·eps·‖Σ‖ each, far below this.
double singular_trace_tolerance(int zero_eigenvalues, std::int64_t n, double norm_1, double norm_2) {
  const double eps = std::numeric_limits<double>::epsilon();
  return zero_eigenvalues * std::sqrt(static_cast<double>(n) * eps * norm_1 * norm_2);
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
  const double norm_c = torch::linalg::eigvalsh(c.covariance, "L").max().item<double>();
  const double norm_d = torch::linalg::eigvalsh(d.covariance, "L").max().item<double>();
  // The N×N route decomposes a 20×20 matrix whose one zero eigenvalue comes from the centring; the D×D route
  // and scipy's sqrtm (a Schur method on the non-symmetric product) a 64×64 product of rank 19, with 45 zero
  // eigenvalues. The distance holds the trace twice. (Here scipy is 2.4e-6 off the exact value, numpy's on the
  // N×N form, 129.2267613692; the N×N route 1.2e-7.)
  const double low_rank_tolerance = 2 * singular_trace_tolerance(1, 20, norm_c, norm_d);
  const double full_tolerance = 2 * singular_trace_tolerance(45, 64, norm_c, norm_d);
  EXPECT_NEAR(cd.distance, 129.2267613692, low_rank_tolerance);
  EXPECT_NEAR(cd.distance, expected["cd"].get<double>(), full_tolerance);
  EXPECT_FALSE(cd.offset_added);
  // The D×D route from the covariances alone (statistics without features) gives the same.
  c.centred_features = torch::Tensor();
  d.centred_features = torch::Tensor();
  const auto full = frechet_distance(c, d);
  EXPECT_NEAR(full.distance, 129.2267613692, full_tolerance);
  EXPECT_NEAR(full.distance, expected["cd"].get<double>(), 2 * full_tolerance);
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
  // Two zero eigenvalues of the product (s = 9, t = 0 and s = 0, t = 3): 2·sqrt(6·eps·9·16) = 8.8e-7. One
  // AMD EPYC machine gave 9 + 4.2e-8; a wrong formula is off by O(1).
  EXPECT_NEAR(trace_sqrt_product(sigma_1, sigma_2), 2 + 4 + 1 + 0 + 0 + 2, singular_trace_tolerance(2, 6, 9, 16));
  // Rank one each: Tr sqrt(u uᵀ v vᵀ) = |u·v|; the product has two zero eigenvalues, ‖u uᵀ‖ = |u|² = 5.25,
  // ‖v vᵀ‖ = 26.
  const auto u = torch::tensor({1.0, -2.0, 0.5}, torch::kDouble);
  const auto v = torch::tensor({3.0, 1.0, -4.0}, torch::kDouble);
  EXPECT_NEAR(trace_sqrt_product(torch::outer(u, u), torch::outer(v, v)), 1.0, singular_trace_tolerance(2, 3, 5.25, 26));
  // Identical isotropic Gaussians shifted by (3, 4): FID = 25. The identity's eigen-decomposition is exact (no
  // rotation), so only the final sums round.
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

#pragma once
// The Fréchet distance between two Gaussians fitted to feature sets, as pytorch-fid computes FID:
//   d² = ‖μ1 − μ2‖² + Tr Σ1 + Tr Σ2 − 2 Tr sqrt(Σ1 Σ2),
// with μ the mean and Σ the unbiased covariance (np.cov, ddof 1) of the features, all in float64.
//
// How the square root is taken, and how that mirrors pytorch-fid: pytorch-fid calls scipy.linalg.sqrtm on the
// product Σ1 Σ2 (a Schur method on a non-symmetric matrix), drops the imaginary part that rounding leaves
// (raising an error when a diagonal imaginary part exceeds 1e-3), and when sqrtm returns non-finite values
// (which can happen on a singular product) retries with eps·I (eps = 1e-6) added to both covariances. Only the
// trace is needed, and Σ1 Σ2 = S·(S Σ2) with S = Σ1^½ has the eigenvalues of the symmetric positive
// semi-definite S Σ2 S; so Tr sqrt(Σ1 Σ2) = Σ sqrt(λ_i(S Σ2 S)), computed here with two symmetric
// eigen-decompositions in double. That route stays finite and accurate on singular products (fewer images than
// feature dimensions), where it agrees with scipy's sqrtm to ~1e-8 relative. Rounding can leave eigenvalues
// slightly below zero: their square roots are the imaginary part pytorch-fid drops, and the same 1e-3 limit
// applies. The eps·I retry is kept for a non-finite result, as pytorch-fid does.
// With fewer vectors than dimensions (N < D, e.g. a few hundred images against 2048 features) Σ = AᵀA/(N−1)
// with A the N×D centred features, and the non-zero eigenvalues of Σ1Σ2 are those of the N×N matrix
// A Σ2 Aᵀ/(N−1): the same trace, exactly, from an N×N instead of a D×D decomposition.

#include <cstdint>

#include <torch/torch.h>

namespace counterscope::evaluation {

/// Mean and covariance of a feature set.
struct GaussianStatistics {
  torch::Tensor mean;        ///< [D] float64
  torch::Tensor covariance;  ///< [D, D] float64, unbiased (divides by N − 1) as np.cov(rowvar=False)
  std::int64_t count = 0;    ///< N, the number of feature vectors
  /// [N, D] float64 centred features, kept only when N < D (a low-rank covariance, whose square-root trace
  /// is then computed from them); undefined otherwise, and for statistics read from elsewhere.
  torch::Tensor centred_features;
};

/// Statistics of `features` ([N, D], any floating type, converted to float64 first). Throws InputError when
/// N < 2 (no covariance) or a feature is not finite.
GaussianStatistics gaussian_statistics(const torch::Tensor& features);

struct FrechetOptions {
  /// Added to both covariances' diagonals when the square root is not finite (pytorch-fid's eps).
  double singular_offset = 1e-6;
  /// Largest imaginary part of sqrt(Σ1 Σ2) that is dropped as rounding (pytorch-fid: atol 1e-3); above it the
  /// computation fails.
  double max_imaginary = 1e-3;
};

/// The distance and its terms.
struct FrechetDistance {
  double distance = 0;            ///< FID: mean_term + trace_1 + trace_2 − 2·trace_sqrt_product
  double mean_term = 0;           ///< ‖μ1 − μ2‖²
  double trace_1 = 0;             ///< Tr Σ1
  double trace_2 = 0;             ///< Tr Σ2
  double trace_sqrt_product = 0;  ///< Tr sqrt(Σ1 Σ2), real part
  bool offset_added = false;      ///< the eps·I retry was needed
};

/// Tr sqrt(Σ1 Σ2) for symmetric positive semi-definite Σ1, Σ2 (float64). Throws counterscope::Error when the
/// imaginary part exceeds `max_imaginary`; returns NaN when the decomposition does not converge.
double trace_sqrt_product(const torch::Tensor& sigma_1, const torch::Tensor& sigma_2, double max_imaginary = 1e-3);

/// Tr sqrt(Σ1 Σ2) with Σ1 = AᵀA/(N−1), A = `centred_1` ([N, D]): from the N×N matrix A Σ2 Aᵀ/(N−1).
double trace_sqrt_product_low_rank(const torch::Tensor& centred_1, const torch::Tensor& sigma_2,
                                   double max_imaginary = 1e-3);

/// The Fréchet distance between the Gaussians `a` and `b`. Throws InputError when their dimensions differ.
FrechetDistance frechet_distance(const GaussianStatistics& a, const GaussianStatistics& b,
                                 const FrechetOptions& options = {});

}  // namespace counterscope::evaluation

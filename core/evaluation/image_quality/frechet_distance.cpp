#include "core/evaluation/image_quality/frechet_distance.h"

#include <cmath>
#include <sstream>
#include <string>

#include "core/util/error.h"

namespace counterscope::evaluation {

GaussianStatistics gaussian_statistics(const torch::Tensor& features) {
  if (features.dim() != 2)
    throw InputError("features", "shape", c10::str(features.sizes()), "expected [N, D]");
  if (features.size(0) < 2)
    throw InputError("features", "N", std::to_string(features.size(0)),
                     "at least 2 feature vectors are needed for a covariance");
  const auto x = features.to(torch::kDouble).contiguous();
  if (!torch::isfinite(x).all().item<bool>())
    throw InputError("features", "values", "", "not finite (NaN or infinity in the network's output)");
  GaussianStatistics statistics;
  statistics.count = x.size(0);
  statistics.mean = x.mean(0);
  const auto centred = x - statistics.mean;
  statistics.covariance = centred.t().matmul(centred) / static_cast<double>(statistics.count - 1);
  if (statistics.count < x.size(1)) statistics.centred_features = centred;
  return statistics;
}

namespace {

torch::Tensor symmetrised(const torch::Tensor& m) { return (m + m.t()) * 0.5; }

// Σ sqrt(λ) over the eigenvalues of a symmetric PSD matrix; negative rounding residue is the imaginary part
// pytorch-fid drops (and refuses above `max_imaginary`). NaN when the decomposition fails.
double sum_of_square_roots(const torch::Tensor& symmetric_psd, double max_imaginary) {
  const auto eigenvalues = at::linalg_eigvalsh(symmetrised(symmetric_psd), "L");
  if (!torch::isfinite(eigenvalues).all().item<bool>()) return std::nan("");
  const double imaginary = eigenvalues.clamp_max(0).neg().sqrt().max().item<double>();
  if (imaginary > max_imaginary) {
    std::ostringstream message;
    message << "Fréchet distance: sqrt(Σ1 Σ2) has an imaginary component " << imaginary << " (> "
            << max_imaginary << "): the covariances are not positive semi-definite";
    throw Error(message.str());
  }
  return eigenvalues.clamp_min(0).sqrt().sum().item<double>();
}

}  // namespace

double trace_sqrt_product_low_rank(const torch::Tensor& centred_1, const torch::Tensor& sigma_2,
                                   double max_imaginary) {
  const auto a = centred_1.to(torch::kDouble);
  const auto k = a.matmul(symmetrised(sigma_2.to(torch::kDouble))).matmul(a.t()) /
                 static_cast<double>(a.size(0) - 1);
  return sum_of_square_roots(k, max_imaginary);
}

double trace_sqrt_product(const torch::Tensor& sigma_1, const torch::Tensor& sigma_2, double max_imaginary) {
  const auto s1 = symmetrised(sigma_1.to(torch::kDouble));
  const auto s2 = symmetrised(sigma_2.to(torch::kDouble));
  // S = Σ1^½ from Σ1's eigen-decomposition; rounding may leave tiny negative eigenvalues of a PSD matrix.
  const auto [w, v] = at::linalg_eigh(s1, "L");
  const auto root = v.matmul(torch::diag(w.clamp_min(0).sqrt())).matmul(v.t());
  return sum_of_square_roots(root.matmul(s2).matmul(root), max_imaginary);
}

FrechetDistance frechet_distance(const GaussianStatistics& a, const GaussianStatistics& b,
                                 const FrechetOptions& options) {
  if (!a.mean.defined() || !b.mean.defined() || a.mean.dim() != 1 || !a.mean.sizes().equals(b.mean.sizes()) ||
      !a.covariance.sizes().equals(b.covariance.sizes()))
    throw InputError("statistics", "dimension",
                     (a.mean.defined() ? c10::str(a.mean.sizes()) : "none") + " vs " +
                         (b.mean.defined() ? c10::str(b.mean.sizes()) : "none"),
                     "the two feature sets differ in dimension");
  FrechetDistance result;
  const auto difference = a.mean.to(torch::kDouble) - b.mean.to(torch::kDouble);
  result.mean_term = difference.dot(difference).item<double>();
  result.trace_1 = a.covariance.trace().item<double>();
  result.trace_2 = b.covariance.trace().item<double>();
  // The smaller of the low-rank sets, if any, gives the smallest decomposition.
  const GaussianStatistics* low_rank = nullptr;
  for (const GaussianStatistics* s : {&a, &b})
    if (s->centred_features.defined() && (low_rank == nullptr || s->count < low_rank->count)) low_rank = s;
  if (low_rank != nullptr) {
    const auto& other = low_rank == &a ? b : a;
    result.trace_sqrt_product =
        trace_sqrt_product_low_rank(low_rank->centred_features, other.covariance, options.max_imaginary);
  } else {
    result.trace_sqrt_product = trace_sqrt_product(a.covariance, b.covariance, options.max_imaginary);
  }
  if (!std::isfinite(result.trace_sqrt_product)) {
    // pytorch-fid's fallback for a singular product: eps on both diagonals, then the same square root.
    const auto offset = torch::eye(a.covariance.size(0), torch::kDouble) * options.singular_offset;
    result.trace_sqrt_product =
        trace_sqrt_product(a.covariance + offset, b.covariance + offset, options.max_imaginary);
    result.offset_added = true;
    if (!std::isfinite(result.trace_sqrt_product))
      throw Error("Fréchet distance: the square root of Σ1 Σ2 is not finite even with eps·I added");
  }
  result.distance = result.mean_term + result.trace_1 + result.trace_2 - 2 * result.trace_sqrt_product;
  return result;
}

}  // namespace counterscope::evaluation

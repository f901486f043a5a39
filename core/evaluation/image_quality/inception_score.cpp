#include "core/evaluation/image_quality/inception_score.h"

#include <cmath>
#include <string>
#include <vector>

#include "core/util/error.h"

namespace counterscope::evaluation {

InceptionScore inception_score(const torch::Tensor& probabilities, std::int64_t splits) {
  if (probabilities.dim() != 2 || probabilities.size(1) < 1)
    throw InputError("probabilities", "shape", c10::str(probabilities.sizes()), "expected [N, classes]");
  if (splits < 1) throw InputError("inception score", "splits", std::to_string(splits), "must be at least 1");
  const std::int64_t n = probabilities.size(0);
  if (n < splits)
    throw InputError("inception score", "images", std::to_string(n),
                     "fewer images than splits (" + std::to_string(splits) + ")");
  auto p = probabilities.to(torch::kDouble);
  if (!torch::isfinite(p).all().item<bool>() || (p < 0).any().item<bool>())
    throw InputError("probabilities", "values", "", "negative or not finite");
  // scipy.stats.entropy(pk, qk) normalises both distributions to sum 1 before the KL divergence.
  p = p / p.sum(1, true);

  const std::int64_t part_size = n / splits;
  std::vector<double> scores;
  for (std::int64_t k = 0; k < splits; ++k) {
    const auto part = p.narrow(0, k * part_size, part_size);
    const auto marginal = part.mean(0, true);
    // rel_entr: p·log(p/q) for p > 0, 0 for p = 0 (q > 0 wherever p > 0, since q is the mean of the rows).
    const auto positive = part > 0;
    const auto terms = torch::where(positive, part * (part / marginal).log(), torch::zeros_like(part));
    scores.push_back(std::exp(terms.sum(1).mean().item<double>()));
  }
  InceptionScore result;
  result.splits = splits;
  result.images_used = part_size * splits;
  for (double s : scores) result.mean += s;
  result.mean /= static_cast<double>(splits);
  double variance = 0;
  for (double s : scores) variance += (s - result.mean) * (s - result.mean);
  result.std = std::sqrt(variance / static_cast<double>(splits));
  return result;
}

}  // namespace counterscope::evaluation

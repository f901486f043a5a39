#pragma once
// The Inception Score as the reference implementation (inception-score-pytorch, after Salimans et al. 2016)
// computes it: the N images are cut into `splits` consecutive parts of N // splits images (the remainder is
// left out), and for each part IS_k = exp(mean_i KL(p(y|x_i) ‖ p(y))) with p(y) the part's mean prediction;
// the score is the mean and the (population, ddof 0) standard deviation of the IS_k.

#include <cstdint>

#include <torch/torch.h>

namespace counterscope::evaluation {

struct InceptionScore {
  double mean = 0;
  double std = 0;
  std::int64_t splits = 0;
  std::int64_t images_used = 0;  ///< splits · (N // splits)
};

/// IS of class probabilities `probabilities` ([N, C], rows summing to 1, e.g. the softmax of the logits; KL is
/// accumulated in float64, rows renormalised as scipy.stats.entropy does). Throws InputError when N < splits,
/// splits < 1 or a probability is negative or not finite.
InceptionScore inception_score(const torch::Tensor& probabilities, std::int64_t splits = 10);

}  // namespace counterscope::evaluation

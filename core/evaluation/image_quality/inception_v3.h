#pragma once
// Inception-v3 for image-quality metrics, in two variants that share torchvision 0.14's parameter names:
//  - torchvision: torchvision.models.inception_v3 (1000 classes, optional AuxLogits, transform_input), the
//    network the reference Inception Score code (inception-score-pytorch) runs;
//  - pytorch_fid: pytorch-fid's FID Inception (1008 classes, no AuxLogits, FIDInceptionA/C/E_1 average
//    pooling without padding, max pooling in Mixed_7c), whose 2048-d pool3 features define FID.
// Weights are never downloaded: the user supplies a .pth or .safetensors state dict, and the variant is read
// from it (fc has 1008 rows in pytorch-fid's file, 1000 in torchvision's).

#include <cstdint>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "core/evaluation/image_quality/inception_blocks.h"
#include "core/modeling/weights/state_dict.h"

namespace counterscope::evaluation {

enum class InceptionVariant {
  torchvision,  ///< torchvision.models.inception_v3
  pytorch_fid,  ///< pytorch_fid.inception.fid_inception_v3
};

/// "torchvision" or "pytorch-fid".
const char* to_string(InceptionVariant variant);
/// The variant called `name` ("torchvision", "pytorch-fid"), or nullopt.
std::optional<InceptionVariant> inception_variant_from_name(const std::string& name);

/// Side length of the network's input: every image is resized to 299x299.
constexpr std::int64_t kInceptionInputSize = 299;
/// Length of the pool3 feature vector (FID's features).
constexpr std::int64_t kInceptionFeatureSize = 2048;

struct InceptionV3Options {
  /// Which network: pooling of the Mixed blocks and input normalisation differ.
  InceptionVariant variant = InceptionVariant::torchvision;
  /// Rows of fc: 1000 for torchvision's ImageNet weights, 1008 for pytorch-fid's (TensorFlow's 2015 graph).
  std::int64_t num_classes = 1000;
  /// Whether the module has AuxLogits; only so that a state dict holding them loads strictly (torchvision's
  /// pretrained file does). Inference never runs it.
  bool aux_logits = false;
  /// torchvision only: turn ImageNet-normalised input into the [-1, 1] input the Google weights were trained
  /// on, as torchvision does for its pretrained weights (transform_input=True). Ignored by pytorch_fid.
  bool transform_input = true;
};

/// What one forward pass yields.
struct InceptionOutput {
  torch::Tensor pool;    ///< [N, 2048] global-average-pooled Mixed_7c features (pytorch-fid's "pool3")
  torch::Tensor logits;  ///< [N, num_classes] fc output (before softmax)
};

class InceptionV3Impl : public torch::nn::Module {
 public:
  explicit InceptionV3Impl(InceptionV3Options options = {});

  /// Resizes RGB images in [0, 1] ([N, 3, H, W], float) to 299x299 (bilinear, align_corners=False, no
  /// antialiasing: F.interpolate's defaults, as pytorch-fid and inception-score-pytorch resize) and
  /// normalises them as the variant expects: pytorch_fid 2x-1; torchvision ImageNet mean/std.
  torch::Tensor preprocess(const torch::Tensor& images) const;
  /// The network on preprocessed input (what the Python module's forward takes). Call eval() first.
  InceptionOutput forward(const torch::Tensor& x);

  const InceptionV3Options& options() const { return m_options; }

 private:
  torch::Tensor transform_input(const torch::Tensor& x) const;

  InceptionV3Options m_options;
  BasicConv2d m_conv2d_1a_3x3, m_conv2d_2a_3x3, m_conv2d_2b_3x3, m_conv2d_3b_1x1, m_conv2d_4a_3x3;
  InceptionA m_mixed_5b, m_mixed_5c, m_mixed_5d;
  InceptionB m_mixed_6a;
  InceptionC m_mixed_6b, m_mixed_6c, m_mixed_6d, m_mixed_6e;
  InceptionAux m_aux_logits{nullptr};
  InceptionD m_mixed_7a;
  InceptionE m_mixed_7b, m_mixed_7c;
  torch::nn::Linear m_fc{nullptr};
};
TORCH_MODULE(InceptionV3);

/// The options that fit `state`: checks that it is an Inception-v3 state dict (torchvision names), reads the
/// class count from fc.weight, AuxLogits from its presence, and the variant from the class count (1008:
/// pytorch_fid, 1000: torchvision) unless `variant` forces one. Throws InputError naming `source` otherwise.
InceptionV3Options inception_options_from_state_dict(const modeling::StateDict& state, const std::string& source,
                                                    std::optional<InceptionVariant> variant = std::nullopt);

/// Builds the network for the weights at `path` (.pth zip/legacy or .safetensors), copies them strictly (any
/// missing, unexpected or mis-shaped tensor is an InputError naming it) and puts it in eval mode.
InceptionV3 load_inception_v3(const std::string& path, std::optional<InceptionVariant> variant = std::nullopt);

}  // namespace counterscope::evaluation

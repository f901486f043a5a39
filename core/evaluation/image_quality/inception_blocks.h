#pragma once
// The building blocks of Inception-v3, registered under torchvision 0.14's module names (branch1x1,
// branch5x5_1, ..., each a BasicConv2d with children "conv" and "bn"), so that the state dict of
// torchvision.models.inception_v3 — and of pytorch-fid's FID Inception, which reuses those names — loads as is.
// pytorch-fid's blocks differ from torchvision's only in their pooling branch, which `InceptionPooling` selects.

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace counterscope::evaluation {

/// The pooling in front of a block's `branch_pool` convolution.
enum class InceptionPooling {
  average_including_padding,  ///< torchvision: avg_pool2d(3, 1, 1), padding counted in the mean
  average_excluding_padding,  ///< pytorch-fid's FIDInceptionA/C/E_1: count_include_pad=False (as TensorFlow)
  max,                        ///< pytorch-fid's FIDInceptionE_2 (Mixed_7c): max_pool2d(3, 1, 1)
};

/// 3x3, stride 1, padding 1 pooling of the kind `pooling`.
torch::Tensor inception_branch_pool(const torch::Tensor& x, InceptionPooling pooling);

/// Convolution without bias, BatchNorm (eps 0.001, as the TensorFlow weights were trained) and ReLU.
class BasicConv2dImpl : public torch::nn::Module {
 public:
  BasicConv2dImpl(std::int64_t in_channels, std::int64_t out_channels, std::vector<std::int64_t> kernel,
                  std::vector<std::int64_t> stride = {1, 1}, std::vector<std::int64_t> padding = {0, 0});
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d m_conv{nullptr};
  torch::nn::BatchNorm2d m_bn{nullptr};
};
TORCH_MODULE(BasicConv2d);

/// Mixed_5b/5c/5d: 1x1, 5x5, double 3x3 and pooled branches (35x35 grid).
class InceptionAImpl : public torch::nn::Module {
 public:
  InceptionAImpl(std::int64_t in_channels, std::int64_t pool_features, InceptionPooling pooling);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d m_branch1x1, m_branch5x5_1, m_branch5x5_2, m_branch3x3dbl_1, m_branch3x3dbl_2, m_branch3x3dbl_3,
      m_branch_pool;
  InceptionPooling m_pooling;
};
TORCH_MODULE(InceptionA);

/// Mixed_6a: grid reduction 35x35 -> 17x17.
class InceptionBImpl : public torch::nn::Module {
 public:
  explicit InceptionBImpl(std::int64_t in_channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d m_branch3x3, m_branch3x3dbl_1, m_branch3x3dbl_2, m_branch3x3dbl_3;
};
TORCH_MODULE(InceptionB);

/// Mixed_6b..6e: factorised 7x7 branches (17x17 grid).
class InceptionCImpl : public torch::nn::Module {
 public:
  InceptionCImpl(std::int64_t in_channels, std::int64_t channels_7x7, InceptionPooling pooling);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d m_branch1x1, m_branch7x7_1, m_branch7x7_2, m_branch7x7_3, m_branch7x7dbl_1, m_branch7x7dbl_2,
      m_branch7x7dbl_3, m_branch7x7dbl_4, m_branch7x7dbl_5, m_branch_pool;
  InceptionPooling m_pooling;
};
TORCH_MODULE(InceptionC);

/// Mixed_7a: grid reduction 17x17 -> 8x8.
class InceptionDImpl : public torch::nn::Module {
 public:
  explicit InceptionDImpl(std::int64_t in_channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d m_branch3x3_1, m_branch3x3_2, m_branch7x7x3_1, m_branch7x7x3_2, m_branch7x7x3_3, m_branch7x7x3_4;
};
TORCH_MODULE(InceptionD);

/// Mixed_7b/7c: expanded filter banks (8x8 grid).
class InceptionEImpl : public torch::nn::Module {
 public:
  InceptionEImpl(std::int64_t in_channels, InceptionPooling pooling);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d m_branch1x1, m_branch3x3_1, m_branch3x3_2a, m_branch3x3_2b, m_branch3x3dbl_1, m_branch3x3dbl_2,
      m_branch3x3dbl_3a, m_branch3x3dbl_3b, m_branch_pool;
  InceptionPooling m_pooling;
};
TORCH_MODULE(InceptionE);

/// The auxiliary classifier on Mixed_6e (torchvision's AuxLogits). Only its weights matter here: torchvision's
/// pretrained state dict holds them, and inference (eval mode) never runs it.
class InceptionAuxImpl : public torch::nn::Module {
 public:
  InceptionAuxImpl(std::int64_t in_channels, std::int64_t num_classes);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d m_conv0, m_conv1;
  torch::nn::Linear m_fc{nullptr};
};
TORCH_MODULE(InceptionAux);

}  // namespace counterscope::evaluation

#pragma once
// A convolution (optionally followed by ReLU) registered under the child name "0": the parameter layout of
// torchvision 0.14's Conv2dNormActivation without norm, so checkpoint keys read "<block>.0.weight".
// (LibTorch cannot nest nn::Sequential inside nn::Sequential, hence this small module.)

#include <torch/torch.h>

namespace counterscope::modeling {

class ConvBlockImpl : public torch::nn::Module {
 public:
  ConvBlockImpl(torch::nn::Conv2d conv, bool relu) : m_conv(register_module("0", std::move(conv))), m_relu(relu) {}
  torch::Tensor forward(const torch::Tensor& x) {
    auto y = m_conv->forward(x);
    return m_relu ? y.relu_() : y;  // in place, as torchvision's ReLU(inplace=True)
  }
  torch::nn::Conv2d conv() const { return m_conv; }

 private:
  torch::nn::Conv2d m_conv;
  bool m_relu;
};
TORCH_MODULE(ConvBlock);

}  // namespace counterscope::modeling

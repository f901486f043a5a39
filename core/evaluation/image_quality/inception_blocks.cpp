#include "core/evaluation/image_quality/inception_blocks.h"

#include <string>
#include <utility>

namespace counterscope::evaluation {

namespace F = torch::nn::functional;

torch::Tensor inception_branch_pool(const torch::Tensor& x, InceptionPooling pooling) {
  switch (pooling) {
    case InceptionPooling::average_including_padding:
      return F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(1).padding(1));
    case InceptionPooling::average_excluding_padding:
      return F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
    case InceptionPooling::max:
      return F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(1).padding(1));
  }
  return x;  // unreachable: every enumerator is handled above
}

namespace {

// BasicConv2d's holder forwards its arguments as a template pack, which cannot take braced lists.
BasicConv2d basic_conv(std::int64_t in_channels, std::int64_t out_channels, std::vector<std::int64_t> kernel,
                       std::vector<std::int64_t> stride = {1, 1}, std::vector<std::int64_t> padding = {0, 0}) {
  return BasicConv2d(in_channels, out_channels, std::move(kernel), std::move(stride), std::move(padding));
}

torch::Tensor max_pool_3x3_stride_2(const torch::Tensor& x) {
  return F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2));
}

}  // namespace

BasicConv2dImpl::BasicConv2dImpl(std::int64_t in_channels, std::int64_t out_channels,
                                 std::vector<std::int64_t> kernel, std::vector<std::int64_t> stride,
                                 std::vector<std::int64_t> padding)
    : m_conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels,
                                                                                torch::IntArrayRef(kernel))
                                                           .stride(torch::IntArrayRef(stride))
                                                           .padding(torch::IntArrayRef(padding))
                                                           .bias(false)))),
      m_bn(register_module("bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out_channels).eps(0.001)))) {}

torch::Tensor BasicConv2dImpl::forward(const torch::Tensor& x) { return m_bn->forward(m_conv->forward(x)).relu_(); }

InceptionAImpl::InceptionAImpl(std::int64_t in_channels, std::int64_t pool_features, InceptionPooling pooling)
    : m_branch1x1(register_module("branch1x1", basic_conv(in_channels, 64, {1, 1}))),
      m_branch5x5_1(register_module("branch5x5_1", basic_conv(in_channels, 48, {1, 1}))),
      m_branch5x5_2(register_module("branch5x5_2", basic_conv(48, 64, {5, 5}, {1, 1}, {2, 2}))),
      m_branch3x3dbl_1(register_module("branch3x3dbl_1", basic_conv(in_channels, 64, {1, 1}))),
      m_branch3x3dbl_2(register_module("branch3x3dbl_2", basic_conv(64, 96, {3, 3}, {1, 1}, {1, 1}))),
      m_branch3x3dbl_3(register_module("branch3x3dbl_3", basic_conv(96, 96, {3, 3}, {1, 1}, {1, 1}))),
      m_branch_pool(register_module("branch_pool", basic_conv(in_channels, pool_features, {1, 1}))),
      m_pooling(pooling) {}

torch::Tensor InceptionAImpl::forward(const torch::Tensor& x) {
  auto branch1x1 = m_branch1x1->forward(x);
  auto branch5x5 = m_branch5x5_2->forward(m_branch5x5_1->forward(x));
  auto branch3x3dbl = m_branch3x3dbl_3->forward(m_branch3x3dbl_2->forward(m_branch3x3dbl_1->forward(x)));
  auto branch_pool = m_branch_pool->forward(inception_branch_pool(x, m_pooling));
  return torch::cat({branch1x1, branch5x5, branch3x3dbl, branch_pool}, 1);
}

InceptionBImpl::InceptionBImpl(std::int64_t in_channels)
    : m_branch3x3(register_module("branch3x3", basic_conv(in_channels, 384, {3, 3}, {2, 2}))),
      m_branch3x3dbl_1(register_module("branch3x3dbl_1", basic_conv(in_channels, 64, {1, 1}))),
      m_branch3x3dbl_2(register_module("branch3x3dbl_2", basic_conv(64, 96, {3, 3}, {1, 1}, {1, 1}))),
      m_branch3x3dbl_3(register_module("branch3x3dbl_3", basic_conv(96, 96, {3, 3}, {2, 2}))) {}

torch::Tensor InceptionBImpl::forward(const torch::Tensor& x) {
  auto branch3x3 = m_branch3x3->forward(x);
  auto branch3x3dbl = m_branch3x3dbl_3->forward(m_branch3x3dbl_2->forward(m_branch3x3dbl_1->forward(x)));
  return torch::cat({branch3x3, branch3x3dbl, max_pool_3x3_stride_2(x)}, 1);
}

InceptionCImpl::InceptionCImpl(std::int64_t in_channels, std::int64_t c7, InceptionPooling pooling)
    : m_branch1x1(register_module("branch1x1", basic_conv(in_channels, 192, {1, 1}))),
      m_branch7x7_1(register_module("branch7x7_1", basic_conv(in_channels, c7, {1, 1}))),
      m_branch7x7_2(register_module("branch7x7_2", basic_conv(c7, c7, {1, 7}, {1, 1}, {0, 3}))),
      m_branch7x7_3(register_module("branch7x7_3", basic_conv(c7, 192, {7, 1}, {1, 1}, {3, 0}))),
      m_branch7x7dbl_1(register_module("branch7x7dbl_1", basic_conv(in_channels, c7, {1, 1}))),
      m_branch7x7dbl_2(register_module("branch7x7dbl_2", basic_conv(c7, c7, {7, 1}, {1, 1}, {3, 0}))),
      m_branch7x7dbl_3(register_module("branch7x7dbl_3", basic_conv(c7, c7, {1, 7}, {1, 1}, {0, 3}))),
      m_branch7x7dbl_4(register_module("branch7x7dbl_4", basic_conv(c7, c7, {7, 1}, {1, 1}, {3, 0}))),
      m_branch7x7dbl_5(register_module("branch7x7dbl_5", basic_conv(c7, 192, {1, 7}, {1, 1}, {0, 3}))),
      m_branch_pool(register_module("branch_pool", basic_conv(in_channels, 192, {1, 1}))),
      m_pooling(pooling) {}

torch::Tensor InceptionCImpl::forward(const torch::Tensor& x) {
  auto branch1x1 = m_branch1x1->forward(x);
  auto branch7x7 = m_branch7x7_3->forward(m_branch7x7_2->forward(m_branch7x7_1->forward(x)));
  auto branch7x7dbl = m_branch7x7dbl_1->forward(x);
  branch7x7dbl = m_branch7x7dbl_3->forward(m_branch7x7dbl_2->forward(branch7x7dbl));
  branch7x7dbl = m_branch7x7dbl_5->forward(m_branch7x7dbl_4->forward(branch7x7dbl));
  auto branch_pool = m_branch_pool->forward(inception_branch_pool(x, m_pooling));
  return torch::cat({branch1x1, branch7x7, branch7x7dbl, branch_pool}, 1);
}

InceptionDImpl::InceptionDImpl(std::int64_t in_channels)
    : m_branch3x3_1(register_module("branch3x3_1", basic_conv(in_channels, 192, {1, 1}))),
      m_branch3x3_2(register_module("branch3x3_2", basic_conv(192, 320, {3, 3}, {2, 2}))),
      m_branch7x7x3_1(register_module("branch7x7x3_1", basic_conv(in_channels, 192, {1, 1}))),
      m_branch7x7x3_2(register_module("branch7x7x3_2", basic_conv(192, 192, {1, 7}, {1, 1}, {0, 3}))),
      m_branch7x7x3_3(register_module("branch7x7x3_3", basic_conv(192, 192, {7, 1}, {1, 1}, {3, 0}))),
      m_branch7x7x3_4(register_module("branch7x7x3_4", basic_conv(192, 192, {3, 3}, {2, 2}))) {}

torch::Tensor InceptionDImpl::forward(const torch::Tensor& x) {
  auto branch3x3 = m_branch3x3_2->forward(m_branch3x3_1->forward(x));
  auto branch7x7x3 = m_branch7x7x3_2->forward(m_branch7x7x3_1->forward(x));
  branch7x7x3 = m_branch7x7x3_4->forward(m_branch7x7x3_3->forward(branch7x7x3));
  return torch::cat({branch3x3, branch7x7x3, max_pool_3x3_stride_2(x)}, 1);
}

InceptionEImpl::InceptionEImpl(std::int64_t in_channels, InceptionPooling pooling)
    : m_branch1x1(register_module("branch1x1", basic_conv(in_channels, 320, {1, 1}))),
      m_branch3x3_1(register_module("branch3x3_1", basic_conv(in_channels, 384, {1, 1}))),
      m_branch3x3_2a(register_module("branch3x3_2a", basic_conv(384, 384, {1, 3}, {1, 1}, {0, 1}))),
      m_branch3x3_2b(register_module("branch3x3_2b", basic_conv(384, 384, {3, 1}, {1, 1}, {1, 0}))),
      m_branch3x3dbl_1(register_module("branch3x3dbl_1", basic_conv(in_channels, 448, {1, 1}))),
      m_branch3x3dbl_2(register_module("branch3x3dbl_2", basic_conv(448, 384, {3, 3}, {1, 1}, {1, 1}))),
      m_branch3x3dbl_3a(register_module("branch3x3dbl_3a", basic_conv(384, 384, {1, 3}, {1, 1}, {0, 1}))),
      m_branch3x3dbl_3b(register_module("branch3x3dbl_3b", basic_conv(384, 384, {3, 1}, {1, 1}, {1, 0}))),
      m_branch_pool(register_module("branch_pool", basic_conv(in_channels, 192, {1, 1}))),
      m_pooling(pooling) {}

torch::Tensor InceptionEImpl::forward(const torch::Tensor& x) {
  auto branch1x1 = m_branch1x1->forward(x);
  auto branch3x3 = m_branch3x3_1->forward(x);
  branch3x3 = torch::cat({m_branch3x3_2a->forward(branch3x3), m_branch3x3_2b->forward(branch3x3)}, 1);
  auto branch3x3dbl = m_branch3x3dbl_2->forward(m_branch3x3dbl_1->forward(x));
  branch3x3dbl = torch::cat({m_branch3x3dbl_3a->forward(branch3x3dbl), m_branch3x3dbl_3b->forward(branch3x3dbl)}, 1);
  auto branch_pool = m_branch_pool->forward(inception_branch_pool(x, m_pooling));
  return torch::cat({branch1x1, branch3x3, branch3x3dbl, branch_pool}, 1);
}

InceptionAuxImpl::InceptionAuxImpl(std::int64_t in_channels, std::int64_t num_classes)
    : m_conv0(register_module("conv0", basic_conv(in_channels, 128, {1, 1}))),
      m_conv1(register_module("conv1", basic_conv(128, 768, std::vector<std::int64_t>{5, 5}))),
      m_fc(register_module("fc", torch::nn::Linear(768, num_classes))) {}

torch::Tensor InceptionAuxImpl::forward(const torch::Tensor& x) {
  auto y = F::avg_pool2d(x, F::AvgPool2dFuncOptions(5).stride(3));
  y = m_conv1->forward(m_conv0->forward(y));
  y = F::adaptive_avg_pool2d(y, F::AdaptiveAvgPool2dFuncOptions(1));
  return m_fc->forward(torch::flatten(y, 1));
}

}  // namespace counterscope::evaluation

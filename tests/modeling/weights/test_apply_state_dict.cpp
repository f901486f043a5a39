// apply_state_dict: parameters and buffers copied by name; missing, unexpected and mis-shaped keys reported.

#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/modeling/weights/apply_state_dict.h"

namespace counterscope::modeling {
namespace {

struct NetImpl : torch::nn::Module {
  NetImpl() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)));
    bn = register_module("bn", torch::nn::BatchNorm2d(4));
    head = register_module("head", torch::nn::Sequential(torch::nn::Linear(4, 2)));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Sequential head{nullptr};
};
TORCH_MODULE(Net);

/// A state dict with the module's names and fresh, distinct values (buffers included).
StateDict random_state_for(torch::nn::Module& module, torch::Dtype dtype = torch::kFloat) {
  StateDict state;
  int seed = 1;
  for (const auto& item : module.named_parameters()) {
    state.insert(item.key(), torch::randn(item.value().sizes()).to(dtype) * seed++);
  }
  for (const auto& item : module.named_buffers()) {
    state.insert(item.key(), item.key().find("num_batches") != std::string::npos
                                 ? torch::tensor(42, torch::kLong)
                                 : torch::rand(item.value().sizes()).to(dtype) + seed++);
  }
  return state;
}

std::vector<torch::Tensor> snapshot(torch::nn::Module& module) {
  std::vector<torch::Tensor> values;
  for (const auto& p : module.parameters()) values.push_back(p.detach().clone());
  for (const auto& b : module.buffers()) values.push_back(b.clone());
  return values;
}

bool unchanged(torch::nn::Module& module, const std::vector<torch::Tensor>& before) {
  const auto now = snapshot(module);
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (!torch::equal(now[i], before[i])) return false;
  }
  return true;
}

TEST(ApplyStateDict, CopiesParametersAndBuffersByName) {
  torch::manual_seed(0);
  Net net;
  const StateDict state = random_state_for(*net);
  const ApplyStateDictReport report = apply_state_dict(*net, state);
  EXPECT_TRUE(report.clean());
  EXPECT_EQ(report.loaded.size(), state.size());
  for (const auto& item : net->named_parameters()) {
    EXPECT_TRUE(torch::equal(item.value(), *state.find(item.key()))) << item.key();
  }
  EXPECT_TRUE(torch::equal(net->bn->running_mean, *state.find("bn.running_mean")));
  EXPECT_TRUE(torch::equal(net->bn->running_var, *state.find("bn.running_var")));
  EXPECT_EQ(net->bn->num_batches_tracked.item<std::int64_t>(), 42);
  EXPECT_TRUE(state.contains("head.0.weight"));  // Sequential children are named like Python's
  // Parameters stay leaves that train: the copy ran without recording autograd history.
  EXPECT_TRUE(net->conv->weight.requires_grad());
  EXPECT_TRUE(net->conv->weight.is_leaf());
}

TEST(ApplyStateDict, ConvertsDtype) {
  torch::manual_seed(1);
  Net net;
  const StateDict state = random_state_for(*net, torch::kDouble);
  apply_state_dict(*net, state);
  EXPECT_EQ(net->conv->weight.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::allclose(net->conv->weight.to(torch::kDouble), *state.find("conv.weight"), 1e-6, 1e-6));
}

StateDict mismatched_state(torch::nn::Module& module) {
  const StateDict full = random_state_for(module);
  StateDict state;
  for (const auto& entry : full) {
    if (entry.name == "bn.running_var") continue;                                         // missing
    if (entry.name == "head.0.weight") state.insert(entry.name, torch::zeros({3, 4}));   // wrong shape
    else state.insert(entry.name, entry.tensor);
  }
  state.insert("fc.weight", torch::zeros({2, 4}));  // unexpected
  return state;
}

TEST(ApplyStateDict, StrictModeThrowsTheReportAndChangesNothing) {
  torch::manual_seed(2);
  Net net;
  const auto before = snapshot(*net);
  const StateDict state = mismatched_state(*net);
  try {
    apply_state_dict(*net, state, ApplyStateDictOptions{true, "model.pth"});
    FAIL() << "expected StateDictMismatch";
  } catch (const StateDictMismatch& error) {
    const ApplyStateDictReport& report = error.report();
    EXPECT_EQ(report.missing, std::vector<std::string>{"bn.running_var"});
    EXPECT_EQ(report.unexpected, std::vector<std::string>{"fc.weight"});
    ASSERT_EQ(report.shape_mismatches.size(), 1u);
    EXPECT_EQ(report.shape_mismatches[0].name, "head.0.weight");
    EXPECT_EQ(report.shape_mismatches[0].module_shape, (std::vector<std::int64_t>{2, 4}));
    EXPECT_EQ(report.shape_mismatches[0].checkpoint_shape, (std::vector<std::int64_t>{3, 4}));
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("model.pth: state dict: ", 0), 0u) << message;
    EXPECT_NE(message.find("1 missing from the checkpoint:\n  bn.running_var"), std::string::npos) << message;
    EXPECT_NE(message.find("1 unexpected in the checkpoint:\n  fc.weight"), std::string::npos) << message;
    EXPECT_NE(message.find("head.0.weight: model [2, 4], checkpoint [3, 4]"), std::string::npos) << message;
  }
  EXPECT_TRUE(unchanged(*net, before));
}

TEST(ApplyStateDict, NonStrictModeCopiesWhatFitsAndReportsTheRest) {
  torch::manual_seed(3);
  Net net;
  const torch::Tensor old_running_var = net->bn->running_var.clone();
  const torch::Tensor old_head_weight = net->head->named_parameters()["0.weight"].detach().clone();
  const StateDict state = mismatched_state(*net);
  const ApplyStateDictReport report = apply_state_dict(*net, state, ApplyStateDictOptions{false, "model.pth"});
  EXPECT_FALSE(report.clean());
  EXPECT_EQ(report.missing.size(), 1u);
  EXPECT_EQ(report.unexpected.size(), 1u);
  EXPECT_EQ(report.shape_mismatches.size(), 1u);
  EXPECT_EQ(report.loaded.size(), state.size() - 2);  // all but the unexpected and the mis-shaped
  EXPECT_TRUE(torch::equal(net->conv->weight, *state.find("conv.weight")));
  EXPECT_TRUE(torch::equal(net->bn->running_var, old_running_var));
  EXPECT_TRUE(torch::equal(net->head->named_parameters()["0.weight"], old_head_weight));
}

}  // namespace
}  // namespace counterscope::modeling

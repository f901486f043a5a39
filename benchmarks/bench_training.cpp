// Mask R-CNN training throughput: C++ (LibTorch) vs torchvision's Python training step with the same network,
// the same initial weights, the same batch, the same optimiser and the same thread count, in one run.
// Presets: "tiny" (the synthetic world's model: ResNet-18, 64-channel FPN, narrow heads, 4 images of 256 px)
// and "r50" (torchvision's maskrcnn_resnet50_fpn from scratch, 2 images resized to 512 px); both with trainable
// BatchNorm and every layer trainable, 49 classes, SGD lr 0.01 / momentum 0.9 / weight decay 1e-4.
// The Python side runs first (it writes the weights and the batch), then the C++ side. --device cuda trains both
// sides on the GPU (set COUNTERSCOPE_PYTHON to a Python whose torch has CUDA) and synchronises before each clock
// reading.
// Usage: bench_training [--threads N] [--steps N] [--presets tiny,r50] [--device cpu|cuda] [--out-dir DIR]

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "benchmarks/bench_support.h"
#include "core/modeling/device.h"
#include "core/modeling/mask_rcnn.h"
#include "core/modeling/model_config.h"
#include "core/modeling/weights/checkpoint.h"
#include "core/util/threads.h"

namespace {

using namespace counterscope;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kNumClasses = 49;
constexpr const char* kUsage =
    "usage: bench_training [--threads N] [--steps N] [--presets tiny,r50] [--device cpu|cuda] [--out-dir DIR]\n";

// The same network as bench_training.py builds for `preset`.
modeling::ModelConfig config_for(const std::string& preset) {
  modeling::ModelConfig config = modeling::load_model_config(preset == "tiny" ? "tiny" : "torchvision-r50-fpn");
  config.num_classes = kNumClasses;
  config.backbone.norm = "batch";
  config.backbone.trainable_layers = 5;
  if (preset == "r50") {
    config.transform.min_size = {512};
    config.transform.max_size = 512;
  }
  return config;
}

struct Batch {
  std::vector<torch::Tensor> images;
  std::vector<modeling::Target> targets;
};

Batch load_batch(const std::string& path, const torch::Device& device) {
  const auto stored = modeling::load_state_dict(path);
  Batch batch;
  for (int i = 0;; ++i) {
    const auto* image = stored.find("image" + std::to_string(i));
    if (image == nullptr) break;
    batch.images.push_back(image->to(device, /*non_blocking=*/false, /*copy=*/true));
    modeling::Target target;
    target.boxes = stored.find("boxes" + std::to_string(i))->to(device, false, true);
    target.labels = stored.find("labels" + std::to_string(i))->to(device, false, true);
    target.masks = stored.find("masks" + std::to_string(i))->to(device, false, true);
    batch.targets.push_back(target);
  }
  return batch;
}

std::vector<double> time_training(const std::string& preset, const std::string& out_dir, int steps,
                                  const torch::Device& device) {
  torch::manual_seed(0);
  modeling::MaskRcnn model(config_for(preset));
  model->load_weights(modeling::load_state_dict(out_dir + "/" + preset + "_weights.pth"));
  model->to(device);
  model->train();
  const Batch batch = load_batch(out_dir + "/" + preset + "_batch.pth", device);
  std::vector<torch::Tensor> parameters;
  for (const auto& parameter : model->parameters())
    if (parameter.requires_grad()) parameters.push_back(parameter);
  torch::optim::SGD optimizer(parameters, torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(1e-4));
  std::vector<double> times;
  for (int step = 0; step <= steps; ++step) {  // the first step warms up and is not timed
    const auto start = Clock::now();
    const auto losses = model->forward_train(batch.images, batch.targets);
    torch::Tensor total;
    for (const auto& [name, value] : losses) total = total.defined() ? total + value : value;
    optimizer.zero_grad();
    total.backward();
    optimizer.step();
    bench::synchronize(device);
    if (step > 0) times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  return times;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0, steps = 5;
  std::string presets = "tiny,r50", device_name = "cpu";
  std::string out_dir = (std::filesystem::temp_directory_path() / "counterscope-bench-training").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--steps") steps = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--presets") presets = argv[i + 1];
    else if (flag == "--out-dir") out_dir = argv[i + 1];
    else if (flag == "--device") device_name = argv[i + 1];
    else {
      std::cerr << kUsage;
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::cerr << kUsage;
    return 2;
  }
  torch::Device device(torch::kCPU);
  try {
    device = modeling::parse_device(device_name);
  } catch (const std::exception& error) {
    std::cerr << "bench_training: " << error.what() << "\n";
    return 2;
  }
  threads = configure_torch_threads(threads);
  nlohmann::json report = {{"threads", threads}, {"steps", steps}, {"device", device.str()}};
  std::stringstream list(presets);
  for (std::string preset; std::getline(list, preset, ',');) {
    if (preset != "tiny" && preset != "r50") {
      std::cerr << "bench_training: unknown preset '" << preset << "' (tiny, r50)\n";
      return 2;
    }
    const std::string command = bench::python() + " " COUNTERSCOPE_SOURCE_DIR "/benchmarks/bench_training.py " +
                                out_dir + " " + preset + " " + std::to_string(threads) + " " + std::to_string(steps) +
                                " " + device.str();
    const std::string output = bench::command_output(command);
    nlohmann::json python;
    try {
      python = nlohmann::json::parse(output.substr(output.find('{')));
    } catch (const std::exception&) {
      std::cerr << "torchvision side failed: " << command << "\n" << output << "\n";
      return 1;
    }
    const auto times = time_training(preset, out_dir, steps, device);
    const double batch = python.at("batch").get<double>();
    const double cpp = bench::median(times);
    const double py = python.at("median_s").get<double>();
    report[preset] = {{"batch", python.at("batch")},
                      {"image_size", python.at("image_size")},
                      {"cpp_images_per_second", batch / cpp},
                      {"torchvision_images_per_second", batch / py},
                      {"speedup_cpp_over_torchvision", py / cpp},
                      {"cpp_step_times_s", times},
                      {"torchvision_step_times_s", python.at("times_s")}};
  }
  std::cout << report.dump(2) << "\n";
  return 0;
}

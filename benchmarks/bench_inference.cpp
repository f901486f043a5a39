// Mask R-CNN inference speed: C++ (LibTorch) vs torchvision in Python, same R50-FPN weights, same 800x1333
// image, same thread count, same device, in one run; plus the tiny preset's latency and the process's peak memory.
// --batch 1,8 times batches of that many copies of the image (one predict call each); --device cuda runs both
// sides on the GPU (set COUNTERSCOPE_PYTHON to a Python whose torch has CUDA) and synchronises before each clock
// reading, since CUDA kernels run asynchronously.
// Usage: bench_inference [--threads N] [--runs N] [--batch 1,8] [--device cpu|cuda] [--out-dir DIR]
//                        [--profile TRACE.json]

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include "benchmarks/bench_support.h"
#include "core/modeling/device.h"
#include "core/modeling/mask_rcnn.h"
#include "core/modeling/weights/checkpoint.h"
#include "core/util/threads.h"

namespace {

using namespace counterscope;
using Clock = std::chrono::steady_clock;

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// Median-ready wall times of `runs` predict calls on `images` (after one untimed warm-up call).
std::vector<double> time_model(modeling::MaskRcnn& model, const std::vector<torch::Tensor>& images, int runs,
                               const torch::Device& device, std::int64_t* count) {
  torch::NoGradGuard no_grad;
  model->predict(images);  // warm-up
  bench::synchronize(device);
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    const auto detections = model->predict(images);
    bench::synchronize(device);
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    *count = detections[0].boxes.size(0);
  }
  return times;
}

std::vector<int> parse_batches(const std::string& text) {
  std::vector<int> batches;
  std::stringstream list(text);
  for (std::string item; std::getline(list, item, ',');) {
    const int batch = std::atoi(item.c_str());
    if (batch < 1) throw std::invalid_argument("--batch: '" + item + "' is not a positive count");
    batches.push_back(batch);
  }
  if (batches.empty()) throw std::invalid_argument("--batch: expected counts such as 1,8");
  return batches;
}

// The R50-FPN weights the Python side wrote: its torch.save'd state_dict (the format every torchvision checkpoint
// has), or the safetensors copy when that .pth cannot be read (the reason is reported, not hidden).
modeling::StateDict load_reference_weights(const std::string& out_dir, nlohmann::json* report) {
  try {
    auto state = modeling::load_state_dict(out_dir + "/r50_weights.pth");
    (*report)["weights_file"] = "r50_weights.pth";
    return state;
  } catch (const std::exception& error) {
    if (!std::filesystem::exists(out_dir + "/r50_weights.safetensors")) throw;
    (*report)["weights_file"] = "r50_weights.safetensors";
    (*report)["pth_error"] = error.what();
    return modeling::load_state_dict(out_dir + "/r50_weights.safetensors");
  }
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0, runs = 5;
  std::string batch_list = "1", device_name = "cpu";
  std::string profile_path;  // --profile FILE: a chrome trace of one R50-FPN inference
  std::string out_dir = (std::filesystem::temp_directory_path() / "counterscope-bench-inference").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--out-dir") out_dir = argv[i + 1];
    else if (flag == "--profile") profile_path = argv[i + 1];
    else if (flag == "--batch") batch_list = argv[i + 1];
    else if (flag == "--device") device_name = argv[i + 1];
    else {
      std::cerr << "usage: bench_inference [--threads N] [--runs N] [--batch 1,8] [--device cpu|cuda] "
                   "[--out-dir DIR] [--profile TRACE.json]\n";
      return 2;
    }
  }
  std::vector<int> batches;
  torch::Device device(torch::kCPU);
  try {
    batches = parse_batches(batch_list);
    device = modeling::parse_device(device_name);
  } catch (const std::exception& error) {
    std::cerr << "bench_inference: " << error.what() << "\n";
    return 2;
  }
  threads = configure_torch_threads(threads);
  nlohmann::json report = {{"threads", threads}, {"runs", runs}, {"device", device.str()}};

  // 1. The tiny preset on a 256x256 image (the synthetic world's size), first so the peak memory is its own.
  {
    auto config = modeling::load_model_config("tiny");
    torch::manual_seed(0);
    modeling::MaskRcnn tiny(config);
    tiny->eval();
    tiny->to(device);
    std::int64_t count = 0;
    const auto times = time_model(tiny, {torch::rand({3, 256, 256}).to(device)}, runs * 4, device, &count);
    report["tiny"] = {{"median_s", bench::median(times)}, {"peak_rss_mib", peak_rss_mib()}, {"image", "256x256"}};
  }

  // 2. R50-FPN at 800x1333 vs torchvision, same weights and image (written by the Python side), per batch size.
  const std::string command = bench::python() + " " COUNTERSCOPE_SOURCE_DIR "/benchmarks/bench_inference.py " +
                              out_dir + " " + std::to_string(threads) + " " + std::to_string(runs) + " 800 1333 " +
                              device.str() + " " + batch_list;
  const std::string python_output = bench::command_output(command);
  nlohmann::json python;
  try {
    python = nlohmann::json::parse(python_output.substr(python_output.find('{')));
  } catch (const std::exception&) {
    std::cerr << "torchvision side failed: " << command << "\n" << python_output << "\n";
    return 1;
  }
  report["torchvision_version"] = python.at("torchvision");
  report["torch_version"] = python.at("torch");
  modeling::MaskRcnn model(modeling::ModelConfig{});
  model->eval();
  model->load_weights(load_reference_weights(out_dir, &report));
  model->to(device);
  const auto image = modeling::load_state_dict(out_dir + "/image.pth").find("image")->clone().to(device);
  for (const auto& measured : python.at("results")) {
    const int batch = measured.at("batch").get<int>();
    std::int64_t count = 0;
    const auto times = time_model(model, std::vector<torch::Tensor>(batch, image), runs, device, &count);
    const double cpp = bench::median(times);
    const double py = measured.at("median_s").get<double>();
    report["r50_fpn_800x1333"]["batch_" + std::to_string(batch)] = {
        {"cpp_median_s", cpp},
        {"torchvision_median_s", py},
        {"ratio_cpp_over_torchvision", cpp / py},
        {"cpp_images_per_second", batch / cpp},
        {"torchvision_images_per_second", batch / py},
        {"cpp_detections_first_image", count},
        {"torchvision_detections_first_image", measured.at("detections")},
        {"cpp_times_s", times},
        {"torchvision_times_s", measured.at("times_s")}};
  }
  if (!profile_path.empty()) {
    // One more batch-1 run under LibTorch's profiler (chrome-trace JSON): which operators the time goes to.
    torch::NoGradGuard no_grad;
    torch::autograd::profiler::RecordProfile guard(profile_path);
    model->predict({image});
  }
  report["peak_rss_mib"] = peak_rss_mib();
  std::cout << report.dump(2) << "\n";
  return 0;
}

// Mask R-CNN inference speed: C++ (LibTorch) vs torchvision in Python, same R50-FPN weights, same 800x1333
// image, same thread count, in one run; plus the tiny preset's latency and the process's peak memory.
// Usage: bench_inference [--threads N] [--runs N] [--out-dir DIR] [--profile TRACE.json]

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include "benchmarks/bench_support.h"
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

std::vector<double> time_model(modeling::MaskRcnn& model, const torch::Tensor& image, int runs, std::int64_t* count) {
  torch::NoGradGuard no_grad;
  model->predict({image});  // warm-up
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    const auto detections = model->predict({image});
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    *count = detections[0].boxes.size(0);
  }
  return times;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0, runs = 5;
  std::string profile_path;  // --profile FILE: a chrome trace of one R50-FPN inference
  std::string out_dir = (std::filesystem::temp_directory_path() / "counterscope-bench-inference").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--out-dir") out_dir = argv[i + 1];
    else if (flag == "--profile") profile_path = argv[i + 1];
    else {
      std::cerr << "usage: bench_inference [--threads N] [--runs N] [--out-dir DIR] [--profile TRACE.json]\n";
      return 2;
    }
  }
  threads = configure_torch_threads(threads);
  nlohmann::json report = {{"threads", threads}, {"runs", runs}};

  // 1. The tiny preset on a 256x256 image (the synthetic world's size), first so the peak memory is its own.
  {
    auto config = modeling::load_model_config("tiny");
    torch::manual_seed(0);
    modeling::MaskRcnn tiny(config);
    tiny->eval();
    std::int64_t count = 0;
    const auto times = time_model(tiny, torch::rand({3, 256, 256}), runs * 4, &count);
    report["tiny"] = {{"median_s", bench::median(times)}, {"peak_rss_mib", peak_rss_mib()}, {"image", "256x256"}};
  }

  // 2. R50-FPN at 800x1333 vs torchvision, same weights and image (written by the Python side).
  const std::string command = "/usr/bin/python3 " COUNTERSCOPE_SOURCE_DIR "/benchmarks/bench_inference.py " + out_dir +
                              " " + std::to_string(threads) + " " + std::to_string(runs) + " 800 1333";
  const std::string python_output = bench::command_output(command);
  nlohmann::json python;
  try {
    python = nlohmann::json::parse(python_output.substr(python_output.find('{')));
  } catch (const std::exception&) {
    std::cerr << "torchvision side failed: " << command << "\n" << python_output << "\n";
    return 1;
  }
  modeling::MaskRcnn model(modeling::ModelConfig{});
  model->eval();
  model->load_weights(modeling::load_state_dict(out_dir + "/r50_weights.pth"));
  const auto image = modeling::load_state_dict(out_dir + "/image.pth").find("image")->clone();
  std::int64_t count = 0;
  const auto times = time_model(model, image, runs, &count);
  if (!profile_path.empty()) {
    // One more run under LibTorch's profiler (chrome-trace JSON): which operators the time goes to.
    torch::NoGradGuard no_grad;
    torch::autograd::profiler::RecordProfile guard(profile_path);
    model->predict({image});
  }
  const double cpp = bench::median(times);
  const double py = python.at("median_s").get<double>();
  report["r50_fpn_800x1333"] = {{"cpp_median_s", cpp},
                                {"torchvision_median_s", py},
                                {"ratio_cpp_over_torchvision", cpp / py},
                                {"cpp_detections", count},
                                {"torchvision_detections", python.at("detections")},
                                {"cpp_times_s", times},
                                {"torchvision_times_s", python.at("times_s")},
                                {"peak_rss_mib", peak_rss_mib()}};
  std::cout << report.dump(2) << "\n";
  return 0;
}

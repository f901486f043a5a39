// Load and save times of model checkpoints, next to Python's torch.load on the same files as the baseline.
// Usage: bench_checkpoints [--python /usr/bin/python3] FILE... (e.g. torchvision's resnet18 written by
// tests/modeling/weights/make_checkpoints.py: resnet18_zip.pth, resnet18_legacy.pth, *_reference.safetensors).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/modeling/weights/checkpoint.h"
#include "core/modeling/weights/safetensors.h"
#include "core/modeling/weights/torch_checkpoint.h"
#include "core/util/error.h"

namespace {

using counterscope::modeling::StateDict;
constexpr int kRepeats = 5;

template <typename Work>
double median_ms(Work&& work) {
  std::vector<double> times;
  for (int i = 0; i < kRepeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string python;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--python" && i + 1 < argc) python = argv[++i];
    else files.push_back(arg);
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: bench_checkpoints [--python PYTHON] FILE...\n");
    return 2;
  }
  try {
    std::printf("median of %d runs, 1 thread of this process\n", kRepeats);
    for (const auto& file : files) {
      const double mb = static_cast<double>(std::filesystem::file_size(file)) / 1e6;
      StateDict state;
      const double load = median_ms([&] { state = counterscope::modeling::load_state_dict(file); });
      std::printf("%-40s %8.1f MB  %zu tensors  load %8.1f ms (%6.0f MB/s)  [%s]\n",
                  std::filesystem::path(file).filename().c_str(), mb, state.size(), load, mb / load * 1e3,
                  counterscope::modeling::to_string(counterscope::modeling::detect_checkpoint_format(file)));
      std::fflush(stdout);  // keep the Python baseline's line after ours
      if (!python.empty() && counterscope::modeling::detect_checkpoint_format(file) !=
                                 counterscope::modeling::CheckpointFormat::safetensors) {
        // Baseline: Python's torch.load (weights_only is not in torch 1.13), same file, same repeats.
        const std::string command =
            "\"" + python + "\" -c \"import sys, time, torch; ts = []\n"
            "for _ in range(" + std::to_string(kRepeats) + "):\n"
            "    t = time.perf_counter(); torch.load(sys.argv[1]); ts.append((time.perf_counter() - t) * 1e3)\n"
            "print('%-40s baseline: python torch.load %8.1f ms' % ('', sorted(ts)[len(ts) // 2]))\" \"" + file + "\"";
        if (std::system(command.c_str()) != 0) std::printf("  (python baseline failed)\n");
      }
    }
    const StateDict state = counterscope::modeling::load_state_dict(files.front());
    const auto dir = std::filesystem::temp_directory_path();
    const std::string pth = (dir / "bench_checkpoints.pth").string();
    const std::string st = (dir / "bench_checkpoints.safetensors").string();
    const double save_pth = median_ms([&] { counterscope::modeling::save_pth(state, pth); });
    const double save_st = median_ms([&] { counterscope::modeling::save_safetensors(state, st); });
    std::printf("save %s as .pth %8.1f ms, as .safetensors %8.1f ms\n", files.front().c_str(), save_pth, save_st);
    std::filesystem::remove(pth);
    std::filesystem::remove(st);
  } catch (const counterscope::Error& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
  return 0;
}

// Speed of Counterscope's NMS and RoIAlign next to torchvision 0.14 on the same machine, the same
// thread count and inputs of the same sizes and distribution (seeded), measured in the same run.
// Usage: bench_ops [--threads N]   (N = 0: all cores)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/modeling/ops/nms.h"
#include "core/modeling/ops/roi_align.h"
#include "core/util/threads.h"

namespace {

using counterscope::modeling::nms;
using counterscope::modeling::roi_align;

/// Median wall time in milliseconds of `repeats` runs after one warm-up run.
double median_ms(int repeats, const std::function<void()>& work) {
  work();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// The same measurements with torchvision, printed by Debian's Python.
const char* k_torchvision_script = R"PY(
import sys, time, torch, torchvision
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
def median_ms(repeats, work):
    work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); work(); times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]
xy = torch.rand(5000, 2) * 1000
boxes = torch.cat([xy, xy + torch.rand(5000, 2) * 200 + 4], 1)
scores = torch.rand(5000)
print("torchvision   nms 5000 boxes            %8.2f ms" % median_ms(20, lambda: torchvision.ops.nms(boxes, scores, 0.5)))
features = torch.randn(2, 256, 200, 272)
xy = torch.rand(512, 2) * 700
rois = torch.cat([torch.randint(0, 2, (512, 1)).float(), xy, xy + torch.rand(512, 2) * 300 + 8], 1)
print("torchvision   roi_align fwd 512x256x7x7 %8.2f ms" % median_ms(5, lambda: torchvision.ops.roi_align(features, rois, 7, 0.25, 2, False)))
x = features.clone().requires_grad_(True)
def forward_backward():
    x.grad = None
    torchvision.ops.roi_align(x, rois, 7, 0.25, 2, False).sum().backward()
print("torchvision   roi_align fwd+bwd         %8.2f ms" % median_ms(5, forward_backward))
)PY";

}  // namespace

int main(int argc, char** argv) {
  int threads = 0;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--threads") threads = std::atoi(argv[i + 1]);
  }
  threads = counterscope::configure_torch_threads(threads);
  std::printf("threads: %d (both sides)\n", threads);
  torch::manual_seed(0);

  torch::Tensor xy = torch::rand({5000, 2}) * 1000;
  const torch::Tensor boxes = torch::cat({xy, xy + torch::rand({5000, 2}) * 200 + 4}, 1);
  const torch::Tensor scores = torch::rand({5000});
  std::printf("counterscope  nms 5000 boxes            %8.2f ms\n",
              median_ms(20, [&] { nms(boxes, scores, 0.5); }));

  const torch::Tensor features = torch::randn({2, 256, 200, 272});
  xy = torch::rand({512, 2}) * 700;
  const torch::Tensor rois =
      torch::cat({torch::randint(0, 2, {512, 1}).to(torch::kFloat32), xy, xy + torch::rand({512, 2}) * 300 + 8}, 1);
  std::printf("counterscope  roi_align fwd 512x256x7x7 %8.2f ms\n",
              median_ms(5, [&] { roi_align(features, rois, 0.25, 7, 7, 2, false); }));
  const torch::Tensor x = features.clone().set_requires_grad(true);
  std::printf("counterscope  roi_align fwd+bwd         %8.2f ms\n", median_ms(5, [&] {
                x.mutable_grad() = torch::Tensor();
                roi_align(x, rois, 0.25, 7, 7, 2, false).sum().backward();
              }));
  std::fflush(stdout);

  const std::string script_path = "/tmp/counterscope_bench_ops_torchvision.py";
  if (FILE* script = std::fopen(script_path.c_str(), "w")) {
    std::fputs(k_torchvision_script, script);
    std::fclose(script);
    const std::string command = "/usr/bin/python3 " + script_path + " " + std::to_string(threads);
    if (std::system(command.c_str()) != 0) std::printf("torchvision baseline unavailable (%s)\n", command.c_str());
  }
  return 0;
}

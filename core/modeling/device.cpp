#include "core/modeling/device.h"

#include <torch/cuda.h>

#include "core/util/error.h"

namespace counterscope::modeling {

torch::Device parse_device(const std::string& name, const std::string& source) {
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name.rfind("cuda", 0) != 0)
    throw InputError(source, "device", quote_for_message(name), "expected cpu, cuda or cuda:N");
  int index = 0;
  if (name.size() > 4) {
    const std::string rest = name.substr(4);
    if (rest.size() < 2 || rest[0] != ':' || rest.find_first_not_of("0123456789", 1) != std::string::npos)
      throw InputError(source, "device", quote_for_message(name), "expected cpu, cuda or cuda:N");
    index = std::stoi(rest.substr(1));
  }
  if (!torch::cuda::is_available())
    throw InputError(source, "device", quote_for_message(name),
                     "CUDA is not available (this LibTorch build has no CUDA support or no GPU is visible); "
                     "use --device cpu");
  const auto count = static_cast<int>(torch::cuda::device_count());
  if (index >= count)
    throw InputError(source, "device", quote_for_message(name),
                     "only " + std::to_string(count) + " CUDA device(s) visible");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

}  // namespace counterscope::modeling

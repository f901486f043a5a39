#include "core/util/threads.h"

#include <algorithm>
#include <thread>

#include <torch/torch.h>

namespace counterscope {

int hardware_thread_count() {
  return std::max(1u, std::thread::hardware_concurrency());
}

int configure_torch_threads(int threads) {
  const int wanted = threads > 0 ? threads : hardware_thread_count();
  torch::set_num_threads(wanted);
  return torch::get_num_threads();
}

}  // namespace counterscope

// configure_torch_threads (declared in threads.h) lives in counterscope_torch_util, so that the torch-free
// libraries need not link LibTorch.

#include <torch/torch.h>

#include "core/util/threads.h"

namespace counterscope {

int configure_torch_threads(int threads) {
  const int wanted = threads > 0 ? threads : hardware_thread_count();
  torch::set_num_threads(wanted);
  return torch::get_num_threads();
}

}  // namespace counterscope
